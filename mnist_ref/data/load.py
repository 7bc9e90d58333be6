"""load_mnist: MNIST from a file or a directory in any supported format, or the embedded sample.

The format is told from the content (see ``detect.sniff_format``), never from the name
alone, and every format gives the same arrays: images (m, 784) uint8, labels (m,) int64.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_ref.data.arrays import LabelledImages
from mnist_ref.data.csv_format import read_csv
from mnist_ref.data.detect import sniff_format
from mnist_ref.data.embedded import EMBEDDED_SOURCE, load_embedded
from mnist_ref.data.errors import DataError
from mnist_ref.data.idx_format import idx_pair_beside, read_idx_pair
from mnist_ref.data.npz_format import read_keras_npz
from mnist_ref.data.split import stratified_split

EMBEDDED_TEST_SIZE = 1000
CARVED_TEST_FRACTION = 1 / 6
KERAS_NPZ_NAME = "mnist.npz"
TRAIN_IDX_PATTERNS = ("train-images[-.]idx3-ubyte*",)
TEST_IDX_PATTERNS = ("t10k-images[-.]idx3-ubyte*",)
TRAIN_CSV_PATTERNS = ("train.csv*", "mnist_train*.csv*")
TEST_CSV_PATTERNS = ("test.csv*", "mnist_test*.csv*")


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare by
class MnistData:
    """MNIST as loaded, images as rows: a labelled train set and a labelled test set.

    train_images (m, 784) uint8, train_labels (m,) int64,
    test_images (n, 784) uint8, test_labels (n,) int64,
    source: where it came from, and how the test set was made when it was carved out of train.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str


def load_mnist(path: str | os.PathLike | None = None, *, seed: int = 0) -> MnistData:
    """MNIST from ``path`` (a file or a directory, format auto-detected), or the embedded sample.

    * None: the package's 5,000 embedded digits, of which a stratified 1,000 (100 per digit) chosen by
      ``seed`` are the test set.
    * A file: a Keras mnist.npz (its own test set); a labelled CSV or an IDX images or labels
      file (with its partner beside it), of which a stratified 1/6 chosen by ``seed`` is the test set.
    * A directory: the IDX files (train-images-idx3-ubyte[.gz], ..., t10k-...), or mnist.npz,
      or train.csv with test.csv (Kaggle; also mnist_train*.csv with mnist_test*.csv). When the
      test file is missing or has no labels (Kaggle's test.csv), the test set is carved out of train.
    """
    if path is None:
        embedded = load_embedded()
        return _carve_test(embedded, EMBEDDED_TEST_SIZE / len(embedded.images), seed, EMBEDDED_SOURCE)
    path = Path(path)
    if path.is_dir():
        return _load_directory(path, seed)
    if path.is_file():
        return _load_file(path, seed)
    raise DataError(f"{path}: no such file or directory")


def _load_file(path: Path, seed: int) -> MnistData:
    """One file: a Keras .npz brings its test set; from the others the test set is carved out."""
    file_format = sniff_format(path)
    if file_format == "npz":
        train, test = read_keras_npz(path)
        return _assemble(train, test, seed, str(path))
    train = read_idx_pair(*idx_pair_beside(path)) if file_format == "idx" else _read_labelled_csv(path)
    return _carve_test(train, CARVED_TEST_FRACTION, seed, str(path))


def _load_directory(directory: Path, seed: int) -> MnistData:
    """A directory of IDX files, a Keras mnist.npz, or train/test CSV files, in that order of preference."""
    train_idx = _find(directory, TRAIN_IDX_PATTERNS)
    if train_idx is not None:
        test_idx = _find(directory, TEST_IDX_PATTERNS)
        test = None if test_idx is None else read_idx_pair(*idx_pair_beside(test_idx))
        return _assemble(read_idx_pair(*idx_pair_beside(train_idx)), test, seed, str(directory))
    if (directory / KERAS_NPZ_NAME).is_file():
        return _load_file(directory / KERAS_NPZ_NAME, seed)
    train_csv = _find(directory, TRAIN_CSV_PATTERNS)
    if train_csv is not None:
        test_csv = _find(directory, TEST_CSV_PATTERNS)
        test = None if test_csv is None else read_csv(test_csv)
        return _assemble(_read_labelled_csv(train_csv), test, seed, _csv_source(directory, test_csv, test))
    raise DataError(
        f"{directory}: no MNIST files found; expected the IDX files (train-images-idx3-ubyte[.gz], ...), "
        f"{KERAS_NPZ_NAME}, or train.csv (and test.csv)"
    )


def _csv_source(directory: Path, test_csv: Path | None, test: LabelledImages | None) -> str:
    """The directory, and why the test set is carved out of train when the test file has no labels."""
    if test_csv is not None and test is not None and test.labels is None:
        return f"{directory} ({test_csv.name} has no labels)"
    return str(directory)


def _find(directory: Path, patterns: tuple[str, ...]) -> Path | None:
    """The first file (in name order) matching the first pattern that matches anything."""
    for pattern in patterns:
        matches = sorted(path for path in directory.glob(pattern) if path.is_file())
        if matches:
            return matches[0]
    return None


def _read_labelled_csv(path: Path) -> LabelledImages:
    """A CSV file that must have labels, as a training set needs them."""
    data = read_csv(path)
    if data.labels is None:
        raise DataError(
            f"{path.name}: no label column (Kaggle's test.csv?); pass the labelled train.csv or its directory"
        )
    return data


def _assemble(train: LabelledImages, test: LabelledImages | None, seed: int, source: str) -> MnistData:
    """Train and test sets as MnistData; without a labelled test set, one is carved out of train."""
    if test is None or test.labels is None:
        return _carve_test(train, CARVED_TEST_FRACTION, seed, source)
    return MnistData(train.images, train.labels, test.images, test.labels, source)


def _carve_test(data: LabelledImages, fraction: float, seed: int, source: str) -> MnistData:
    """A stratified ``fraction`` of ``data``, chosen by ``seed``, becomes the test set."""
    train, test = stratified_split(data.labels, fraction, seed)
    if len(test) == 0:
        needed = math.ceil(0.5 / fraction)
        raise DataError(
            f"{source}: {len(data.labels)} labelled rows are too few to hold out a test set "
            f"({fraction:.0%} of them rounds to none); give at least {needed} rows"
        )
    note = f"test set: {len(test)} of {len(data.labels)} rows held out, stratified by class, seed {seed}"
    return MnistData(
        data.images[train], data.labels[train], data.images[test], data.labels[test], f"{source}; {note}"
    )
