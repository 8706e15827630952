"""Bytes as stored in the cache: a one-byte header, then the payload, compressed with zstd when that pays.

```
0x00 <payload>                      raw: small values, or values zstd could not shrink
0x01 <zstd frame>                   zstd without a dictionary (no dictionary configured)
0x02 <dict id: 4 bytes, big-endian> <zstd frame>   zstd with the trained dictionary of that id
```

Cached records are a couple of hundred bytes: on its own, zstd barely shrinks them; with a dictionary trained on
similar records (``dictionaries/``) it does. The dictionary id in the header, rather than a single assumed dictionary,
is what makes rotation safe: a codec encodes with its *current* dictionary and decodes with any it knows (current and
previous), so during a deploy the old and the new release read each other's values when they share a dictionary, and
a value written with a dictionary a process does not know raises ``UnknownDictionary`` — the caller treats it as a
miss, never as an error.

Frames are written in zstd's magicless format without checksum or dictionary id (the header already says which
dictionary; Redis and TCP already check integrity): 8 bytes saved on every value. A frame whose declared size exceeds
``max_size`` is refused before decompression.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import zstandard as zstd

RAW: Final = 0x00
ZSTD: Final = 0x01
ZSTD_DICT: Final = 0x02

DICT_ID_SIZE: Final = 4
DEFAULT_LEVEL: Final = 17
DEFAULT_MIN_SIZE: Final = 64
DEFAULT_MAX_SIZE: Final = 1 << 20
_FORMAT: Final = zstd.FORMAT_ZSTD1_MAGICLESS


class UndecodableValue(Exception):
    """The bytes are not a value this codec can read (unknown header, corrupt frame, too large)."""


class UnknownDictionary(UndecodableValue):
    """The value was compressed with a dictionary this process does not have (rotated in or out elsewhere)."""

    def __init__(self, dict_id: int) -> None:
        super().__init__(f"no dictionary with id {dict_id}")
        self.dict_id = dict_id


class ValueCodec:
    """Encode with ``current`` (zstd alone without it); decode with ``current`` or any of ``previous``.

    Values shorter than ``min_size`` stay raw, and so do values compression would not make smaller. ``level`` trades
    encoding time for size: it is paid when a value is written (a cache miss), never when it is read.
    """

    def __init__(
        self,
        current: zstd.ZstdCompressionDict | None = None,
        previous: Sequence[zstd.ZstdCompressionDict] = (),
        *,
        level: int = DEFAULT_LEVEL,
        min_size: int = DEFAULT_MIN_SIZE,
        max_size: int = DEFAULT_MAX_SIZE,
    ) -> None:
        self._min_size = min_size
        self._max_size = max_size
        self._plain_compressor = zstd.ZstdCompressor(compression_params=_parameters(level))
        self._plain_decompressor = zstd.ZstdDecompressor(format=_FORMAT)
        self._dict_decompressors = {
            dictionary.dict_id(): zstd.ZstdDecompressor(dict_data=dictionary, format=_FORMAT)
            for dictionary in (*previous, *([current] if current is not None else []))
        }
        self.current_dictionary_id = None if current is None else current.dict_id()
        self._dict_encoder: tuple[bytes, zstd.ZstdCompressor] | None = None  # (header and id, compressor)
        if current is not None:
            self._dict_encoder = (
                bytes((ZSTD_DICT,)) + current.dict_id().to_bytes(DICT_ID_SIZE, "big"),
                zstd.ZstdCompressor(dict_data=current, compression_params=_parameters(level, dict_size=len(current))),
            )

    @property
    def dictionary_ids(self) -> frozenset[int]:
        """The ids of the dictionaries this codec decodes with."""
        return frozenset(self._dict_decompressors)

    def encode(self, data: bytes) -> bytes:
        if len(data) < self._min_size:
            return bytes((RAW,)) + data
        if self._dict_encoder is not None:
            prefix, compressor = self._dict_encoder
            encoded = prefix + compressor.compress(data)
        else:
            encoded = bytes((ZSTD,)) + self._plain_compressor.compress(data)
        return encoded if len(encoded) <= len(data) else bytes((RAW,)) + data

    def decode(self, value: bytes) -> bytes:
        """The original bytes; ``UnknownDictionary`` or ``UndecodableValue`` if this codec cannot read them."""
        if not value:
            raise UndecodableValue("empty value")
        header = value[0]
        if header == RAW:
            return value[1:]
        if header == ZSTD:
            return self._decompress(self._plain_decompressor, value[1:])
        if header == ZSTD_DICT:
            dict_id = int.from_bytes(value[1 : 1 + DICT_ID_SIZE], "big")
            decompressor = self._dict_decompressors.get(dict_id)
            if decompressor is None:
                raise UnknownDictionary(dict_id)
            return self._decompress(decompressor, value[1 + DICT_ID_SIZE :])
        raise UndecodableValue(f"unknown header byte {header:#04x}")

    def _decompress(self, decompressor: zstd.ZstdDecompressor, frame: bytes) -> bytes:
        try:
            declared = zstd.get_frame_parameters(frame, format=_FORMAT).content_size
            if declared > self._max_size:  # also rejects an unknown size (ZSTD_CONTENTSIZE_UNKNOWN is 2**64 - 1)
                raise UndecodableValue(f"declared size {declared} exceeds {self._max_size}")
            return decompressor.decompress(frame)
        except zstd.ZstdError as error:
            raise UndecodableValue(str(error)) from None


def _parameters(level: int, *, dict_size: int = 0) -> zstd.ZstdCompressionParameters:
    return zstd.ZstdCompressionParameters.from_level(
        level, dict_size=dict_size, format=_FORMAT, write_checksum=0, write_content_size=1, write_dict_id=0
    )
