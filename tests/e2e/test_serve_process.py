"""``keel serve`` as a real process: it serves, answers readiness against the real services, and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support.network import free_port
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STARTUP_DEADLINE_SECONDS = 30


def _get(url: str) -> tuple[int, dict[str, object], dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


@pytest.mark.xdist_group(TEMPORAL_GROUP)
def test_serve_answers_and_stops_cleanly_on_sigterm(
    database_url: str, redis_url: str, temporal_dev_server: DevServer, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEEL_")},
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": database_url,
        "KEEL_CACHE__URL": redis_url,
        "KEEL_TEMPORAL__ADDRESS": temporal_dev_server.address,
        "KEEL_API__PORT": str(port),
        "KEEL_OBSERVABILITY__LOG_FORMAT": "json",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "keel", "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while True:
            try:
                status, body, headers = _get(f"http://127.0.0.1:{port}/health/ready")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "keel serve did not start"
                time.sleep(0.1)
        assert status == 200
        assert body["status"] == "pass"
        assert "server" not in {name.lower() for name in headers}
        assert len(headers["x-request-id"]) == 32
    finally:
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=30)
        log.close()
    # uvicorn shuts down gracefully, then re-raises the signal so the parent sees how the process ended.
    assert exit_code == -signal.SIGTERM
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    events = [line["event"] for line in lines]
    assert "Application shutdown complete." in events
    assert "database.engine.started" in events
    assert "database.engine.stopped" in events
    assert events.index("temporal.client.stopped") < events.index("cache.redis.stopped")
    assert events.index("cache.redis.stopped") < events.index("database.engine.stopped")
