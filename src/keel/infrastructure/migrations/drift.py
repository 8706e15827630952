"""Drift check: does ``migrations/`` build the schema the SQLAlchemy models declare?

The models' DDL (what ``atlas-provider-sqlalchemy`` prints for them, see :mod:`.models_ddl`) runs in one empty
throwaway database, the migration files in another (with the same applier as ``keel db upgrade``), and the two are
compared through their catalogs. The models cannot declare schemas or extensions, so the ones the migrations create
are created in the models' database first; a model that needs one the migrations lack fails with PostgreSQL's error.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from keel.infrastructure.migrations.applier import MigrationApplier
from keel.infrastructure.migrations.catalog import SchemaSnapshot, read_snapshot
from keel.infrastructure.migrations.connection import PostgresError, connect
from keel.infrastructure.migrations.directory import MigrationDirectory
from keel.infrastructure.migrations.errors import MigrationFailed, ModelsUnreadable
from keel.infrastructure.migrations.quoting import quote_identifier
from keel.infrastructure.migrations.schema_diff import SchemaDifference, compare_schemas
from keel.infrastructure.migrations.scratch import scratch_database
from keel.infrastructure.migrations.statements import split_statements

MODELS_DDL_PROGRAM = "keel.infrastructure.migrations.models_ddl"
_MODELS_DDL_TIMEOUT_SECONDS = 120.0


async def render_models_ddl(models_dir: Path) -> str:
    """The DDL of the models in ``models_dir``, printed by a fresh interpreter (so edited models are read anew)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        MODELS_DDL_PROGRAM,
        str(models_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), _MODELS_DDL_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ModelsUnreadable(f"printing the DDL of the models in {models_dir} took over 120 s") from None
    if process.returncode != 0:
        reasons = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        raise ModelsUnreadable(*(reasons or [f"printing the DDL of the models failed (exit {process.returncode})"]))
    return stdout.decode()


async def _apply_models_ddl(url: str, ddl: str, prerequisites: SchemaSnapshot) -> SchemaSnapshot:
    connection = await connect(url)
    try:
        for schema in prerequisites.schemas:
            await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
        for extension in prerequisites.extensions:
            await connection.execute(f"CREATE EXTENSION IF NOT EXISTS {quote_identifier(extension)}")
        async with connection.transaction():
            for statement in [statement for statement in split_statements(ddl) if not statement.empty]:
                try:
                    await connection.execute(statement.text)
                except PostgresError as error:
                    raise ModelsUnreadable(
                        f"the models' DDL fails on an empty database: {error}", f"  {statement.text}"
                    ) from None
        return await read_snapshot(connection)
    finally:
        await connection.close()


async def _migrations_snapshot(url: str, directory: MigrationDirectory) -> SchemaSnapshot:
    try:
        await MigrationApplier(directory).upgrade(url)
    except MigrationFailed as error:
        raise MigrationFailed("the migrations fail on an empty throwaway database:", *error.problems) from None
    connection = await connect(url)
    try:
        return await read_snapshot(connection)
    finally:
        await connection.close()


async def schema_drift(directory: MigrationDirectory, models_dir: Path, server_url: str) -> SchemaDifference:
    """How the schema built by ``directory`` differs from the one the models in ``models_dir`` declare."""
    directory.verified_sum(directory.files())
    ddl = await render_models_ddl(models_dir)
    async with AsyncExitStack() as stack:
        migrations_url = await stack.enter_async_context(scratch_database(server_url))
        models_url = await stack.enter_async_context(scratch_database(server_url))
        built = await _migrations_snapshot(migrations_url, directory)
        declared = await _apply_models_ddl(models_url, ddl, built)
    return compare_schemas(models=declared, migrations=built)
