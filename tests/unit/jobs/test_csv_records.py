"""Splitting CSV bytes into records: quoted newlines and quotes, blank lines, a missing final newline, an unterminated
quote — and offsets that let a later chunk start exactly where an earlier one stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator

from keel.application.jobs import RecordSplitter, csv_records
from keel.application.jobs.csv_records import header_fields

DATA = (
    b"email,username,full_name,roles\r\n"
    b'ada@x.example,ada,"Lovelace, Ada",admin\r\n'
    b'bob@x.example,bob,"Bob ""B""\nBuilder",member\n'
    b"\n"
    b"eve@x.example,eve,Eve,member"
)


def _split(data: bytes, piece: int) -> list[tuple[int, int, tuple[str, ...]]]:
    splitter = RecordSplitter()
    records = []
    for start in range(0, len(data), piece):
        records.extend(splitter.feed(data[start : start + piece]))
    records.extend(splitter.finish())
    return [(record.line, record.end_offset, record.fields) for record in records]


def test_records_are_whole_whatever_the_pieces_the_bytes_arrive_in() -> None:
    expected = _split(DATA, len(DATA))
    assert [fields for _, _, fields in expected] == [
        ("email", "username", "full_name", "roles"),
        ("ada@x.example", "ada", "Lovelace, Ada", "admin"),
        ("bob@x.example", "bob", 'Bob "B"\nBuilder', "member"),
        ("eve@x.example", "eve", "Eve", "member"),
    ]
    assert [line for line, _, _ in expected] == [1, 2, 3, 6]  # bob spans lines 3-4, line 5 is blank
    assert expected[-1][1] == len(DATA)
    for piece in (1, 2, 5, 64):
        assert _split(DATA, piece) == expected


async def _from(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_reading_from_a_record_s_end_offset_continues_with_the_next_record() -> None:
    records = [record async for record in csv_records(_from(DATA))]
    second = records[1]
    rest = [record async for record in csv_records(_from(DATA[second.end_offset :]), offset=second.end_offset,
                                                   line=second.end_line)]  # fmt: skip
    assert [(record.line, record.fields, record.end_offset) for record in rest] == [
        (record.line, record.fields, record.end_offset) for record in records[2:]
    ]


def test_an_unterminated_quote_at_the_end_is_reported_as_such() -> None:
    splitter = RecordSplitter()
    records = [*splitter.feed(b'a,"b\nc,d\n'), *splitter.finish()]
    assert len(records) == 1
    assert records[0].unterminated
    assert records[0].line == 1


def test_a_header_is_compared_without_bom_case_or_spaces() -> None:
    splitter = RecordSplitter()
    (header,) = [*splitter.feed("\ufeffEmail, username ,FULL_NAME,roles\n".encode())]
    assert header_fields(header.fields) == ("email", "username", "full_name", "roles")


STRAY_QUOTES = (
    b'ann@x.example,ann,Ann 5" tall,member\n'  # a quote inside an unquoted field is a character of it
    b"ada@x.example,ada,Ada,member\n"
    b'cy@x.example,cy,Cy 6" tall,"member"\n'
)


def test_a_quote_inside_an_unquoted_field_is_a_character_and_ends_no_record_early_or_late() -> None:
    for piece in (1, 3, len(STRAY_QUOTES)):
        assert [(line, fields) for line, _, fields in _split(STRAY_QUOTES, piece)] == [
            (1, ("ann@x.example", "ann", 'Ann 5" tall', "member")),
            (2, ("ada@x.example", "ada", "Ada", "member")),
            (3, ("cy@x.example", "cy", 'Cy 6" tall', "member")),
        ]


def test_quotes_open_a_field_only_where_it_starts_and_a_doubled_one_inside_is_a_quote() -> None:
    data = b'a,"b ""x""\nc",d""e,"f"g\n' + b'h,"i",j\n'
    assert [(line, fields) for line, _, fields in _split(data, len(data))] == [
        (1, ("a", 'b "x"\nc', 'd""e', "fg")),
        (3, ("h", "i", "j")),
    ]


def test_a_carriage_return_outside_quotes_that_ends_no_line_makes_one_unreadable_record() -> None:
    splitter = RecordSplitter()
    records = [*splitter.feed(b'a,b\rc,d\r\ne,"f\rg",h\r\n'), *splitter.finish()]
    assert [(record.line, record.unreadable, record.fields) for record in records] == [
        (1, True, ()),
        (2, False, ("e", "f\rg", "h")),
    ]


def test_line_separators_other_than_newline_are_characters_of_a_field() -> None:
    splitter = RecordSplitter()
    (record,) = [*splitter.feed("a,b\u2028c\x85d,e\n".encode())]
    assert record.fields == ("a", "b\u2028c\x85d", "e")
