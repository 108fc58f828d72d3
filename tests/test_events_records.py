"""Record framing: checksums, truncated tails, corruption, resuming."""

from __future__ import annotations

import io
import struct
import warnings

import google_crc32c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbviewer3d.events import CorruptRecordWarning
from nbviewer3d.events.records import RecordReader, frame, masked_crc32c, read_record_at


def _file(payloads: list[bytes]) -> tuple[bytes, list[int]]:
    offsets, parts, pos = [], [], 0
    for p in payloads:
        offsets.append(pos)
        parts.append(frame(p))
        pos += len(parts[-1])
    return b"".join(parts), offsets


def _read_all(data: bytes, reader: RecordReader | None = None) -> list[tuple[int, bytes]]:
    reader = reader or RecordReader("test")
    return list(reader.read(io.BytesIO(data)))


def test_masked_crc_matches_tensorboard_reference() -> None:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as reference

    for data in (b"", b"a", b"brain.Event:2", bytes(range(256)) * 10):
        assert masked_crc32c(data) == reference(data)
    assert google_crc32c.implementation == "c"


def test_reads_records_written_by_tensorboard_writer(tmp_path: object) -> None:
    from tensorboard.summary.writer.record_writer import RecordWriter

    buffer = io.BytesIO()
    writer = RecordWriter(buffer)
    payloads = [b"first", b"", b"x" * 100_000]
    for p in payloads:
        writer.write(p)
    assert [p for _, p in _read_all(buffer.getvalue())] == payloads


def test_truncated_tail_is_read_on_a_later_call() -> None:
    data, offsets = _file([b"one", b"two", b"three"])
    reader = RecordReader("live")
    cut = offsets[2] + 5
    assert _read_all(data[:cut], reader) == [(0, b"one"), (offsets[1], b"two")]
    assert reader.offset == offsets[2]
    assert _read_all(data, reader) == [(offsets[2], b"three")]
    assert _read_all(data, reader) == []


def test_payload_checksum_mismatch_skips_one_record_with_file_and_offset() -> None:
    data, offsets = _file([b"one", b"two", b"three"])
    damaged = bytearray(data)
    damaged[offsets[1] + 12] ^= 0xFF
    with pytest.warns(CorruptRecordWarning, match=rf"test: corrupt record at byte {offsets[1]}"):
        records = _read_all(bytes(damaged))
    assert records == [(0, b"one"), (offsets[2], b"three")]


def test_corrupt_header_resynchronises_on_the_next_record() -> None:
    data, offsets = _file([b"one", b"two" * 50, b"three"])
    damaged = bytearray(data)
    damaged[offsets[1]] ^= 0x01  # the length field
    with pytest.warns(CorruptRecordWarning, match=rf"header at byte {offsets[1]}"):
        records = _read_all(bytes(damaged))
    assert records == [(0, b"one"), (offsets[2], b"three")]


def test_read_record_at_refuses_changed_bytes() -> None:
    data, offsets = _file([b"one", b"two"])
    assert read_record_at(io.BytesIO(data), offsets[1], "f") == b"two"
    with pytest.raises(OSError, match="changed since it was indexed"):
        read_record_at(io.BytesIO(data[:-1]), offsets[1], "f")


payload_lists = st.lists(st.binary(max_size=300), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(payloads=payload_lists, data=st.data())
def test_truncation_keeps_every_complete_record(payloads: list[bytes], data: st.DataObject) -> None:
    blob, offsets = _file(payloads)
    cut = data.draw(st.integers(0, len(blob)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # truncation is not corruption: no warning at all
        records = _read_all(blob[:cut])
    ends = [o + 16 + len(p) for o, p in zip(offsets, payloads, strict=True)]
    assert records == [(o, p) for o, p, e in zip(offsets, payloads, ends, strict=True) if e <= cut]


@settings(max_examples=80, deadline=None)
@given(
    payloads=payload_lists,
    flips=st.lists(st.tuples(st.integers(0), st.integers(1, 255)), min_size=1, max_size=4),
    truncate=st.booleans(),
    data=st.data(),
)
def test_damage_never_loses_records_before_it(
    payloads: list[bytes],
    flips: list[tuple[int, int]],
    truncate: bool,
    data: st.DataObject,
) -> None:
    blob, offsets = _file(payloads)
    damaged = bytearray(blob)
    positions = [pos % len(blob) for pos, _ in flips]
    for pos, (_, mask) in zip(positions, flips, strict=True):
        damaged[pos] ^= mask
    cut = data.draw(st.integers(0, len(blob))) if truncate else len(blob)
    first_damage = min([*positions, cut])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptRecordWarning)
        records = _read_all(bytes(damaged[:cut]))
    ends = [o + 16 + len(p) for o, p in zip(offsets, payloads, strict=True)]
    intact = [(o, p) for o, p, e in zip(offsets, payloads, ends, strict=True) if e <= first_damage]
    assert records[: len(intact)] == intact
    # whatever else loads is an original record at its own offset, never garbage
    original = set(zip(offsets, payloads, strict=True))
    assert all(r in original for r in records)


def test_length_field_is_little_endian_uint64() -> None:
    record = frame(b"abc")
    assert struct.unpack_from("<Q", record)[0] == 3
    assert len(record) == 12 + 3 + 4


def test_a_file_that_does_not_start_with_a_record_is_not_read() -> None:
    data, _ = _file([b"one"])
    reader = RecordReader("notes.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _read_all(b"plain text, not records" + data, reader) == []
    assert not reader.is_records
