"""The rule every display name of the domain follows (a tenant's name, a user's full name)."""

from __future__ import annotations


def display_name(raw: str, *, min_length: int, max_length: int) -> str | None:
    """``raw`` without surrounding whitespace if it has ``min_length`` to ``max_length`` printable characters;
    ``None`` otherwise (the caller raises its own error, naming its field)."""
    name = raw.strip()
    if not min_length <= len(name) <= max_length or not name.isprintable():
        return None
    return name
