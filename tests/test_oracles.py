"""The oracles: autograd and finite differences agree with the reference, survive ReLU kinks, catch bugs."""

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import diagnose
from conformance.oracles import autograd, finite_diff, reference
from mnist_ref import network

Problem = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]


def problem(n_in: int, hidden: int, batch: int, seed: int, *, density: float = 0.2) -> Problem:
    """He params with small nonzero biases, X (n_in, batch) MNIST-like (mostly exact zeros), labels y."""
    rng = np.random.default_rng(seed)
    params = network.init_params(n_in, hidden, 10, seed=seed)
    params["b1"] = rng.uniform(-0.1, 0.1, (hidden, 1))
    params["b2"] = rng.uniform(-0.1, 0.1, (10, 1))
    X = rng.uniform(0, 1, (n_in, batch)) * (rng.random((n_in, batch)) < density)
    return params, X, rng.integers(0, 10, batch)


def relu_grad_one_at_zero(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict:
    """The gradients with the other ReLU convention, relu'(0) = 1: just as right, wherever Z1 != 0."""
    cache = network.forward(params, X)
    dZ2 = (cache.A2 - network.one_hot(y)) / X.shape[1]
    dZ1 = (params["W2"].T @ dZ2) * (cache.Z1 >= 0)
    return {
        "dW1": dZ1 @ X.T,
        "db1": dZ1.sum(axis=1, keepdims=True),
        "dW2": dZ2 @ cache.A1.T,
        "db2": dZ2.sum(axis=1, keepdims=True),
    }


def check(params, X, y, claimed, seed: int = 0, **options) -> dict[str, finite_diff.ProjectionResult]:
    """check_gradients with a generator seeded by ``seed``."""
    return finite_diff.check_gradients(params, X, y, claimed, rng=np.random.default_rng(seed), **options)


def assert_no_failure(results: dict[str, finite_diff.ProjectionResult]) -> None:
    for name, result in results.items():
        assert result.verdict.ok, f"{name}: {result.verdict.message}"


sizes = st.tuples(
    st.integers(1, 30) | st.just(784), st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**16)
)


# --- agreement on random networks ---------------------------------------------------------------------


@given(sizes)
def test_autograd_matches_the_reference(size):
    params, X, y = problem(*size)
    expected = reference.gradients(params, X, y)
    got = autograd.gradients(params, X, y)
    for name, value in expected.items():
        assert got[name].dtype == np.float64 and got[name].shape == value.shape
        np.testing.assert_allclose(got[name], value, rtol=1e-10, atol=1e-13 * np.abs(value).max())
    assert autograd.loss(params, X, y) == pytest.approx(reference.loss(params, X, y), rel=1e-12)


@given(sizes)
def test_finite_differences_accept_the_reference_and_autograd(size):
    params, X, y = problem(*size)
    for claimed in (reference.gradients(params, X, y), autograd.gradients(params, X, y)):
        results = check(params, X, y, claimed, seed=size[-1])
        assert set(results) == {"W1", "b1", "W2", "b2"}
        assert_no_failure(results)
        assert all(result.probes for result in results.values())


def test_float32_gradients_pass_finite_differences():
    for seed in range(5):
        params, X, y = problem(784, 16, 32, seed)
        params32 = {name: value.astype(np.float32) for name, value in params.items()}
        X32 = X.astype(np.float32)
        claimed = network.backward(params32, network.forward(params32, X32), X32, y)
        assert_no_failure(check(params32, X32, y, claimed, seed, dtype=np.float32))


# --- kinks ---------------------------------------------------------------------------------------------


def test_all_zero_input_sits_on_every_kink():
    params, _, y = problem(20, 5, 6, 0)
    params["b1"][:] = 0
    X = np.zeros((20, 6))
    assert reference.kink_distance(params, X) == 0
    expected = reference.gradients(params, X, y)
    for name, value in autograd.gradients(params, X, y).items():
        np.testing.assert_allclose(value, expected[name], atol=1e-15)
    for claimed in (expected, relu_grad_one_at_zero(params, X, y)):
        results = check(params, X, y, claimed)
        assert_no_failure(results)
        assert results["b1"].kinks == 5 * 6
        assert results["b1"].verdict.details["checked"] is False
        assert "every probe would cross a ReLU kink" in results["b1"].verdict.message
        assert results["W1"].probes and not any(probe.finite_difference for probe in results["W1"].probes)


@pytest.mark.parametrize("seed", range(4))
def test_exact_zeros_in_z1_never_fail_either_relu_convention(seed):
    params, X, y = problem(784, 8, 10, seed)
    params["b1"][:] = 0
    X[:, ::2] = 0  # every other sample is blank: its whole column of Z1 is exactly 0
    for claimed in (reference.gradients(params, X, y), relu_grad_one_at_zero(params, X, y)):
        results = check(params, X, y, claimed, seed)
        assert_no_failure(results)
        assert results["W1"].probes and results["W2"].probes and results["b2"].probes


@pytest.mark.parametrize("seed", range(4))
def test_z1_within_1e_9_of_zero_never_fails(seed):
    params, X, y = problem(784, 8, 6, seed)
    X = np.repeat(X, 2, axis=1)  # each sample twice: two entries per row near the kink
    y = np.repeat(y, 2)
    rng = np.random.default_rng(seed)
    pinned = rng.integers(0, X.shape[1], 8)
    params["b1"] = -(params["W1"] @ X)[np.arange(8), pinned][:, None] + rng.uniform(-1e-9, 1e-9, (8, 1))
    assert reference.kink_distance(params, X) <= 1e-9
    for claimed in (reference.gradients(params, X, y), autograd.gradients(params, X, y)):
        results = check(params, X, y, claimed, seed)
        assert_no_failure(results)
        assert results["W1"].kinks >= 16


def test_the_pattern_check_alone_keeps_steps_off_kinks(monkeypatch):
    """With the step bound disabled, steps cross kinks; the ReLU-pattern check must shrink them."""
    params, X, y = problem(784, 8, 6, 1)
    params["b1"] = -(params["W1"] @ X)[:, :1] + 3 * finite_diff.KINK_MARGIN  # row i of Z1 starts at 3e-6
    claimed = reference.gradients(params, X, y)
    bounded = check(params, X, y, claimed)["b1"]
    assert bounded.verdict.ok and bounded.evaluations == 2 * len(bounded.probes)  # no step had to shrink
    monkeypatch.setattr(finite_diff, "KINK_SAFETY", 1e9)
    results = check(params, X, y, claimed)
    assert_no_failure(results)
    probes = len(results["b1"].probes)
    assert probes > 0 and results["b1"].evaluations > 2 * probes  # some steps were shrunk and retried


def test_sparse_input_coordinates_are_on_nonzero_pixels():
    params, X, y = problem(784, 16, 8, 3, density=0.05)
    result = check(params, X, y, reference.gradients(params, X, y))["W1"]
    coordinates = [probe.label for probe in result.probes if probe.label.startswith("W1[")]
    assert len(coordinates) == 3
    for label in coordinates:
        pixel = int(re.fullmatch(r"W1\[\d+, (\d+)\]", label).group(1))
        assert X[pixel].any(), f"{label} probes a pixel that is 0 in every sample"
    assert all(probe.finite_difference != 0 for probe in result.probes)


# --- catching wrong gradients ----------------------------------------------------------------------------


def mutated(gradients: dict[str, np.ndarray], change) -> dict[str, np.ndarray]:
    """Every gradient passed through change(name, copy)."""
    return {name: change(name, value.copy()) for name, value in gradients.items()}


def zero_largest_row(name: str, value: np.ndarray) -> np.ndarray:
    """The gradient with its largest row set to 0 (a forgotten unit or class)."""
    value[np.argmax(np.abs(value).sum(axis=1))] = 0
    return value


@pytest.mark.parametrize("seed", range(3))
def test_wrong_gradients_are_diagnosed(seed):
    batch = 8
    params, X, y = problem(784, 10, batch, seed)  # h = 10: dW2 is square
    right = reference.gradients(params, X, y)

    scaled = check(params, X, y, mutated(right, lambda name, value: batch * value), seed)
    for result in scaled.values():
        assert result.verdict.diagnosis == diagnose.SCALED, result.verdict.message
        assert result.verdict.details["factor"] == pytest.approx(batch, rel=1e-3)
        assert "the loss is a sum, not a mean" in result.verdict.message

    flipped = check(params, X, y, mutated(right, lambda name, value: -value), seed)
    assert {result.verdict.diagnosis for result in flipped.values()} == {diagnose.SIGN_FLIPPED}

    row_missing = check(params, X, y, mutated(right, zero_largest_row), seed)
    for name, result in row_missing.items():
        assert result.verdict.diagnosis == diagnose.MISMATCH, f"{name}: {result.verdict.message}"
        assert "disagrees with finite differences" in result.verdict.message

    transposed = check(params, X, y, {"dW2": right["dW2"].T}, seed)["W2"]
    assert transposed.verdict.diagnosis == diagnose.TRANSPOSED


def test_claimed_values_that_are_not_gradients_cost_no_evaluations():
    params, X, y = problem(30, 4, 5, 0)
    right = reference.gradients(params, X, y)
    nan = right["dW2"].copy()
    nan[0, 0] = np.nan
    results = check(params, X, y, {"db1": right["db1"].ravel(), "dW1": None, "dW2": nan, "db2": 0.5})
    assert results["b1"].verdict.diagnosis == diagnose.SHAPE_MISMATCH
    assert "missing keepdims" in results["b1"].verdict.message
    assert results["W1"].verdict.diagnosis == diagnose.MISMATCH
    assert results["W2"].verdict.diagnosis == diagnose.NONFINITE
    assert "scalar bias gradient" in results["b2"].verdict.message
    assert all(result.evaluations == 0 and not result.probes for result in results.values())
    with pytest.raises(ValueError, match="dW3"):
        check(params, X, y, {"dW3": right["dW2"]})


def test_only_the_claimed_gradients_are_checked():
    params, X, y = problem(30, 4, 5, 0)
    results = check(params, X, y, {"db2": reference.gradients(params, X, y)["db2"]})
    assert list(results) == ["b2"] and results["b2"].verdict.ok


# --- cost -------------------------------------------------------------------------------------------------


def test_a_784_128_10_network_costs_at_most_50_loss_evaluations():
    params, X, y = problem(784, 128, 64, 0)
    results = check(params, X, y, reference.gradients(params, X, y))
    assert_no_failure(results)
    assert all(len(result.probes) == 5 for result in results.values())
    assert 1 + sum(result.evaluations for result in results.values()) <= 50


# --- torch stays optional --------------------------------------------------------------------------------


def test_importing_the_oracles_does_not_import_torch():
    imports = "import conformance.oracles.autograd, conformance.oracles.finite_diff, conformance.diagnose"
    code = f"import sys; {imports}; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_available_is_false_when_torch_cannot_be_imported(monkeypatch):
    assert autograd.available()
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert not autograd.available()
