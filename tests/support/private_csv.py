"""Hypothesis strategies of CSV uploads for the importer's fuzzing: anything a client could send as ``users.csv``.

* plausible files — a header (the right one, or a variant: case, spaces, BOM, quoted names, reordered, a column
  missing or extra), rows mixing plausible values (emails, usernames, roles) with any text, quoted or not, ``\\n`` or
  ``\\r\\n`` line ends — then possibly damaged: a stray quote (broken quoting), a huge field, encoded as UTF-16,
  Latin-1 or UTF-8 with a byte-order mark;
* random bytes, alone or after a valid header.
"""

from __future__ import annotations

from typing import Final

from hypothesis import strategies as st

HEADER: Final = "email,username,full_name,roles"
HEADERS: Final = (
    HEADER,
    "EMAIL, Username ,FULL_NAME,roles",
    "\ufeffemail,username,full_name,roles",
    '"email","username","full_name","roles"',
    "username,email,full_name,roles",
    "email,username,full_name",
    "email,username,full_name,roles,extra",
    "",
)
ENCODINGS: Final = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1")

_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
_plausible = st.one_of(
    st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{1,8}\.example", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9_]{2,12}", fullmatch=True),
    st.sampled_from(["", "member", "admin", "owner", "wizard", "member;admin", "Ada Lovelace", "Zoë O'Brien"]),
)


def _quoted(field: str) -> str:
    return '"' + field.replace('"', '""') + '"'


_field = st.one_of(_plausible, _plausible.map(_quoted), _any_text, _any_text.map(_quoted))
_row = st.one_of(
    st.tuples(
        st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
        st.sampled_from(["member", "admin", "", "member;admin", "wizard"]),
    ).map(lambda drawn: f"{drawn[0]}@fuzz.example,{drawn[0]},Name {drawn[0]},{drawn[1]}"),
    st.lists(_field, min_size=1, max_size=6).map(",".join),
)


@st.composite
def _damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` as it is, or with a stray quote, or with a huge field inserted (at a random place)."""
    damage = draw(st.sampled_from(["none", "none", "quote", "huge"]))
    if damage == "none" or not text:
        return text
    at = draw(st.integers(0, len(text)))
    insert = '"' if damage == "quote" else "x" * draw(st.sampled_from([5_000, 70_000]))
    return text[:at] + insert + text[at:]


@st.composite
def plausible_csv(draw: st.DrawFn) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    rows = draw(st.lists(_row, max_size=12))
    text = newline.join([draw(st.sampled_from(HEADERS)), *rows]) + draw(st.sampled_from([newline, ""]))
    text = draw(_damaged(text))
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


csv_uploads = st.one_of(
    plausible_csv(),
    plausible_csv(),
    st.binary(max_size=2_000),
    st.binary(max_size=500).map(lambda tail: f"{HEADER}\n".encode() + tail),
)
"""Any of the above, plausible files twice as often."""
