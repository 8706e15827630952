"""The key ring's manifest, ``keyring.json``: which keys exist, what each one does now, and until when.

```json
{
  "format": 1,
  "keys": [
    {"kid": "<RFC 7638 thumbprint>", "state": "signing", "file": "<kid>.pem", "created_at": "2026-11-22T10:00:00Z"},
    {"kid": "...", "state": "verifying", "file": "<kid>.pem", "created_at": "...", "retire_after": "..."},
    {"kid": "...", "state": "retired", "created_at": "...", "retired_at": "..."}
  ]
}
```

- ``signing``: exactly one key signs new tokens (and verifies them).
- ``verifying``: a former signing key; it still verifies the tokens it signed until ``retire_after`` — the moment its
  last token has expired — then counts as retired whether or not the file says so yet.
- ``retired``: verifies nothing; its private key file is gone. Kept as a record.

Times are ISO 8601 with an offset (written in UTC). ``file`` is a file name in the ring's directory holding the
unencrypted PEM private key (EC P-256); the key's thumbprint must equal ``kid``. This module only reads, checks and
writes the document; ``key_ring_directory`` handles the files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

FORMAT: Final = 1
_KID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_FILE = re.compile(r"^[A-Za-z0-9_.-]{1,200}\.pem$")


class KeyRingError(Exception):
    """The key ring is missing, unreadable or inconsistent; ``str(error)`` says what and where."""


class KeyState(StrEnum):
    SIGNING = "signing"
    VERIFYING = "verifying"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    kid: str
    state: KeyState
    created_at: datetime
    file: str | None = None
    retire_after: datetime | None = None
    """``verifying`` keys: when the last token they signed has expired."""
    retired_at: datetime | None = None

    def state_at(self, now: datetime) -> KeyState:
        """The state in effect at ``now``: a verifying key past ``retire_after`` is retired."""
        if self.state is KeyState.VERIFYING and self.retire_after is not None and self.retire_after <= now:
            return KeyState.RETIRED
        return self.state

    def retire_time(self) -> datetime | None:
        """When it stops (or stopped) verifying, if that is decided."""
        return self.retired_at if self.state is KeyState.RETIRED else self.retire_after


@dataclass(frozen=True, slots=True)
class KeyRingManifest:
    keys: tuple[KeyEntry, ...]

    def __post_init__(self) -> None:
        problems = _problems(self.keys)
        if problems:
            raise KeyRingError("; ".join(problems))

    @property
    def signing(self) -> KeyEntry:
        return next(entry for entry in self.keys if entry.state is KeyState.SIGNING)

    def active_at(self, now: datetime) -> tuple[KeyEntry, ...]:
        """The keys that verify at ``now``: the signing key first, then the verifying ones, oldest first."""
        verifying = sorted(
            (entry for entry in self.keys if entry.state_at(now) is KeyState.VERIFYING), key=lambda e: e.created_at
        )
        return (self.signing, *verifying)

    def rotated(self, kid: str, file: str, *, now: datetime, retire_after: datetime) -> KeyRingManifest:
        """``kid`` signs from now on; the current signing key verifies until ``retire_after``."""
        if any(entry.kid == kid for entry in self.keys):
            raise KeyRingError(f"key {kid} is already in the ring")
        keys = tuple(
            replace(entry, state=KeyState.VERIFYING, retire_after=retire_after)
            if entry.state is KeyState.SIGNING
            else entry
            for entry in self.keys
        )
        return KeyRingManifest((*keys, KeyEntry(kid=kid, state=KeyState.SIGNING, created_at=now, file=file)))

    def pruned(self, now: datetime) -> tuple[KeyRingManifest, tuple[KeyEntry, ...]]:
        """The manifest with every verifying key past ``retire_after`` marked retired (file dropped), and those keys
        as they were (their files are to be deleted)."""
        due = tuple(
            entry
            for entry in self.keys
            if entry.state is KeyState.VERIFYING and entry.state_at(now) is KeyState.RETIRED
        )
        keys = tuple(
            replace(entry, state=KeyState.RETIRED, file=None, retire_after=None, retired_at=entry.retire_after)
            if entry in due
            else entry
            for entry in self.keys
        )
        return KeyRingManifest(keys), due

    def dumps(self) -> str:
        document = {"format": FORMAT, "keys": [_entry_document(entry) for entry in self.keys]}
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def loads(cls, text: str, *, source: str) -> KeyRingManifest:
        try:
            document = json.loads(text)
        except ValueError as error:
            raise KeyRingError(f"{source}: not JSON ({error})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise KeyRingError(f'{source}: expected an object with "format": {FORMAT}')
        raw_keys = document.get("keys")
        if not isinstance(raw_keys, list) or not raw_keys:
            raise KeyRingError(f'{source}: "keys" must be a non-empty list')
        try:
            return cls(tuple(_entry(raw, index) for index, raw in enumerate(raw_keys)))
        except KeyRingError as error:
            raise KeyRingError(f"{source}: {error}") from None


def _problems(keys: tuple[KeyEntry, ...]) -> list[str]:
    problems: list[str] = []
    signing = [entry.kid for entry in keys if entry.state is KeyState.SIGNING]
    if len(signing) != 1:
        problems.append(f"exactly one key must be signing, found {len(signing)}")
    kids = [entry.kid for entry in keys]
    duplicates = sorted({kid for kid in kids if kids.count(kid) > 1})
    if duplicates:
        problems.append(f"duplicate kid {', '.join(duplicates)}")
    for entry in keys:
        if not _KID.fullmatch(entry.kid):
            problems.append(f"kid {entry.kid!r} is not a JWK thumbprint")
        if entry.state is not KeyState.RETIRED and (entry.file is None or not _FILE.fullmatch(entry.file)):
            problems.append(f'key {entry.kid}: a {entry.state} key needs "file", a .pem file name in the ring')
        if entry.state is KeyState.VERIFYING and entry.retire_after is None:
            problems.append(f'key {entry.kid}: a verifying key needs "retire_after"')
    return problems


def _entry(raw: Any, index: int) -> KeyEntry:
    if not isinstance(raw, dict):
        raise KeyRingError(f"keys[{index}] is not an object")
    try:
        state = KeyState(str(raw.get("state")))
    except ValueError:
        raise KeyRingError(f"keys[{index}].state must be one of {', '.join(KeyState)}") from None
    kid = raw.get("kid")
    file = raw.get("file")
    if not isinstance(kid, str) or (file is not None and not isinstance(file, str)):
        raise KeyRingError(f'keys[{index}]: "kid" and "file" are strings')
    created_at = _time(raw.get("created_at"), f"keys[{index}].created_at")
    if created_at is None:
        raise KeyRingError(f"keys[{index}].created_at is required")
    return KeyEntry(
        kid=kid,
        state=state,
        created_at=created_at,
        file=file,
        retire_after=_time(raw.get("retire_after"), f"keys[{index}].retire_after"),
        retired_at=_time(raw.get("retired_at"), f"keys[{index}].retired_at"),
    )


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise KeyRingError(f"{where} must be an ISO 8601 time with an offset, e.g. 2026-11-22T10:00:00Z")
    return moment


def _entry_document(entry: KeyEntry) -> dict[str, str]:
    document = {"kid": entry.kid, "state": entry.state.value}
    if entry.file is not None:
        document["file"] = entry.file
    document["created_at"] = _format(entry.created_at)
    if entry.retire_after is not None:
        document["retire_after"] = _format(entry.retire_after)
    if entry.retired_at is not None:
        document["retired_at"] = _format(entry.retired_at)
    return document


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
