"""The corpus registry is sound, and every correct base, run through its adapter, matches the reference.

The second half is also the adapters' end-to-end test: four differently written networks
(classic functions, dict params in float32, a class, a back_prop without W1) are driven in
canonical terms and compared with mnist_ref component by component on random data.
"""

from __future__ import annotations

import types
from dataclasses import replace

import numpy as np
import pytest
from corpus import BASES, CORRECT, HOSTILE, SINGLE_BUGS, VARIANTS, write_variant
from hypothesis import given
from hypothesis import strategies as st

import mnist_ref
from conformance import diagnose
from conformance.adapters import discover
from conformance.loading import load_target
from conformance.report.model import COMPONENTS
from conformance.sandbox.protocol import NotProvided

BRIEF_DIAGNOSES = {
    "shape_mismatch", "scaled", "transposed", "sign_flipped", "nonfinite", "mutates_input",
    "depends_on_global_state", "ignores_argument", "exception", "timeout", "mismatch",
}  # fmt: skip
TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}


# -- the registry ----------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_each_replacement_occurs_exactly_once_in_its_base(variant):
    base_text = BASES[variant.base].path.read_text()
    for old, new in variant.replacements:
        assert base_text.count(old) == 1, old
        assert old != new
    patched = variant.source()
    assert (patched != base_text) == bool(variant.replacements)
    for _, new in variant.replacements:
        assert new in patched


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_compiles(variant):
    compile(variant.source(), f"{variant.name}.py", "exec")


def test_source_refuses_an_old_text_that_does_not_occur_exactly_once():
    missing = replace(VARIANTS["classic_db2_scalar"], replacements=(("no such text", "x"),))
    with pytest.raises(AssertionError, match=r"occurs 0 times in classic\.py"):
        missing.source()
    repeated = replace(VARIANTS["classic_db2_scalar"], replacements=(("np.sum", "np.mean"),))
    with pytest.raises(AssertionError, match="occurs 4 times"):
        repeated.source()


def test_write_variant_writes_the_patched_source(tmp_path):
    variant = VARIANTS["classic_dW2_transposed"]
    path = write_variant(variant, tmp_path)
    assert path == tmp_path / "classic_dW2_transposed.py"
    assert path.read_text() == variant.source()
    assert "A1.dot(dZ2.T)" in path.read_text()


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_expectations_name_real_components_and_diagnoses(variant):
    assert set(variant.expected) <= set(COMPONENTS)
    assert set(variant.expected.values()) <= set(diagnose.DIAGNOSES)
    assert not set(variant.expected) & set(BASES[variant.base].lacks)
    assert variant.why
    if variant.load_error:
        assert variant.expected == {}


def test_every_diagnosis_code_of_the_brief_has_a_variant():
    expected_codes = {code for variant in VARIANTS.values() for code in variant.expected.values()}
    assert expected_codes >= BRIEF_DIAGNOSES


def test_variant_names_are_unique_and_every_base_has_its_correct_variant():
    assert len(VARIANTS) == len(CORRECT) + len(SINGLE_BUGS) + len(HOSTILE)
    assert {variant.base for variant in CORRECT} == set(BASES)
    assert all(VARIANTS[f"{name}_correct"].expected == {} for name in BASES)


# -- every correct base matches the reference through its adapter ---------------------------------


@pytest.fixture(scope="module", params=list(BASES))
def base(request):
    """(Base, its adapter), the target loaded once per base without its top-level code."""
    base = BASES[request.param]
    return base, discover(load_target(str(base.path)))


def problems():
    """(params, X, y, reference cache) of a small random network and batch, float64 or float32."""
    return st.builds(
        _problem,
        hidden=st.integers(1, 8),
        batch=st.integers(1, 6),
        seed=st.integers(0, 2**16),
        dtype=st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)]),
    )


def _problem(hidden: int, batch: int, seed: int, dtype: np.dtype) -> types.SimpleNamespace:
    rng = np.random.default_rng(seed)
    params = mnist_ref.init_params(784, hidden, 10, seed=rng, dtype=dtype)
    params["b1"] = rng.uniform(-0.1, 0.1, params["b1"].shape).astype(dtype)
    params["b2"] = rng.uniform(-0.1, 0.1, params["b2"].shape).astype(dtype)
    X = rng.uniform(0, 1, (784, batch)).astype(dtype)
    y = rng.integers(0, 10, batch)
    return types.SimpleNamespace(params=params, X=X, y=y, cache=mnist_ref.forward(params, X), dtype=dtype)


def assert_matches(expected, got, dtype):
    """Same shape, and values equal within the dtype's tolerance (booleans count as 0 and 1)."""
    got = np.asarray(got)
    assert got.shape == np.shape(expected)
    tolerance = TOLERANCE[np.dtype(dtype)]
    expected = np.asarray(expected, np.float64)
    np.testing.assert_allclose(got.astype(np.float64), expected, rtol=tolerance, atol=tolerance)


def test_base_is_discovered_in_its_style(base):
    base, adapter = base
    description = adapter.describe()
    assert description["style"] == base.style
    assert set(description["missing"]) == set(base.lacks)
    assert set(description["components"]) == set(COMPONENTS) - set(base.lacks)


def test_base_init_has_the_reference_shapes(base):
    _, adapter = base
    params = adapter.init(784, 16, 10)
    hidden = params["W1"].shape[0]
    assert {name: value.shape for name, value in params.items()} == {
        "W1": (hidden, 784), "b1": (hidden, 1), "W2": (10, hidden), "b2": (10, 1),
    }  # fmt: skip
    assert hidden == 16 or adapter.describe()["init_sizes"] == "fixed (784, 10, 10)"


@given(problem=problems())
def test_base_activations_match_the_reference(base, problem):
    _, adapter = base
    Z = problem.cache.Z1
    assert_matches(mnist_ref.relu(Z), adapter.relu(Z), problem.dtype)
    assert_matches(mnist_ref.relu_grad(Z), adapter.relu_grad(Z), problem.dtype)
    assert_matches(mnist_ref.softmax(problem.cache.Z2), adapter.softmax(problem.cache.Z2), problem.dtype)
    assert_matches(mnist_ref.one_hot(problem.y), adapter.one_hot(problem.y), problem.dtype)


@given(problem=problems())
def test_base_forward_and_loss_match_the_reference(base, problem):
    base, adapter = base
    got = adapter.forward(problem.params, problem.X)
    assert set(got) == {"Z1", "A1", "Z2", "A2"}
    for name, expected in problem.cache._asdict().items():
        assert_matches(expected, got[name], problem.dtype)
    if "loss" in base.lacks:
        with pytest.raises(NotProvided):
            adapter.loss(problem.params, problem.X, problem.y)
    else:
        expected_loss = mnist_ref.loss(problem.params, problem.X, problem.y)
        assert_matches(expected_loss, adapter.loss(problem.params, problem.X, problem.y), problem.dtype)


@given(problem=problems())
def test_base_gradients_and_update_match_the_reference(base, problem):
    _, adapter = base
    expected = mnist_ref.backward(problem.params, problem.cache, problem.X, problem.y)
    got = adapter.backward(problem.params, problem.X, problem.y, problem.cache)
    assert set(got) == set(expected)
    for name in expected:
        assert_matches(expected[name], got[name], problem.dtype)
    updated = adapter.update(problem.params, expected, 0.3)
    for name, value in mnist_ref.sgd_update(problem.params, expected, 0.3).items():
        assert_matches(value, updated[name], problem.dtype)


@given(problem=problems())
def test_base_predict_and_accuracy_match_the_reference(base, problem):
    _, adapter = base
    predictions = adapter.predict(problem.params, problem.X)
    np.testing.assert_array_equal(predictions, mnist_ref.predict(problem.params, problem.X))
    guesses = (problem.y + np.arange(problem.y.size) % 2) % 10
    assert_matches(mnist_ref.accuracy(guesses, problem.y), adapter.accuracy(guesses, problem.y), np.float64)


def test_base_training_takes_the_reference_steps(base):
    _, adapter = base
    problem = _problem(hidden=6, batch=20, seed=3, dtype=np.dtype(np.float64))
    expected = problem.params
    for _ in range(3):
        grads = mnist_ref.backward(expected, mnist_ref.forward(expected, problem.X), problem.X, problem.y)
        expected = mnist_ref.sgd_update(expected, grads, 0.2)
    trained = adapter.train(problem.params, problem.X, problem.y, 0.2, 3)
    for name in mnist_ref.PARAM_NAMES:
        assert_matches(expected[name], trained[name], problem.dtype)
    start = _problem(hidden=6, batch=20, seed=3, dtype=np.dtype(np.float64)).params
    for name in mnist_ref.PARAM_NAMES:  # the loop trained copies: the caller's parameters are untouched
        np.testing.assert_array_equal(problem.params[name], start[name])
