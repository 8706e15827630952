"""``keel db upgrade`` and ``keel db status`` on a real database: apply, refuse, roll back, resume, one at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from keel.infrastructure.migrations import MigrationService
from keel.infrastructure.migrations.atlas_sum import HashFile
from keel.infrastructure.migrations.errors import (
    AppliedMigrationChanged,
    ChecksumMismatch,
    DatabaseUnavailable,
    InvalidMigrationFile,
    MigrationFailed,
)
from keel.infrastructure.migrations.migration_status import MigrationState

pytestmark = pytest.mark.integration

AddMigration = Callable[..., Path]
Query = Callable[..., Awaitable[list[asyncpg.Record]]]

USERS = "20260101000000_create_users.sql"
POSTS = "20260102000000_create_posts.sql"


async def public_tables(query: Query, url: str) -> list[str]:
    rows = await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    return [row["tablename"] for row in rows]


@pytest.fixture
def two_files(add_migration: AddMigration) -> None:
    add_migration(USERS, "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n")
    add_migration(
        POSTS,
        """
        -- Posts belong to users.
        CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
        CREATE INDEX ix_posts_user_id ON posts (user_id);
        """,
    )


@pytest.mark.usefixtures("two_files")
async def test_upgrade_applies_pending_files_in_order_and_records_them(
    service: MigrationService, database: str, migrations_dir: Path, query: Query
) -> None:
    applied = await service.upgrade()

    assert [(m.name, m.statements) for m in applied] == [(USERS, 1), (POSTS, 2)]
    assert await public_tables(query, database) == ["keel_schema_revisions", "posts", "users"]
    sums = HashFile.parse((migrations_dir / "atlas.sum").read_bytes())
    rows = await query(database, "SELECT * FROM keel_schema_revisions ORDER BY version")
    assert [(r["version"], r["description"], r["hash"], r["applied_statements"]) for r in rows] == [
        ("20260101000000", "create_users", sums.hash_of(USERS), 1),
        ("20260102000000", "create_posts", sums.hash_of(POSTS), 2),
    ]
    assert all(r["executed_at"] is not None and r["execution_time"].total_seconds() >= 0 for r in rows)
    assert rows[0]["executed_at"] <= rows[1]["executed_at"]


@pytest.mark.usefixtures("two_files")
async def test_a_second_upgrade_applies_nothing(service: MigrationService, database: str, query: Query) -> None:
    await service.upgrade()
    before = await query(database, "SELECT version, executed_at FROM keel_schema_revisions ORDER BY version")

    assert await service.upgrade() == []
    assert await query(database, "SELECT version, executed_at FROM keel_schema_revisions ORDER BY version") == before


async def test_concurrent_upgrades_apply_each_file_exactly_once(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    # Running any file twice fails: CREATE TABLE of an existing table. The sleep widens the race window.
    add_migration("20260101000000_slow.sql", "CREATE TABLE once (id int);\nSELECT pg_sleep(0.3);\n")
    add_migration("20260102000000_counter.sql", "CREATE TABLE runs (n int);\nINSERT INTO runs VALUES (1);\n")

    results = await asyncio.gather(service.upgrade(), service.upgrade(), service.upgrade())

    applied = sorted(migration.name for result in results for migration in result)
    assert applied == ["20260101000000_slow.sql", "20260102000000_counter.sql"]
    assert sorted(len(result) for result in results) == [0, 0, 2]
    assert [row["n"] for row in await query(database, "SELECT n FROM runs")] == [1]
    rows = await query(database, "SELECT version FROM keel_schema_revisions ORDER BY version")
    assert [row["version"] for row in rows] == ["20260101000000", "20260102000000"]


@pytest.mark.usefixtures("two_files")
async def test_a_file_edited_after_hashing_is_refused_before_anything_runs(
    service: MigrationService, migrations_dir: Path, database: str, query: Query
) -> None:
    (migrations_dir / POSTS).write_text("CREATE TABLE posts (id int);\n")

    with pytest.raises(ChecksumMismatch) as raised:
        await service.upgrade()

    assert raised.value.problems == (f"{POSTS}: edited since atlas.sum was written (if intended, run `keel db hash`)",)
    assert await public_tables(query, database) == []


@pytest.mark.usefixtures("two_files")
async def test_a_missing_or_unrecorded_file_or_sum_is_refused(
    service: MigrationService, migrations_dir: Path, add_migration: AddMigration
) -> None:
    (migrations_dir / USERS).unlink()
    add_migration("20260103000000_new.sql", "SELECT 1;\n", rehash=False)
    with pytest.raises(ChecksumMismatch) as raised:
        await service.upgrade()
    assert raised.value.problems == (
        f"{USERS}: listed in atlas.sum but missing from the directory",
        "20260103000000_new.sql: not in atlas.sum (a new or renamed file): review it, then run `keel db hash`",
    )

    (migrations_dir / "atlas.sum").unlink()
    with pytest.raises(ChecksumMismatch, match=r"^atlas\.sum is missing from .*migrations"):
        await service.upgrade()


@pytest.mark.usefixtures("two_files")
async def test_an_applied_file_changed_since_is_refused(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    await service.upgrade()
    add_migration(USERS, "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n")
    add_migration("20260103000000_more.sql", "CREATE TABLE more (id int);\n")

    with pytest.raises(AppliedMigrationChanged) as raised:
        await service.upgrade()

    assert raised.value.problems == (
        f"{USERS}: changed since it was applied (its atlas.sum hash differs from the one recorded in "
        "keel_schema_revisions); write a new migration instead",
    )
    assert "more" not in await public_tables(query, database)


async def test_a_failing_file_is_rolled_back_whole_and_named(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    add_migration(USERS, "CREATE TABLE users (id bigint PRIMARY KEY);\n")
    add_migration(
        "20260102000000_broken.sql",
        """
        CREATE TABLE audit (id int);

        INSERT INTO audit (id, missing_column) VALUES (1, 2);
        CREATE TABLE never (id int);
        """,
    )

    with pytest.raises(MigrationFailed) as raised:
        await service.upgrade()

    assert raised.value.problems == (
        '20260102000000_broken.sql:3:24: statement 2 of 3 failed (the file was rolled back): column "missing_column" '
        'of relation "audit" does not exist',
        "  INSERT INTO audit (id, missing_column) VALUES (1, 2);",
        f"  applied before it: {USERS}",
    )
    assert await public_tables(query, database) == ["keel_schema_revisions", "users"]
    rows = await query(database, "SELECT version FROM keel_schema_revisions")
    assert [row["version"] for row in rows] == ["20260101000000"]


async def test_txmode_none_runs_outside_a_transaction(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    add_migration(USERS, "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n")
    add_migration(
        "20260102000000_index_email.sql",
        """
        -- atlas:txmode none

        CREATE INDEX CONCURRENTLY ix_users_email ON users (email);
        """,
    )

    await service.upgrade()

    rows = await query(database, "SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1")
    assert [row["indexname"] for row in rows] == ["ix_users_email", "users_pkey"]


async def test_txmode_none_keeps_what_ran_and_resumes_after_the_fix(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    file = "20260101000000_step_by_step.sql"
    header = "-- atlas:txmode none\n\nCREATE TABLE first (id int);\n"
    add_migration(file, header + "INSERT INTO nowhere VALUES (1);\nCREATE TABLE third (id int);\n")

    with pytest.raises(MigrationFailed, match=r"resumes at statement 2\): relation \"nowhere\" does not exist"):
        await service.upgrade()
    assert await public_tables(query, database) == ["first", "keel_schema_revisions"]
    status = await service.status()
    assert [(e.state, e.note) for e in status.entries] == [
        (MigrationState.PARTIAL, '1 of 3 statements; failed: relation "nowhere" does not exist')
    ]

    add_migration(file, header + "CREATE TABLE second (id int);\nCREATE TABLE third (id int);\n")
    applied = await service.upgrade()  # would fail if it ran CREATE TABLE first again

    assert [m.name for m in applied] == [file]
    assert await public_tables(query, database) == ["first", "keel_schema_revisions", "second", "third"]
    rows = await query(database, "SELECT applied_statements, total_statements, error FROM keel_schema_revisions")
    assert [tuple(row) for row in rows] == [(3, 3, None)]


async def test_a_file_that_cannot_be_split_is_refused_before_anything_runs(
    service: MigrationService, add_migration: AddMigration, database: str, query: Query
) -> None:
    add_migration(USERS, "CREATE TABLE users (id int);\n")
    add_migration("20260102000000_unclosed.sql", "SELECT 'never closed;\n")

    with pytest.raises(InvalidMigrationFile, match=r"^20260102000000_unclosed\.sql:1:8: unclosed quote"):
        await service.upgrade()
    assert await public_tables(query, database) == ["keel_schema_revisions"]


@pytest.mark.usefixtures("two_files")
async def test_status_lists_applied_and_pending_and_the_sum(
    service: MigrationService, add_migration: AddMigration
) -> None:
    fresh = await service.status()
    assert [(e.name, e.state) for e in fresh.entries] == [
        (USERS, MigrationState.PENDING),
        (POSTS, MigrationState.PENDING),
    ]

    await service.upgrade()
    add_migration("20260103000000_later.sql", "SELECT 1;\n", rehash=False)
    later = await service.status()

    assert [(e.name, e.state) for e in later.entries] == [
        (USERS, MigrationState.APPLIED),
        (POSTS, MigrationState.APPLIED),
        ("20260103000000_later.sql", MigrationState.PENDING),
    ]
    assert later.entries[0].executed_at is not None
    assert not later.sum_valid
    assert later.sum_problems == (
        "20260103000000_later.sql: not in atlas.sum (a new or renamed file): review it, then run `keel db hash`",
    )


async def test_an_unreachable_database_is_one_line(migrations_dir: Path) -> None:
    service = MigrationService(
        database_url="postgresql+asyncpg://postgres:secret@127.0.0.1:1/keel", migrations_dir=migrations_dir
    )
    with pytest.raises(DatabaseUnavailable) as raised:
        await service.upgrade()
    (problem,) = raised.value.problems
    assert problem.startswith("cannot connect to postgresql+asyncpg://postgres:***@127.0.0.1:1/keel: ")


async def test_a_file_ending_in_a_comment_without_newline_applies(
    service: MigrationService, migrations_dir: Path, add_migration: AddMigration
) -> None:
    add_migration(USERS, "CREATE TABLE users (id int);\n-- no newline after this note")

    assert [(m.name, m.statements) for m in await service.upgrade()] == [(USERS, 2)]
