"""TFRecord framing of event files: the only byte-level code of the reader.

A record is ``uint64 length``, ``uint32 masked_crc32c(length bytes)``, ``length`` payload
bytes, ``uint32 masked_crc32c(payload)``, all little-endian. CRCs are computed in C
(google-crc32c): tensorboard's pure-Python fallback runs at about 5 MB/s.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from typing import BinaryIO

import google_crc32c

from .errors import CorruptRecordWarning, TruncatedRecordWarning

HEADER = 12
FOOTER = 4
_MASK_DELTA = 0xA282EAD8
_SEARCH_CHUNK = 1 << 20
MAX_LENGTH = (1 << 31) - 1  # protobuf messages are smaller than 2 GiB


def masked_crc32c(data: bytes | memoryview) -> int:
    crc: int = google_crc32c.value(bytes(data))
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(payload: bytes) -> bytes:
    """One record holding ``payload``, as a writer puts it on disk."""
    length = struct.pack("<Q", len(payload))
    return b"".join(
        (
            length,
            struct.pack("<I", masked_crc32c(length)),
            payload,
            struct.pack("<I", masked_crc32c(payload)),
        )
    )


def _valid_header(header: bytes) -> bool:
    crc: int = struct.unpack_from("<I", header, 8)[0]
    return masked_crc32c(header[:8]) == crc


def _read_exact(f: BinaryIO, n: int) -> bytes:
    parts = []
    while n > 0:
        part = f.read(n)
        if not part:
            break
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


class RecordReader:
    """Reads the records of one file, resumable: each call to :meth:`read` goes on from where
    the last one stopped, so a live file is never read twice.

    Nothing is skipped silently: each byte range that holds no intact record gives one
    :class:`CorruptRecordWarning` naming the file, the range and the reason, and the reader
    resynchronises on the next valid record (a header whose length checksum matches). A
    record whose declared length runs past the end of the file is a tail still being written
    when no valid record follows it: the next read starts again at that record, and a
    :class:`TruncatedRecordWarning` says so when the file is first read (later, while a
    writer appends, a tail being written is expected). Lengths are bounded by the file's size, so a
    damaged length never allocates more than the file holds.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.offset = 0
        self._skipping: tuple[int, str] | None = None  # (start, reason) of an open range
        self._searched_to = 0  # a search for a resync point found none below this offset
        self._range_warned = False
        self._tail_reported = -1
        self._first_read_done = False

    def read(self, f: BinaryIO) -> Iterator[tuple[int, bytes]]:
        """Yield ``(offset, payload)`` for each complete, intact record from ``self.offset``."""
        size = f.seek(0, io.SEEK_END)
        try:
            yield from self._read(f, size)
        finally:
            self._first_read_done = True

    def _read(self, f: BinaryIO, size: int) -> Iterator[tuple[int, bytes]]:
        while True:
            if self._skipping is not None and not self._resync(f, size):
                return
            start = self.offset
            f.seek(start)
            header = _read_exact(f, HEADER)
            if len(header) < HEADER:
                return
            (length,) = struct.unpack_from("<Q", header)
            if not _valid_header(header):
                self._skip_from(start, "record header checksum mismatch")
                continue
            if length > MAX_LENGTH:
                self._skip_from(start, f"record length {length} is beyond any protobuf (2 GiB)")
                continue
            if start + HEADER + length + FOOTER > size:
                if self._valid_record_after(f, start + 1, size):
                    self._skip_from(
                        start,
                        f"record length {length} runs past the end of the file "
                        f"({size} bytes) although valid records follow",
                    )
                    continue
                self._report_tail(start, length, size)
                return
            body = _read_exact(f, length + FOOTER)
            payload = body[:length]
            (crc,) = struct.unpack_from("<I", body, length)
            if masked_crc32c(payload) != crc:
                # the length may be the damaged part: look for the next record from here
                self._skip_from(start, f"a record of {length} bytes fails its checksum")
                continue
            self.offset = start + HEADER + length + FOOTER
            yield start, payload

    def _skip_from(self, start: int, reason: str) -> None:
        self._skipping = (start, reason)
        self._searched_to = start + 1
        self.offset = start + 1

    def _resync(self, f: BinaryIO, size: int) -> bool:
        """Find the next valid header at or after the open range; warn once for the range."""
        assert self._skipping is not None
        begin, reason = self._skipping
        found = _find_header(f, max(self.offset, self._searched_to), size)
        if found is None:
            self._searched_to = max(self._searched_to, size - HEADER + 1)
            if not self._range_warned:  # the range reaches the end of the file (for now)
                self._warn_range(f"bytes {begin}-{size} hold no valid record ({reason})")
            return False
        if not self._range_warned:
            self._warn_range(
                f"bytes {begin}-{found} skipped ({reason}); reading resumes at the valid "
                f"record at byte {found}"
            )
        self._skipping = None
        self._range_warned = False
        self.offset = found
        return True

    def _warn_range(self, what: str) -> None:
        self._range_warned = True
        warnings.warn(f"{self.name}: {what}", CorruptRecordWarning, stacklevel=4)

    def _valid_record_after(self, f: BinaryIO, pos: int, size: int) -> bool:
        """Whether a whole valid record starts somewhere in ``[pos, size)``."""
        while True:
            found = _find_header(f, pos, size)
            if found is None:
                return False
            f.seek(found)
            header = _read_exact(f, HEADER)
            (length,) = struct.unpack_from("<Q", header)
            if found + HEADER + length + FOOTER <= size:
                body = _read_exact(f, length + FOOTER)
                if masked_crc32c(body[:length]) == struct.unpack_from("<I", body, length)[0]:
                    return True
            pos = found + 1

    def _report_tail(self, start: int, length: int, size: int) -> None:
        if self._tail_reported == start or self._first_read_done:
            return  # after the first read, a tail being written is what following expects
        self._tail_reported = start
        warnings.warn(
            f"{self.name}: the file ends inside the record at byte {start} "
            f"({size - start} of {HEADER + length + FOOTER} bytes present); a writer may "
            "still be writing it: it is read once complete",
            TruncatedRecordWarning,
            stacklevel=3,
        )


def _find_header(f: BinaryIO, pos: int, size: int) -> int | None:
    """The first offset in ``[pos, size - HEADER]`` holding a valid header, or None.

    Real headers have a length below 2**32, so candidates are found by the four zero bytes
    of the length's high half before any checksum is computed.
    """
    while pos + HEADER <= size:
        f.seek(pos)
        chunk = f.read(_SEARCH_CHUNK + HEADER - 1)
        if len(chunk) < HEADER:
            return None
        last = len(chunk) - HEADER
        i = chunk.find(b"\0\0\0\0", 4)
        while i != -1 and i - 4 <= last:
            candidate = i - 4
            if _valid_header(chunk[candidate : candidate + HEADER]):
                return pos + candidate
            i = chunk.find(b"\0\0\0\0", i + 1)
        pos += last + 1
    return None


def read_record_at(f: BinaryIO, offset: int, name: str) -> bytes:
    """The payload of the record indexed at ``offset``, checked again (the file may have
    changed since it was indexed)."""
    size = f.seek(0, io.SEEK_END)
    f.seek(offset)
    header = _read_exact(f, HEADER)
    if len(header) == HEADER and _valid_header(header):
        (length,) = struct.unpack_from("<Q", header)
        if offset + HEADER + length + FOOTER > size:
            raise OSError(f"{name}: the record at byte {offset} changed since it was indexed")
        body = _read_exact(f, length + FOOTER)
        if len(body) == length + FOOTER:
            payload = body[:length]
            if masked_crc32c(payload) == struct.unpack_from("<I", body, length)[0]:
                return payload
    raise OSError(f"{name}: the record at byte {offset} changed since it was indexed")
