"""``KEEL_JOBS__IMPORT_CHUNK_SIZE``: 1,000 rows by default, refused past the domain's ceiling for one chunk (which
``CreateUsersBatch`` would refuse at start-up) or below one row, naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keel.domain.users import MAX_IMPORT_CHUNK_SIZE
from keel.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_an_import_runs_in_chunks_of_a_thousand_rows_by_default() -> None:
    assert load_settings().jobs.import_chunk_size == 1000


def test_the_ceiling_is_the_domains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_JOBS__IMPORT_CHUNK_SIZE", str(MAX_IMPORT_CHUNK_SIZE))
    assert load_settings().jobs.import_chunk_size == MAX_IMPORT_CHUNK_SIZE


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (str(MAX_IMPORT_CHUNK_SIZE + 1), f"less than or equal to {MAX_IMPORT_CHUNK_SIZE}"),
        ("0", "greater than or equal to 1"),
    ],
)
def test_a_chunk_size_out_of_bounds_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    monkeypatch.setenv("KEEL_JOBS__IMPORT_CHUNK_SIZE", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"KEEL_JOBS__IMPORT_CHUNK_SIZE: Input should be {reason}" in str(caught.value)
