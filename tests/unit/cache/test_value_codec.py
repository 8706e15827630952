"""The stored value's header: raw for small or incompressible values, zstd, zstd with the current dictionary's id; and
decoding across a dictionary rotation, where an unknown dictionary is a recognisable, non-fatal outcome."""

from __future__ import annotations

import os

import pytest
import zstandard as zstd

from keel.infrastructure.cache.codec import RAW, ZSTD, ZSTD_DICT, UndecodableValue, UnknownDictionary, ValueCodec
from keel.infrastructure.cache.samples import generate_users
from keel.infrastructure.cache.user_codec import user_record

RECORD = user_record(generate_users(1, seed=7)[0])


def test_a_value_below_the_size_threshold_stays_raw(new_dictionary: zstd.ZstdCompressionDict) -> None:
    codec = ValueCodec(new_dictionary, min_size=64)
    value = codec.encode(b'["short"]')
    assert value == bytes([RAW]) + b'["short"]'
    assert codec.decode(value) == b'["short"]'


def test_a_record_is_compressed_with_the_current_dictionary_whose_id_follows_the_header(
    new_dictionary: zstd.ZstdCompressionDict,
) -> None:
    codec = ValueCodec(new_dictionary)
    value = codec.encode(RECORD)
    assert value[0] == ZSTD_DICT
    assert int.from_bytes(value[1:5], "big") == new_dictionary.dict_id()
    assert len(value) < len(RECORD)
    assert codec.decode(value) == RECORD


def test_without_a_dictionary_a_compressible_value_uses_plain_zstd() -> None:
    codec = ValueCodec()
    data = b'["member","active","en-US","America/New_York"]' * 8
    value = codec.encode(data)
    assert value[0] == ZSTD
    assert len(value) < len(data) / 4
    assert codec.decode(value) == data


def test_a_value_compression_would_not_shrink_stays_raw(new_dictionary: zstd.ZstdCompressionDict) -> None:
    noise = os.urandom(300)
    value = ValueCodec(new_dictionary).encode(noise)
    assert value == bytes([RAW]) + noise


def test_a_value_written_with_the_previous_dictionary_still_decodes_after_rotation(
    old_dictionary: zstd.ZstdCompressionDict, new_dictionary: zstd.ZstdCompressionDict
) -> None:
    before = ValueCodec(old_dictionary)
    after = ValueCodec(new_dictionary, previous=[old_dictionary])
    written_before = before.encode(RECORD)
    written_after = after.encode(RECORD)

    assert int.from_bytes(written_before[1:5], "big") == old_dictionary.dict_id()
    assert int.from_bytes(written_after[1:5], "big") == new_dictionary.dict_id()
    assert after.decode(written_before) == RECORD
    assert after.decode(written_after) == RECORD
    assert after.dictionary_ids == {old_dictionary.dict_id(), new_dictionary.dict_id()}
    assert after.current_dictionary_id == new_dictionary.dict_id()


def test_a_value_from_an_unknown_dictionary_raises_unknown_dictionary_with_its_id(
    old_dictionary: zstd.ZstdCompressionDict, new_dictionary: zstd.ZstdCompressionDict
) -> None:
    newer_process = ValueCodec(new_dictionary)
    older_process = ValueCodec(old_dictionary)
    with pytest.raises(UnknownDictionary) as raised:
        older_process.decode(newer_process.encode(RECORD))
    assert raised.value.dict_id == new_dictionary.dict_id()
    assert isinstance(raised.value, UndecodableValue)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x07whatever", id="unknown header"),
        pytest.param(b"\x01not a zstd frame at all", id="corrupt plain frame"),
    ],
)
def test_bytes_that_are_no_value_raise_undecodable_value(value: bytes) -> None:
    with pytest.raises(UndecodableValue):
        ValueCodec().decode(value)


def test_a_truncated_dictionary_frame_raises_undecodable_value(new_dictionary: zstd.ZstdCompressionDict) -> None:
    codec = ValueCodec(new_dictionary)
    value = codec.encode(RECORD)
    with pytest.raises(UndecodableValue):
        codec.decode(value[: len(value) // 2])


def test_a_frame_declaring_more_than_the_maximum_size_is_refused_before_decompression() -> None:
    big = ValueCodec(max_size=1 << 20).encode(b"a" * 10_000)
    with pytest.raises(UndecodableValue, match="exceeds"):
        ValueCodec(max_size=1_000).decode(big)
