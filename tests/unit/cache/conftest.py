"""Fixtures of the cache's unit tests: small dictionaries trained here, on generated users, in a second."""

from __future__ import annotations

import pytest
import zstandard as zstd

from keel.infrastructure.cache.samples import generate_users
from keel.infrastructure.cache.user_codec import user_record


def train_small_dictionary(seed: int) -> zstd.ZstdCompressionDict:
    records = [user_record(user) for user in generate_users(2_000, seed=seed)]
    return zstd.train_dictionary(8 * 1024, records)


@pytest.fixture(scope="session")
def old_dictionary() -> zstd.ZstdCompressionDict:
    return train_small_dictionary(seed=101)


@pytest.fixture(scope="session")
def new_dictionary() -> zstd.ZstdCompressionDict:
    return train_small_dictionary(seed=102)
