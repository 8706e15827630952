"""The resilience suite's private servers never outlive their test: ``close()`` stops them whatever their state and
deletes their files, and the exit hook stops whatever a failed test left registered."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import psutil
import pytest
import redis

from support import private_services
from support.private_services import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    """Running (a zombie — ended, not yet reaped by an init that does not reap — is not)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _postmaster(server: PrivatePostgres) -> int:
    return int((server.data / "postmaster.pid").read_text().split("\n", 1)[0])


async def test_postgres_stops_and_starts_on_its_port_then_close_leaves_nothing() -> None:
    server = PrivatePostgres()
    try:
        server.initialise()
        server.start()
        first = _postmaster(server)
        server.stop("fast")
        assert not _alive(first)
        server.start()
        connection = await asyncpg.connect(server.dsn("postgres"))
        assert await connection.fetchval("SELECT current_setting('port')::int") == server.port
        await connection.close()
        second = _postmaster(server)
    finally:
        server.close()
    assert not _alive(second)
    assert not server.directory.exists()


def test_a_killed_redis_comes_back_with_its_data(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path / "redis")
    try:
        server.start()
        client = redis.Redis.from_url(server.url)
        client.set("kept", b"yes")
        server.kill()
        server.start()
        assert client.get("kept") == b"yes"
        client.close()
        assert server.process is not None
        pid = server.process.pid
    finally:
        server.close()
    assert not _alive(pid)


def test_the_exit_hook_stops_what_a_failed_test_left_running(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    assert server.process is not None
    assert server in private_services.tracked()

    private_services.stop_leftovers()

    assert server.process.poll() is not None
    assert server not in private_services.tracked()
