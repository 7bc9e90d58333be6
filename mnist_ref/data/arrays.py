"""What every MNIST reader returns, and the checks on pixel and label values."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mnist_ref.data.errors import DataError

PIXELS = 784
NUM_CLASSES = 10
MAX_PIXEL = 255


class LabelledImages(NamedTuple):
    """Images as rows, images (m, 784) uint8, with labels (m,) int64, or None when the file has none."""

    images: np.ndarray
    labels: np.ndarray | None


def check_images(values: np.ndarray, where: str) -> np.ndarray:
    """Images from (m, 28, 28) or (m, 784) whole numbers in 0..255, as (m, 784) uint8.

    ``where`` names the source in error messages, e.g. ``"mnist.npz: x_train"``.
    """
    values = np.asarray(values)
    if values.ndim not in (2, 3) or np.prod(values.shape[1:]) != PIXELS:
        raise DataError(f"{where}: shape {values.shape}, expected (m, 28, 28) or (m, 784)")
    flat = values.reshape(len(values), PIXELS)
    _check_whole_in_range(flat, MAX_PIXEL, where, what="pixel value", unit="image")
    return flat.astype(np.uint8, copy=False)


def check_labels(values: np.ndarray, where: str, *, unit: str = "item") -> np.ndarray:
    """Labels as (m,) int64, each a whole number in 0..9; ``unit`` names a position in errors."""
    values = np.asarray(values)
    if values.ndim != 1:
        raise DataError(f"{where}: labels of shape {values.shape}, expected (m,)")
    _check_whole_in_range(values.reshape(-1, 1), NUM_CLASSES - 1, where, what="label", unit=unit)
    return values.astype(np.int64, copy=False)


def _check_whole_in_range(rows: np.ndarray, maximum: int, where: str, *, what: str, unit: str) -> None:
    """Every value of ``rows`` (m, n) is a whole number in 0..maximum, else a DataError naming the row."""
    if rows.dtype.kind not in "uif":
        raise DataError(f"{where}: {what}s of type {rows.dtype}, expected whole numbers 0..{maximum}")
    if rows.size == 0 or _all_whole_in_range(rows, maximum):
        return
    bad = ~np.isfinite(rows) | (rows != np.round(rows)) | (rows < 0) | (rows > maximum)
    row, column = (int(i) for i in np.argwhere(bad)[0])
    raise DataError(
        f"{where}, {unit} {row + 1}: {what} {rows[row, column]}, expected a whole number 0..{maximum}"
    )


def _all_whole_in_range(values: np.ndarray, maximum: int) -> bool:
    """The quick test (min and max; whole numbers are only in question for floats). NaN fails it."""
    in_range = bool(values.min() >= 0 and values.max() <= maximum)
    return in_range and (values.dtype.kind in "ui" or bool(np.all(values == np.round(values))))
