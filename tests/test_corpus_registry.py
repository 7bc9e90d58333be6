"""The corpus registry is sound, and every correct base, run through its adapter, matches the reference.

The second half is also the adapters' end-to-end test: differently written networks (classic
functions, dict params in float32, a class, a back_prop without W1, row layout, a list of
layers, a class whose backward updates the weights, a notebook) are driven in canonical terms
and compared with mnist_ref component by component on random data.
"""

from __future__ import annotations

import types
from dataclasses import replace

import nbformat
import numpy as np
import pytest
from corpus import BASES, CORRECT, HOSTILE, OTHER_STYLES, SINGLE_BUGS, VARIANTS, write_variant
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
def test_every_variant_compiles_unless_it_is_meant_not_to_load(variant):
    if variant.load_error:
        return  # a syntax error may be the point (see test_notebooks)
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


def test_a_notebook_variant_is_written_as_a_notebook_of_its_patched_source(tmp_path):
    variant = VARIANTS["classic_notebook_db2_scalar"]
    path = write_variant(variant, tmp_path)
    assert path == tmp_path / "classic_notebook_db2_scalar.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    code = [cell.source for cell in cells if cell.cell_type == "code"]
    assert cells[0].cell_type == "markdown"
    assert code[0].startswith("!pip install") and "%matplotlib inline" in code[0]
    assert any(source.startswith("def backward_prop(") and "np.sum(dZ2)" in source for source in code)
    assert any(source.startswith("%%time\nW1, b1, W2, b2 = gradient_descent(") for source in code)


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_expectations_name_real_components_and_diagnoses(variant):
    assert set(variant.expected) <= set(COMPONENTS)
    assert set(variant.expected.values()) <= set(diagnose.DIAGNOSES)
    base = BASES[variant.base]
    assert not set(variant.expected) & (set(base.lacks) - set(base.judged_elsewhere))
    assert variant.why
    if variant.load_error:
        assert variant.expected == {}


def test_every_diagnosis_code_of_the_brief_has_a_variant():
    expected_codes = {code for variant in VARIANTS.values() for code in variant.expected.values()}
    assert expected_codes >= BRIEF_DIAGNOSES


def test_variant_names_are_unique_and_every_base_has_its_correct_variant():
    assert len(VARIANTS) == len(CORRECT) + len(SINGLE_BUGS) + len(OTHER_STYLES) + len(HOSTILE)
    assert {variant.base for variant in CORRECT} == set(BASES)
    assert all(VARIANTS[f"{name}_correct"].expected == {} for name in BASES)


# -- every correct base matches the reference through its adapter ---------------------------------


@pytest.fixture(scope="module", params=list(BASES))
def base(request, tmp_path_factory):
    """(Base, its adapter), the target loaded once per base without its top-level code."""
    base = BASES[request.param]
    path = write_variant(VARIANTS[f"{base.name}_correct"], tmp_path_factory.mktemp(base.name))
    return base, discover(load_target(str(path)))


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
    assert description["layout"] == base.layout
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


def assert_component(base, component, expected, call, dtype):
    """``call()`` matches ``expected`` (a value or a dict of them), or raises NotProvided if lacked."""
    if component in base.lacks:
        with pytest.raises(NotProvided):
            call()
        return
    got = call()
    if isinstance(expected, dict):
        assert set(got) == set(expected)
        for name, value in expected.items():
            assert_matches(value, got[name], dtype)
    else:
        assert_matches(expected, got, dtype)


@given(problem=problems())
def test_base_activations_match_the_reference(base, problem):
    base, adapter = base
    Z, Z2, y = problem.cache.Z1, problem.cache.Z2, problem.y
    assert_component(base, "relu", mnist_ref.relu(Z), lambda: adapter.relu(Z), problem.dtype)
    assert_component(base, "relu_grad", mnist_ref.relu_grad(Z), lambda: adapter.relu_grad(Z), problem.dtype)
    assert_component(base, "softmax", mnist_ref.softmax(Z2), lambda: adapter.softmax(Z2), problem.dtype)
    assert_component(base, "one_hot", mnist_ref.one_hot(y), lambda: adapter.one_hot(y), problem.dtype)


@given(problem=problems())
def test_base_forward_and_loss_match_the_reference(base, problem):
    base, adapter = base
    params, X, y = problem.params, problem.X, problem.y
    expected = {name: getattr(problem.cache, name) for name in base.forward_gives}
    assert_component(base, "forward", expected, lambda: adapter.forward(params, X), problem.dtype)
    expected_loss = mnist_ref.loss(params, X, y)
    assert_component(base, "loss", expected_loss, lambda: adapter.loss(params, X, y), problem.dtype)


@given(problem=problems())
def test_base_gradients_and_update_match_the_reference(base, problem):
    base, adapter = base
    params, X, y, cache = problem.params, problem.X, problem.y, problem.cache
    expected = mnist_ref.backward(params, cache, X, y)
    assert_component(base, "dW1", expected, lambda: adapter.backward(params, X, y, cache), problem.dtype)
    updated = mnist_ref.sgd_update(params, expected, 0.3)
    assert_component(base, "update", updated, lambda: adapter.update(params, expected, 0.3), problem.dtype)


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
