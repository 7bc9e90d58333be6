"""Small MNIST-like data sets written by the tests themselves in every supported file format."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

PIXELS = 784
KAGGLE_HEADER = "label," + ",".join(f"pixel{i}" for i in range(PIXELS))
IDX_UNSIGNED_BYTE = 0x08


def fake_digits(per_class: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random images (10 * per_class, 784) uint8 and labels (10 * per_class,) int64: 1, 2, ..., 9, 0, 1, ...

    The first label is 1, so a header-less CSV's first line starts with a digit that is not 0.
    """
    labels = np.tile((np.arange(10) + 1) % 10, per_class).astype(np.int64)
    images = np.random.default_rng(seed).integers(0, 256, size=(len(labels), PIXELS), dtype=np.uint8)
    return images, labels


def csv_rows(images: np.ndarray, labels: np.ndarray | None) -> list[str]:
    """One CSV line per image: the label first (when given), then the 784 pixels."""
    columns = images if labels is None else np.column_stack([labels, images])
    return [",".join(str(value) for value in row) for row in columns]


def write_kaggle_csv(path: Path, images: np.ndarray, labels: np.ndarray | None = None) -> Path:
    """Kaggle's train.csv (``label,pixel0..pixel783``) or, without labels, its test.csv."""
    header = KAGGLE_HEADER if labels is not None else KAGGLE_HEADER.removeprefix("label,")
    path.write_text("\n".join([header, *csv_rows(images, labels)]) + "\n")
    return path


def write_headerless_csv(path: Path, images: np.ndarray, labels: np.ndarray) -> Path:
    """Label-first CSV with no header, like mnist_train_small.csv; gzipped when the name ends in .gz."""
    text = "\n".join(csv_rows(images, labels)) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def replace_line(path: Path, line_number: int, text: str) -> None:
    """Replace the 1-based ``line_number`` of a text file with ``text``."""
    lines = path.read_text().splitlines()
    lines[line_number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file: two zero bytes, type 0x08, ndim, big-endian dimensions, data."""
    header = bytes([0, 0, IDX_UNSIGNED_BYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_pair(
    directory: Path, prefix: str, images: np.ndarray, labels: np.ndarray, *, gzipped: bool = False
) -> tuple[Path, Path]:
    """``{prefix}-images-idx3-ubyte`` (m, 28, 28) and ``{prefix}-labels-idx1-ubyte``, gzipped if asked."""
    suffix = ".gz" if gzipped else ""
    paths = (
        directory / f"{prefix}-images-idx3-ubyte{suffix}",
        directory / f"{prefix}-labels-idx1-ubyte{suffix}",
    )
    for path, array in zip(paths, (images.reshape(-1, 28, 28), labels), strict=True):
        content = idx_bytes(array)
        path.write_bytes(gzip.compress(content) if gzipped else content)
    return paths


def write_keras_npz(
    path: Path, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
) -> Path:
    """A Keras-style mnist.npz: x_train (m, 28, 28) uint8, y_train (m,) uint8, x_test, y_test."""
    with open(path, "wb") as stream:  # a file object, so np.savez does not append ".npz" to the name
        np.savez(
            stream,
            x_train=train[0].reshape(-1, 28, 28),
            y_train=train[1].astype(np.uint8),
            x_test=test[0].reshape(-1, 28, 28),
            y_test=test[1].astype(np.uint8),
        )
    return path
