"""Splitting a CSV byte stream into records, with the byte offset and line where each one starts.

A record ends at a newline outside quotes (RFC 4180: a quoted field may hold newlines; a quote inside it is doubled).
Quotes are read as Python's ``csv`` reads them: a quote opens a quoted field only where a field starts (at the start of
the record or after a comma); elsewhere — ``Ann 5" tall`` — it is a character of the field. (Counting quotes instead
would let one stray quote swallow the lines up to the next one into one record, and their rows would be lost.) Knowing
where each record ends in bytes lets an import resume at any chunk: the next chunk starts at the offset the previous
one ended at. Memory is bounded by the longest record. Blank lines are skipped (they count as lines). A carriage
return outside quotes that does not end a line (``\r`` not followed by ``\n``) makes its record ``unreadable``: a row
of its own in the error report, neither split in two nor merged.
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
    unreadable: bool = False
    """The record cannot be read as fields: a ``\\r`` outside quotes does not end its line."""


class RecordSplitter:
    """Feed bytes; take the complete records. ``finish()`` yields the last one if the file lacks a final newline."""

    def __init__(self, *, offset: int = 0, line: int = 1) -> None:
        self._pending = bytearray()
        self._line_start = 0
        """Where the line being read starts in ``_pending``."""
        self._in_quotes = False
        """Whether a quoted field is open where that line starts."""
        self._offset = offset
        self._record_start_line = line
        self._line = line

    def feed(self, data: bytes) -> Iterator[CsvRecord]:
        start = 0
        while (newline := data.find(b"\n", start)) != -1:
            self._pending += data[start : newline + 1]
            start = newline + 1
            self._line += 1
            self._in_quotes = in_quotes_after(self._pending, in_quotes=self._in_quotes, start=self._line_start)
            self._line_start = len(self._pending)
            if not self._in_quotes:
                record = self._complete(unterminated=False)
                if record is not None:
                    yield record
        self._pending += data[start:]

    def finish(self) -> Iterator[CsvRecord]:
        if self._pending:
            unterminated = in_quotes_after(self._pending, in_quotes=self._in_quotes, start=self._line_start)
            self._line += 0 if self._pending.endswith(b"\n") else 1
            record = self._complete(unterminated=unterminated)
            if record is not None:
                yield record

    def _complete(self, *, unterminated: bool) -> CsvRecord | None:
        raw = bytes(self._pending)
        self._offset += len(raw)
        start_line, self._record_start_line = self._record_start_line, self._line
        self._pending.clear()
        self._line_start = 0
        self._in_quotes = False
        text = raw.decode("utf-8", errors="replace")
        if not text.strip("\r\n"):
            return None  # a blank line
        if unterminated:
            return CsvRecord(start_line, self._offset, self._line, (), unterminated=True)
        try:
            # The record as one string: its newlines are inside quotes but the last, and other line breaks (U+2028...)
            # are characters of a field.
            rows = list(csv.reader([text], strict=False))
        except csv.Error:  # "new-line character seen in unquoted field": a lone "\r"
            rows = []
        if len(rows) != 1:  # one row, ending at the record's only newline outside quotes, or nothing readable
            return CsvRecord(start_line, self._offset, self._line, (), unreadable=True)
        return CsvRecord(start_line, self._offset, self._line, tuple(rows[0]))


def in_quotes_after(line: bytes | bytearray, *, in_quotes: bool, start: int = 0) -> bool:
    """Whether a quoted field is still open at the end of ``line`` (read from ``start``), given whether one was open
    there (if not, the line starts a record). As ``csv`` reads quotes: one opens a quoted field only where a field
    starts; inside a quoted field a doubled quote is a quote and a single one closes the field."""
    position = start
    while (quote := line.find(b'"', position)) != -1:
        if in_quotes:
            if line[quote + 1 : quote + 2] == b'"':
                position = quote + 2
                continue
            in_quotes = False
        elif quote == start or line[quote - 1] == ord(","):
            in_quotes = True
        position = quote + 1
    return in_quotes


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
