"""API7:2023 Server Side Request Forgery — a URL someone gives keel (a webhook) cannot make keel call its own
network: not directly, not through a redirect, not through DNS that changes its answer between check and connect.

A real HTTP server runs on 127.0.0.1; a resolver stub answers for made-up public host names, and the connections to
the public address it gives are routed to that local server (nothing leaves the machine). The server records every
path it is asked for, so each test can tell what was actually reached.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import httpx
import pytest

from keel.application.ports.outbound import UnsafeUrl
from keel.infrastructure.outbound import PublicUrlPolicy, guarded_http_client
from keel.infrastructure.outbound.addresses import IPAddress

pytestmark = pytest.mark.e2e

PUBLIC = ipaddress.ip_address("93.184.215.14")  # never contacted: connections to it are routed to the local server


class LocalServer:
    def __init__(self) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                if self.path.startswith("/redirect"):
                    target = self.path.split("?to=", 1)[1]
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                body = b"internal data" if self.path == "/internal" else b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.http.server_address[1])

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/internal"


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    thread = threading.Thread(target=server.http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.http.shutdown()
    server.http.server_close()
    thread.join(timeout=5)


class StubResolver:
    """Answers from a table; a name listed several times answers each in turn (the last one from then on)."""

    def __init__(self, answers: dict[str, list[list[IPAddress]]]) -> None:
        self._answers = {name: list(sequence) for name, sequence in answers.items()}
        self.queries: list[str] = []

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.queries.append(host)
        sequence = self._answers.get(host)
        if not sequence:
            return []
        return sequence.pop(0) if len(sequence) > 1 else sequence[0]


class RoutedNetwork(httpcore.AsyncNetworkBackend):
    """Connections to the made-up public address go to the local server; any other connection is refused, so a
    mistake here can never send traffic off the machine."""

    def __init__(self, local_port: int) -> None:
        self._local_port = local_port
        self._real = httpcore.AnyIOBackend()
        self.connected_to: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected_to.append((host, port))
        if host != str(PUBLIC):
            raise httpcore.ConnectError(f"the test network routes only {PUBLIC}")
        return await self._real.connect_tcp("127.0.0.1", self._local_port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


def _client(resolver: StubResolver, network: RoutedNetwork) -> httpx.AsyncClient:
    return guarded_http_client(PublicUrlPolicy(resolver), resolver, network=network)


async def test_a_public_host_is_reached(local_server: LocalServer) -> None:
    resolver = StubResolver({"hooks.partner.example": [[PUBLIC]]})
    network = RoutedNetwork(local_server.port)
    async with _client(resolver, network) as client:
        response = await client.get("http://hooks.partner.example/ok")
    assert response.status_code == 200
    assert response.text == "ok"
    assert network.connected_to == [(str(PUBLIC), 80)]
    assert local_server.paths == ["/ok"]


@pytest.mark.parametrize(
    "target",
    [
        "{internal}",
        "http://localhost:{port}/internal",
        "http://[::ffff:127.0.0.1]:{port}/internal",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.0.0.1/",
        "file:///etc/passwd",
        "http://user:pass@hooks.partner.example/ok",
    ],
)
async def test_a_redirect_to_an_internal_address_is_refused(local_server: LocalServer, target: str) -> None:
    resolver = StubResolver({"hooks.partner.example": [[PUBLIC]], "localhost": [[ipaddress.ip_address("127.0.0.1")]]})
    network = RoutedNetwork(local_server.port)
    location = target.format(internal=local_server.internal_url, port=local_server.port)
    async with _client(resolver, network) as client:
        with pytest.raises(UnsafeUrl):
            await client.get(f"http://hooks.partner.example/redirect?to={location}")
    assert local_server.paths == [f"/redirect?to={location}"]  # the redirect was followed nowhere
    assert network.connected_to == [(str(PUBLIC), 80)]


async def test_an_internal_url_is_refused_before_any_connection(local_server: LocalServer) -> None:
    resolver = StubResolver({})
    network = RoutedNetwork(local_server.port)
    async with _client(resolver, network) as client:
        with pytest.raises(UnsafeUrl):
            await client.get(local_server.internal_url)
    assert network.connected_to == []
    assert local_server.paths == []


async def test_a_name_that_resolves_to_public_and_internal_addresses_is_refused(local_server: LocalServer) -> None:
    resolver = StubResolver({"mixed.partner.example": [[PUBLIC, ipaddress.ip_address("10.1.2.3")]]})
    network = RoutedNetwork(local_server.port)
    async with _client(resolver, network) as client:
        with pytest.raises(UnsafeUrl):
            await client.get("http://mixed.partner.example/ok")
    assert network.connected_to == []


async def test_dns_rebinding_between_check_and_connect_is_refused(local_server: LocalServer) -> None:
    """The first answer (to the check) is public, the second (to the connection) is loopback."""
    resolver = StubResolver({"rebind.partner.example": [[PUBLIC], [ipaddress.ip_address("127.0.0.1")]]})
    network = RoutedNetwork(local_server.port)
    async with _client(resolver, network) as client:
        with pytest.raises(UnsafeUrl):
            await client.get("http://rebind.partner.example/internal")
    assert resolver.queries == ["rebind.partner.example", "rebind.partner.example"]
    assert network.connected_to == []
    assert local_server.paths == []


async def test_the_policy_checks_a_webhook_url_before_anyone_calls_it() -> None:
    policy = PublicUrlPolicy(
        StubResolver(
            {"hooks.partner.example": [[PUBLIC]], "intranet.example": [[ipaddress.ip_address("192.168.1.10")]]}
        )
    )
    await policy.check("https://hooks.partner.example/events")
    with pytest.raises(UnsafeUrl, match="private address"):
        await policy.check("https://intranet.example/events")
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        await policy.check("https://nowhere.example/events")
