"""``LocalFileStorage``: files under one root directory, streamed in bounded chunks through a thread.

Keys are checked against a strict shape — lower-case path segments of letters, digits, ``-`` and ``_``, a file name with
one extension, no ``..``, no leading ``/`` — before they touch the file system, and the resolved path must stay under
the root. A write goes to a temporary file beside the target and is renamed over it once complete, so a reader never
sees half a file and a failed write leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO, Final

from keel.application.jobs import StoredFileMissing

READ_CHUNK_BYTES: Final = 256 * 1024
_KEY: Final = re.compile(r"^(?:[a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$")


class InvalidFileKey(ValueError):
    """A key that is not of keel's shape: refused before it becomes a path."""


class LocalFileStorage:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    @property
    def root(self) -> Path:
        return self._root

    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        target = self._path(key)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        sink: BinaryIO = await asyncio.to_thread(partial.open, "wb")
        size = 0
        try:
            try:
                async for chunk in chunks:
                    await asyncio.to_thread(sink.write, chunk)
                    size += len(chunk)
                await asyncio.to_thread(sink.flush)
            finally:
                await asyncio.to_thread(sink.close)
            await asyncio.to_thread(os.replace, partial, target)
        except BaseException:
            await asyncio.to_thread(partial.unlink, missing_ok=True)
            raise
        return size

    async def read(self, key: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            source: BinaryIO = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise StoredFileMissing(f"No stored file {key!r}.") from None
        try:
            if offset:
                await asyncio.to_thread(source.seek, offset)
            while chunk := await asyncio.to_thread(source.read, READ_CHUNK_BYTES):
                yield chunk
        finally:
            await asyncio.to_thread(source.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise InvalidFileKey(f"not a storage key: {key!r}")
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root):
            raise InvalidFileKey(f"not a storage key: {key!r}")
        return path
