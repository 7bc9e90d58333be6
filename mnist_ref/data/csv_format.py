"""MNIST as CSV: one image per line, 784 pixel values and, in labelled files, a label.

Two layouts are recognized from the first line:

* Kaggle "digit recognizer": a header ``label,pixel0,...,pixel783`` (its test.csv has
  only ``pixel0,...,pixel783``); the label column is the one named ``label``.
* Header-less, label first: 785 numbers per line, as in the ``mnist_train_small.csv``
  sample of hosted notebooks. A first line made of numbers is data, never a header.

Other layouts (e.g. a label-last file) are read by passing a ``CsvLayout``.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from mnist_ref.data.arrays import MAX_PIXEL, NUM_CLASSES, PIXELS, LabelledImages
from mnist_ref.data.detect import open_text
from mnist_ref.data.errors import DataError

LABEL_COLUMN_NAME = "label"
MAX_LABEL = NUM_CLASSES - 1
CHUNK_ROWS = 2000


@dataclass(frozen=True)
class CsvLayout:
    """Where the data sits in a CSV file: after a header line or not, and which column is the label."""

    has_header: bool
    label_column: int | None  # None: pixels only, no labels

    @property
    def n_columns(self) -> int:
        """784 pixels, plus one when there is a label column."""
        return PIXELS + (self.label_column is not None)


def detect_layout(path: Path) -> CsvLayout:
    """The layout of a CSV file, from its first non-empty line."""
    first_row = _first_row(path)
    if all(_is_number(text) for text in first_row):
        return _headerless_layout(path, len(first_row))
    names = [text.strip().lower() for text in first_row]
    label_column = names.index(LABEL_COLUMN_NAME) if LABEL_COLUMN_NAME in names else None
    layout = CsvLayout(has_header=True, label_column=label_column)
    if label_column is None and len(first_row) == PIXELS + 1:
        raise DataError(
            f"{path.name}, line 1: 785 header columns, none named 'label'; rename the label column to 'label'"
        )
    if len(first_row) != layout.n_columns:
        expected = "'label' and 784 pixel columns" if label_column is not None else "784 pixel columns"
        raise DataError(f"{path.name}, line 1: a header of {len(first_row)} columns, expected {expected}")
    return layout


def read_csv(path: Path, layout: CsvLayout | None = None) -> LabelledImages:
    """Images (m, 784) uint8 and labels (m,) int64 (None without a label column) from a CSV file.

    The layout is detected from the first line unless given. Any malformed row raises a
    DataError naming the file and its 1-based line number.
    """
    if layout is None:
        layout = detect_layout(path)
    try:
        with open_text(path) as stream:
            lines = _numbered_data_lines(stream, layout)
            parts = [_parse_chunk(path, chunk, layout) for chunk in _chunks(lines, CHUNK_ROWS)]
    except UnicodeDecodeError as error:
        raise DataError(f"{path.name}: not a UTF-8 text file ({error})") from None
    except (OSError, EOFError) as error:
        raise DataError(f"{path.name}: cannot read ({error})") from None
    if not parts:
        raise DataError(f"{path.name}: no data rows")
    pixels, labels = _split_columns(np.concatenate(parts), layout)
    return LabelledImages(pixels.astype(np.uint8), None if labels is None else labels.astype(np.int64))


def _numbered_data_lines(stream: IO[str], layout: CsvLayout) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of every non-blank line after the header, if there is one."""
    numbered = ((number, line) for number, line in enumerate(stream, start=1) if line.strip())
    if layout.has_header:
        next(numbered, None)
    return numbered


def _chunks(items: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    """Consecutive lists of up to ``size`` items."""
    return iter(lambda: list(itertools.islice(items, size)), [])


def _parse_chunk(path: Path, chunk: list[tuple[int, str]], layout: CsvLayout) -> np.ndarray:
    """The chunk's lines as an (n, n_columns) int16 array; a DataError naming its first bad line.

    NumPy parses the whole chunk at once; only when that fails (or a value is out of range)
    are its lines checked one by one, to say which line is wrong and why.
    """
    table = _parse_lines([line for _, line in chunk], layout)
    if table is not None:
        return table
    for number, line in chunk:
        problem = _row_problem(next(csv.reader([line])), layout)
        if problem:
            raise DataError(f"{path.name}, line {number}: {problem}")
    raise DataError(f"{path.name}, lines {chunk[0][0]}-{chunk[-1][0]}: cannot parse as CSV")


def _parse_lines(lines: list[str], layout: CsvLayout) -> np.ndarray | None:
    """The lines as an (n, n_columns) int16 array, or None unless all are valid rows with values in range."""
    try:
        table = np.loadtxt(lines, delimiter=",", quotechar='"', comments=None, dtype=np.int16, ndmin=2)
    except ValueError:
        return None
    if table.shape[1] != layout.n_columns:
        return None
    pixels, labels = _split_columns(table, layout)
    labels_ok = labels is None or _all_in_range(labels, MAX_LABEL)
    return table if labels_ok and _all_in_range(pixels, MAX_PIXEL) else None


def _split_columns(table: np.ndarray, layout: CsvLayout) -> tuple[np.ndarray, np.ndarray | None]:
    """The (m, 784) pixel columns and the (m,) label column (None when there is none)."""
    if layout.label_column is None:
        return table, None
    return np.delete(table, layout.label_column, axis=1), table[:, layout.label_column]


def _all_in_range(values: np.ndarray, maximum: int) -> bool:
    return bool(values.min() >= 0 and values.max() <= maximum)


def _headerless_layout(path: Path, n_values: int) -> CsvLayout:
    """Label first with 785 values a line; 784 values are pixels without labels."""
    if n_values == PIXELS + 1:
        return CsvLayout(has_header=False, label_column=0)
    if n_values == PIXELS:
        return CsvLayout(has_header=False, label_column=None)
    raise DataError(
        f"{path.name}, line 1: {n_values} values, expected a label and 784 pixels (785 values) or 784 pixels"
    )


def _first_row(path: Path) -> list[str]:
    """The fields of the first non-empty line."""
    try:
        with open_text(path) as stream:
            first = next((fields for fields in csv.reader(stream) if fields), None)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name}: cannot read as CSV text ({error})") from None
    if first is None:
        raise DataError(f"{path.name}: the file is empty")
    return first


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _row_problem(fields: list[str], layout: CsvLayout) -> str | None:
    """What is wrong with one row's fields, or None when it is a valid image (and label)."""
    n_pixels = len(fields) - (layout.label_column is not None)
    if n_pixels != PIXELS:
        return f"{n_pixels} pixel values, expected {PIXELS}"
    for column, text in enumerate(fields):
        is_label = column == layout.label_column
        maximum = MAX_LABEL if is_label else MAX_PIXEL
        if not _is_whole_in_range(text, maximum):
            what = "label" if is_label else f"pixel {_pixel_index(column, layout)}"
            return f"{what} is {text.strip()!r}, expected a whole number 0..{maximum}"
    return None


def _pixel_index(column: int, layout: CsvLayout) -> int:
    """The 0-based pixel number of a column, skipping the label column."""
    after_label = layout.label_column is not None and column > layout.label_column
    return column - after_label


def _is_whole_in_range(text: str, maximum: int) -> bool:
    try:
        return 0 <= int(text) <= maximum
    except ValueError:
        return False
