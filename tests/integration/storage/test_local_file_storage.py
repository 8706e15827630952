"""The local-directory ``FileStorage``: streamed writes appear whole or not at all, reads resume at an offset, and no
key that is not of keel's shape reaches the file system."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from keel.application.jobs import JobFile, StoredFileMissing, job_file_key
from keel.infrastructure.storage import InvalidFileKey, LocalFileStorage

pytestmark = pytest.mark.integration


async def _pieces(*pieces: bytes, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for number, piece in enumerate(pieces):
        if number == fail_after:
            raise ConnectionResetError("the client went away")
        yield piece


async def _read(storage: LocalFileStorage, key: str, offset: int = 0) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key, offset=offset)])


async def test_a_file_is_written_in_pieces_and_read_back_from_any_offset(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    key = job_file_key(uuid.uuid4(), JobFile.IMPORT_INPUT)

    size = await storage.write(key, _pieces(b"email,", b"username\n", b"a,b\n"))

    assert size == 19
    assert await _read(storage, key) == b"email,username\na,b\n"
    assert await _read(storage, key, offset=15) == b"a,b\n"
    assert (tmp_path / key).is_file()


async def test_a_failed_write_leaves_nothing_and_keeps_the_previous_file(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    key = job_file_key(uuid.uuid4(), JobFile.ERROR_REPORT)
    await storage.write(key, _pieces(b"old\n"))

    with pytest.raises(ConnectionResetError):
        await storage.write(key, _pieces(b"new", b"er\n", fail_after=1))

    assert await _read(storage, key) == b"old\n"
    assert [path.name for path in (tmp_path / key).parent.iterdir()] == ["errors.csv"]


async def test_missing_files_and_deletes(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    key = job_file_key(uuid.uuid4(), JobFile.EXPORT_CSV)
    with pytest.raises(StoredFileMissing):
        await _read(storage, key)
    await storage.write(key, _pieces(b"x"))
    await storage.delete(key)
    await storage.delete(key)  # twice: no error
    assert not (tmp_path / key).exists()


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/etc/passwd", "jobs/../../x.csv", "jobs/a b.csv", "Jobs/X.csv", "jobs/x", "jobs//x.csv"]
)
async def test_keys_of_another_shape_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalFileStorage(tmp_path / "root")
    with pytest.raises(InvalidFileKey):
        await storage.write(key, _pieces(b"x"))
    with pytest.raises(InvalidFileKey):
        await _read(storage, key)
    assert not (tmp_path / "etc").exists()
