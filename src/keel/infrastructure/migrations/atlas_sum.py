"""``atlas.sum``, the integrity file of an Atlas migration directory, computed exactly as Atlas computes it.

From Atlas (``ariga.io/atlas``, ``sql/migrate/dir.go``: ``LocalDir.Files``, ``NewHashFile``, ``HashFile.Sum``,
``HashFile.MarshalText``, ``HashFile.UnmarshalText``):

* The files are the directory's ``*.sql`` files (no sub-directories), sorted by name, byte by byte.
* One SHA-256 runs over the whole directory. For each file, its name is written into it, then — unless the first
  line of the file carries ``atlas:sum ignore`` — its bytes, and the file's entry is the standard base64 of the
  digest so far. An entry therefore covers its file *and every file before it*. An ignored file gets no entry, but
  its name still enters the running digest.
* The first line is ``h1:`` + base64(SHA-256 of, for each entry, its name then its ``h1``-less hash).
* Then one line per entry, ``<name> h1:<hash>``, each ending in ``\\n``.
* Reading it back (Go's ``bufio.Scanner``: lines end at ``\\n``, one trailing ``\\r`` dropped), each line after the
  first is split at its first ``h1:``; the name is stripped of spaces; a line without ``h1:`` is a format error; and
  the first line must equal the sum recomputed from the entries.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from keel.infrastructure.migrations.directives import directive

SUM_FILE_NAME = "atlas.sum"
_PREFIX = "h1:"


def _base64_digest(digest: bytes) -> str:
    return base64.standard_b64encode(digest).decode("ascii")


class AtlasSumUnreadable(ValueError):
    """``atlas.sum`` is not in Atlas's format, or its first line does not match its entries."""


@dataclass(frozen=True, slots=True)
class SumEntry:
    """One line of ``atlas.sum``: a migration file and the hash covering it and every file before it."""

    name: str
    hash: str


@dataclass(frozen=True, slots=True)
class HashFile:
    """The content of ``atlas.sum``: the entries, in directory order."""

    entries: tuple[SumEntry, ...]

    @classmethod
    def of_files(cls, files: Iterable[tuple[str, bytes]]) -> HashFile:
        """Atlas's ``NewHashFile`` over ``(name, content)`` pairs, which must already be in directory order."""
        running = hashlib.sha256()
        entries: list[SumEntry] = []
        for name, content in files:
            running.update(os.fsencode(name))
            if directive(content.decode("utf-8", errors="replace"), "sum") == "ignore":
                continue
            running.update(content)
            entries.append(SumEntry(name, _base64_digest(running.digest())))
        return cls(tuple(entries))

    @classmethod
    def parse(cls, data: bytes) -> HashFile:
        """Atlas's ``UnmarshalText``; raises :class:`AtlasSumUnreadable` on a format error or a wrong first line."""
        lines = data.decode("utf-8", errors="replace").split("\n")
        if lines[-1] == "":
            lines.pop()
        lines = [line.removesuffix("\r") for line in lines]
        total = lines[0].removeprefix(_PREFIX) if lines else ""
        entries: list[SumEntry] = []
        for number, line in enumerate(lines[1:], start=2):
            name, separator, hash_ = line.partition(_PREFIX)
            if not separator:
                raise AtlasSumUnreadable(f"line {number} is not `<file> h1:<hash>`: {line!r}")
            entries.append(SumEntry(name.strip(), hash_))
        parsed = cls(tuple(entries))
        if total != parsed.total:
            raise AtlasSumUnreadable("its first line does not match the file entries (edited by hand?)")
        return parsed

    @property
    def total(self) -> str:
        """The directory's checksum: the first line of ``atlas.sum`` without ``h1:`` (Atlas's ``HashFile.Sum``)."""
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(os.fsencode(entry.name))
            digest.update(entry.hash.encode("utf-8"))
        return _base64_digest(digest.digest())

    def marshal(self) -> bytes:
        """The bytes Atlas writes to ``atlas.sum`` (``MarshalText``)."""
        lines = [f"{_PREFIX}{self.total}"] + [f"{entry.name} {_PREFIX}{entry.hash}" for entry in self.entries]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def hash_of(self, name: str) -> str | None:
        """The entry hash of file ``name`` (without ``h1:``), if it has one (``SumByName``)."""
        return next((entry.hash for entry in self.entries if entry.name == name), None)

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]
