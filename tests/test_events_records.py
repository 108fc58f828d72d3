"""Record framing: checksums, truncated tails, corruption, resuming."""

from __future__ import annotations

import io
import struct
import warnings

import google_crc32c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbviewer3d.events import CorruptRecordWarning, TruncatedRecordWarning
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
    with pytest.warns(CorruptRecordWarning) as caught:
        records = _read_all(bytes(damaged))
    assert [str(w.message) for w in caught] == [
        f"test: bytes {offsets[1]}-{offsets[2]} skipped (a record of 3 bytes fails its "
        f"checksum); reading resumes at the valid record at byte {offsets[2]}"
    ]
    assert records == [(0, b"one"), (offsets[2], b"three")]


def test_corrupt_header_resynchronises_on_the_next_record() -> None:
    data, offsets = _file([b"one", b"two" * 50, b"three"])
    damaged = bytearray(data)
    damaged[offsets[1]] ^= 0x01  # the length field
    with pytest.warns(
        CorruptRecordWarning,
        match=rf"test: bytes {offsets[1]}-{offsets[2]} skipped \(record header checksum",
    ):
        records = _read_all(bytes(damaged))
    assert records == [(0, b"one"), (offsets[2], b"three")]


def test_read_record_at_refuses_changed_bytes() -> None:
    data, offsets = _file([b"one", b"two"])
    assert read_record_at(io.BytesIO(data), offsets[1], "f") == b"two"
    with pytest.raises(OSError, match="changed since it was indexed"):
        read_record_at(io.BytesIO(data[:-1]), offsets[1], "f")


payload_lists = st.lists(st.binary(max_size=300), min_size=1, max_size=8)
DOCUMENTED = (CorruptRecordWarning, TruncatedRecordWarning)


def _read_documented(data: bytes) -> tuple[list[tuple[int, bytes]], list[warnings.WarningMessage]]:
    """Read, failing on anything but the reader's documented warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = _read_all(data)
    assert all(issubclass(w.category, DOCUMENTED) for w in caught), caught
    return records, caught


@settings(max_examples=60, deadline=None)
@given(payloads=payload_lists, data=st.data())
def test_truncation_keeps_every_complete_record_and_reports_the_tail(
    payloads: list[bytes], data: st.DataObject
) -> None:
    blob, offsets = _file(payloads)
    cut = data.draw(st.integers(0, len(blob)))
    records, caught = _read_documented(blob[:cut])
    ends = [o + 16 + len(p) for o, p in zip(offsets, payloads, strict=True)]
    assert records == [(o, p) for o, p, e in zip(offsets, payloads, ends, strict=True) if e <= cut]
    partial = [o for o, e in zip(offsets, ends, strict=True) if o + 12 <= cut < e]
    assert [w.category for w in caught] == [TruncatedRecordWarning] * len(partial)
    assert all(f"at byte {o} " in str(w.message) for o, w in zip(partial, caught, strict=True))


def _damaged(
    payloads: list[bytes], data: st.DataObject
) -> tuple[bytes, list[tuple[int, bytes]], set[bytes]]:
    """The framed payloads with random damage: bit flips, inserted bytes, crafted lengths
    (with a valid header checksum), a truncation. Returns the bytes, the (offset, payload)
    of each record no damage touched, at its offset in the damaged file, and all payloads."""
    parts = [bytearray(frame(p)) for p in payloads]
    touched = [False] * len(parts)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(parts) - 1))
        how = data.draw(st.sampled_from(["flip", "insert", "length", "between"]))
        if how == "flip":
            pos = data.draw(st.integers(0, len(parts[i]) - 1))
            parts[i][pos] ^= data.draw(st.integers(1, 255))
        elif how == "insert":
            pos = data.draw(st.integers(1, len(parts[i]) - 1))
            parts[i][pos:pos] = data.draw(st.binary(min_size=1, max_size=20))
        elif how == "length":
            length = data.draw(
                st.one_of(st.integers(0, 1000), st.sampled_from([2**31 - 1, 2**31, 2**40]))
            )
            packed = struct.pack("<Q", length)
            parts[i][:12] = packed + struct.pack("<I", masked_crc32c(packed))
        else:  # junk between records: nothing of record i is touched
            parts[i][:0] = data.draw(st.binary(min_size=1, max_size=20))
            continue
        touched[i] = True
    blob, intact = bytearray(), []
    for part, payload, bad in zip(parts, payloads, touched, strict=True):
        blob += part
        if not bad:
            intact.append((len(blob) - 16 - len(payload), payload))
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(blob)))
        intact = [(o, p) for o, p in intact if o + 16 + len(p) <= cut]
        blob = blob[:cut]
    return bytes(blob), intact, set(payloads)


@settings(max_examples=150, deadline=None)
@given(payloads=payload_lists, data=st.data())
def test_damage_never_loses_a_good_record(payloads: list[bytes], data: st.DataObject) -> None:
    blob, intact, originals = _damaged(payloads, data)
    records, _ = _read_documented(blob)
    assert set(intact) <= set(records)  # every untouched record, at its own offset
    assert all(p in originals for _, p in records)  # never garbage


def test_a_crafted_huge_length_neither_allocates_nor_hides_what_follows() -> None:
    data, offsets = _file([b"one", b"two", b"three"])
    damaged = bytearray(data)
    for length in (2**40, 2**31, 2**30):
        packed = struct.pack("<Q", length)
        damaged[offsets[1] : offsets[1] + 12] = packed + struct.pack("<I", masked_crc32c(packed))
        with pytest.warns(CorruptRecordWarning, match=rf"bytes {offsets[1]}-{offsets[2]} skipped"):
            records = _read_all(bytes(damaged))
        assert records == [(0, b"one"), (offsets[2], b"three")]


def test_a_crafted_length_at_the_tail_is_reported_and_kept_for_later() -> None:
    data, offsets = _file([b"one", b"two"])
    packed = struct.pack("<Q", 2**30)
    damaged = data[: offsets[1]] + packed + struct.pack("<I", masked_crc32c(packed)) + b"tw"
    reader = RecordReader("live")
    with pytest.warns(
        TruncatedRecordWarning, match=rf"live: the file ends inside the record at byte {offsets[1]}"
    ):
        assert _read_all(damaged, reader) == [(0, b"one")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported once, not on every poll
        assert _read_all(damaged, reader) == []
    assert reader.offset == offsets[1]


def test_length_field_is_little_endian_uint64() -> None:
    record = frame(b"abc")
    assert struct.unpack_from("<Q", record)[0] == 3
    assert len(record) == 12 + 3 + 4


@pytest.mark.parametrize("damage", ["prepended", "first-header-flip"])
def test_damage_at_the_start_of_a_file_keeps_the_rest(damage: str) -> None:
    data, offsets = _file([b"one", b"two", b"three"])
    if damage == "prepended":
        blob, shift = b"\x07" + data, 1
        expected = [
            (o + shift, p) for o, p in zip(offsets, [b"one", b"two", b"three"], strict=True)
        ]
        skipped = "bytes 0-1 skipped"
    else:
        flipped = bytearray(data)
        flipped[3] ^= 0x10
        blob = bytes(flipped)
        expected = [(offsets[1], b"two"), (offsets[2], b"three")]
        skipped = f"bytes 0-{offsets[1]} skipped"
    with pytest.warns(CorruptRecordWarning, match=f"f: {skipped}"):
        assert _read_all(blob, RecordReader("f")) == expected


def test_a_file_of_no_records_says_so_once() -> None:
    reader = RecordReader("notes.tfevents.txt")
    text = b"plain text, not records at all"
    with pytest.warns(CorruptRecordWarning, match=rf"bytes 0-{len(text)} hold no valid record"):
        assert _read_all(text, reader) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _read_all(text + b" more text", reader) == []
