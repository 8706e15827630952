"""Migration directories and model packages made per test, on the real PostgreSQL of the run.

Each test gets its own database (``make_database``), migration folder and models package under ``tmp_path``, so the
tests run in any order and in parallel. The drift check's throwaway databases are dropped by the code under test.
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from keel.infrastructure.migrations import MigrationService
from keel.infrastructure.migrations.directory import MigrationDirectory
from support.postgres import asyncpg_dsn

MODELS_BASE = """
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
"""

AddMigration = Callable[..., Path]
WriteModels = Callable[[str], None]
Query = Callable[..., Awaitable[list[asyncpg.Record]]]


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """An empty migration directory with its ``atlas.sum``."""
    path = tmp_path / "migrations"
    path.mkdir()
    MigrationDirectory(path).write_sum()
    return path


@pytest.fixture
def add_migration(migrations_dir: Path) -> AddMigration:
    """``add_migration(name, sql, rehash=True)``: write a migration file (dedented), then refresh ``atlas.sum``."""

    def add(name: str, sql: str, *, rehash: bool = True) -> Path:
        file = migrations_dir / name
        file.write_text(textwrap.dedent(sql).lstrip(), encoding="utf-8")
        if rehash:
            MigrationDirectory(migrations_dir).write_sum()
        return file

    return add


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A throwaway models package: ``base.py`` (a ``Base`` with keel's naming convention) and ``records.py``."""
    path = tmp_path / "drift_models"
    path.mkdir()
    (path / "base.py").write_text(MODELS_BASE, encoding="utf-8")
    (path / "__init__.py").write_text(f"from {path.name}.base import Base\nfrom {path.name} import records\n")
    (path / "records.py").write_text(f"from {path.name}.base import Base\n")
    return path


@pytest.fixture
def write_models(models_dir: Path) -> WriteModels:
    """``write_models(source)``: replace the model classes of ``records.py`` (``Base`` is imported for them)."""

    def write(source: str) -> None:
        header = f"from {models_dir.name}.base import Base\n"
        (models_dir / "records.py").write_text(header + textwrap.dedent(source), encoding="utf-8")

    return write


@pytest.fixture
async def database(make_database: Callable[[], Awaitable[str]]) -> str:
    return await make_database()


@pytest.fixture
def service(database: str, migrations_dir: Path, models_dir: Path) -> MigrationService:
    return MigrationService(
        database_url=database, migrations_dir=migrations_dir, models_dir=models_dir, lock_timeout_seconds=60
    )


async def _query(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


@pytest.fixture
def query() -> Query:
    """``rows = await query(url, sql, *args)`` on a connection of its own."""
    return _query
