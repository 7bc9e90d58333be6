"""The family's forward pass, loss and backward pass for any spec: shapes, dtypes, checks and special values.

Their values against PyTorch and finite differences are in test_family_oracles.py.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FamilyNetwork, family_networks, make_family_network

from mnist_ref import backward, forward, init_params, loss
from mnist_ref.network import (
    backward_layers,
    draw_layers,
    forward_layers,
    hidden_activation,
    network_loss,
    output_loss,
    sigmoid,
)
from mnist_ref.spec import CLASSIC, NetworkSpec


def family_inputs(network: FamilyNetwork) -> dict[str, np.ndarray]:
    return {**network.params, "X": network.X, "y": network.y}


@given(family_networks())
def test_forward_gives_every_layer_in_its_shape_and_dtype(network: FamilyNetwork) -> None:
    before = {name: value.copy() for name, value in family_inputs(network).items()}
    cache = forward_layers(network.spec, network.params, network.X)
    m = network.X.shape[1]
    assert (
        [Z.shape for Z in cache.Z] == [A.shape for A in cache.A] == [(n, m) for n in network.spec.layers[1:]]
    )
    assert {array.dtype for array in (*cache.Z, *cache.A)} == {network.dtype}
    outputs = cache.A[-1]
    if network.spec.output == "softmax":
        np.testing.assert_allclose(outputs.sum(axis=0), 1, rtol=1e-5)
    assert np.all((outputs >= 0) & (outputs <= 1))
    for name, value in family_inputs(network).items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


@given(family_networks())
def test_backward_gives_each_parameter_its_gradient_in_its_shape_and_dtype(network: FamilyNetwork) -> None:
    cache = forward_layers(network.spec, network.params, network.X)
    grads = backward_layers(network.spec, network.params, cache, network.X, network.y)
    assert list(grads) == ["d" + name for name in network.spec.param_names]
    for name, param in network.params.items():
        assert grads["d" + name].shape == param.shape, name
        assert grads["d" + name].dtype == network.dtype, name


@given(
    family_networks(st.just(np.dtype(np.float64))), st.floats(-3, 3).filter(lambda scale: abs(scale) > 0.01)
)
def test_scale_multiplies_every_gradient(network: FamilyNetwork, scale: float) -> None:
    cache = forward_layers(network.spec, network.params, network.X)
    grads = backward_layers(network.spec, network.params, cache, network.X, network.y)
    scaled = backward_layers(network.spec, network.params, cache, network.X, network.y, scale=scale)
    for name, grad in grads.items():
        np.testing.assert_allclose(scaled[name], scale * grad, rtol=1e-12, atol=1e-15, err_msg=name)


@given(st.integers(0, 2**32 - 1))
def test_the_classic_functions_are_the_family_with_the_classic_spec(seed: int) -> None:
    spec = replace(CLASSIC, layers=(6, 4, 3))
    network = make_family_network(spec, np.dtype(np.float64), seed, 5)
    params, X, y = network.params, network.X, network.y
    cache = forward_layers(spec, params, X)
    classic = forward(params, X)
    (Z1, Z2), (A1, A2) = cache
    for ours, theirs in zip(classic, (Z1, A1, Z2, A2), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert loss(params, X, y) == network_loss(spec, params, X, y)
    expected = backward_layers(spec, params, cache, X, y)
    for name, grad in backward(params, classic, X, y).items():
        np.testing.assert_array_equal(grad, expected[name], err_msg=name)


def test_init_params_draws_what_draw_layers_draws_for_three_widths() -> None:
    for scheme in ("he", "xavier", "uniform"):
        classic = init_params(5, 4, 3, seed=7, scheme=scheme, dtype=np.float32)
        family = draw_layers((5, 4, 3), seed=7, scheme=scheme, dtype=np.float32)
        for name, value in classic.items():
            np.testing.assert_array_equal(value, family[name], err_msg=f"{scheme} {name}")


def test_the_init_schemes_draw_at_their_scales() -> None:
    layers = (400, 300, 10)
    he, xavier = draw_layers(layers, scheme="he"), draw_layers(layers, scheme="xavier")
    uniform = draw_layers(layers, scheme="uniform")
    assert he["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert xavier["W1"].std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    assert not he["b1"].any() and not xavier["b2"].any()
    assert -0.5 <= uniform["W1"].min() < -0.49 and 0.49 < uniform["b1"].max() <= 0.5


def test_a_layer_that_does_not_fit_the_one_before_is_rejected() -> None:
    spec = NetworkSpec(layers=(5, 4, 3, 2))
    params = {**draw_layers(spec.layers), "W3": np.zeros((2, 4))}
    with pytest.raises(ValueError, match=re.escape("W3 must have shape (2, 3), got (2, 4)")):
        forward_layers(spec, params, np.zeros((5, 1)))
    with pytest.raises(ValueError, match=re.escape("parameters missing: ['W3', 'b3']")):
        forward_layers(spec, draw_layers((5, 4, 3)), np.zeros((5, 1)))


def test_sigmoid_is_exact_and_finite_at_any_logit() -> None:
    Z = np.array([[-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise"):
        values = sigmoid(Z)
        float32_values = sigmoid(Z.astype(np.float32))
    expected = np.array([[0.0, 4.248354255291589e-18, 0.2689414213699951, 0.5, 0.7310585786300049, 1.0, 1.0]])
    np.testing.assert_allclose(values, expected, rtol=1e-15, atol=0)
    assert float32_values.dtype == np.float32


def test_leaky_relu_keeps_its_slope_below_zero() -> None:
    spec = NetworkSpec(activation="leaky_relu", leaky_slope=0.2)
    Z = np.array([[-2.0, -0.5, 0.0, 3.0]], dtype=np.float32)
    A = hidden_activation(spec, Z)
    np.testing.assert_array_equal(A, np.array([[-0.4, -0.1, 0.0, 3.0]], dtype=np.float32))
    assert A.dtype == np.float32


def test_binary_cross_entropy_of_huge_logits_is_finite() -> None:
    spec = NetworkSpec(layers=(2, 2, 2), output="sigmoid", loss="binary_cross_entropy")
    Z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    assert output_loss(spec, Z, np.array([0, 1])) == 0.0
    assert output_loss(spec, Z, np.array([1, 0])) == pytest.approx(1000.0)


def test_the_l2_term_counts_the_weights_only() -> None:
    spec = NetworkSpec(layers=(2, 2, 2), l2=0.5)
    params = {"W1": np.eye(2), "b1": np.ones((2, 1)) * 9, "W2": 2 * np.eye(2), "b2": np.ones((2, 1)) * 9}
    X, y = np.zeros((2, 4)), np.array([0, 1, 0, 1])
    data_term = network_loss(replace(spec, l2=0.0), params, X, y)
    assert network_loss(spec, params, X, y) == pytest.approx(data_term + 0.5 / (2 * 4) * (2 + 8))
    grads = backward_layers(spec, params, forward_layers(spec, params, X), X, y)
    unregularised = backward_layers(replace(spec, l2=0.0), params, forward_layers(spec, params, X), X, y)
    np.testing.assert_allclose(grads["dW2"] - unregularised["dW2"], 0.5 / 4 * params["W2"])
    np.testing.assert_array_equal(grads["db1"], unregularised["db1"])
