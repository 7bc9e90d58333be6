"""Opening a data file whether or not it is gzipped, and telling its format from its first bytes."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO, Literal

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
IDX_MAGIC_PREFIX = b"\x00\x00"

FileFormat = Literal["npz", "idx", "csv"]


def is_gzipped(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes, whatever its name."""
    with open(path, "rb") as stream:
        return stream.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed on the fly when it is gzipped."""
    return gzip.open(path, "rb") if is_gzipped(path) else open(path, "rb")


def open_text(path: Path) -> IO[str]:
    """The file as UTF-8 text (a leading byte-order mark is dropped), gzipped or not."""
    if is_gzipped(path):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def sniff_format(path: Path) -> FileFormat:
    """The file's format: "npz" (a zip archive), "idx" (starts with two zero bytes) or "csv" (the rest)."""
    with open(path, "rb") as stream:
        if stream.read(4) == ZIP_MAGIC:
            return "npz"
    with open_binary(path) as stream:
        return "idx" if stream.read(2) == IDX_MAGIC_PREFIX else "csv"
