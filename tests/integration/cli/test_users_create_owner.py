"""``keel users create-owner`` as an operator runs it: a process on the real database, the password on stdin."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from keel.infrastructure.database.models import audit_events_table, users_table

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


async def keel_users(database: str, cwd: Path, *arguments: str, stdin: str | None = None) -> Run:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": database,
        "KEEL_CACHE__MODE": "off",
        "KEEL_SECURITY__ARGON2_TIME_COST": "1",
        "KEEL_SECURITY__ARGON2_MEMORY_COST_KIB": "1024",
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "keel",
        "users",
        "create-owner",
        *arguments,
        cwd=cwd,
        env=environment,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate(stdin.encode() if stdin is not None else b"")
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def test_creates_the_tenant_with_its_owner_then_another_owner_in_it(clean_database: str, tmp_path: Path) -> None:
    first = await keel_users(
        clean_database, tmp_path, "--tenant", "acme", "--email", "Ada@Acme.example", "--password-stdin", stdin=PASSWORD
    )
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("created tenant acme (")
    assert "owner ada@acme.example" in first.stdout

    second = await keel_users(
        clean_database,
        tmp_path,
        *("--tenant", "acme", "--email", "bob@acme.example", "--username", "bobby", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("tenant acme (")

    engine = create_async_engine(clean_database)
    try:
        async with engine.connect() as connection:
            users = (await connection.execute(select(users_table.c.username, users_table.c.roles))).all()
            audit = (
                await connection.execute(select(audit_events_table.c.action, audit_events_table.c.actor_kind))
            ).all()
    finally:
        await engine.dispose()
    assert sorted(users) == [("ada", ["owner"]), ("bobby", ["owner"])]
    assert sorted(audit) == [("tenant.created", "system"), ("user.created", "system"), ("user.created", "system")]


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (("--tenant", "acme", "--email", "not-an-address", "--password-stdin"), PASSWORD, "email"),
        (("--tenant", "Not A Slug", "--email", "ada@b.example", "--password-stdin"), PASSWORD, "slug"),
        (("--tenant", "acme", "--email", "ada@b.example", "--password-stdin"), "", "standard input held no password"),
        (("--tenant", "acme", "--email", "ada@b.example"), PASSWORD, "--password-stdin"),
        (("--tenant", "acme", "--email", "ada@b.example", "--password-stdin"), "short", "password"),
    ],
)
async def test_bad_input_is_one_line_and_exit_1(
    clean_database: str, tmp_path: Path, arguments: tuple[str, ...], stdin: str, message: str
) -> None:
    run = await keel_users(clean_database, tmp_path, *arguments, stdin=stdin)
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("keel users create-owner: ")
    assert message in lines[0].lower() or message in lines[0]


async def test_a_taken_email_is_refused(clean_database: str, tmp_path: Path) -> None:
    arguments = ("--tenant", "acme", "--email", "ada@acme.example", "--password-stdin")
    assert (await keel_users(clean_database, tmp_path, *arguments, stdin=PASSWORD)).exit_code == 0
    again = await keel_users(clean_database, tmp_path, *arguments, stdin=PASSWORD)
    assert again.exit_code == 1
    assert again.stderr.startswith("keel users create-owner: ")


async def test_a_username_taken_from_the_email_says_how_to_choose_another(clean_database: str, tmp_path: Path) -> None:
    run = await keel_users(
        clean_database, tmp_path, "--tenant", "acme", "--email", "a@acme.example", "--password-stdin", stdin=PASSWORD
    )
    assert run.exit_code == 1
    assert run.stderr.strip().endswith("(taken from the email's local part: pass --username)")
