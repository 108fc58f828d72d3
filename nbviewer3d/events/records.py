"""TFRecord framing of event files: the only byte-level code of the reader.

A record is ``uint64 length``, ``uint32 masked_crc32c(length bytes)``, ``length`` payload
bytes, ``uint32 masked_crc32c(payload)``, all little-endian. CRCs are computed in C
(google-crc32c): tensorboard's pure-Python fallback runs at about 5 MB/s.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from typing import BinaryIO

import google_crc32c

from .errors import CorruptRecordWarning

HEADER = 12
FOOTER = 4
_MASK_DELTA = 0xA282EAD8
_SEARCH_CHUNK = 1 << 20


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

    A truncated tail (a record still being written) ends a read without error; the next read
    starts again at that record. A record whose payload checksum fails is skipped with a
    :class:`CorruptRecordWarning`; after a corrupt header the reader searches byte by byte for
    the next valid header, so the rest of the file still loads. A file that does not start
    with a valid record header is not a record file: ``is_records`` becomes False and it is
    never read.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.offset = 0
        self.is_records = True
        self._searching = False

    def read(self, f: BinaryIO) -> Iterator[tuple[int, bytes]]:
        """Yield ``(offset, payload)`` for each complete, intact record from ``self.offset``."""
        while self.is_records:
            if self._searching and not self._search(f):
                return
            start = self.offset
            f.seek(start)
            header = _read_exact(f, HEADER)
            if len(header) < HEADER:
                return
            if start == 0 and not _valid_header(header):
                self.is_records = False
                return
            if not _valid_header(header):
                warnings.warn(
                    f"{self.name}: corrupt record header at byte {start}; "
                    "skipping to the next valid record",
                    CorruptRecordWarning,
                    stacklevel=2,
                )
                self._searching = True
                self.offset = start + 1
                continue
            (length,) = struct.unpack_from("<Q", header)
            body = _read_exact(f, length + FOOTER)
            if len(body) < length + FOOTER:
                return
            payload = body[:length]
            (crc,) = struct.unpack_from("<I", body, length)
            self.offset = start + HEADER + length + FOOTER
            if masked_crc32c(payload) != crc:
                warnings.warn(
                    f"{self.name}: corrupt record at byte {start} "
                    f"({length} bytes, checksum mismatch); skipped",
                    CorruptRecordWarning,
                    stacklevel=2,
                )
                continue
            yield start, payload

    def _search(self, f: BinaryIO) -> bool:
        """Move ``self.offset`` to the next position holding a valid header; False at EOF.

        Real headers have a length below 2**32, so candidates are found by the four zero
        bytes of the length's high half before any checksum is computed.
        """
        pos = self.offset
        while True:
            f.seek(pos)
            chunk = f.read(_SEARCH_CHUNK + HEADER - 1)
            if len(chunk) < HEADER:
                self.offset = pos
                return False
            last = len(chunk) - HEADER
            i = chunk.find(b"\0\0\0\0", 4)
            while i != -1 and i - 4 <= last:
                candidate = i - 4
                if _valid_header(chunk[candidate : candidate + HEADER]):
                    self.offset = pos + candidate
                    self._searching = False
                    return True
                i = chunk.find(b"\0\0\0\0", i + 1)
            pos += last + 1


def read_record_at(f: BinaryIO, offset: int, name: str) -> bytes:
    """The payload of the record indexed at ``offset``, checked again (the file may have
    changed since it was indexed)."""
    f.seek(offset)
    header = _read_exact(f, HEADER)
    if len(header) == HEADER and _valid_header(header):
        (length,) = struct.unpack_from("<Q", header)
        body = _read_exact(f, length + FOOTER)
        if len(body) == length + FOOTER:
            payload = body[:length]
            if masked_crc32c(payload) == struct.unpack_from("<I", body, length)[0]:
                return payload
    raise OSError(f"{name}: the record at byte {offset} changed since it was indexed")
