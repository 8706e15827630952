"""What the users scenarios read: one tenant signed up through keel's API, its users created through the batch endpoint,
and a Zipf-distributed stream of their ids for the load generator to replay.

Everything is made over HTTP against the running keel (sign-up, log-in, ``POST /api/v1/users/batch`` 100 at a time),
so the rows are exactly what keel writes. The users look like real ones — names, email addresses, preferences from
small sets — so their JSON compresses as real records would, not better.

The stream: ids ranked in a random (seeded) order, rank ``k`` drawn with probability proportional to ``1 / k**s``
(``s`` = 1.1), ``STREAM_LENGTH`` draws written one path a line. wrk reads the file once and sends the lines in order
from an offset, wrapping around at the end; the harness continues each server's stream from run to run.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

USERS: Final = 10_000
BATCH_SIZE: Final = 100
STREAM_LENGTH: Final = 2**18
ZIPF_EXPONENT: Final = 1.1
SEED: Final = 20261122
PASSWORD: Final = "correct horse battery staple"  # a scratch tenant's, made and dropped with the run
TENANT_SLUG: Final = "bench"
OWNER_EMAIL: Final = "owner@bench.example.com"

FIRST_NAMES: Final = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Tim", "Katherine", "John", "Hedy", "Donald", "Sophie", "Guido", "Joan", "Niklaus",
)  # fmt: skip
LAST_NAMES: Final = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra",
    "Perlman", "Berners-Lee", "Johnson", "McCarthy", "Lamarr", "Knuth", "Wilson", "van Rossum", "Clarke", "Wirth",
)  # fmt: skip
PREFERENCES: Final = (
    ("en", "UTC"),
    ("en-GB", "Europe/London"),
    ("fr-FR", "Europe/Paris"),
    ("de-DE", "Europe/Berlin"),
    ("pt-BR", "America/Sao_Paulo"),
    ("en-US", "America/New_York"),
    ("ja-JP", "Asia/Tokyo"),
)


def new_user(index: int, rng: random.Random, *, tag: str = "u") -> dict[str, Any]:
    """The body of ``POST /api/v1/users`` for user ``index``; ``tag`` keeps emails and usernames of other runs apart."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    handle = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
    locale, timezone = rng.choice(PREFERENCES)
    return {
        "email": f"{handle}.{tag}{index}@example.com",
        "username": f"{handle[:20]}.{tag}{index}",
        "full_name": f"{first} {last}",
        "password": PASSWORD,
        "roles": ["admin"] if rng.random() < 0.05 else ["member"],
        "preferences": {"locale": locale, "timezone": timezone},
    }


@dataclass(frozen=True, slots=True)
class Tenant:
    token: str
    owner_id: str
    user_ids: tuple[str, ...]  # in creation order
    seconds: float

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return (("Authorization", f"Bearer {self.token}"),)


def seed(base_url: str, *, users: int = USERS) -> Tenant:
    """Sign a tenant up, log its owner in, and create ``users`` users, ``BATCH_SIZE`` a request."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    with httpx.Client(base_url=base_url, timeout=120) as client:
        owner = {"email": OWNER_EMAIL, "username": "owner", "full_name": "Bench Owner", "password": PASSWORD}
        signed_up = _expect(client.post("/api/v1/tenants", json={"slug": TENANT_SLUG, "name": "Bench", "owner": owner}))
        credentials = {"tenant": TENANT_SLUG, "email": OWNER_EMAIL, "password": PASSWORD}
        token = _expect(client.post("/api/v1/auth/login", json=credentials))["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        ids: list[str] = []
        for first in range(0, users, BATCH_SIZE):
            batch = [new_user(index, rng) for index in range(first, min(first + BATCH_SIZE, users))]
            result = _expect(client.post("/api/v1/users/batch", json={"users": batch}, headers=auth))
            if result["errors"]:
                raise RuntimeError(f"seeding: the batch at {first} was refused in part: {result['errors'][:3]}")
            ids.extend(item["user"]["id"] for item in result["created"])
    return Tenant(token, signed_up["owner"]["id"], tuple(ids), time.perf_counter() - started)


def _expect(response: httpx.Response) -> Any:
    if response.status_code not in {200, 201}:
        raise RuntimeError(
            f"seeding: {response.request.method} {response.request.url.path} answered {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json()


@dataclass(frozen=True, slots=True)
class ZipfStream:
    """The ids in the order the load generator requests them, written to ``paths_file``."""

    paths_file: Path
    ids: tuple[str, ...]
    _first_requests: tuple[int, ...]  # how many of the first n requests are the first of their id, for each n

    @classmethod
    def write(cls, folder: Path, user_ids: Sequence[str], *, length: int = STREAM_LENGTH) -> ZipfStream:
        rng = random.Random(SEED)
        ranked = list(user_ids)
        rng.shuffle(ranked)  # which user is hot is chance, not creation order
        cumulative = list(itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, len(ranked) + 1)))
        total = cumulative[-1]
        drawn = tuple(ranked[bisect.bisect_left(cumulative, rng.random() * total)] for _ in range(length))
        paths_file = folder / "user-paths.txt"
        paths_file.write_text("".join(f"/api/v1/users/{user_id}\n" for user_id in drawn))
        seen: set[str] = set()
        counts = [0]
        for user_id in drawn:
            counts.append(counts[-1] + (user_id not in seen))
            seen.add(user_id)
        return cls(paths_file, drawn, tuple(counts))

    @property
    def distinct(self) -> int:
        return self._first_requests[-1]

    def first_requests(self, start: int, count: int) -> int:
        """How many of requests ``start`` to ``start + count`` ask for an id for the first time since request 0:
        misses no cache emptied before request 0 can avoid (past the end, the stream wraps: none)."""
        end = min(start + count, len(self.ids))
        return self._first_requests[end] - self._first_requests[start] if start < end else 0

    def sample(self, size: int) -> list[str]:
        """Distinct ids from the head of the stream (the hottest ones are among them), to check answers on."""
        return list(dict.fromkeys(self.ids[: size * 20]))[:size]
