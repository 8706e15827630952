"""Splitting a CSV byte stream into records, with the byte offset and line where each one starts.

A record ends at a newline outside quotes (RFC 4180: a quoted field may hold newlines; a quote inside it is doubled, so
an even count of quotes means the record is complete). Knowing where each record ends in bytes lets an import resume
at any chunk: the next chunk starts at the offset the previous one ended at. Memory is bounded by the longest record.
Blank lines are skipped (they count as lines).
"""

from __future__ import annotations

import csv
from collections.abc import AsyncGenerator, AsyncIterable, Iterator
from dataclasses import dataclass
from typing import Final

UTF8_BOM: Final = b"\xef\xbb\xbf"
IMPORT_HEADER: Final = ("email", "username", "full_name", "roles")
ROLE_SEPARATOR: Final = ";"


@dataclass(frozen=True, slots=True)
class CsvRecord:
    line: int
    """Line of the file where the record starts (1 = the first line)."""
    end_offset: int
    """Byte offset just past the record's last newline."""
    end_line: int
    """Line that follows the record."""
    fields: tuple[str, ...]
    unterminated: bool = False
    """The file ended inside a quoted field."""


class RecordSplitter:
    """Feed bytes; take the complete records. ``finish()`` yields the last one if the file lacks a final newline."""

    def __init__(self, *, offset: int = 0, line: int = 1) -> None:
        self._pending = bytearray()
        self._quotes = 0
        self._offset = offset
        self._record_start_line = line
        self._line = line

    def feed(self, data: bytes) -> Iterator[CsvRecord]:
        start = 0
        while (newline := data.find(b"\n", start)) != -1:
            piece = data[start : newline + 1]
            start = newline + 1
            self._pending += piece
            self._quotes += piece.count(b'"')
            self._line += 1
            if self._quotes % 2 == 0:
                record = self._complete(unterminated=False)
                if record is not None:
                    yield record
        rest = data[start:]
        self._pending += rest
        self._quotes += rest.count(b'"')

    def finish(self) -> Iterator[CsvRecord]:
        if self._pending:
            unterminated = self._quotes % 2 == 1
            self._line += 0 if self._pending.endswith(b"\n") else 1
            record = self._complete(unterminated=unterminated)
            if record is not None:
                yield record

    def _complete(self, *, unterminated: bool) -> CsvRecord | None:
        raw = bytes(self._pending)
        self._offset += len(raw)
        start_line, self._record_start_line = self._record_start_line, self._line
        self._pending.clear()
        self._quotes = 0
        text = raw.decode("utf-8", errors="replace")
        if not text.strip("\r\n"):
            return None  # a blank line
        if unterminated:
            return CsvRecord(start_line, self._offset, self._line, (), unterminated=True)
        fields = next(csv.reader(text.splitlines(keepends=True), strict=False), [])
        return CsvRecord(start_line, self._offset, self._line, tuple(fields))


async def csv_records(
    chunks: AsyncIterable[bytes], *, offset: int = 0, line: int = 1
) -> AsyncGenerator[CsvRecord, None]:
    """The records of a stream that starts at byte ``offset`` and line ``line`` of its file."""
    splitter = RecordSplitter(offset=offset, line=line)
    async for chunk in chunks:
        for record in splitter.feed(chunk):
            yield record
    for record in splitter.finish():
        yield record


def header_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    """A header's names as compared: BOM removed, trimmed, lower case."""
    return tuple(name.strip().lower() for name in (fields[0].removeprefix("\ufeff"), *fields[1:])) if fields else ()
