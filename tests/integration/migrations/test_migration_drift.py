"""``keel db check`` and ``keel db new``: the models' schema against the one ``migrations/`` builds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import make_url

from keel.infrastructure.migrations import MigrationService
from keel.infrastructure.migrations.errors import InvalidMigrationName, ModelsUnreadable, NonAdditiveChanges
from keel.infrastructure.migrations.scratch import SCRATCH_PREFIX, maintenance_url, scratch_database

pytestmark = pytest.mark.integration

AddMigration = Callable[..., Path]
WriteModels = Callable[[str], None]
Query = Callable[..., Awaitable[list[asyncpg.Record]]]
REPO_ROOT = Path(__file__).resolve().parents[3]

TENANTS_AND_USERS = """
import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column


class Status(enum.Enum):
    active = "active"
    disabled = "disabled"


class TenantRecord(Base):
    __tablename__ = "tenants"
    __table_args__ = {"comment": "An organisation's space"}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class UserRecord(Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email_active", "email", unique=True, postgresql_where=text("deleted_at IS NULL")),
        CheckConstraint("credit >= 0", name="credit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(Enum(Status, name="user_status"), server_default="active")
    credit: Mapped[float] = mapped_column(Numeric(10, 2), server_default="0")
    deleted_at: Mapped[datetime | None]
"""

NICKNAME = "    nickname: Mapped[str | None] = mapped_column(String(50), index=True)\n"
WITH_NICKNAME = TENANTS_AND_USERS.replace(
    "    deleted_at: Mapped[datetime | None]\n", "    deleted_at: Mapped[datetime | None]\n" + NICKNAME
)


def file_names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_empty_models_and_empty_migrations_are_in_sync(service: MigrationService) -> None:
    assert (await service.check()).in_sync


async def test_models_ahead_of_migrations_print_what_is_missing(
    service: MigrationService, write_models: WriteModels
) -> None:
    write_models(TENANTS_AND_USERS)

    difference = await service.check()

    lines = difference.lines()
    assert lines[:3] == [
        "+ enum type public.user_status: (active, disabled)",
        "+ sequence public.users_id_seq: integer start 1 increment 1 min 1 max 2147483647 cache 1 owned by "
        "public.users.id",
        "+ table public.tenants: COMMENT 'An organisation''s space'",
    ]
    assert (
        "    + index uq_users_email_active: CREATE UNIQUE INDEX uq_users_email_active ON public.users USING btree "
        "(email) WHERE (deleted_at IS NULL)"
    ) in lines
    assert (
        "    + constraint fk_users_tenant_id_tenants: FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE"
    ) in lines
    assert difference.by_hand() == []


async def test_migrations_ahead_of_models_print_what_the_models_lack(
    service: MigrationService, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_legacy.sql",
        "CREATE TABLE legacy (id int PRIMARY KEY);\nCREATE INDEX ix_legacy_partial ON legacy (id) WHERE id > 10;\n",
    )

    difference = await service.check()

    assert difference.lines() == ["- table public.legacy"]
    assert [change.subject for change in difference.by_hand()] == ["table public.legacy"]


async def test_new_writes_a_migration_that_brings_the_check_in_sync_and_applies(
    service: MigrationService, write_models: WriteModels, migrations_dir: Path, database: str, query: Query
) -> None:
    write_models(TENANTS_AND_USERS)

    created = await service.new("create_tenants_and_users", now=datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC))

    assert created.path == migrations_dir / "20260506070809_create_tenants_and_users.sql"
    assert created.path.read_text().startswith('-- Create enum type "user_status"\nCREATE TYPE ')
    assert (await service.check()).in_sync
    assert [m.name for m in await service.upgrade()] == ["20260506070809_create_tenants_and_users.sql"]
    rows = await query(database, "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_users_email_active'")
    assert [row["indexdef"] for row in rows] == [
        "CREATE UNIQUE INDEX uq_users_email_active ON public.users USING btree (email) WHERE (deleted_at IS NULL)"
    ]

    assert (await service.new("again")).path is None  # nothing to do


async def test_new_adds_a_column_and_its_index_to_an_existing_table(
    service: MigrationService, write_models: WriteModels
) -> None:
    write_models(TENANTS_AND_USERS)
    await service.new("initial", now=datetime(2026, 1, 1, tzinfo=UTC))
    write_models(WITH_NICKNAME)

    created = await service.new("add_nickname", now=datetime(2026, 1, 2, tzinfo=UTC))

    assert created.path is not None
    assert created.path.read_text() == (
        '-- Add column "nickname" to table: "users"\n'
        'ALTER TABLE "public"."users" ADD COLUMN "nickname" character varying(50);\n'
        '-- Create index "ix_users_nickname" to table: "users"\n'
        "CREATE INDEX ix_users_nickname ON public.users USING btree (nickname);\n"
    )
    assert (await service.check()).in_sync


async def test_new_refuses_changes_that_need_a_hand_written_migration(
    service: MigrationService, write_models: WriteModels, migrations_dir: Path
) -> None:
    write_models(WITH_NICKNAME)
    await service.new("initial", now=datetime(2026, 1, 1, tzinfo=UTC))
    changed = WITH_NICKNAME.replace("String(50), index=True", "String(80), index=True")
    write_models(
        changed.replace("    credit:", "    # credit:").replace('CheckConstraint("credit', '# CheckConstraint("')
    )
    before = file_names(migrations_dir)

    with pytest.raises(NonAdditiveChanges) as raised:
        await service.new("resize_nickname")

    assert raised.value.problems == (
        "these differences must be written by hand (nothing was written):",
        "  - column public.users.credit: numeric(10,2) DEFAULT '0'::numeric NOT NULL",
        "  ~ column public.users.nickname: type character varying(50) -> character varying(80)",
        "  - constraint public.users.ck_users_credit_not_negative: CHECK (credit >= 0::numeric)",
        "write them in a new migrations/<YYYYMMDDHHMMSS>_<name>.sql, then run `keel db hash`",
    )
    assert file_names(migrations_dir) == before


async def test_new_validates_the_name(service: MigrationService) -> None:
    with pytest.raises(InvalidMigrationName):
        await service.new("Add-Users")


async def test_a_model_that_does_not_import_is_reported(service: MigrationService, write_models: WriteModels) -> None:
    write_models("raise RuntimeError('models are broken')\n")

    with pytest.raises(ModelsUnreadable, match=r"^RuntimeError: models are broken \(importing the models under"):
        await service.check()


async def test_throwaway_databases_are_dropped(query: Query, pg_admin_url: str) -> None:
    """By name, not by scanning the server: other workers' checks run at the same time."""

    async def exists(name: str) -> bool:
        return bool(await query(pg_admin_url, "SELECT 1 FROM pg_database WHERE datname = $1", name))

    async with scratch_database(maintenance_url(pg_admin_url, None)) as url:
        used = make_url(url).database
        assert used is not None
        assert used.startswith(SCRATCH_PREFIX)
        assert await exists(used)
    assert not await exists(used)

    seen: list[str] = []

    async def failing_comparison() -> None:
        async with scratch_database(maintenance_url(pg_admin_url, None)) as url:
            seen.append(str(make_url(url).database))
            raise RuntimeError("comparison failed")

    with pytest.raises(RuntimeError, match="comparison failed"):
        await failing_comparison()
    assert len(seen) == 1
    assert not await exists(seen[0])


async def test_the_repository_migrations_build_what_the_models_declare(pg_admin_url: str) -> None:
    service = MigrationService(database_url=pg_admin_url, migrations_dir=REPO_ROOT / "migrations")
    difference = await service.check()
    assert difference.in_sync, "\n".join(difference.lines())
