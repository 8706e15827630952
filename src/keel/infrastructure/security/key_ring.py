"""The signing keys in effect, where they come from, and how a running process follows a rotation.

By settings:

- ``KEEL_SECURITY__JWT_PRIVATE_KEY``: one key, fixed for the life of the process. Replacing it is a rolling restart,
  and tokens signed with the old key fail at once: use a key ring to rotate without that.
- ``KEEL_SECURITY__KEY_RING_DIR``: a key ring directory (``key_ring_directory``), in any environment — in production
  typically a mounted secret. The process re-reads it every ``key_ring_reload_seconds``.
- neither, outside production: the development key ring in ``KEEL_SECURITY__KEYS_DIR``, created on first use.
- neither, in production: refused.

``KeyRing`` holds one ``SigningKeys`` snapshot and swaps it whole when the manifest changes or a key reaches its
``retire_after``; readers (issuer, verifier, JWKS, cursors) take ``ring.signing``/``ring.verifying`` each time, so a
rotation reaches every one of them at the next reload. Keys that did not change keep their objects, so the verified-
token memo keeps their tokens. A ring that cannot be read at a reload is logged and counted and the keys in effect
stay: a bad edit never takes the service down, and the next good one is picked up.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

from keel.infrastructure.security.key_loading import SigningKeyError, parse_private_key
from keel.infrastructure.security.key_ring_directory import KeyRingDirectory
from keel.infrastructure.security.key_ring_manifest import KeyRingError, KeyRingManifest
from keel.infrastructure.security.signing_keys import SigningKey, SigningKeys, VerifyingKeySet
from keel.settings import Environment, SecuritySettings

logger = structlog.get_logger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KeyRing:
    """Implements ``KeySource``: the snapshot in effect, reloaded from ``directory`` when there is one."""

    def __init__(
        self,
        keys: SigningKeys,
        directory: KeyRingDirectory | None = None,
        *,
        manifest: KeyRingManifest | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.current = keys
        self.directory = directory
        self.reload_failures = 0
        self._clock = clock
        self._manifest = manifest
        self._stamp = directory.stamp() if directory is not None else None
        self._active = self._active_kids(manifest) if manifest is not None else ()

    @classmethod
    def from_directory(cls, directory: KeyRingDirectory, *, clock: Callable[[], datetime] = _utc_now) -> KeyRing:
        manifest = directory.read_manifest()
        keys = directory.load(manifest, now=clock())
        return cls(keys, directory, manifest=manifest, clock=clock)

    @property
    def signing(self) -> SigningKey:
        return self.current.signing

    @property
    def verifying(self) -> VerifyingKeySet:
        return self.current.verifying

    @property
    def previous(self) -> tuple[SigningKey, ...]:
        return self.current.previous

    def reload(self) -> bool:
        """Re-read the ring if its manifest changed, or rebuild the snapshot if a key's ``retire_after`` has passed;
        whether the keys in effect changed. ``KeyRingError`` if the ring cannot be read (the keys stay)."""
        if self.directory is None or self._manifest is None:
            return False
        stamp = self.directory.stamp()
        manifest = self.directory.read_manifest() if stamp != self._stamp else self._manifest
        active = self._active_kids(manifest)
        if manifest is self._manifest and active == self._active:
            return False
        keys = self.directory.load(manifest, now=self._clock(), previous=self.current)
        changed = keys.signing.kid != self.current.signing.kid or list(keys.verifying) != list(self.current.verifying)
        self.current, self._manifest, self._stamp, self._active = keys, manifest, stamp, active
        if changed:
            logger.info("security.key_ring.reloaded", signing=keys.signing.kid, verifying=list(keys.verifying))
        return changed

    def _active_kids(self, manifest: KeyRingManifest) -> tuple[str, ...]:
        return tuple(entry.kid for entry in manifest.active_at(self._clock()))


def retire_margin(settings: SecuritySettings) -> timedelta:
    """How long a key keeps verifying after it stopped signing: the longest life of a token it signed (lifetime and
    leeway) after the last moment a process may still sign with it (one reload interval after the rotation)."""
    seconds = (
        settings.access_token_ttl_seconds + settings.jwt_leeway_seconds + math.ceil(settings.key_ring_reload_seconds)
    )
    return timedelta(seconds=seconds)


def key_ring_directory(settings: SecuritySettings, environment: Environment) -> KeyRingDirectory | None:
    """The ring directory these settings use; ``None`` when the key is configured as one PEM."""
    if settings.jwt_private_key is not None:
        return None
    if settings.key_ring_dir is not None:
        return KeyRingDirectory(settings.key_ring_dir, retire_margin=retire_margin(settings))
    if environment is Environment.PRODUCTION:
        return None
    return KeyRingDirectory(settings.keys_dir, retire_margin=retire_margin(settings))


def load_key_ring(
    settings: SecuritySettings, environment: Environment, *, clock: Callable[[], datetime] = _utc_now
) -> KeyRing:
    """The key ring these settings describe; ``SigningKeyError`` (a settings error) when it cannot be had."""
    if settings.jwt_private_key is not None:
        return KeyRing(SigningKeys.of(parse_private_key(settings.jwt_private_key.get_secret_value())))
    directory = key_ring_directory(settings, environment)
    if directory is None:
        raise SigningKeyError(
            "a signing key is required in production: set it, or KEEL_SECURITY__KEY_RING_DIR to a key ring"
        )
    variable = "KEEL_SECURITY__KEY_RING_DIR" if settings.key_ring_dir is not None else "KEEL_SECURITY__KEYS_DIR"
    try:
        if settings.key_ring_dir is None:
            directory.ensure(clock())
        return KeyRing.from_directory(directory, clock=clock)
    except KeyRingError as error:
        raise SigningKeyError(str(error), variable=variable) from None


async def key_ring_reloading(ring: KeyRing, interval_seconds: float) -> AsyncIterator[KeyRing]:
    """A container resource: reload ``ring`` every ``interval_seconds`` while the process runs (nothing to do for a
    ring without a directory)."""
    if ring.directory is None:
        yield ring
        return
    task = asyncio.create_task(_reload_every(ring, interval_seconds), name="key-ring-reload")
    try:
        yield ring
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _reload_every(ring: KeyRing, interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await asyncio.to_thread(ring.reload)  # a few small file reads; kept off the event loop all the same
        except (KeyRingError, OSError) as error:
            ring.reload_failures += 1
            logger.error("security.key_ring.reload_failed", path=str(_path(ring)), error=str(error))


def _path(ring: KeyRing) -> Path | None:
    return ring.directory.path if ring.directory is not None else None
