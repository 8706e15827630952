"""The ``FileStorage`` port: files kept for jobs (uploaded imports, exports, error reports), streamed both ways.

Keys are made by keel, never taken from a client: ``job_file_key`` builds them from a job id and a fixed purpose. An
adapter may refuse any other shape (the local-directory one does), so no user input ever becomes a path.
Reading and writing are streams of byte chunks: no file is ever held whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from keel.domain.errors import NotFound


class JobFile(StrEnum):
    """The files of a job, by purpose; the value is the file's name under the job's folder."""

    IMPORT_INPUT = "input.csv"
    ERROR_REPORT = "errors.csv"
    EXPORT_CSV = "result.csv"
    EXPORT_JSONL = "result.jsonl"


def job_file_key(job_id: UUID, file: JobFile) -> str:
    """``jobs/<job id>/<file>``, e.g. ``jobs/0192…/input.csv``."""
    return f"jobs/{job_id}/{file.value}"


class StoredFileMissing(NotFound):
    code = "stored_file_missing"


class FileStorage(Protocol):
    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the chunks under ``key`` (replacing a file there) and return the size written. The file appears
        whole or not at all: if ``chunks`` raises, nothing is left under ``key`` and the error propagates."""
        ...

    def read(self, key: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        """The file's bytes from ``offset``, in chunks; ``StoredFileMissing`` if there is no file."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file; no error if there is none."""
        ...
