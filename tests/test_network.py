"""Properties of the reference network's building blocks, input checks, update, prediction and accuracy.

Gradient values are checked in test_gradients.py; here gradients are only checked for shape and dtype.
"""

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import (
    FLOAT_DTYPES,
    Network,
    Sizes,
    float_dtypes,
    float_matrices,
    make_network,
    networks,
    rounding_tolerance,
    seeds,
    sizes,
)

from mnist_ref import (
    accuracy,
    backward,
    forward,
    from_one_hot,
    init_params,
    log_softmax,
    loss,
    one_hot,
    predict,
    relu,
    relu_grad,
    sgd_update,
    softmax,
)
from mnist_ref.network import take_steps

EIGHTHS = st.integers(-512, 512).map(lambda i: i / 8)
"""Logits in [-64, 64] on a 1/8 grid: adding an integer up to 1e4 to one is exact even in float32."""

HUGE_LOGITS = st.one_of(st.sampled_from([-1e4, 1e4]), st.floats(-1e4, 1e4, width=32))


def copies(arrays_by_name: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Independent copies, to check later that nothing wrote into the originals."""
    return {name: array.copy() for name, array in arrays_by_name.items()}


def assert_same_arrays(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> None:
    """Same names, and every array has exactly the expected dtype and values."""
    assert expected.keys() == actual.keys()
    for name, array in expected.items():
        assert actual[name].dtype == array.dtype, name
        np.testing.assert_array_equal(actual[name], array, err_msg=name)


def network_inputs(network: Network) -> dict[str, np.ndarray]:
    """Everything a forward or backward pass reads: the parameters, X and y."""
    return {**network.params, "X": network.X, "y": network.y}


# softmax and log_softmax


@given(float_matrices(st.floats(-50, 50, width=32)))
def test_softmax_columns_are_probability_vectors(Z):
    A = softmax(Z)
    assert A.shape == Z.shape
    assert A.dtype == Z.dtype
    assert np.all((A >= 0) & (A <= 1))
    column_sums = A.sum(axis=0)
    np.testing.assert_allclose(column_sums, 1, rtol=0, atol=rounding_tolerance(Z.dtype, 1, Z.shape[0]))


@given(float_matrices(EIGHTHS), st.data())
def test_softmax_ignores_a_constant_added_to_each_column(Z, data):
    shifts = data.draw(arrays(Z.dtype, (1, Z.shape[1]), elements=st.integers(-(10**4), 10**4).map(float)))
    shifted = Z + shifts
    assert np.all(shifted - shifts == Z), "the shift must be exact for this test to be strict"
    tolerance = rounding_tolerance(Z.dtype, 1, Z.shape[0])
    np.testing.assert_allclose(softmax(shifted), softmax(Z), rtol=0, atol=tolerance)


@given(float_matrices(HUGE_LOGITS))
def test_softmax_and_log_softmax_stay_finite_for_huge_logits(Z):
    A = softmax(Z)
    assert np.all(np.isfinite(A)), "softmax overflowed: subtract each column's max first"
    assert np.all(np.isfinite(log_softmax(Z)))
    np.testing.assert_allclose(A.sum(axis=0), 1, rtol=0, atol=rounding_tolerance(Z.dtype, 1, Z.shape[0]))
    np.testing.assert_array_equal(A.max(axis=0), A[Z.argmax(axis=0), np.arange(Z.shape[1])])


@given(float_matrices(st.floats(-50, 50, width=32)))
def test_log_softmax_equals_log_of_softmax(Z):
    """Compared where softmax is a normal float: below that, log(softmax) is finite but loses digits."""
    probabilities = softmax(Z)
    normal = probabilities >= np.finfo(Z.dtype).tiny
    log_of_softmax = np.log(probabilities, where=normal, out=np.zeros_like(probabilities))
    magnitude = 1 + 2 * float(np.abs(Z).max())
    tolerance = rounding_tolerance(Z.dtype, magnitude, Z.shape[0])
    log_probabilities = log_softmax(Z)
    assert log_probabilities.dtype == Z.dtype
    np.testing.assert_allclose(log_probabilities[normal], log_of_softmax[normal], rtol=0, atol=tolerance)


# one_hot and from_one_hot


@st.composite
def labelled_batches(draw, absent_top_classes: int = 0) -> tuple[np.ndarray, int]:
    """Labels y (m,), m in 1-8, and a class count k in 1-10; the top ``absent_top_classes`` never occur."""
    num_classes = draw(st.integers(1 + absent_top_classes, 10))
    largest_label = num_classes - 1 - absent_top_classes
    y = draw(arrays(np.int64, st.integers(1, 8), elements=st.integers(0, largest_label)))
    return y, num_classes


@given(labelled_batches(), float_dtypes)
def test_one_hot_round_trips_and_has_one_one_per_column(batch, dtype):
    y, num_classes = batch
    Y = one_hot(y, num_classes, dtype)
    assert Y.shape == (num_classes, y.size)
    assert Y.dtype == dtype
    np.testing.assert_array_equal(Y.sum(axis=0), 1)
    np.testing.assert_array_equal(Y[y, np.arange(y.size)], 1)
    np.testing.assert_array_equal(from_one_hot(Y), y)


@given(labelled_batches(absent_top_classes=1))
def test_one_hot_keeps_rows_for_classes_missing_from_the_batch(batch):
    y, num_classes = batch
    Y = one_hot(y, num_classes)
    assert Y.shape == (num_classes, y.size), "rows must come from num_classes, not y.max() + 1"
    np.testing.assert_array_equal(Y[-1], 0)
    np.testing.assert_array_equal(from_one_hot(Y), y)


@given(labelled_batches(), st.data())
def test_one_hot_rejects_labels_outside_the_classes(batch, data):
    y, num_classes = batch
    position = data.draw(st.integers(0, y.size - 1))
    y[position] = data.draw(st.integers(-1000, -1) | st.integers(num_classes, num_classes + 1000))
    message = f"label {y[position]} at position {position} is outside [0, {num_classes})"
    with pytest.raises(ValueError, match=re.escape(message)):
        one_hot(y, num_classes)


@given(labelled_batches(), st.data())
def test_one_hot_rejects_fractional_labels(batch, data):
    y, num_classes = batch
    y = y.astype(np.float64)
    position = data.draw(st.integers(0, y.size - 1))
    y[position] += data.draw(st.floats(0.01, 0.99))
    with pytest.raises(ValueError, match=f"whole numbers, got .* at position {position}"):
        one_hot(y, num_classes)


@given(labelled_batches())
def test_one_hot_rejects_two_dimensional_labels(batch):
    y, num_classes = batch
    for labels in (y.reshape(1, -1), y.reshape(-1, 1)):
        with pytest.raises(ValueError, match=re.escape(f"1-D of shape (m,), got shape {labels.shape}")):
            one_hot(labels, num_classes)


def test_one_hot_rejects_labels_that_are_not_numbers():
    with pytest.raises(ValueError, match="labels must be integers, got dtype <U"):
        one_hot(np.array(["3", "1"]))


# relu and relu_grad


@given(float_matrices(st.floats(-10, 10, width=32)))
def test_relu_keeps_positives_and_zeroes_the_rest(Z):
    A = relu(Z)
    assert A.dtype == Z.dtype
    np.testing.assert_array_equal(A, np.where(Z > 0, Z, 0))


@given(float_matrices(st.floats(-10, 10, width=32)))
def test_relu_grad_is_one_exactly_where_z_is_positive(Z):
    slope = relu_grad(Z)
    assert slope.dtype == Z.dtype
    np.testing.assert_array_equal(slope, (Z > 0).astype(Z.dtype))


# init_params


@given(sizes(), float_dtypes, st.sampled_from(["he", "uniform"]), seeds)
def test_init_params_shapes_dtypes_and_ranges(size, dtype, scheme, seed):
    params = init_params(size.n_in, size.hidden, size.n_out, seed=seed, scheme=scheme, dtype=dtype)
    expected = {
        "W1": (size.hidden, size.n_in),
        "b1": (size.hidden, 1),
        "W2": (size.n_out, size.hidden),
        "b2": (size.n_out, 1),
    }
    assert {name: array.shape for name, array in params.items()} == expected
    assert all(array.dtype == dtype for array in params.values())
    if scheme == "he":
        np.testing.assert_array_equal(params["b1"], 0)
        np.testing.assert_array_equal(params["b2"], 0)
    else:
        assert all(np.all(np.abs(array) <= 0.5) for array in params.values())


@given(sizes(), float_dtypes, seeds, st.integers(1, 1000))
def test_init_params_is_reproducible_from_its_seed(size, dtype, seed, seed_offset):
    first, again, other = (
        init_params(size.n_in, size.hidden, size.n_out, seed=s, dtype=dtype)
        for s in (seed, seed, seed + seed_offset)
    )
    assert_same_arrays(first, again)
    assert not np.array_equal(first["W1"], other["W1"])
    assert not np.array_equal(first["W2"], other["W2"])


def test_init_params_rejects_unknown_schemes_and_empty_layers():
    with pytest.raises(ValueError, match="scheme must be one of"):
        init_params(4, 3, 2, scheme="lecun")
    with pytest.raises(ValueError, match="hidden must be a positive integer, got 0"):
        init_params(4, 0, 2)


# forward and backward


@given(networks())
def test_forward_shapes_dtypes_and_activations(network):
    h, k, m = network.sizes.hidden, network.sizes.n_out, network.sizes.m
    cache = forward(network.params, network.X)
    assert [array.shape for array in cache] == [(h, m), (h, m), (k, m), (k, m)]
    assert all(array.dtype == network.dtype for array in cache)
    np.testing.assert_array_equal(cache.A1, relu(cache.Z1))
    np.testing.assert_array_equal(cache.A2, softmax(cache.Z2))


@given(networks())
def test_backward_gives_each_gradient_its_parameters_shape_and_dtype(network):
    h, k = network.sizes.hidden, network.sizes.n_out
    grads = backward(network.params, forward(network.params, network.X), network.X, network.y)
    assert grads.keys() == {"dW1", "db1", "dW2", "db2"}
    assert grads["db1"].shape == (h, 1)
    assert grads["db2"].shape == (k, 1)
    for name, param in network.params.items():
        assert grads["d" + name].shape == param.shape, name
        assert grads["d" + name].dtype == param.dtype, name


@given(networks())
def test_forward_and_backward_leave_their_inputs_untouched(network):
    before = copies(network_inputs(network))
    cache = forward(network.params, network.X)
    backward(network.params, cache, network.X, network.y)
    assert_same_arrays(before, network_inputs(network))


# input checks


@given(st.integers(1, 4), st.integers(1, 8).filter(lambda m: m != 784), seeds)
def test_samples_as_rows_are_rejected_with_a_hint(hidden, m, seed):
    network = make_network(Sizes(784, hidden, 10, m), np.dtype(np.float32), seed)
    message = f"X must have shape (784, m), got ({m}, 784) (samples as rows? pass X.T)"
    with pytest.raises(ValueError, match=re.escape(message)):
        forward(network.params, network.X.T)


@given(networks())
def test_bias_as_a_flat_vector_is_rejected(network):
    params = {**network.params, "b1": network.params["b1"].ravel()}
    h = network.sizes.hidden
    with pytest.raises(ValueError, match=re.escape(f"b1 must have shape ({h}, 1), got ({h},)")):
        forward(params, network.X)


@given(networks(), st.integers(1, 3))
def test_second_layer_that_does_not_match_the_hidden_layer_is_rejected(network, extra):
    k, h = network.sizes.n_out, network.sizes.hidden
    params = {**network.params, "W2": np.zeros((k, h + extra), network.dtype)}
    with pytest.raises(ValueError, match=re.escape(f"W2 must have shape ({k}, {h}), got ({k}, {h + extra})")):
        forward(params, network.X)


@given(networks(), st.data())
def test_nan_in_x_is_rejected(network, data):
    X = network.X.copy()
    X[data.draw(st.integers(0, X.shape[0] - 1)), data.draw(st.integers(0, X.shape[1] - 1))] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        forward(network.params, X)


@given(networks(), st.sampled_from(["W1", "b1", "W2", "b2"]))
def test_parameters_of_mixed_dtypes_are_rejected(network, name):
    other_dtype = next(dtype for dtype in FLOAT_DTYPES if dtype != network.dtype)
    params = {**network.params, name: network.params[name].astype(other_dtype)}
    with pytest.raises(ValueError, match="parameters must all be float32 or all be float64"):
        forward(params, network.X)


@given(networks())
def test_x_of_another_dtype_than_the_parameters_is_rejected(network):
    other_dtype = next(dtype for dtype in FLOAT_DTYPES if dtype != network.dtype)
    message = f"X has dtype {other_dtype} but the parameters are {network.dtype}"
    with pytest.raises(ValueError, match=re.escape(message)):
        forward(network.params, network.X.astype(other_dtype))


@given(networks())
def test_backward_rejects_a_label_count_that_differs_from_the_batch(network):
    cache = forward(network.params, network.X)
    labels = np.append(network.y, 0)
    with pytest.raises(ValueError, match=f"{labels.size} labels for {network.sizes.m} columns"):
        backward(network.params, cache, network.X, labels)


# sgd_update


def gradients(network: Network) -> dict[str, np.ndarray]:
    """backward at the network's parameters, on its own batch."""
    return backward(network.params, forward(network.params, network.X), network.X, network.y)


@given(networks(), st.floats(1e-4, 1.0))
def test_sgd_update_returns_new_arrays_and_leaves_its_inputs_untouched(network, lr):
    grads = gradients(network)
    params_before, grads_before = copies(network.params), copies(grads)
    updated = sgd_update(network.params, grads, lr)
    assert_same_arrays(params_before, network.params)
    assert_same_arrays(grads_before, grads)
    for name, param in network.params.items():
        assert not np.shares_memory(updated[name], param), name
        assert updated[name].dtype == param.dtype, name
        expected = param - lr * grads["d" + name].astype(np.float64)
        tolerance = rounding_tolerance(param.dtype, float(np.abs(expected).max()) + 1, 2)
        np.testing.assert_allclose(updated[name], expected, rtol=0, atol=tolerance, err_msg=name)


@given(networks(), st.floats(1e-4, 1.0))
def test_backward_scaled_by_minus_lr_gives_the_sgd_steps(network, lr):
    cache = forward(network.params, network.X)
    steps = backward(network.params, cache, network.X, network.y, scale=-lr)
    params_before = copies(network.params)
    updated = take_steps(network.params, dict(steps))
    assert_same_arrays(params_before, network.params)
    expected = sgd_update(network.params, gradients(network), lr)
    for name, param in network.params.items():
        assert updated[name] is steps["d" + name], name
        tolerance = rounding_tolerance(param.dtype, float(np.abs(expected[name]).max()) + 1, 4)
        np.testing.assert_allclose(updated[name], expected[name], rtol=0, atol=tolerance, err_msg=name)


@given(networks())
def test_sgd_update_rejects_gradients_of_another_dtype(network):
    grads = {name: grad.astype(np.float16) for name, grad in gradients(network).items()}
    with pytest.raises(ValueError, match=f"dW1 has dtype float16, expected {network.dtype} like W1"):
        sgd_update(network.params, grads, 0.1)


@given(networks(dtypes=st.just(np.dtype(np.float64))))
def test_a_small_sgd_step_lowers_the_loss_by_about_lr_times_the_squared_gradient(network):
    lr = 1e-3
    grads = gradients(network)
    squared_norm = sum(float((grad**2).sum()) for grad in grads.values())
    loss_before = loss(network.params, network.X, network.y)
    predicted_drop = lr * squared_norm
    assume(predicted_drop > 1e6 * rounding_tolerance(np.float64, loss_before))
    loss_after = loss(sgd_update(network.params, grads, lr), network.X, network.y)
    assert loss_after < loss_before
    assert loss_before - loss_after == pytest.approx(predicted_drop, rel=0.1)


# predict and accuracy


@given(networks())
def test_predict_picks_the_class_of_highest_probability(network):
    A2 = forward(network.params, network.X).A2
    predicted = predict(network.params, network.X)
    assert predicted.shape == (network.sizes.m,)
    np.testing.assert_array_equal(A2[predicted, np.arange(network.sizes.m)], A2.max(axis=0))
    unambiguous = np.sort(A2, axis=0)[-2] < A2.max(axis=0)
    np.testing.assert_array_equal(predicted[unambiguous], A2.argmax(axis=0)[unambiguous])


@given(labelled_batches())
def test_accuracy_of_labels_against_themselves_is_one(batch):
    y, _ = batch
    assert accuracy(y, y) == 1.0


@given(st.integers(1, 20).flatmap(lambda m: st.permutations(range(m))))
def test_accuracy_against_a_permutation_is_the_fraction_of_fixed_points(permutation):
    y = np.arange(len(permutation))
    fixed_points = int(np.sum(np.array(permutation) == y))
    assert accuracy(y[permutation], y) == pytest.approx(fixed_points / y.size)


def test_accuracy_rejects_predictions_and_labels_of_different_shapes():
    with pytest.raises(ValueError, match=re.escape("predictions have shape (3,), labels (4,)")):
        accuracy(np.zeros(3), np.zeros(4))
