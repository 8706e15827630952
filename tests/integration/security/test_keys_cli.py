"""``keel keys ...`` as an operator runs it: a process, settings from the environment, readable output, exit codes
(0 done, 1 a problem named on standard error, 2 invalid settings)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


type KeelKeys = Callable[..., Awaitable[Run]]


CLIENT_SECRET_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def keel_keys(tmp_path: Path) -> KeelKeys:
    """``await keel_keys("rotate", KEEL_ENVIRONMENT="production", ...)``: ``python -m keel keys rotate``."""

    async def run(*arguments: str, **variables: str) -> Run:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
            "KEEL_ENVIRONMENT": "development",
            "KEEL_SECURITY__KEYS_DIR": str(tmp_path / "keys"),
            "KEEL_SECURITY__CLIENT_SECRET_KEY": CLIENT_SECRET_KEY,  # production requires one
            "COLUMNS": "200",
            **variables,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "keel", "keys", *arguments, cwd=tmp_path, env=environment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        stdout, stderr = await process.communicate()
        assert process.returncode is not None
        return Run(process.returncode, stdout.decode(), stderr.decode())

    return run


def pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def added_kid(run: Run) -> str:
    [line] = [line for line in run.stdout.splitlines() if line.startswith("added signing key ")]
    return line.split()[3]


async def test_rotate_creates_the_ring_then_demotes_the_signing_key_and_list_shows_both(
    keel_keys: KeelKeys, tmp_path: Path
) -> None:
    first = await keel_keys("rotate")
    assert (first.exit_code, first.stderr) == (0, "")
    assert "the key ring was created with it" in first.stdout
    second = await keel_keys("rotate")
    assert second.exit_code == 0
    old, new = added_kid(first), added_kid(second)
    assert f"{old} stopped signing; it verifies until " in second.stdout
    assert "(token lifetime 900 s + leeway 10 s + reload interval 30 s), then retires" in second.stdout
    assert "running processes sign with the new key within 30 s" in second.stdout
    listed = await keel_keys("list")
    assert listed.exit_code == 0
    rows = {line.split()[1]: line for line in listed.stdout.splitlines() if old in line or new in line}
    assert "signing" in rows[new]
    assert "verifying" in rows[old]
    assert f"{old}.pem" in rows[old]
    manifest = json.loads((tmp_path / "keys" / "keyring.json").read_text())
    assert [key["state"] for key in manifest["keys"]] == ["verifying", "signing"]


async def test_rotate_adds_key_material_made_elsewhere_and_refuses_unusable_material(
    keel_keys: KeelKeys, tmp_path: Path
) -> None:
    good, bad = tmp_path / "p256.pem", tmp_path / "rsa.pem"
    good.write_bytes(pem(ec.generate_private_key(ec.SECP256R1())))
    bad.write_bytes(pem(rsa.generate_private_key(65537, 2048)))
    added = await keel_keys("rotate", "--private-key-file", str(good))
    assert added.exit_code == 0
    refused = await keel_keys("rotate", "--private-key-file", str(bad))
    assert refused.exit_code == 1
    assert refused.stderr == (
        "keel keys rotate: the given key: an EC P-256 private key is required (this key is RSA)\n"
    )
    missing = await keel_keys("rotate", "--private-key-file", str(tmp_path / "nowhere.pem"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


async def test_a_compromised_key_is_retired_at_once(keel_keys: KeelKeys, tmp_path: Path) -> None:
    compromised = added_kid(await keel_keys("rotate"))
    rotated = await keel_keys("rotate", "--retire-now")
    assert rotated.exit_code == 0
    assert f"{compromised} retired at once and its private key deleted" in rotated.stdout
    assert not (tmp_path / "keys" / f"{compromised}.pem").exists()
    listed = await keel_keys("list")
    [row] = [line for line in listed.stdout.splitlines() if compromised in line]
    assert "retired" in row


async def test_prune_retires_nothing_before_its_time(keel_keys: KeelKeys) -> None:
    await keel_keys("rotate")
    await keel_keys("rotate")
    pruned = await keel_keys("prune")
    assert (pruned.exit_code, pruned.stdout) == (0, "nothing to prune: no key is past its retire time\n")


async def test_list_without_a_ring_says_how_to_get_one(keel_keys: KeelKeys, tmp_path: Path) -> None:
    listed = await keel_keys("list")
    assert listed.exit_code == 1
    assert listed.stderr.startswith(f"keel keys list: {tmp_path / 'keys' / 'keyring.json'}: no key ring here")
    assert "keel keys rotate" in listed.stderr
    assert not (tmp_path / "keys").exists(), "listing creates nothing"


async def test_a_damaged_ring_is_named_and_left_alone(keel_keys: KeelKeys, tmp_path: Path) -> None:
    await keel_keys("rotate")
    manifest = tmp_path / "keys" / "keyring.json"
    manifest.write_text('{"format": 1, "keys": []}')
    for command in ("rotate", "list", "prune"):
        run = await keel_keys(command)
        assert run.exit_code == 1, command
        assert run.stderr.startswith(f'keel keys {command}: {manifest}: "keys" must be a non-empty list')
    assert manifest.read_text() == '{"format": 1, "keys": []}'


async def test_a_single_configured_key_is_listed_but_not_rotated(keel_keys: KeelKeys) -> None:
    key = pem(ec.generate_private_key(ec.SECP256R1())).decode()
    single = {"KEEL_ENVIRONMENT": "production", "KEEL_SECURITY__JWT_PRIVATE_KEY": key}
    rotated = await keel_keys("rotate", **single)
    assert rotated.exit_code == 1
    assert "the signing key is the single key in KEEL_SECURITY__JWT_PRIVATE_KEY" in rotated.stderr
    assert "KEEL_SECURITY__KEY_RING_DIR" in rotated.stderr
    listed = await keel_keys("list", **single)
    assert listed.exit_code == 0
    assert listed.stdout.endswith("signing  (the single key in KEEL_SECURITY__JWT_PRIVATE_KEY)\n")


async def test_production_uses_the_configured_ring_only(keel_keys: KeelKeys, tmp_path: Path) -> None:
    ring = tmp_path / "mounted-ring"
    production = {"KEEL_ENVIRONMENT": "production", "KEEL_SECURITY__KEY_RING_DIR": str(ring)}
    created = await keel_keys("rotate", **production)
    assert created.exit_code == 0
    assert (ring / "keyring.json").is_file()
    assert not (tmp_path / "keys").exists(), "the development ring is never used in production"
    without = await keel_keys("rotate", KEEL_ENVIRONMENT="production")
    assert without.exit_code == 2
    assert "KEEL_SECURITY__JWT_PRIVATE_KEY: a signing key is required in production" in without.stderr
