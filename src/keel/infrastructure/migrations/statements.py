"""Split a migration file into statements the way Atlas's PostgreSQL driver does, to run them one at a time.

A port of Atlas's scanner (``ariga.io/atlas``, ``sql/migrate/lex.go`` with the options of ``sql/postgres``'s
``Driver.ScanStmts``: ``MatchBegin``, ``MatchBeginAtomic``, ``MatchDollarQuote``, ``EscapedStringExt``). Supported:

* statements end at the delimiter, ``;`` unless the first line of the file is ``-- atlas:delimiter <d>`` (``\\n``,
  ``\\r`` and ``\\t`` in ``<d>`` are unescaped, the directive line is dropped), outside parentheses;
* quoted text is skipped: ``'...'``, ``"..."``, ``\\`...\\```, and ``E'...'`` with backslash escapes (Atlas
  intends this; its check looks at the quote itself, so it never fires there), and dollar quotes
  ``$$...$$`` / ``$tag$...$tag$``;
* ``--`` and ``/* */`` comments: the comment lines just above a statement are dropped from it (a blank line ends such
  a group), comments inside a statement stay in its text;
* ``BEGIN ATOMIC ... END`` bodies (SQL-standard function bodies) and ``BEGIN ... END`` blocks are one statement;
* the text of each statement is trimmed of surrounding white space and keeps its delimiter (unless custom).

Not supported (MySQL and SQL Server only in Atlas): the ``DELIMITER`` command, ``#`` comments, ``GO``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keel.infrastructure.migrations.directives import directive

DEFAULT_DELIMITER = ";"

_DOLLAR_QUOTE = re.compile(r"\$([A-Za-zÈ-ÿ_][\wÈ-ÿ]*)*\$", re.ASCII)
_BEGIN_ATOMIC = re.compile(r"\s*BEGIN\s+ATOMIC\s+", re.ASCII | re.IGNORECASE)
_BEGIN = re.compile(r"\s*BEGIN\s+", re.ASCII | re.IGNORECASE)
_END = re.compile(r"\s*END\s*", re.ASCII | re.IGNORECASE)
_IDENTIFIER_CHARACTER = re.compile(r"[\w$]")
_NOTHING_TO_RUN = re.compile(r"(?:\s|;|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)


class StatementSyntaxError(ValueError):
    """The file cannot be split: an unclosed quote or parenthesis. ``str(error)`` starts with ``line:column:``."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a file: its text and where it starts (0-based offset, 1-based line) in the file."""

    text: str
    offset: int
    line: int

    @property
    def empty(self) -> bool:
        """Only comments (e.g. a last comment line without a newline, which Atlas counts as a statement)."""
        return _NOTHING_TO_RUN.fullmatch(self.text) is not None


class _Scanner:
    def __init__(self, source: str, delimiter: str = DEFAULT_DELIMITER) -> None:
        self.source = source
        self.input = source
        self.pos = 0
        self.total = 0
        self.delimiter = delimiter

    def scan(self) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        while (statement := self.statement()) is not None:
            found.append(statement)
        return found

    def statement(self) -> tuple[int, str] | None:  # noqa: PLR0912 - one branch per token, as in Atlas
        depth = opening = 0
        self.skip_spaces()
        while True:
            character = self.next()
            if character == "":
                if depth > 0:
                    raise self.error(opening, "unclosed '('")
                if self.pos > 0:
                    return self.emit(self.input)
                return None
            if character == "(":
                if depth == 0:
                    opening = self.pos
                depth += 1
            elif character == ")":
                if depth == 0:
                    raise self.error(self.pos, "unexpected ')'")
                depth -= 1
            elif character in "'\"`":
                self.skip_quote(character)
            elif depth == 0 and self.input.startswith(self.delimiter, self.pos - 1):
                self.add_pos(len(self.delimiter) - 1)
                return self.emit(self.input[: self.pos])
            elif character == "$" and _DOLLAR_QUOTE.match(self.input, self.pos - 1):
                self.skip_dollar_quote()
            elif character == "-" and self.peek() == "-":
                self.next()
                self.comment("--", "\n")
            elif character == "/" and self.peek() == "*":
                self.next()
                self.comment("/*", "*/")
            elif self.delimiter == DEFAULT_DELIMITER and _BEGIN_ATOMIC.match(self.input, self.pos - 1):
                if self.skip_block(_BEGIN_ATOMIC):
                    return self.emit(self.input[: self.pos])
            elif self.delimiter == DEFAULT_DELIMITER and self.at_begin() and self.skip_block(_BEGIN):
                return self.emit(self.input[: self.pos])

    def at_begin(self) -> bool:
        if self.pos == 1:
            return _BEGIN.match(self.input, 0) is not None
        return self.pos > 1 and _BEGIN.match(self.input, self.pos - 2) is not None

    def next(self) -> str:
        if self.pos >= len(self.input):
            return ""
        self.add_pos(1)
        return self.input[self.pos - 1]

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def add_pos(self, count: int) -> None:
        self.pos += count
        self.total += count

    def skip_quote(self, quote: str) -> None:
        start = self.pos
        before = self.input[start - 2] if start >= 2 else ""
        earlier = self.input[start - 3] if start >= 3 else ""
        escaped = quote == "'" and before in ("E", "e") and not _IDENTIFIER_CHARACTER.match(earlier or " ")
        while True:
            character = self.next()
            if character == "":
                raise self.error(start, f"unclosed quote {quote!r}")
            if character == "\\" and escaped:
                self.next()
            elif character == quote:
                return

    def skip_dollar_quote(self) -> None:
        match = _DOLLAR_QUOTE.match(self.input, self.pos - 1)
        assert match is not None
        tag = match.group(0)
        self.add_pos(len(tag) - 1)
        end = self.input.find(tag, self.pos)
        if end == -1:  # Atlas reads an unclosed dollar quote to the end of the file
            self.add_pos(len(self.input) - self.pos)
            return
        self.add_pos(end + len(tag) - self.pos)

    def skip_block(self, opener: re.Pattern[str]) -> bool:
        """Skip a ``BEGIN [ATOMIC] ... END`` block: its statements up to one that starts with ``END``."""
        match = opener.match(self.input, self.pos - 1)
        if match is None:
            return False
        self.add_pos(match.end() - self.pos)  # like Atlas, a block that turns out unclosed stays skipped
        body = _Scanner(self.input[self.pos :])
        try:
            while (found := body.statement()) is not None:
                text = found[1]
                end = _END.match(text)
                if end and (opener is _BEGIN_ATOMIC or text[end.end() :] in ("", DEFAULT_DELIMITER)):
                    self.add_pos(body.total)
                    return True
        except StatementSyntaxError:
            return False
        return False

    def comment(self, left: str, right: str) -> None:
        end = self.input.find(right, self.pos)
        if end == -1:  # not a comment
            return
        leading = self.pos == len(left)  # nothing of a statement before it
        self.add_pos(end + len(right) - self.pos)
        if leading:
            self.input = self.input[self.pos :]
            self.pos = 0
            self.skip_spaces()

    def skip_spaces(self) -> None:
        stripped = self.input.lstrip()
        self.total += len(self.input) - len(stripped)
        self.input = stripped

    def emit(self, text: str) -> tuple[int, str]:
        offset = self.total - len(text)
        self.input = self.input[self.pos :]
        self.pos = 0
        if self.delimiter != DEFAULT_DELIMITER:
            text = text.removesuffix(self.delimiter)
        return offset, text.strip()

    def error(self, pos: int, message: str) -> StatementSyntaxError:
        absolute = len(self.source) - len(self.input) + pos
        before = self.source[:absolute]
        line = before.count("\n") + 1
        column = absolute if line == 1 else absolute - before.rfind("\n") - 1
        return StatementSyntaxError(f"{line}:{column}: {message}")


def split_statements(content: str) -> list[Statement]:
    """The statements of a migration file, in order; raises :class:`StatementSyntaxError` when it cannot be split."""
    source, skipped = content, 0
    delimiter = directive(content, "delimiter", "-- ")
    if delimiter is not None:
        if not delimiter:
            raise StatementSyntaxError("1:0: empty delimiter")
        first_line, newline, rest = content.partition("\n")
        if not newline:
            raise StatementSyntaxError(f"1:0: no input found after delimiter {delimiter!r}")
        source, skipped = rest, len(first_line) + 1
        delimiter = delimiter.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")
    scanner = _Scanner(source, delimiter or DEFAULT_DELIMITER)
    return [
        Statement(text=text, offset=skipped + offset, line=content.count("\n", 0, skipped + offset) + 1)
        for offset, text in scanner.scan()
    ]
