"""Files in memory: the ``FileStorage`` port with its promises — a write appears whole or not at all, reads stream."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from keel.application.jobs import StoredFileMissing


class InMemoryFileStorage:
    def __init__(self, *, read_chunk: int = 64) -> None:
        self.files: dict[str, bytes] = {}
        self.writes = 0
        """Writes begun, whether they ended with a file or not."""
        self._read_chunk = read_chunk

    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        self.writes += 1
        content = bytearray()
        async for chunk in chunks:  # an error here leaves the stored file as it was
            content += chunk
        self.files[key] = bytes(content)
        return len(content)

    async def read(self, key: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        if key not in self.files:
            raise StoredFileMissing(f"No stored file {key!r}.")
        content = self.files[key]
        for start in range(offset, len(content), self._read_chunk):
            yield content[start : start + self._read_chunk]

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)
