"""diagnose and tolerance: every diagnosis code from a constructed case, with what its message must say."""

import json

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conformance import diagnose, tolerance
from conformance.checks.forward import other_network
from mnist_ref import network

H, M = 6, 4


def problem(
    seed: int, hidden: int = H, batch: int = M, dtype: type = np.float64
) -> tuple[dict, np.ndarray, np.ndarray]:
    """(params, X, y) of a 784-hidden-10 network on an MNIST-like batch, in ``dtype``."""
    rng = np.random.default_rng(seed)
    params = network.init_params(784, hidden, 10, seed=seed, dtype=dtype)
    params["b1"] = rng.uniform(-0.1, 0.1, (hidden, 1)).astype(dtype)
    X = rng.uniform(0, 1, (784, batch)) * (rng.random((784, batch)) < 0.2)
    return params, X.astype(dtype), rng.integers(0, 10, batch)


def gradients(seed: int, hidden: int = H, batch: int = M, dtype: type = np.float64) -> dict[str, np.ndarray]:
    """Reference gradients of ``problem``'s network and batch, computed in ``dtype``."""
    params, X, y = problem(seed, hidden, batch, dtype)
    return network.backward(params, network.forward(params, X), X, y)


def floor(name: str, seed: int, hidden: int = H, batch: int = M) -> float:
    """The tolerance's cancellation floor for ``problem``'s gradient ``name`` in float32."""
    params, X, y = problem(seed, hidden, batch)
    cache = network.forward(params, X)
    dZ2 = cache.A2 - np.eye(10)[:, y]
    return tolerance.gradient_floor(name, params, X, cache.A1, dZ2, np.float32)


def assert_json(verdict: diagnose.Verdict) -> None:
    """details must be strict JSON (no NaN, no numpy types)."""
    json.dumps(verdict.details, allow_nan=False)


def failed(verdict: diagnose.Verdict, code: str) -> diagnose.Verdict:
    """Assert the verdict failed with ``code`` and strict-JSON details; return it for message checks."""
    assert not verdict.ok
    assert verdict.diagnosis == code, verdict.message
    assert_json(verdict)
    return verdict


# --- shape_mismatch ---------------------------------------------------------------------------------


def test_scalar_bias_gradient():
    db2 = gradients(0)["db2"]
    verdict = failed(diagnose.compare("db2", db2, np.float64(0.3), dtype=np.float64), diagnose.SHAPE_MISMATCH)
    assert verdict.message.startswith("scalar bias gradient: db2 is a single number, expected (10, 1)")
    assert "sum over axis=1 with keepdims=True" in verdict.message
    assert verdict.details["got_shape"] == [] and verdict.details["expected_shape"] == [10, 1]


def test_scalar_that_sums_everything_says_so():
    db1 = gradients(1)["db1"]
    verdict = failed(diagnose.compare("db1", db1, db1.sum(), dtype=np.float64), diagnose.SHAPE_MISMATCH)
    assert "the sum of all the entries" in verdict.message


def test_per_sample_bias():
    dZ1 = np.random.default_rng(2).standard_normal((H, M))
    verdict = diagnose.compare("db1", dZ1.sum(axis=1, keepdims=True), dZ1, dtype=np.float64, batch_size=M)
    failed(verdict, diagnose.SHAPE_MISMATCH)
    assert verdict.message.startswith(f"per-sample bias: db1 has shape ({H}, {M}), one column per sample")
    assert "sum over the batch" in verdict.message


def test_missing_keepdims():
    db1 = gradients(3)["db1"]
    verdict = failed(diagnose.compare("db1", db1, db1.ravel(), dtype=np.float64), diagnose.SHAPE_MISMATCH)
    assert verdict.message.startswith(f"missing keepdims: db1 has shape ({H},), expected ({H}, 1)")


def test_broadcast_bias():
    db1 = gradients(4)["db1"]
    verdict = failed(
        diagnose.compare("db1", db1, db1 + db1.ravel(), dtype=np.float64), diagnose.SHAPE_MISMATCH
    )
    assert f"a ({H},) array was broadcast against a ({H}, 1) column" in verdict.message


def test_flattened_and_other_shapes():
    dW1 = gradients(5)["dW1"]
    flat = failed(diagnose.compare("dW1", dW1, dW1.ravel(), dtype=np.float64), diagnose.SHAPE_MISMATCH)
    assert f"({H * 784},)" in flat.message and "do not flatten" in flat.message
    other = failed(diagnose.compare("dW1", dW1, dW1[:, :10], dtype=np.float64), diagnose.SHAPE_MISMATCH)
    assert other.message == f"dW1 has shape ({H}, 10), expected ({H}, 784)"


def test_transposed_shape_with_other_values_is_a_shape_mismatch():
    dW2 = gradients(6)["dW2"]
    verdict = failed(
        diagnose.compare("dW2", dW2, np.ones((H, 10)), dtype=np.float64), diagnose.SHAPE_MISMATCH
    )
    assert "the transpose of the expected (10, 6)" in verdict.message


@pytest.mark.parametrize(
    ("got", "code", "says"),
    [
        (None, diagnose.MISMATCH, "None (nothing was returned"),
        ("0.5", diagnose.MISMATCH, "a string ('0.5')"),
        ({"W": 1}, diagnose.MISMATCH, "a dict with keys ['W']"),
        ([1.0, "a"], diagnose.MISMATCH, "not of numbers"),
        ([[1.0, 2.0], [3.0]], diagnose.SHAPE_MISMATCH, "not a rectangular array"),
        ([1.0, None], diagnose.MISMATCH, "not of numbers"),
    ],
)
def test_non_arrays_never_crash(got, code, says):
    for verdict in (
        diagnose.compare("dW2", np.zeros((10, H)), got, dtype=np.float64),
        diagnose.compare_shape("dW2", (10, H), got),
        diagnose.compare_scalar("loss", 2.3, got, dtype=np.float64),
        diagnose.compare_labels("predict", np.zeros(4, dtype=int), got),
    ):
        assert says in failed(verdict, code).message


def test_compare_shape_accepts_the_right_shape_only():
    assert diagnose.compare_shape("db1", (H, 1), np.zeros((H, 1))) is None
    verdict = diagnose.compare_shape("db1", (H, 1), np.zeros((H, M)), batch_size=M)
    assert "per-sample bias" in failed(verdict, diagnose.SHAPE_MISMATCH).message


# --- scaled, sign_flipped, transposed, nonfinite, mismatch --------------------------------------------


def test_scaled_by_the_batch_size():
    dW1 = gradients(7, batch=64)["dW1"]
    verdict = failed(diagnose.compare("dW1", dW1, 64 * dW1, dtype=np.float64, batch_size=64), diagnose.SCALED)
    assert verdict.details["factor"] == pytest.approx(64)
    assert "the loss is a sum, not a mean" in verdict.message and "divide by m" in verdict.message
    assert "m = 64" in verdict.message


def test_divided_by_m_twice():
    db2 = gradients(8, batch=32)["db2"]
    verdict = failed(diagnose.compare("db2", db2, db2 / 32, dtype=np.float64, batch_size=32), diagnose.SCALED)
    assert verdict.details["factor"] == pytest.approx(1 / 32)
    assert "divided by m twice" in verdict.message


@pytest.mark.parametrize(
    ("factor", "says"), [(0.5, "a constant factor 0.5"), (0.37, "a constant factor 0.37")]
)
def test_constant_factor(factor, says):
    dW2 = gradients(9)["dW2"]
    verdict = diagnose.compare("dW2", dW2, factor * dW2, dtype=np.float64, batch_size=M)
    assert says in failed(verdict, diagnose.SCALED).message
    assert "a sample count read from a global" in verdict.message


def test_sign_flipped():
    dW2 = gradients(10)["dW2"]
    verdict = failed(diagnose.compare("dW2", dW2, -dW2, dtype=np.float64), diagnose.SIGN_FLIPPED)
    assert "opposite sign" in verdict.message and "A2 - Y" in verdict.message


def test_transposed_square_and_non_square():
    square = gradients(11, hidden=10)["dW2"]
    verdict = failed(diagnose.compare("dW2", square, square.T, dtype=np.float64), diagnose.TRANSPOSED)
    assert "transpose" in verdict.message
    dW2 = gradients(11)["dW2"]
    verdict = failed(diagnose.compare("dW2", dW2, dW2.T, dtype=np.float64), diagnose.TRANSPOSED)
    assert f"shape ({H}, 10), expected (10, {H})" in verdict.message


def test_nonfinite_counts_and_locates():
    dW2 = gradients(12)["dW2"].copy()
    dW2[2, 3] = np.nan
    dW2[4, 0] = np.inf
    verdict = failed(diagnose.compare("dW2", gradients(12)["dW2"], dW2, dtype=np.float64), diagnose.NONFINITE)
    assert "1 NaN and 1 infinite values out of 60 (the first at (2, 3))" in verdict.message
    assert verdict.details["first_nonfinite_index"] == [2, 3]


def test_one_row_zeroed_is_a_mismatch_that_names_the_row():
    dW1 = gradients(13)["dW1"]
    row = int(np.argmax(np.abs(dW1).sum(axis=1)))
    got = dW1.copy()
    got[row] = 0
    verdict = failed(diagnose.compare("dW1", dW1, got, dtype=np.float64), diagnose.MISMATCH)
    worst = np.unravel_index(np.argmax(np.abs(dW1[row])), (784,))[0]
    assert verdict.details["worst_index"] == [row, int(worst)]
    assert verdict.details["max_abs_error"] == pytest.approx(np.abs(dW1[row]).max())
    assert verdict.details["max_rel_error"] == pytest.approx(np.abs(dW1[row]).max() / np.abs(dW1).max())
    assert f"Only row {row} is wrong" in verdict.message
    assert f"at ({row}, {worst})" in verdict.message


def test_all_zeros_is_said():
    dW2 = gradients(14)["dW2"]
    verdict = failed(diagnose.compare("dW2", dW2, np.zeros_like(dW2), dtype=np.float64), diagnose.MISMATCH)
    assert "It is all zeros" in verdict.message


# --- tolerance: dtype-driven, tiny entries --------------------------------------------------------------


@example(hidden=1, batch=1, seed=26)  # a confident network: dZ2 = A2 - Y cancels to far below its noise
@given(hidden=st.integers(1, 32), batch=st.integers(1, 64), seed=st.integers(0, 2**16))
def test_float32_noise_is_not_a_failure(hidden, batch, seed):
    exact = gradients(seed, hidden, batch)
    single = gradients(seed, hidden, batch, dtype=np.float32)
    for name in exact:
        noise = floor(name, seed, hidden, batch)
        verdict = diagnose.compare(
            name, exact[name], single[name], dtype=np.float32, batch_size=batch, floor=noise
        )
        assert verdict.ok, verdict.message
        assert_json(verdict)


def test_the_cancellation_floor_is_needed_and_not_vacuous():
    """Without the floor the confident example fails; with it, a real error of 1% still fails."""
    exact, single = gradients(26, 1, 1), gradients(26, 1, 1, dtype=np.float32)
    assert not diagnose.compare("dW2", exact["dW2"], single["dW2"], dtype=np.float32, batch_size=1).ok
    noise = floor("dW2", 26, 1, 1)
    assert diagnose.compare(
        "dW2", exact["dW2"], single["dW2"], dtype=np.float32, batch_size=1, floor=noise
    ).ok
    wrong = exact["dW2"] * 1.01
    assert not diagnose.compare("dW2", exact["dW2"], wrong, dtype=np.float32, batch_size=1, floor=noise).ok


def test_float32_noise_fails_a_float64_result():
    """The tolerance is not vacuous: float32-sized errors in a float64 result are caught."""
    exact = gradients(15, batch=16)["dW1"]
    single = gradients(15, batch=16, dtype=np.float32)["dW1"].astype(np.float64)
    assert not diagnose.compare("dW1", exact, single, dtype=np.float64, batch_size=16).ok


def test_float32_result_of_a_float64_input_gets_float32_tolerance():
    exact = gradients(16)["dW2"]
    assert diagnose.compare("dW2", exact, exact.astype(np.float32), dtype=np.float64).ok


def test_tiny_entries_are_judged_on_the_array_scale():
    rng = np.random.default_rng(17)
    expected = rng.standard_normal((10, 100)) * np.where(rng.random((10, 100)) < 0.9, 1e-12, 1.0)
    got = expected + 1e-12 * rng.standard_normal(expected.shape) * np.abs(expected).max() * 1e-4
    got[np.abs(expected) < 1e-9] *= 1.5  # 50% relative error on every tiny entry, 1e-12 absolute
    assert diagnose.compare("dW1", expected, got, dtype=np.float32).ok


def test_tolerance_scales_with_dtype_array_scale_and_terms():
    expected = np.array([[0.5, -2.0]])
    base = tolerance.absolute_tolerance(expected, np.float64)  # pytest.approx's abs=1e-12 would hide all this
    assert base / (tolerance.SAFETY * np.finfo(np.float64).eps * 2.0) == pytest.approx(1.0, rel=1e-6)
    assert tolerance.absolute_tolerance(expected, np.float32) / base == pytest.approx(2.0**29, rel=1e-6)
    assert tolerance.absolute_tolerance(10 * expected, np.float64) / base == pytest.approx(10, rel=1e-6)
    assert tolerance.absolute_tolerance(expected, np.float64, terms=100) / base == pytest.approx(10, rel=1e-6)
    assert tolerance.absolute_tolerance(np.zeros(3), np.float64) > 0
    assert tolerance.absolute_tolerance(np.zeros(3), np.float64, floor=1e-3) == 1e-3


def test_a_difference_of_nearly_equal_arrays_needs_the_floor_of_its_terms():
    rng = np.random.default_rng(18)
    before = rng.standard_normal((10, 16))
    step = 1e-4 * rng.standard_normal((10, 16))
    after32 = (before.astype(np.float32) + step.astype(np.float32)).astype(np.float64)
    got = after32 - before.astype(np.float32)  # float32 rounding of |before|, not of |step|
    assert not diagnose.compare("W2 step", step, got, dtype=np.float32).ok
    floor = tolerance.absolute_tolerance(before, np.float32)
    assert diagnose.compare("W2 step", step, got, dtype=np.float32, floor=floor).ok


def test_coarsest_float():
    assert tolerance.coarsest_float(np.float64, np.float32) == np.float32
    assert tolerance.coarsest_float(np.float64, np.int64, bool) == np.float64
    assert tolerance.coarsest_float(np.int32) == np.float64


# --- scalars and labels ---------------------------------------------------------------------------------


def test_scalar_matches_within_noise():
    assert diagnose.compare_scalar("loss", 2.302585, np.float32(2.302585), dtype=np.float64, batch_size=8).ok
    assert diagnose.compare_scalar("loss", 2.302585, np.array([[2.302585]]), dtype=np.float64).ok


@pytest.mark.parametrize(
    ("got", "code", "says"),
    [
        (2.0 * 16, diagnose.SCALED, "the loss is a sum, not a mean"),
        (2.0 / np.log(10), diagnose.SCALED, "np.log10 instead of the natural log"),
        (-2.0, diagnose.SIGN_FLIPPED, "the sign is flipped"),
        (2.5, diagnose.MISMATCH, "loss is 2.5, expected 2"),
        (np.full(16, 2.0), diagnose.SHAPE_MISMATCH, "one value per sample — take the mean"),
        (np.ones((2, 2)), diagnose.SHAPE_MISMATCH, "has shape (2, 2), expected a single number"),
        (np.float64("nan"), diagnose.NONFINITE, "log(0)"),
    ],
)
def test_scalar_diagnoses(got, code, says):
    verdict = failed(diagnose.compare_scalar("loss", 2.0, got, dtype=np.float64, batch_size=16), code)
    assert says in verdict.message


def test_accuracy_as_a_percentage():
    verdict = failed(diagnose.compare_scalar("accuracy", 0.75, 75.0, dtype=np.float64), diagnose.SCALED)
    assert "a percentage instead of a fraction" in verdict.message


def test_labels():
    expected = np.array([3, 1, 4, 1, 5])
    assert diagnose.compare_labels("predict", expected, expected.astype(float)).ok
    one_wrong = failed(diagnose.compare_labels("predict", expected, [3, 1, 4, 1, 6]), diagnose.MISMATCH)
    assert "1 of 5 labels (20.0%) differ; the first at index 4 (expected 5, got 6)" in one_wrong.message
    assert one_wrong.details["fraction_wrong"] == pytest.approx(0.2)
    shifted = failed(diagnose.compare_labels("predict", expected, expected + 1), diagnose.MISMATCH)
    assert "labels count from 0" in shifted.message
    constant = failed(diagnose.compare_labels("predict", expected, np.full(5, 2)), diagnose.MISMATCH)
    assert "Every prediction is 2" in constant.message


@pytest.mark.parametrize(
    ("got", "says"),
    [
        (np.zeros((1, 5)), "flatten it"),
        (np.zeros((10, 5)), "one row per class: take the argmax over axis=0"),
        (np.zeros(10), "not axis=1"),
    ],
)
def test_label_shapes(got, says):
    verdict = diagnose.compare_labels("predict", np.zeros(5, dtype=int), got)
    assert says in failed(verdict, diagnose.SHAPE_MISMATCH).message


def test_probabilities_are_not_labels():
    verdict = diagnose.compare_labels("predict", np.zeros(3, dtype=int), [0.2, 0.9, 0.1])
    assert "holds 0.2 at index 0" in failed(verdict, diagnose.MISMATCH).message


def test_tied_scores_excuse_either_label():
    scores = np.array([[1.0, 0.0], [1.0 + 1e-9, 2.0]])
    expected = scores.argmax(axis=0)
    assert diagnose.compare_labels("predict", expected, [0, 1], scores=scores, dtype=np.float32).ok
    assert not diagnose.compare_labels("predict", expected, [0, 0], scores=scores, dtype=np.float32).ok


# --- projections -----------------------------------------------------------------------------------------


def projections(factor: float | np.ndarray) -> diagnose.Verdict:
    """compare_projections with claimed = factor * measured on five probes."""
    measured = np.array([0.3, -1.2, 0.05, 2.0, -0.7])
    return diagnose.compare_projections(
        "dW1", measured, factor * measured, np.full(5, 1e-9), probes=[f"p{i}" for i in range(5)], batch_size=8
    )


def test_projections_agree():
    verdict = projections(1.0)
    assert verdict.ok and verdict.diagnosis is None
    assert_json(verdict)


def test_projections_with_a_consistent_ratio_are_scaled():
    verdict = failed(projections(8.0), diagnose.SCALED)
    assert verdict.details["factor"] == pytest.approx(8.0)
    assert "8 times what finite differences of the loss measure" in verdict.message
    assert "the loss is a sum, not a mean" in verdict.message
    assert "opposite sign" in failed(projections(-1.0), diagnose.SIGN_FLIPPED).message


def test_projections_with_inconsistent_ratios_mismatch():
    verdict = failed(projections(np.array([1.0, 1.0, 1.0, 0.5, 1.0])), diagnose.MISMATCH)
    assert "in 1 of 5 probes: along p3 the loss changes at a rate of 2, but dW1 gives 1" in verdict.message


def test_projections_of_a_transpose():
    measured = np.array([0.3, -1.2, 0.05])
    verdict = diagnose.compare_projections(
        "dW2", measured, [1.0, 1.0, 1.0], np.full(3, 1e-9), probes=["a", "b", "c"], transposed=measured
    )
    assert "transposed" in failed(verdict, diagnose.TRANSPOSED).message


def test_nonfinite_projections():
    verdict = diagnose.compare_projections("db1", [1.0], [np.nan], [1e-9], probes=["b1[0, 0]"])
    assert failed(verdict, diagnose.NONFINITE).details["claimed"] == [None]


# --- the checks' own codes -----------------------------------------------------------------------------


def test_every_code_is_described_once():
    codes = [value for name, value in vars(diagnose).items() if name.isupper() and isinstance(value, str)
             and value in diagnose.DIAGNOSES]  # fmt: skip
    assert sorted(codes) == sorted(diagnose.DIAGNOSES)
    assert all(description for description in diagnose.DIAGNOSES.values())
    assert set(diagnose.FAILURE_DIAGNOSES.values()) <= set(diagnose.DIAGNOSES)


def test_check_verdict_builders():
    mutated = failed(diagnose.mutates_input("update", ["params['W1']"]), diagnose.MUTATES_INPUT)
    assert "update changed its argument params['W1'] in place" in mutated.message
    reads = failed(diagnose.depends_on_global_state("backward", ["m"]), diagnose.DEPENDS_ON_GLOBAL_STATE)
    assert "`m`" in reads.message and "X.shape[1]" in reads.message
    ignores = failed(diagnose.ignores_argument("update", "lr"), diagnose.IGNORES_ARGUMENT)
    assert "it ignores `lr`" in ignores.message
    timeout = failed(diagnose.failed_call("train", "timeout", "no result within 10 s"), diagnose.TIMEOUT)
    assert timeout.message == "train: no result within 10 s"
    assert diagnose.failed_call("relu", "memory", "memory limit").diagnosis == diagnose.CRASH
    assert diagnose.failed_call("relu", "exception", "ZeroDivisionError").diagnosis == diagnose.EXCEPTION


@pytest.mark.parametrize(
    ("activation", "said"),
    [(np.tanh, "tanh"), (lambda Z: 1 / (1 + np.exp(-Z)), "sigmoid"), (lambda Z: Z * 1.5, None)],
)
def test_another_hidden_activation_is_named(activation, said):
    params, X, _ = problem(3, 4, 6)
    reference = network.forward(params, X)
    A1 = activation(reference.Z1)
    difference = other_network(reference, {"Z1": reference.Z1, "A1": A1})
    if said is None:
        assert difference is None
    else:
        assert difference == (f"its hidden layers are {said}, not relu", f"--activation {said}")
    assert other_network(reference, reference._asdict()) is None


def test_a_float16_result_is_too_coarse_to_be_judged_right():
    exact = gradients(3)["dW2"]
    verdict = failed(
        diagnose.compare("dW2", exact, exact.astype(np.float16), dtype=np.float64), diagnose.LOW_PRECISION
    )
    assert "float16" in verdict.message
    assert diagnose.compare("dW2", exact, exact.astype(np.float32), dtype=np.float64).ok


def test_a_scalar_db1_of_one_hidden_unit_is_a_scalar_bias_gradient():
    verdict = failed(
        diagnose.compare("db1", np.array([[0.25]]), np.float64(0.25), dtype=np.float64),
        diagnose.SHAPE_MISMATCH,
    )
    assert verdict.message.startswith("scalar bias gradient: db1 is a single number, expected (1, 1)")
    assert "flatten" not in verdict.message
