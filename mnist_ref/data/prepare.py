"""From raw MNIST to what the network eats: train/dev/test in column layout, scaled to [0, 1]
and, optionally, standardized with the training set's own per-pixel statistics."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from mnist_ref.data.arrays import MAX_PIXEL, PIXELS
from mnist_ref.data.errors import DataError
from mnist_ref.data.load import MnistData, load_mnist
from mnist_ref.data.split import stratified_split
from mnist_ref.validation import float_dtype

STD_FLOOR = 0.1
"""Smallest standard deviation a pixel is divided by (on the [0, 1] scale). Border pixels are
(almost) always 0 in training; without a floor a single stroke there in a test image would be
multiplied by a huge factor, or divided by zero."""


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare by
class Splits:
    """Train, dev and test sets ready for the network, one sample per column.

    X_train (784, m), y_train (m,); X_dev (784, d), y_dev (d,), d may be 0;
    X_test (784, n), y_test (n,). X values are pixel / 255, then standardized with
    ``mean`` and ``std`` (784, 1), the training set's statistics, when those are not None.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_dev: np.ndarray
    y_dev: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray | None
    std: np.ndarray | None
    source: str


def pixel_statistics(images: np.ndarray, *, std_floor: float = STD_FLOOR) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and standard deviation, each (784, 1) float64, of images (m, 784) scaled to [0, 1].

    The standard deviation is at least ``std_floor``, so constant pixels never divide by 0.
    """
    _check_image_rows(images)
    if len(images) == 0:
        raise ValueError("cannot compute pixel statistics of an empty set of images")
    scaled = images.astype(np.float64) / MAX_PIXEL
    mean = scaled.mean(axis=0).reshape(PIXELS, 1)
    std = np.maximum(scaled.std(axis=0), std_floor).reshape(PIXELS, 1)
    return mean, std


def to_columns(
    images: np.ndarray,
    *,
    mean: np.ndarray | None = None,
    std: np.ndarray | None = None,
    dtype: np.dtype | type = np.float32,
) -> np.ndarray:
    """Images (m, 784) uint8 as columns (784, m) of pixel / 255, then (x - mean) / std when both are given.

    ``mean`` and ``std`` are (784, 1), e.g. from ``pixel_statistics`` on the training images.
    """
    _check_image_rows(images)
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std to standardize, or neither")
    dtype = float_dtype(dtype)
    # Fortran order keeps each sample (column) contiguous: a mini-batch gathers columns cheaply.
    columns = images.T.astype(dtype, order="F")
    columns /= MAX_PIXEL
    if mean is not None and std is not None:
        for name, statistic in (("mean", mean), ("std", std)):
            if np.shape(statistic) != (PIXELS, 1):
                raise ValueError(f"{name} must have shape ({PIXELS}, 1), got {np.shape(statistic)}")
        columns -= mean.astype(dtype)
        columns /= std.astype(dtype)
    return columns


def make_splits(
    data: MnistData,
    *,
    dev_fraction: float = 0.1,
    seed: int = 0,
    standardize: bool = False,
    dtype: np.dtype | type = np.float32,
) -> Splits:
    """Hold out a stratified ``dev_fraction`` of the training set (chosen by ``seed``) as the dev set,
    and put all three sets in column layout; standardization uses the statistics of what remains
    for training, never those of the dev or test set."""
    train, dev = stratified_split(data.train_labels, dev_fraction, seed)
    train_images = data.train_images[train]
    if len(train_images) == 0:
        raise DataError(f"{data.source}: no training images left after holding out the dev set")
    dtype = float_dtype(dtype)
    mean, std = pixel_statistics(train_images) if standardize else (None, None)

    def columns(images: np.ndarray) -> np.ndarray:
        return to_columns(images, mean=mean, std=std, dtype=dtype)

    return Splits(
        X_train=columns(train_images),
        y_train=data.train_labels[train],
        X_dev=columns(data.train_images[dev]),
        y_dev=data.train_labels[dev],
        X_test=columns(data.test_images),
        y_test=data.test_labels,
        mean=None if mean is None else mean.astype(dtype),
        std=None if std is None else std.astype(dtype),
        source=data.source,
    )


def load_splits(
    path: str | os.PathLike | None = None,
    *,
    dev_fraction: float = 0.1,
    seed: int = 0,
    standardize: bool = False,
    dtype: np.dtype | type = np.float32,
) -> Splits:
    """``load_mnist(path, seed=seed)`` then ``make_splits``: the data the training CLI runs on."""
    data = load_mnist(path, seed=seed)
    return make_splits(data, dev_fraction=dev_fraction, seed=seed, standardize=standardize, dtype=dtype)


def _check_image_rows(images: np.ndarray) -> None:
    if images.ndim != 2 or images.shape[1] != PIXELS:
        raise ValueError(f"images must have shape (m, {PIXELS}), one image per row, got {images.shape}")
