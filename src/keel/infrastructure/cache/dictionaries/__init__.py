"""The trained zstd dictionaries of the user cache, shipped in the package (``users-<dict id, 8 hex digits>.zdict``).

``CURRENT`` compresses new values; the dictionaries in ``PREVIOUS`` still decode values written with them. To rotate:

1. ``keel cache train-dict`` writes a new dictionary here and prints its file name and measured ratio;
2. make it ``CURRENT`` and move the old one to ``PREVIOUS``; release. During the deploy, old processes read the new
   values as misses (an unknown dictionary id is not an error) and new ones read the old values;
3. one release later (every process is new, every old value has expired: ``cache.default_ttl_seconds``), drop it from
   ``PREVIOUS`` and delete its file.

A file's name must match the id inside it: a mismatch fails at start-up rather than mis-decoding values.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final

import zstandard as zstd

CURRENT: Final = "users-0d538d27.zdict"
PREVIOUS: Final[tuple[str, ...]] = ()

DICTIONARY_DIRECTORY: Final = Path(__file__).resolve().parent


class DictionaryFileError(Exception):
    """A shipped dictionary is missing, is not a zstd dictionary, or does not have the id its name says."""


def dictionary_file_name(dict_id: int) -> str:
    return f"users-{dict_id:08x}.zdict"


def load_dictionary(name: str) -> zstd.ZstdCompressionDict:
    """The shipped dictionary ``name``, checked against its file name."""
    try:
        data = files(__name__).joinpath(name).read_bytes()
        dictionary = zstd.ZstdCompressionDict(data, dict_type=zstd.DICT_TYPE_FULLDICT)
        dict_id = dictionary.dict_id()
    except (OSError, zstd.ZstdError) as error:
        raise DictionaryFileError(f"cannot load the cache dictionary {name}: {error}") from None
    if dictionary_file_name(dict_id) != name:
        raise DictionaryFileError(f"the cache dictionary {name} has the id {dict_id:08x}")
    return dictionary


def shipped_dictionaries() -> tuple[zstd.ZstdCompressionDict, tuple[zstd.ZstdCompressionDict, ...]]:
    """The current dictionary and the previous ones, loaded and checked."""
    return load_dictionary(CURRENT), tuple(load_dictionary(name) for name in PREVIOUS)
