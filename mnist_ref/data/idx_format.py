"""MNIST in its original IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-...).

An IDX file is a big-endian header (two zero bytes, a type code, the number of
dimensions, then each dimension as a 4-byte integer) followed by the data. MNIST
uses type 0x08 (unsigned bytes): images have 3 dimensions (m, 28, 28), labels 1 (m,).
Files may be gzipped; the name does not matter, the content decides.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from mnist_ref.data.arrays import LabelledImages, check_images, check_labels
from mnist_ref.data.detect import open_binary
from mnist_ref.data.errors import DataError

UNSIGNED_BYTE = 0x08
IMAGES_NDIM = 3
LABELS_NDIM = 1


def read_idx(path: Path) -> np.ndarray:
    """The array stored in an IDX file of unsigned bytes, with the shape its header gives."""
    try:
        with open_binary(path) as stream:
            content = stream.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path.name}: cannot read ({error})") from None
    if len(content) < 4 or content[:2] != b"\x00\x00":
        raise DataError(f"{path.name}: not an IDX file (it must start with two zero bytes)")
    type_code, ndim = content[2], content[3]
    if type_code != UNSIGNED_BYTE:
        raise DataError(f"{path.name}: IDX data type 0x{type_code:02x}, expected 0x08 (unsigned bytes)")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise DataError(f"{path.name}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    expected_size = int(np.prod(shape))
    data_size = len(content) - header_size
    if data_size != expected_size:
        raise DataError(
            f"{path.name}: {data_size} bytes of data, expected {expected_size} for shape {shape} "
            "(truncated or corrupted file?)"
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def read_idx_images(path: Path) -> np.ndarray:
    """Images (m, 784) uint8 from an idx3 file of shape (m, 28, 28)."""
    array = read_idx(path)
    if array.ndim != IMAGES_NDIM:
        raise DataError(f"{path.name}: an IDX file of {array.ndim} dimensions, expected images (m, 28, 28)")
    return check_images(array, path.name)


def read_idx_labels(path: Path) -> np.ndarray:
    """Labels (m,) int64 in 0..9 from an idx1 file."""
    array = read_idx(path)
    if array.ndim != LABELS_NDIM:
        raise DataError(f"{path.name}: an IDX file of {array.ndim} dimensions, expected labels (m,)")
    return check_labels(array, path.name)


def read_idx_pair(images_path: Path, labels_path: Path) -> LabelledImages:
    """Images (m, 784) uint8 and labels (m,) int64 from matching idx3 and idx1 files."""
    images, labels = read_idx_images(images_path), read_idx_labels(labels_path)
    if len(images) != len(labels):
        raise DataError(
            f"{images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels"
        )
    return LabelledImages(images, labels)


def idx_pair_beside(path: Path) -> tuple[Path, Path]:
    """The (images, labels) file pair that ``path`` belongs to, the partner found beside it.

    ``train-images-idx3-ubyte[.gz]`` pairs with ``train-labels-idx1-ubyte[.gz]``
    (gzipped or not, either way round); the dotted ``train-images.idx3-ubyte`` works too.
    """
    stem = path.name.removesuffix(".gz")
    if "images" in stem:
        return path, _existing_beside(path, stem.replace("images", "labels").replace("idx3", "idx1"))
    if "labels" in stem:
        return _existing_beside(path, stem.replace("labels", "images").replace("idx1", "idx3")), path
    raise DataError(f"{path.name}: cannot tell its partner file, the name has neither 'images' nor 'labels'")


def _existing_beside(path: Path, name: str) -> Path:
    """The file called ``name`` or ``name.gz`` in the directory of ``path``."""
    candidates = [path.with_name(name), path.with_name(name + ".gz")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DataError(f"{path.name}: its partner file {name}[.gz] is not in {path.parent}")
