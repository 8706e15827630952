"""A key ring on disk: a directory holding ``keyring.json`` (see ``key_ring_manifest``) and one PEM file per key that
still verifies.

Writers (``ensure``, ``rotate``, ``prune``) hold an exclusive ``flock`` on ``.keyring.lock`` in the directory, so
processes that start together, or two operators rotating at once, take turns. A private key file is written (0600,
fsynced) before the manifest that names it, and the manifest is replaced atomically (``os.replace``), so a reader —
which takes no lock — always sees a complete manifest whose files exist; files of retired keys are deleted only after
the manifest stops naming them. The directory is made 0700.

A development key made before the ring existed (``access-token-signing-key.pem``, alone in the directory) is adopted
as the ring's first signing key, so tokens issued before the upgrade stay valid.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keel.infrastructure.security.key_loading import SigningKeyError, parse_private_key
from keel.infrastructure.security.key_ring_manifest import KeyEntry, KeyRingError, KeyRingManifest, KeyState
from keel.infrastructure.security.signing_keys import SigningKey, SigningKeys, VerifyingKeySet

logger = structlog.get_logger(__name__)

MANIFEST_FILE: Final = "keyring.json"
LOCK_FILE: Final = ".keyring.lock"
LEGACY_DEVELOPMENT_KEY_FILE: Final = "access-token-signing-key.pem"
_PRIVATE_DIRECTORY: Final = 0o700
_OTHERS_MAY_ACCESS: Final = 0o077


@dataclass(frozen=True, slots=True)
class Rotation:
    added: KeyEntry
    """The new signing key."""
    demoted: KeyEntry | None
    """The former signing key: verifying until its ``retire_after``, or retired (``retire_now``); ``None`` when the
    rotation created the ring."""
    retired: tuple[KeyEntry, ...]
    """Keys found past their ``retire_after`` and retired on the way (their files deleted)."""


class KeyRingDirectory:
    """The ring in ``path``. ``retire_margin``: how long a key that stops signing keeps verifying — the longest an
    access token it signed can still be accepted (token lifetime, clock leeway, and the reload interval during which
    other processes may still sign with it)."""

    Error = KeyRingError

    def __init__(self, path: Path, *, retire_margin: timedelta) -> None:
        self.path = path
        self.retire_margin = retire_margin

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_FILE

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def stamp(self) -> tuple[int, int, int] | None:
        """What changes whenever the manifest is replaced (inode, size, mtime); ``None`` without one."""
        try:
            status = self.manifest_path.stat()
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_size, status.st_mtime_ns)

    def read_manifest(self) -> KeyRingManifest:
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyRingError(f"{self.manifest_path}: no key ring here") from None
        except OSError as error:
            raise KeyRingError(f"{self.manifest_path}: {error.strerror}") from None
        return KeyRingManifest.loads(text, source=str(self.manifest_path))

    def load(self, manifest: KeyRingManifest, *, now: datetime, previous: SigningKeys | None = None) -> SigningKeys:
        """The keys in effect at ``now``. Public keys still in ``previous`` are reused as the same objects, so tokens
        remembered as verified by one of them stay remembered across a reload."""
        signing = self._private_key(manifest.signing, required=True)
        assert signing is not None
        others = [
            key
            for entry in manifest.active_at(now)[1:]
            if (key := self._private_key(entry, required=False)) is not None
        ]
        reused = previous.verifying if previous is not None else {}
        signing_key = _same_key(signing, previous)
        publics = [reused.get(key.kid) or key.public_key for key in (signing_key, *others)]
        return SigningKeys(signing=signing_key, verifying=VerifyingKeySet(publics), previous=tuple(others))

    def ensure(self, now: datetime) -> None:
        """Create the ring with a first signing key if there is none (development); keep an existing one."""
        self._make_directory()
        with self._locked():
            if not self.exists():
                first = self._adopted_legacy_key(now) or self._new_entry(now, None)
                self._create(first)
                logger.info("security.key_ring.created", path=str(self.path), kid=first.kid, file=first.file)

    def rotate(self, now: datetime, pem: str | None = None, *, retire_now: bool = False) -> Rotation:
        """Add a new signing key — generated, or the PEM EC P-256 private key ``pem`` (material made elsewhere, e.g.
        by a key management service) — and let the current one verify for ``retire_margin``; with ``retire_now`` (the
        old key is compromised), retire it at once instead. Keys already past their ``retire_after`` are retired on
        the way. Without a ring yet, this creates it with the new key."""
        key = _parse(pem, "the given key") if pem is not None else ec.generate_private_key(ec.SECP256R1())
        self._make_directory()
        with self._locked():
            if not self.exists():
                legacy = self._adopted_legacy_key(now)
                if legacy is None:
                    created = self._new_entry(now, key)
                    self._create(created)
                    return Rotation(added=created, demoted=None, retired=())
                self._create(legacy)
            manifest, retired = self.read_manifest().pruned(now)
            demoted = manifest.signing.kid
            retire_after = now if retire_now else _ceil_to_second(now + self.retire_margin)
            manifest = manifest.rotated(SigningKey(key).kid, self._write_key(key), now=now, retire_after=retire_after)
            if retire_now:
                manifest, retired_now = manifest.pruned(now)
                retired += retired_now
            self._write_manifest(manifest)
            self._delete_files(retired)
        return Rotation(
            added=manifest.signing,
            demoted=next(entry for entry in manifest.keys if entry.kid == demoted),
            retired=tuple(entry for entry in retired if entry.kid != demoted),
        )

    def prune(self, now: datetime) -> tuple[KeyEntry, ...]:
        """Mark the keys past their ``retire_after`` retired and delete their private key files; those keys."""
        with self._locked():
            manifest, retired = self.read_manifest().pruned(now)
            if retired:
                self._write_manifest(manifest)
                self._delete_files(retired)
        return retired

    def _create(self, first: KeyEntry) -> None:
        self._write_manifest(KeyRingManifest((first,)))

    def _new_entry(self, now: datetime, key: ec.EllipticCurvePrivateKey | None) -> KeyEntry:
        """A signing entry for ``key`` (a new one by default), its file written."""
        key = key if key is not None else ec.generate_private_key(ec.SECP256R1())
        return KeyEntry(kid=SigningKey(key).kid, state=KeyState.SIGNING, created_at=now, file=self._write_key(key))

    def _adopted_legacy_key(self, now: datetime) -> KeyEntry | None:
        """The development key kept before key rings existed, as the ring's signing entry; ``None`` without one."""
        legacy = self.path / LEGACY_DEVELOPMENT_KEY_FILE
        if not legacy.is_file():
            return None
        key = SigningKey(self._read_pem(legacy))
        return KeyEntry(kid=key.kid, state=KeyState.SIGNING, created_at=now, file=LEGACY_DEVELOPMENT_KEY_FILE)

    def _private_key(self, entry: KeyEntry, *, required: bool) -> SigningKey | None:
        path = self.path / (entry.file or "")
        try:
            key = SigningKey(self._read_pem(path))
        except KeyRingError:
            if required:
                raise
            # Deleted by a concurrent prune after this manifest was read, or damaged: it verifies nothing here.
            logger.warning("security.key_ring.key_skipped", path=str(path), kid=entry.kid)
            return None
        if key.kid != entry.kid:
            raise KeyRingError(f"{path}: holds key {key.kid}, but the manifest names it {entry.kid}")
        return key

    def _read_pem(self, path: Path) -> ec.EllipticCurvePrivateKey:
        try:
            text = path.read_text(encoding="utf-8")
            if path.stat().st_mode & _OTHERS_MAY_ACCESS:
                logger.warning("security.key_ring.permissive_mode", path=str(path), expected="0600")
        except OSError as error:
            raise KeyRingError(f"{path}: {error.strerror}") from None
        return _parse(text, str(path))

    def _write_key(self, key: ec.EllipticCurvePrivateKey) -> str:
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        file = f"{SigningKey(key).kid}.pem"
        self._write_atomically(file, pem)
        return file

    def _write_manifest(self, manifest: KeyRingManifest) -> None:
        self._write_atomically(MANIFEST_FILE, manifest.dumps().encode("utf-8"))

    def _write_atomically(self, name: str, content: bytes) -> None:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.path)  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _delete_files(self, entries: tuple[KeyEntry, ...]) -> None:
        for entry in entries:
            if entry.file is not None:
                with contextlib.suppress(FileNotFoundError):
                    (self.path / entry.file).unlink()

    def _make_directory(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            self.path.mkdir(mode=_PRIVATE_DIRECTORY)
            self.path.chmod(_PRIVATE_DIRECTORY)  # mkdir's mode is narrowed by the umask, never widened; make it exact

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if not self.path.is_dir():
            raise KeyRingError(f"{self.path}: no such directory")
        with (self.path / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _parse(pem: str, source: str) -> ec.EllipticCurvePrivateKey:
    try:
        return parse_private_key(pem)
    except SigningKeyError as error:
        raise KeyRingError(f"{source}: {error.problem}") from None


def _same_key(key: SigningKey, previous: SigningKeys | None) -> SigningKey:
    if previous is not None and previous.signing.kid == key.kid:
        return previous.signing
    return key


def _ceil_to_second(moment: datetime) -> datetime:
    """The manifest stores whole seconds: round up, so a key never retires before its tokens expire."""
    seconds = math.ceil(moment.timestamp())
    return datetime.fromtimestamp(seconds, UTC)
