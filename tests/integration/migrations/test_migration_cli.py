"""``keel db ...`` as a developer runs it: a process, settings from the environment, readable output and exit codes."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

AddMigration = Callable[..., Path]
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


KeelDb = Callable[..., Awaitable[Run]]


@pytest.fixture
def keel_db(database: str, migrations_dir: Path, tmp_path: Path) -> KeelDb:
    """``await keel_db("status")``: run ``python -m keel db status`` against the test's database and folder."""

    async def run(*arguments: str, migrations: Path = migrations_dir) -> Run:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
            "KEEL_DATABASE__URL": database,
            "KEEL_DATABASE__MIGRATIONS_DIR": str(migrations),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "keel",
            "db",
            *arguments,
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await process.communicate()
        assert process.returncode is not None
        return Run(process.returncode, stdout.decode(), stderr.decode())

    return run


async def test_upgrade_then_status(keel_db: KeelDb, add_migration: AddMigration) -> None:
    add_migration("20260101000000_create_users.sql", "CREATE TABLE users (id int);\n")

    upgraded = await keel_db("upgrade")
    again = await keel_db("upgrade")
    status = await keel_db("status")

    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stdout.startswith("applied 20260101000000_create_users.sql (1 statements, ")
    assert upgraded.stdout.endswith("1 migration(s) applied\n")
    assert again.stdout == "database is up to date: nothing to apply\n"
    assert status.exit_code == 0, status.stderr
    assert "20260101000000_create_users.sql" in status.stdout
    assert "applied" in status.stdout
    assert status.stdout.endswith("0 pending\natlas.sum: valid\n")


async def test_a_refusal_is_one_line_per_problem_and_no_traceback(
    keel_db: KeelDb, add_migration: AddMigration, migrations_dir: Path
) -> None:
    add_migration("20260101000000_create_users.sql", "CREATE TABLE users (id int);\n")
    (migrations_dir / "20260101000000_create_users.sql").write_text("CREATE TABLE users (id bigint);\n")
    add_migration("20260102000000_more.sql", "SELECT 1;\n", rehash=False)

    result = await keel_db("upgrade")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "keel db upgrade: 20260102000000_more.sql: not in atlas.sum (a new or renamed file): review it, then run "
        "`keel db hash`"
    ]


async def test_hash_then_upgrade(keel_db: KeelDb, add_migration: AddMigration) -> None:
    add_migration("20260101000000_create_users.sql", "CREATE TABLE users (id int);\n", rehash=False)

    hashed = await keel_db("hash")
    upgraded = await keel_db("upgrade")

    assert hashed.exit_code == 0
    assert hashed.stdout.startswith("atlas.sum rewritten: 1 file(s), h1:")
    assert upgraded.exit_code == 0, upgraded.stderr


async def test_check_of_the_repository_against_keel_models(keel_db: KeelDb) -> None:
    result = await keel_db("check", migrations=REPO_ROOT / "migrations")
    assert (result.exit_code, result.stdout) == (0, "schema in sync: migrations/ builds what the models declare\n")


async def test_check_prints_the_difference_and_exits_1(keel_db: KeelDb, add_migration: AddMigration) -> None:
    add_migration("20260101000000_legacy.sql", "CREATE TABLE legacy (id int);\n")

    result = await keel_db("check")

    assert result.exit_code == 1
    assert "  - table public.legacy\n" in result.stdout


async def test_new_with_nothing_to_do_and_with_a_bad_name(keel_db: KeelDb) -> None:
    nothing = await keel_db("new", "add_users", migrations=REPO_ROOT / "migrations")  # in sync with the models
    bad = await keel_db("new", "Add Users")

    assert (nothing.exit_code, nothing.stdout) == (
        0,
        "nothing to do: the migrations already build what the models declare\n",
    )
    assert bad.exit_code == 1
    assert bad.stderr == ("keel db new: invalid migration name 'Add Users': use lowercase letters, digits and _\n")
