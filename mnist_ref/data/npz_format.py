"""MNIST as Keras ships it: ``mnist.npz`` with x_train (60000, 28, 28), y_train, x_test, y_test."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from mnist_ref.data.arrays import LabelledImages, check_images, check_labels
from mnist_ref.data.errors import DataError

KERAS_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_keras_npz(path: Path) -> tuple[LabelledImages, LabelledImages]:
    """The (train, test) sets of a Keras mnist.npz: images (m, 784) uint8, labels (m,) int64."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in KERAS_KEYS if key in archive.files}
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise DataError(f"{path.name}: cannot read as .npz ({error})") from None
    missing = [key for key in KERAS_KEYS if key not in arrays]
    if missing:
        raise DataError(
            f"{path.name}: no {', '.join(missing)}; a Keras mnist.npz holds {', '.join(KERAS_KEYS)}"
        )
    return _labelled(path, arrays, "train"), _labelled(path, arrays, "test")


def _labelled(path: Path, arrays: dict[str, np.ndarray], part: str) -> LabelledImages:
    """The checked images and labels of one part ("train" or "test") of the archive."""
    images = check_images(arrays[f"x_{part}"], f"{path.name}: x_{part}")
    labels = check_labels(arrays[f"y_{part}"], f"{path.name}: y_{part}")
    if len(images) != len(labels):
        raise DataError(
            f"{path.name}: x_{part} has {len(images)} images but y_{part} has {len(labels)} labels"
        )
    return LabelledImages(images, labels)
