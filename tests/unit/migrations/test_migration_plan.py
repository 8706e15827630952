"""What a database still needs, and when its recorded history no longer matches the directory."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from keel.infrastructure.migrations.atlas_sum import HashFile
from keel.infrastructure.migrations.directory import MigrationFile
from keel.infrastructure.migrations.migration_plan import plan_migrations
from keel.infrastructure.migrations.revisions import Revision, statement_hashes
from keel.infrastructure.migrations.service import next_version

A = MigrationFile("20260101000000_a.sql", b"CREATE TABLE a (id int);\n")
B = MigrationFile("20260102000000_b.sql", b"CREATE TABLE b (id int);\n")
C = MigrationFile("20260103000000_c.sql", b"CREATE TABLE c (id int);\n")


def sums(*files: MigrationFile) -> HashFile:
    return HashFile.of_files((file.name, file.content) for file in files)


def applied(file: MigrationFile, hash_: str, *, statements: int = 1, done: int | None = None) -> Revision:
    return Revision(
        version=file.version,
        description=file.description,
        hash=hash_,
        applied_statements=statements if done is None else done,
        total_statements=statements,
        executed_at=datetime(2026, 1, 1, tzinfo=UTC),
        execution_time=timedelta(milliseconds=5),
    )


def recorded(files: list[MigrationFile], upto: int) -> list[Revision]:
    """Revisions as an upgrade that applied the first ``upto`` of ``files`` recorded them."""
    current = sums(*files)
    return [applied(file, current.hash_of(file.name) or "") for file in files[:upto]]


def pending_names(files: list[MigrationFile], revisions: list[Revision]) -> list[str]:
    return [pending.file.name for pending in plan_migrations(files, sums(*files), revisions).pending]


def test_a_fresh_database_needs_every_file_in_order() -> None:
    plan = plan_migrations([A, B], sums(A, B), [])
    expected = [(file.name, sums(A, B).hash_of(file.name)) for file in (A, B)]
    assert [(pending.file.name, pending.hash) for pending in plan.pending] == expected
    assert plan.problems == ()


def test_applied_files_are_not_pending() -> None:
    assert pending_names([A, B, C], recorded([A, B, C], 2)) == [C.name]
    assert pending_names([A, B, C], recorded([A, B, C], 3)) == []


def test_an_applied_file_edited_since_is_reported() -> None:
    history = recorded([A, B, C], 3)
    edited_b = MigrationFile(B.name, B.content + b"-- edited\n")

    plan = plan_migrations([A, edited_b, C], sums(A, edited_b, C), history)

    assert plan.problems == (
        f"{B.name}: changed since it was applied (its atlas.sum hash differs from the one recorded in "
        "keel_schema_revisions); write a new migration instead",
    )


def test_a_removed_applied_file_is_reported_without_blaming_the_later_ones() -> None:
    plan = plan_migrations([A, C], sums(A, C), recorded([A, B, C], 3))
    assert plan.problems == (
        f"{B.name}: applied (recorded in keel_schema_revisions) but no longer in the migration directory",
    )


def test_a_file_added_before_the_last_applied_one_is_out_of_order() -> None:
    plan = plan_migrations([A, B, C], sums(A, B, C), recorded([A, C], 2))
    assert plan.problems == (
        f"{B.name}: older than the last applied migration {C.version} (added out of order): give it a newer version",
    )
    assert plan.pending == ()


def test_a_partially_applied_file_is_pending_to_resume() -> None:
    history = [applied(A, sums(A, B).hash_of(A.name) or "", statements=3, done=1)]
    plan = plan_migrations([A, B], sums(A, B), history)
    assert [(p.file.name, p.resume is not None) for p in plan.pending] == [(A.name, True), (B.name, False)]


def test_two_files_of_one_version_are_refused() -> None:
    twin = MigrationFile("20260101000000_twin.sql", b"SELECT 1;\n")
    plan = plan_migrations([A, twin], sums(A, twin), [])
    assert plan.problems == (f"{twin.name}: same version as {A.name}",)


def test_statement_hashes_chain_like_atlas() -> None:
    def h1(data: bytes) -> str:
        return "h1:" + base64.b64encode(hashlib.sha256(data).digest()).decode()

    assert statement_hashes(["SELECT 1;", "SELECT 2;"]) == (h1(b"SELECT 1;"), h1(b"SELECT 1;SELECT 2;"))


def test_next_version_is_the_utc_time_or_just_after_the_newest() -> None:
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert next_version(now, []) == "20260304050607"
    assert next_version(now, ["20260304050607"]) == "20260304050608"
    assert next_version(now, ["20270101000000"]) == "20270101000001"
