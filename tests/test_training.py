"""Training loop, evaluation scores and model files, on small synthetic problems (no MNIST needed)."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnist_ref import model_io
from mnist_ref.evaluation import confusion_matrix, evaluate
from mnist_ref.model_io import ModelFileError, TrainedModel, load_model, save_model
from mnist_ref.network import backward, forward, init_params, loss, predict, sgd_update
from mnist_ref.spec import CLASSIC, NetworkSpec
from mnist_ref.training import (
    History,
    TrainConfig,
    TrainingDiverged,
    minibatches,
    train,
    train_epoch,
    train_step,
)

N_IN = 20
QUICK = TrainConfig(hidden=16, epochs=8, batch_size=16, lr=0.1, seed=3)


def blobs(m: int, seed: int = 0, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Ten well-separated Gaussian clusters in N_IN dimensions: X (N_IN, m), y (m,) cycling over 0..9."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(1234).normal(scale=2.0, size=(N_IN, 10))
    y = np.arange(m) % 10
    X = centers[:, y] + rng.normal(scale=0.5, size=(N_IN, m))
    return X.astype(dtype), y


@pytest.mark.parametrize("batch_size", [0, 16, 1000])
def test_training_reduces_loss_and_learns_separable_classes(batch_size: int) -> None:
    X, y = blobs(200)
    lr = 0.5 if batch_size == 0 else 0.1
    config = replace(QUICK, batch_size=batch_size, lr=lr, epochs=30)
    params, history = train(X, y, config, progress=False)
    assert history.epochs == 30
    assert history.loss[-1] < 0.25 * history.loss[0]
    assert history.train_accuracy[-1] > 0.95
    X_new, y_new = blobs(100, seed=1)
    assert evaluate(params, X_new, y_new).accuracy > 0.95


def test_full_batch_epoch_is_one_reference_gradient_step() -> None:
    X, y = blobs(50)
    config = replace(QUICK, batch_size=0, epochs=1)
    params, history = train(X, y, config, progress=False)
    start = init_params(N_IN, config.hidden, 10, seed=np.random.default_rng(config.seed), dtype=X.dtype)
    expected = sgd_update(start, backward(start, forward(start, X), X, y), config.lr)
    for name, value in expected.items():  # equal up to rounding: the loop computes on a Fortran-ordered copy
        np.testing.assert_allclose(params[name], value, rtol=1e-12, atol=1e-15)
    assert history.loss == [pytest.approx(loss(start, X, y))]


def test_train_step_returns_the_logits_from_before_its_update() -> None:
    X, y = blobs(30)
    params = init_params(N_IN, 8, 10, seed=0)
    before = {name: value.copy() for name, value in params.items()}
    updated, logits = train_step(params, X, y, lr=0.1)
    np.testing.assert_array_equal(logits, forward(before, X).Z2)
    expected = sgd_update(before, backward(before, forward(before, X), X, y), 0.1)
    for name, value in expected.items():  # equal up to rounding: train_step scales dZ2 by -lr instead
        np.testing.assert_allclose(updated[name], value, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(params[name], before[name])


def test_epoch_scores_are_the_running_scores_of_its_batches() -> None:
    X, y = blobs(100)
    config = replace(QUICK, batch_size=16)
    start = init_params(N_IN, config.hidden, 10, seed=1)
    params, epoch_loss, epoch_accuracy = train_epoch(start, X, y, config, np.random.default_rng(7))
    batch_loss_sum, correct, replayed = 0.0, 0, start
    for X_batch, y_batch in minibatches(X, y, config.batch_size, np.random.default_rng(7)):
        batch_loss_sum += loss(replayed, X_batch, y_batch) * y_batch.size
        correct += int((predict(replayed, X_batch) == y_batch).sum())
        grads = backward(replayed, forward(replayed, X_batch), X_batch, y_batch)
        replayed = sgd_update(replayed, grads, config.lr)
    assert epoch_loss == pytest.approx(batch_loss_sum / y.size, rel=1e-12)
    assert epoch_accuracy == correct / y.size
    for name, value in replayed.items():
        np.testing.assert_allclose(params[name], value, rtol=1e-12, atol=1e-15)


def test_same_seed_gives_identical_history_and_params() -> None:
    X, y = blobs(120)
    X_dev, y_dev = blobs(40, seed=5)
    runs = [train(X, y, QUICK, X_dev=X_dev, y_dev=y_dev, progress=False) for _ in range(2)]
    (params_a, history_a), (params_b, history_b) = runs
    assert history_a == history_b
    for name in params_a:
        np.testing.assert_array_equal(params_a[name], params_b[name])
    other_params, _ = train(X, y, replace(QUICK, seed=4), progress=False)
    assert not np.array_equal(other_params["W1"], params_a["W1"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size", [0, 16])
def test_dtype_of_the_data_is_kept(dtype: type, batch_size: int) -> None:
    X, y = blobs(64, dtype=dtype)
    params, history = train(X, y, replace(QUICK, batch_size=batch_size, epochs=2), progress=False)
    assert {value.dtype for value in params.values()} == {np.dtype(dtype)}
    assert all(isinstance(value, float) for value in history.loss + history.train_accuracy)


def test_dev_accuracy_is_recorded_every_epoch_only_with_a_dev_set() -> None:
    X, y = blobs(100)
    X_dev, y_dev = blobs(30, seed=2)
    params, with_dev = train(X, y, QUICK, X_dev=X_dev, y_dev=y_dev, progress=False)
    _, without_dev = train(X, y, QUICK, progress=False)
    assert len(with_dev.dev_accuracy) == QUICK.epochs
    assert with_dev.dev_accuracy[-1] == evaluate(params, X_dev, y_dev).accuracy
    assert without_dev.dev_accuracy == []
    with pytest.raises(ValueError, match="X_dev and y_dev"):
        train(X, y, QUICK, X_dev=X_dev, progress=False)


def test_an_empty_dev_set_is_no_dev_set_and_no_training_set_is_an_error() -> None:
    X, y = blobs(40)
    with np.errstate(all="raise"):
        _, history = train(X, y, QUICK, X_dev=X[:, :0], y_dev=y[:0], progress=False)
    assert history.dev_accuracy == [] and history.epochs == QUICK.epochs
    with pytest.raises(ValueError, match="no training samples"):
        train(X[:, :0], y[:0], QUICK, progress=False)


def test_on_epoch_sees_the_growing_history() -> None:
    X, y = blobs(40)
    seen: list[int] = []
    train(X, y, replace(QUICK, epochs=3), progress=False, on_epoch=lambda so_far: seen.append(so_far.epochs))
    assert seen == [1, 2, 3]


def test_bad_training_input_is_rejected_with_a_message() -> None:
    X, y = blobs(40)
    with pytest.raises(ValueError, match="40 training labels for 39"):
        train(X[:, :39], y, QUICK, progress=False)
    with pytest.raises(ValueError, match="outside"):
        train(X, y + 1, QUICK, progress=False)


def test_too_large_a_learning_rate_is_reported_as_divergence() -> None:
    X, y = blobs(100)
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch \d+ .*learning rate below 1e\+30"):
        train(X * 100, y, replace(QUICK, lr=1e30), progress=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hidden", 0, "hidden must be an integer >= 1"),
        ("epochs", 2.5, "epochs must be an integer"),
        ("batch_size", -1, "batch_size must be an integer >= 0"),
        ("lr", 0.0, "lr must be positive"),
        ("lr", float("nan"), "lr must be positive"),
        ("init", "zeros", "init must be one of"),
    ],
)
def test_config_rejects_bad_values(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})


@given(m=st.integers(1, 60), batch_size=st.integers(0, 70), seed=st.integers(0, 2**32 - 1))
def test_minibatches_cover_every_sample_once_with_their_columns(m: int, batch_size: int, seed: int) -> None:
    y = np.arange(m)
    X = np.asfortranarray(np.vstack([y, -y]).astype(np.float64))
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(seed)))
    sizes = [y_batch.size for _, y_batch in batches]
    if batch_size == 0 or batch_size >= m:
        assert sizes == [m]
    else:
        assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
        assert 1 <= sizes[-1] <= batch_size
    assert sorted(np.concatenate([y_batch for _, y_batch in batches])) == list(range(m))
    for X_batch, y_batch in batches:
        np.testing.assert_array_equal(X_batch, np.vstack([y_batch, -y_batch]))


def test_minibatches_are_shuffled_differently_each_epoch() -> None:
    y = np.arange(100)
    X = np.asfortranarray(y[np.newaxis, :].astype(np.float64))
    rng = np.random.default_rng(0)
    first, second = ([y_batch for _, y_batch in minibatches(X, y, 10, rng)] for _ in range(2))
    assert not np.array_equal(np.concatenate(first), y)
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))


def test_confusion_matrix_counts_true_rows_and_predicted_columns() -> None:
    labels = np.array([0, 0, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 2, 2, 0])
    confusion = confusion_matrix(labels, predictions, num_classes=3)
    np.testing.assert_array_equal(confusion, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    with pytest.raises(ValueError, match="3 labels for 2 predictions"):
        confusion_matrix(labels[:3], predictions[:2], num_classes=3)


def test_evaluation_scores_overall_and_per_class() -> None:
    X, y = blobs(60)
    params, _ = train(X, y, QUICK, progress=False)
    evaluation = evaluate(params, X, y)
    assert evaluation.accuracy == pytest.approx(np.mean(evaluation.predictions == y))
    assert evaluation.confusion.sum() == 60
    for digit in range(10):
        in_class = y == digit
        expected = np.mean(evaluation.predictions[in_class] == digit)
        assert evaluation.per_class_accuracy[digit] == pytest.approx(expected)


def trained_model(dtype: type = np.float32, standardized: bool = True) -> TrainedModel:
    """A small trained model, with made-up standardization statistics when ``standardized``."""
    X, y = blobs(80, dtype=dtype)
    params, history = train(X, y, QUICK, X_dev=X[:, :20], y_dev=y[:20], progress=False)
    mean = np.linspace(0, 1, N_IN, dtype=dtype).reshape(N_IN, 1) if standardized else None
    std = np.linspace(1, 2, N_IN, dtype=dtype).reshape(N_IN, 1) if standardized else None
    return TrainedModel(params, QUICK, "synthetic blobs", 0.25, mean, std, history)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("standardized", [True, False])
def test_model_file_round_trip(tmp_path, dtype: type, standardized: bool) -> None:
    model = trained_model(dtype, standardized)
    path = save_model(model, tmp_path / "nested" / "model.npz")
    loaded = load_model(path)
    assert loaded.spec == replace(CLASSIC, layers=(N_IN, QUICK.hidden, 10))
    for name, value in model.params.items():
        assert loaded.params[name].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(loaded.params[name], value)
    assert loaded.config == model.config
    assert loaded.history == model.history
    assert (loaded.data_source, loaded.dev_fraction) == ("synthetic blobs", 0.25)
    if standardized:
        np.testing.assert_array_equal(loaded.mean, model.mean)
        np.testing.assert_array_equal(loaded.std, model.std)
    else:
        assert loaded.mean is None and loaded.std is None


def test_model_file_records_its_network(tmp_path) -> None:
    path = save_model(trained_model(), tmp_path / "model.npz")
    with np.load(path) as npz:
        assert json.loads(str(npz["network"])) == {
            "layers": [N_IN, QUICK.hidden, 10],
            "activation": "relu",
            "output": "softmax",
            "loss": "cross_entropy",
            "l2": 0.0,
            "optimizer": "sgd",
        }
        assert int(npz["format_version"]) == model_io.FORMAT_VERSION == 2


def test_saving_replaces_the_old_file_and_leaves_no_temporary_file(tmp_path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"old model")
    save_model(trained_model(), path)
    assert os.listdir(tmp_path) == ["model.npz"]
    assert load_model(path).spec.layers == (N_IN, QUICK.hidden, 10)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_the_model_file_gets_the_permissions_the_umask_leaves(tmp_path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        assert model_io.current_umask() == umask
        path = save_model(trained_model(), tmp_path / "model.npz")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["model.npz"]


def test_missing_model_file_is_named_in_the_error(tmp_path) -> None:
    path = tmp_path / "absent.npz"
    with pytest.raises(ModelFileError, match=r"absent\.npz does not exist.*mnist-ref train"):
        load_model(path)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: b"this is not a model",
        lambda data: data[: len(data) // 2],
        lambda data: b"",
    ],
    ids=["text", "truncated", "empty"],
)
def test_corrupt_model_file_gives_a_model_file_error(tmp_path, corrupt) -> None:
    path = save_model(trained_model(), tmp_path / "model.npz")
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(ModelFileError, match=r"model\.npz is not a readable \.npz file") as caught:
        load_model(path)
    assert "\n" not in str(caught.value)


def rewrite(path, **changes) -> None:
    """Rewrite the model file at ``path`` with some entries replaced (a value of None drops the entry)."""
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays.update(changes)
    np.savez(path, **{name: value for name, value in arrays.items() if value is not None})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"network": np.array('{"layers": [20, 99, 10]}')},
            f"records layers 20-99-10 but its parameters have layers 20-{QUICK.hidden}-10",
        ),
        ({"network": np.array('{"loss": "hinge"}')}, "its network entry: loss must be one of"),
        ({"format_version": np.array(3)}, "format version 3, this mnist-ref reads versions 1 and 2"),
        ({"format_version": None}, "not written by mnist-ref"),
        ({"b2": None}, "entries missing: b2"),
        ({"b1": np.zeros((3, 1), dtype=np.float32)}, "b1 must have shape"),
        ({"W2": np.full((10, QUICK.hidden), np.nan, dtype=np.float32)}, "W2 contains NaN"),
        ({"std": None}, "only one of mean and std"),
        ({"std": np.zeros((N_IN, 1), dtype=np.float32)}, "std has zero"),
        ({"mean": np.zeros((3, 1))}, r"mean must be finite with shape \(20, 1\)"),
        ({"lr": np.array(-1.0)}, "lr must be positive"),
    ],
)
def test_incompatible_model_file_says_what_is_wrong(tmp_path, changes: dict, message: str) -> None:
    path = save_model(trained_model(), tmp_path / "model.npz")
    rewrite(path, **changes)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_model_arrays_hold_no_python_objects() -> None:
    arrays = model_io.model_arrays(trained_model())
    assert all(value.dtype != object for value in arrays.values())


def test_history_counts_epochs() -> None:
    assert History(loss=[1.0, 0.5], train_accuracy=[0.1, 0.2]).epochs == 2


def version_1_arrays(model: TrainedModel) -> dict[str, np.ndarray]:
    """The arrays of ``model`` as mnist-ref wrote them before the family: sizes instead of a network."""
    arrays = {name: value for name, value in model_io.model_arrays(model).items() if name != "network"}
    n_in, hidden, n_out = model.spec.layers
    return {**arrays, "format_version": np.array(1), "n_in": np.array(n_in), "hidden": np.array(hidden),
            "n_out": np.array(n_out)}  # fmt: skip


def test_a_model_file_of_version_1_loads_as_the_classic_network(tmp_path) -> None:
    model = trained_model()
    path = tmp_path / "old.npz"
    np.savez(path, **version_1_arrays(model))
    loaded = load_model(path)
    assert loaded.spec == replace(CLASSIC, layers=(N_IN, QUICK.hidden, 10))
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
    np.savez(path, **{**version_1_arrays(model), "hidden": np.array(99)})
    with pytest.raises(
        ModelFileError, match=f"records hidden=99 but its parameters have hidden={QUICK.hidden}"
    ):
        load_model(path)


def test_a_trained_variant_keeps_its_spec_in_the_model_file(tmp_path) -> None:
    spec = NetworkSpec(layers=(N_IN, 12, 8, 10), activation="tanh", l2=1e-3, optimizer="adam", beta2=0.99)
    X, y = blobs(120)
    params, history = train(X, y, replace(QUICK, init="xavier", lr=0.01), spec=spec, progress=False)
    assert history.train_accuracy[-1] > 0.9
    assert [params[name].shape for name in spec.param_names] == [
        (12, N_IN), (12, 1), (8, 12), (8, 1), (10, 8), (10, 1)
    ]  # fmt: skip
    path = save_model(
        TrainedModel(params, QUICK, "blobs", 0.1, spec=spec, history=history), tmp_path / "m.npz"
    )
    loaded = load_model(path)
    assert loaded.spec == spec
    X_new, y_new = blobs(100, seed=1)
    assert evaluate(loaded.params, X_new, y_new, loaded.spec).accuracy > 0.9


def test_a_spec_that_does_not_fit_the_data_is_refused() -> None:
    X, y = blobs(40)
    with pytest.raises(
        ValueError, match=f"layers 784-16-10 do not fit the data: the first must be its {N_IN}"
    ):
        train(X, y, QUICK, spec=NetworkSpec(layers=(784, 16, 10)), progress=False)
