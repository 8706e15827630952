"""Train a zstd dictionary for cached users and measure what it achieves (``keel cache train-dict``).

The trainer turns users into the codec's compact records, trains a dictionary of ``dict_size`` bytes on them (zstd's
fastCOVER, its parameters optimised; deterministic for the same records) and measures the ratio on *held-out* users
encoded exactly as the cache stores them — header and dictionary id included. Training and held-out users come from
``samples.generate_users`` with different seeds, or from the caller (real rows, once a source for them is wired).

The ratio is the compact record's size over the stored value's: it measures compression only, not the compactness of
the record (which leaves out the ids and writes instants as integers, and would make any ratio look better against a
verbose JSON object).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import zstandard as zstd

from keel.domain.users import User
from keel.infrastructure.cache.codec import DEFAULT_LEVEL, ValueCodec
from keel.infrastructure.cache.dictionaries import DICTIONARY_DIRECTORY, dictionary_file_name
from keel.infrastructure.cache.user_codec import UserCacheCodec, user_record

DEFAULT_DICT_SIZE: Final = 512 * 1024
DEFAULT_SAMPLES: Final = 200_000
DEFAULT_HELD_OUT: Final = 1_000


class DictionaryTrainingFailed(Exception):
    """zstd could not train a dictionary: usually too few samples for the dictionary size."""


@dataclass(frozen=True, slots=True)
class CompressionReport:
    records: int
    record_bytes: int
    stored_bytes: int

    @property
    def ratio(self) -> float:
        return self.record_bytes / self.stored_bytes if self.stored_bytes else 0.0

    def describe(self) -> str:
        return (
            f"ratio {self.ratio:.3f} on {self.records} held-out users "
            f"({self.record_bytes / max(self.records, 1):.1f} -> {self.stored_bytes / max(self.records, 1):.1f} bytes "
            "per user, header included)"
        )


def measure_compression(codec: UserCacheCodec, users: Iterable[User]) -> CompressionReport:
    """Compact record bytes versus stored bytes, each user encoded on its own as the cache stores it."""
    records = stored = record_bytes = 0
    for user in users:
        records += 1
        record_bytes += len(user_record(user))
        stored += len(codec.encode(user))
    return CompressionReport(records=records, record_bytes=record_bytes, stored_bytes=stored)


@dataclass(frozen=True, slots=True)
class TrainedDictionary:
    dictionary: zstd.ZstdCompressionDict
    samples: int
    report: CompressionReport

    @property
    def dict_id(self) -> int:
        return self.dictionary.dict_id()

    @property
    def file_name(self) -> str:
        return dictionary_file_name(self.dict_id)

    def write(self, destination: Path) -> Path:
        """Write the dictionary into ``destination`` (a directory, as ``file_name``) or to that file; its path."""
        path = destination / self.file_name if destination.is_dir() else destination
        path.write_bytes(self.dictionary.as_bytes())
        return path


class CacheDictionaryTrainer:
    """Stateless; the container provides it to ``keel cache train-dict``."""

    default_directory: Final = DICTIONARY_DIRECTORY
    Error: Final = DictionaryTrainingFailed  # for callers that may not import infrastructure (the CLI)

    def __init__(self, *, dict_size: int = DEFAULT_DICT_SIZE, level: int = DEFAULT_LEVEL) -> None:
        self.dict_size = dict_size
        self.level = level

    def train(self, users: Sequence[User], held_out: Sequence[User]) -> TrainedDictionary:
        """A dictionary trained on ``users``, measured on ``held_out`` (which should not overlap them)."""
        try:
            dictionary = zstd.train_dictionary(self.dict_size, [user_record(user) for user in users], threads=-1)
        except zstd.ZstdError as error:
            raise DictionaryTrainingFailed(
                f"zstd could not train a {self.dict_size}-byte dictionary on {len(users)} users ({error}); "
                "give it more samples or a smaller size"
            ) from None
        codec = UserCacheCodec(ValueCodec(dictionary, level=self.level))
        return TrainedDictionary(dictionary, samples=len(users), report=measure_compression(codec, held_out))

    def train_on_generated(
        self, samples: int = DEFAULT_SAMPLES, *, seed: int | None = None, held_out: int = DEFAULT_HELD_OUT
    ) -> TrainedDictionary:
        """Train on ``samples`` generated users and measure on ``held_out`` others (see ``samples``)."""
        from keel.infrastructure.cache.samples import EVALUATION_SEED, TRAINING_SEED, generate_users

        training_seed = TRAINING_SEED if seed is None else seed
        evaluation_seed = EVALUATION_SEED if training_seed != EVALUATION_SEED else training_seed + 1
        return self.train(generate_users(samples, seed=training_seed), generate_users(held_out, seed=evaluation_seed))
