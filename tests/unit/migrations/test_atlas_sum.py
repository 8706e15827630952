"""``atlas.sum`` as Atlas computes it: known vectors, the ``atlas:sum ignore`` directive, reading it back."""

from __future__ import annotations

import base64
import hashlib

import pytest

from keel.infrastructure.migrations.atlas_sum import AtlasSumUnreadable, HashFile, SumEntry

CREATE_USERS = ("20240101000000_create_users.sql", b"CREATE TABLE users (id int);\n")
ADD_EMAIL = ("20240102000000_add_email.sql", b"ALTER TABLE users ADD COLUMN email text;\n")
IGNORED = ("20240101500000_ignored.sql", b"-- atlas:sum ignore\nSELECT 1;\n")
TXMODE_NONE_CRLF = (
    "20240103000000_index.sql",
    b"-- atlas:txmode none\r\n\r\nCREATE INDEX CONCURRENTLY ix ON users (email);\r\n-- caf\xc3\xa9\n",
)

# Printed by `migrate.LocalDir.Checksum` + `HashFile.MarshalText` of Atlas's Go library (ariga.io/atlas/sql/migrate)
# over directories holding exactly these files (and, for the second, a README.md that is not a migration).
GO_EMPTY = b"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
GO_TWO_FILES = (
    b"h1:g+HfZ8pEud6kF5c3a/9qBIzYgNp0Y84GncLvRq2qCvI=\n"
    b"20240101000000_create_users.sql h1:PrLiAypPvlpfUbIm7IXT4LJPZsD9kqKBnbyMhRXZx98=\n"
    b"20240102000000_add_email.sql h1:4X9u8IYq2UGtrmkzeCbb0XxnVeA8+54rUG/m913p+do=\n"
)
GO_WITH_IGNORED_AND_CRLF = (
    b"h1:s4y3AvMMmJPPa6CgM3QnftYDrslAXplvvFaAgRRqu6k=\n"
    b"20240101000000_create_users.sql h1:PrLiAypPvlpfUbIm7IXT4LJPZsD9kqKBnbyMhRXZx98=\n"
    b"20240102000000_add_email.sql h1:Icr1NIQ31sXT50ghkXmDIHtyk5wNFXgMhPLGBA28BCo=\n"
    b"20240103000000_index.sql h1:az5AuKrdDLGBl8eMeKIa0WyONG1RGK225Skc66ezcZ4=\n"
)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def test_empty_directory_sum_is_the_hash_of_nothing() -> None:
    assert HashFile.of_files([]).marshal() == GO_EMPTY
    assert b"h1:" + b64(hashlib.sha256(b"").digest()).encode() + b"\n" == GO_EMPTY


def test_two_files_match_a_hand_computed_chain() -> None:
    running = hashlib.sha256()
    running.update(CREATE_USERS[0].encode() + CREATE_USERS[1])
    first = b64(running.digest())
    running.update(ADD_EMAIL[0].encode() + ADD_EMAIL[1])
    second = b64(running.digest())
    total = b64(hashlib.sha256(f"{CREATE_USERS[0]}{first}{ADD_EMAIL[0]}{second}".encode()).digest())

    sums = HashFile.of_files([CREATE_USERS, ADD_EMAIL])

    assert sums.entries == (SumEntry(CREATE_USERS[0], first), SumEntry(ADD_EMAIL[0], second))
    assert sums.total == total
    assert sums.marshal() == GO_TWO_FILES


def test_an_ignored_file_has_no_entry_but_its_name_enters_the_chain() -> None:
    sums = HashFile.of_files([CREATE_USERS, IGNORED, ADD_EMAIL, TXMODE_NONE_CRLF])

    assert sums.names() == [CREATE_USERS[0], ADD_EMAIL[0], TXMODE_NONE_CRLF[0]]
    assert sums.hash_of(ADD_EMAIL[0]) != HashFile.of_files([CREATE_USERS, ADD_EMAIL]).hash_of(ADD_EMAIL[0])
    assert sums.marshal() == GO_WITH_IGNORED_AND_CRLF


def test_sum_ignore_counts_only_on_the_first_line() -> None:
    later = ("20240101500000_later.sql", b"SELECT 1;\n-- atlas:sum ignore\n")
    assert later[0] in HashFile.of_files([later]).names()


def test_editing_a_file_changes_its_entry_and_every_later_one() -> None:
    edited = (CREATE_USERS[0], CREATE_USERS[1] + b"-- edited\n")
    before = HashFile.of_files([CREATE_USERS, ADD_EMAIL])
    after = HashFile.of_files([edited, ADD_EMAIL])
    assert [a.hash != b.hash for a, b in zip(before.entries, after.entries, strict=True)] == [True, True]


@pytest.mark.parametrize("written", [GO_EMPTY, GO_TWO_FILES, GO_WITH_IGNORED_AND_CRLF])
def test_parse_reads_back_what_marshal_writes(written: bytes) -> None:
    assert HashFile.parse(written).marshal() == written


def test_parse_accepts_crlf_line_ends_and_a_missing_last_newline() -> None:
    windows = GO_TWO_FILES.replace(b"\n", b"\r\n").removesuffix(b"\r\n")
    assert HashFile.parse(windows).marshal() == GO_TWO_FILES


def test_parse_refuses_a_line_without_a_hash() -> None:
    with pytest.raises(AtlasSumUnreadable, match="line 4"):
        HashFile.parse(GO_TWO_FILES + b"\n")  # a blank line: Atlas's ErrChecksumFormat too


def test_parse_refuses_entries_edited_by_hand() -> None:
    tampered = GO_TWO_FILES.replace(b"PrLiAyp", b"XXXXXXX")
    with pytest.raises(AtlasSumUnreadable, match="first line"):
        HashFile.parse(tampered)


def test_parse_refuses_an_empty_file() -> None:
    with pytest.raises(AtlasSumUnreadable):
        HashFile.parse(b"")
