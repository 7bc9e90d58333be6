"""Turns a comparison into a Verdict a student can act on: what was expected, what came back, and why.

Every check ends in a :class:`Verdict`. A wrong result gets a diagnosis code (the
constants below; :data:`DIAGNOSES` is the list the README and the JSON report
show) and a message that says what was expected, what came back (shapes, the
largest absolute and relative error, and where) and one hint.

Comparisons here never raise on what a target returned: ``None``, a string, a
ragged list or an array of the wrong shape all become verdicts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from conformance.tolerance import absolute_tolerance, coarsest_float

SHAPE_MISMATCH = "shape_mismatch"
SCALED = "scaled"
TRANSPOSED = "transposed"
SIGN_FLIPPED = "sign_flipped"
NONFINITE = "nonfinite"
MISMATCH = "mismatch"
MUTATES_INPUT = "mutates_input"
DEPENDS_ON_GLOBAL_STATE = "depends_on_global_state"
IGNORES_ARGUMENT = "ignores_argument"
EXCEPTION = "exception"
TIMEOUT = "timeout"
CRASH = "crash"
OUTPUT_FLOOD = "output_flood"
NOT_PROVIDED = "not_provided"
DIFFERENT_NETWORK = "different_network"
IMPORT_FAILED = "import_failed"
LOW_PRECISION = "low_precision"
WRONG_ORDER = "wrong_order"
FORBIDDEN_IMPORT = "forbidden_import"
DERIVATIVE_AT_ACTIVATION = "derivative_at_activation"
L2_MISSING = "l2_missing"
L2_DOUBLED = "l2_doubled"
BIAS_DECAYED = "bias_decayed"
NO_BIAS_CORRECTION = "no_bias_correction"
MOMENTUM_ON_GRADIENT = "momentum_on_gradient"

DIAGNOSES: dict[str, str] = {
    SHAPE_MISMATCH: "the result has the wrong shape, or is not an array of numbers at all",
    SCALED: "the result is the right one times a constant factor (often the batch size m)",
    TRANSPOSED: "the result is the transpose of the right one (row layout instead of column layout)",
    SIGN_FLIPPED: "the result is the right one with the opposite sign",
    NONFINITE: "the result contains NaN or infinite values",
    MISMATCH: "the values are wrong in no simpler pattern",
    MUTATES_INPUT: "the function changed an argument's array in place",
    DEPENDS_ON_GLOBAL_STATE: "the result depends on a module-level variable, not only on the arguments",
    IGNORES_ARGUMENT: "the result stays the same when an argument changes",
    EXCEPTION: "the function raised an exception",
    TIMEOUT: "the function did not return within the time limit",
    CRASH: "the process running the function died (a crash, sys.exit, the memory or the disk limit)",
    OUTPUT_FLOOD: "the function printed more than the output limit",
    NOT_PROVIDED: "the implementation has no such component",
    DIFFERENT_NETWORK: "the target is another network of the family than the one checked (depth, activation, "
    "outputs, loss, L2 or optimizer): the message names the options that check it as it is",
    IMPORT_FAILED: "the function uses a name that a failed top-level import of the target should set",
    LOW_PRECISION: "the result is coarser than float32 (float16): too coarse to be judged right",
    WRONG_ORDER: "the target's own code passes the gradients on in another order than they come or go",
    FORBIDDEN_IMPORT: "the function used a module a submission may not import (the reference, the checker, "
    "torch, jax, tensorflow...)",
    DERIVATIVE_AT_ACTIVATION: "the hidden activation's derivative is taken at the activation A instead of at "
    "Z (sigmoid: s(A)(1 - s(A)) where A(1 - A) belongs)",
    L2_MISSING: "the L2 term (lambda/m) W is missing from the weight gradients",
    L2_DOUBLED: "the L2 term (lambda/m) W is counted twice in the weight gradients",
    BIAS_DECAYED: "the L2 decay is applied to the biases too: only the weights are decayed",
    NO_BIAS_CORRECTION: "Adam steps without the bias corrections m / (1 - beta1^t) and v / (1 - beta2^t)",
    MOMENTUM_ON_GRADIENT: "the momentum step moves the parameters by the gradient instead of by the velocity",
}
"""Every diagnosis code, with a one-line description."""

FAILURE_DIAGNOSES: dict[str, str] = {
    "exception": EXCEPTION,
    "timeout": TIMEOUT,
    "crash": CRASH,
    "exit": CRASH,
    "memory": CRASH,
    "disk": CRASH,
    "output_flood": OUTPUT_FLOOD,
    "not_provided": NOT_PROVIDED,
    "import_failed": IMPORT_FAILED,
    "forbidden_import": FORBIDDEN_IMPORT,
}
"""The diagnosis for each kind of failed call (``conformance.sandbox.protocol.FailureKind``)."""

SIGN_HINT = "check the minus sign in -log(p), and use A2 - Y, not Y - A2"

FACTOR_RTOL = 1e-4
"""How close a fitted factor must be to a known one (m, 1/m, 2, ...) to be named after it."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one comparison.

    ``diagnosis`` is None when ``ok``; otherwise one of :data:`DIAGNOSES`. ``details``
    holds only JSON values (numbers, strings, lists, None): shapes, errors, the factor.
    """

    ok: bool
    diagnosis: str | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def _coarser_than_float32(dtype: np.dtype) -> bool:
    """True for a floating dtype less precise than float32 (float16, bfloat16-like)."""
    return np.issubdtype(dtype, np.floating) and np.finfo(dtype).eps > np.finfo(np.float32).eps


def compare(
    name: str,
    expected: np.ndarray,
    got: Any,
    *,
    dtype: np.dtype | type | str,
    batch_size: int | None = None,
    terms: int | None = None,
    floor: float = 0.0,
) -> Verdict:
    """Compare a target's array ``got`` with the exact ``expected`` array (any shape).

    ``dtype`` is the floating dtype the target was given; if ``got`` is less precise, its
    own dtype sets the tolerance (see conformance.tolerance). ``batch_size`` (m) lets a
    factor m or 1/m and a per-sample shape (h, m) be recognised. ``terms``, the number of
    values summed into one entry, defaults to the batch size. ``floor`` is noise the caller
    knows about beyond ``expected``'s own scale: for a difference of two nearly equal
    arrays (W_after - W_before), ``absolute_tolerance(W_before, dtype)``.
    """
    expected = np.asarray(expected, dtype=np.float64)
    values = _as_numbers(name, got, expected.shape)
    if isinstance(values, Verdict):
        return values
    if values.shape != expected.shape:
        return _wrong_shape(name, expected, values, dtype, batch_size)
    if not np.all(np.isfinite(values)):
        return nonfinite(name, values)
    if _coarser_than_float32(values.dtype):
        return Verdict(
            False,
            LOW_PRECISION,
            f"{name} is {values.dtype}: results coarser than float32 are not judged (their rounding would "
            "hide errors of several percent); compute in float32 or float64",
            {"dtype": str(values.dtype)},
        )
    precision = coarsest_float(dtype, values.dtype)
    atol = absolute_tolerance(expected, precision, terms=terms or batch_size or 1, floor=floor)
    got64 = values.astype(np.float64)
    details = _error_details(expected, got64, atol, precision)
    if details["max_abs_error"] <= atol:
        return Verdict(True, None, f"{name} matches (max abs error {details['max_abs_error']:.3g})", details)
    return _wrong_values(name, expected, got64, atol, batch_size, details)


def compare_shape(
    name: str, expected_shape: tuple[int, ...], got: Any, *, batch_size: int | None = None
) -> Verdict | None:
    """None when ``got`` is an array of numbers of exactly ``expected_shape``, else why not.

    The verdict is ``shape_mismatch`` (``mismatch`` for something that is not numbers at
    all, such as None or a string), its message naming the likely cause.
    """
    values = _as_numbers(name, got, tuple(expected_shape))
    if isinstance(values, Verdict):
        return values
    if values.shape == tuple(expected_shape):
        return None
    details = {"expected_shape": list(expected_shape), "got_shape": list(values.shape)}
    return Verdict(
        False, SHAPE_MISMATCH, _shape_message(name, tuple(expected_shape), values, batch_size), details
    )


def compare_scalar(
    name: str,
    expected: float,
    got: Any,
    *,
    dtype: np.dtype | type | str,
    batch_size: int | None = None,
    terms: int | None = None,
    floor: float = 0.0,
) -> Verdict:
    """Compare a target's single number ``got`` (a loss, an accuracy) with ``expected``.

    Any array holding one number counts as a number. One value per sample (shape (m,))
    is a shape mismatch; a known factor (m, 1/m, -1, 100, log10 ...) is named. ``terms``
    and ``floor`` are as in :func:`compare`.
    """
    values = _as_numbers(name, got, ())
    if isinstance(values, Verdict):
        return values
    details: dict[str, Any] = {"expected": float(expected), "got_shape": list(values.shape)}
    if values.size != 1:
        hint = "one value per sample — take the mean over the batch" if values.size == batch_size else ""
        message = f"{name} has shape {values.shape}, expected a single number" + (f": {hint}" if hint else "")
        return Verdict(False, SHAPE_MISMATCH, message, details)
    value = float(values.reshape(-1)[0])
    details["got"] = value if math.isfinite(value) else None
    if not math.isfinite(value):
        hint = "log(0) from a probability that underflowed to 0: use log-softmax or clip the probabilities"
        return Verdict(False, NONFINITE, f"{name} is {value}, expected {expected:.6g}: {hint}", details)
    precision = coarsest_float(dtype, values.dtype)
    atol = absolute_tolerance(expected, precision, terms=terms or batch_size or 1, floor=floor)
    error = abs(value - expected)
    details.update(max_abs_error=error, tolerance=atol, dtype=str(precision))
    if error <= atol:
        return Verdict(True, None, f"{name} matches ({value:.6g})", details)
    factor = value / expected if expected != 0 else None
    cause = explain_factor(factor, batch_size) if factor is not None else None
    if cause is None:
        message = f"{name} is {value:.6g}, expected {expected:.6g} (error {error:.3g}, tolerance {atol:.2g})"
        return Verdict(False, MISMATCH, message, details)
    details["factor"] = factor
    code = SIGN_FLIPPED if math.isclose(factor, -1.0, rel_tol=FACTOR_RTOL) else SCALED
    return Verdict(False, code, f"{name} is {value:.6g}, expected {expected:.6g}: {cause}", details)


def compare_labels(
    name: str,
    expected: np.ndarray,
    got: Any,
    *,
    scores: np.ndarray | None = None,
    dtype: np.dtype | type | str = np.float64,
) -> Verdict:
    """Compare predicted labels ``got`` with ``expected`` (m,): exactly, label by label.

    ``scores`` (k, m), the logits the expected labels are the argmax of, excuse a label
    whose score ties with the maximum within the rounding noise of ``dtype``.
    """
    expected = np.asarray(expected)
    m = expected.size
    values = _as_numbers(name, got, expected.shape)
    if isinstance(values, Verdict):
        return values
    details: dict[str, Any] = {"expected_shape": [m], "got_shape": list(values.shape)}
    if values.shape != expected.shape:
        if values.ndim == 2 and values.shape[1] == m and values.shape[0] > 1:
            hint = "one row per class: take the argmax over axis=0, one label per column (sample)"
        elif values.size == m:
            hint = "flatten it: np.argmax(A2, axis=0) already has shape (m,)"
        else:
            hint = "one label per sample (column): take the argmax over axis=0, not axis=1"
        return Verdict(
            False, SHAPE_MISMATCH, f"{name} has shape {values.shape}, expected ({m},): {hint}", details
        )
    as_float = values.astype(np.float64)
    whole = np.isfinite(as_float) & (as_float == np.round(as_float))
    if not whole.all():
        where = int(np.flatnonzero(~whole)[0])
        message = (
            f"{name} holds {as_float[where]:g} at index {where}: labels are class numbers 0-9 "
            "(probabilities? take the argmax over axis=0)"
        )
        return Verdict(False, MISMATCH, message, details)
    wrong = values != expected
    if scores is not None:
        wrong &= ~_tied_with_best(np.asarray(scores, dtype=np.float64), values, dtype)
    details.update(wrong_count=int(wrong.sum()), fraction_wrong=float(wrong.mean()) if m else 0.0)
    if not wrong.any():
        return Verdict(True, None, f"{name} matches (all {m} labels)", details)
    first = int(np.flatnonzero(wrong)[0])
    details["first_wrong_index"] = first
    message = (
        f"{name}: {int(wrong.sum())} of {m} labels ({wrong.mean():.1%}) differ; the first at index "
        f"{first} (expected {int(expected[first])}, got {int(values[first])})"
    )
    hint = _label_hint(expected, values)
    return Verdict(False, MISMATCH, message + (f". {hint}" if hint else ""), details)


def compare_projections(
    name: str,
    finite_difference: Sequence[float],
    claimed: Sequence[float],
    tolerance: Sequence[float],
    *,
    probes: Sequence[str],
    transposed: Sequence[float] | None = None,
    batch_size: int | None = None,
) -> Verdict:
    """Compare a claimed gradient with finite differences of the loss, projection by projection.

    Entry i of each sequence belongs to ``probes[i]`` (a label such as "random direction 1"
    or "W1[3, 415]"): the measured rate of change of the loss, <claimed gradient, direction>,
    and the error allowed. ``transposed`` holds <claimed.T, direction> for a square gradient.
    Ratios claimed / measured that agree on one constant make a ``scaled`` (or
    ``sign_flipped``) verdict.
    """
    fd, cl, tol = (np.asarray(v, dtype=np.float64) for v in (finite_difference, claimed, tolerance))
    details: dict[str, Any] = {
        "probes": list(probes),
        "finite_difference": fd.tolist(),
        "tolerance": tol.tolist(),
        "claimed": [v if math.isfinite(v) else None for v in cl.tolist()],
    }
    if not np.all(np.isfinite(cl)):
        return Verdict(False, NONFINITE, f"{name} gives NaN or infinite rates of change of the loss", details)
    off = np.abs(cl - fd) > tol
    if not off.any():
        return Verdict(True, None, f"{name} agrees with finite differences along {fd.size} probes", details)
    if transposed is not None and np.all(np.abs(np.asarray(transposed) - fd) <= tol):
        message = f"{name} is transposed: its transpose agrees with finite differences of the loss"
        return Verdict(False, TRANSPOSED, message, details)
    factor = _fit_factor(fd, cl, tol)
    if factor is not None:
        details["factor"] = factor
        return _scaled(name, factor, batch_size, "what finite differences of the loss measure", details)
    worst = int(np.argmax(np.abs(cl - fd) - tol))
    message = (
        f"{name} disagrees with finite differences of the loss in {int(off.sum())} of {fd.size} probes: "
        f"along {probes[worst]} the loss changes at a rate of {fd[worst]:.4g}, "
        f"but {name} gives {cl[worst]:.4g}"
    )
    return Verdict(False, MISMATCH, message, details)


def nonfinite(name: str, got: np.ndarray) -> Verdict:
    """The verdict for an array ``got`` that holds NaN or infinite values."""
    nan, inf = int(np.isnan(got).sum()), int(np.isinf(got).sum())
    first = [int(i) for i in np.argwhere(~np.isfinite(got))[0]]
    message = (
        f"{name} contains {nan} NaN and {inf} infinite values out of {got.size} (the first at "
        f"{tuple(first)}): exp overflowing (subtract each column's max before exp) or log(0) "
        "(use log-softmax, or clip the probabilities)?"
    )
    details = {
        "got_shape": list(got.shape),
        "nan_count": nan,
        "inf_count": inf,
        "first_nonfinite_index": first,
    }
    return Verdict(False, NONFINITE, message, details)


def explain_factor(factor: float, batch_size: int | None = None) -> str | None:
    """The likely cause of a result that is ``factor`` times the right one; None if no known cause."""
    if math.isclose(factor, -1.0, rel_tol=FACTOR_RTOL):
        return f"the sign is flipped: {SIGN_HINT}"
    cause = _known_cause(abs(factor), batch_size)
    if cause is not None and factor < 0:
        return cause + ", and the sign is flipped"
    return cause


def _known_cause(factor: float, batch_size: int | None) -> str | None:
    """The cause of a known positive ``factor``: the batch size, 1/m, 2, 100, 1/ln(10)..."""
    known = []
    if batch_size and batch_size > 1:
        known += [
            (
                batch_size,
                f"a factor m = {batch_size}, the batch size: a sum over the batch where a mean "
                "belongs (the loss is a sum, not a mean) — divide by m",
            ),
            (1 / batch_size, f"a factor 1/m with m = {batch_size}: divided by m twice — divide by m once"),
        ]
    known += [
        (2.0, "a constant factor 2: a stray 2 (the derivative of a squared error?)"),
        (0.5, "a constant factor 0.5: a stray 1/2, or a sample count read from a global"),
        (100.0, "a factor 100: a percentage instead of a fraction"),
        (0.01, "a factor 1/100: a fraction divided by 100 once too often"),
        (1 / math.log(10), "a factor 1/ln(10): np.log10 instead of the natural log np.log"),
        (1 / math.log(2), "a factor 1/ln(2): np.log2 instead of the natural log np.log"),
    ]
    for value, cause in known:
        if math.isclose(factor, value, rel_tol=FACTOR_RTOL):
            return cause
    return None


def mutates_input(component: str, paths: Sequence[str]) -> Verdict:
    """``component`` changed the arrays at ``paths`` ("params['W1']", "X") in place."""
    changed = ", ".join(paths)
    message = (
        f"{component} changed its argument {changed} in place; the caller's arrays must stay as they "
        "were — compute new arrays (W = W - lr * dW), not in place (W -= lr * dW)"
    )
    return Verdict(False, MUTATES_INPUT, message, {"mutated": list(paths)})


def depends_on_global_state(component: str, names: Sequence[str]) -> Verdict:
    """Changing the module-level variables ``names`` changed what ``component`` returned."""
    listed = ", ".join(f"`{n}`" for n in names)
    message = (
        f"{component} depends on the module-level variable {listed}: changing it changed the result. "
        "Compute what you need from the arguments (m = X.shape[1], not a global m)"
    )
    return Verdict(False, DEPENDS_ON_GLOBAL_STATE, message, {"globals": list(names)})


def ignores_argument(component: str, argument: str) -> Verdict:
    """``component`` returned the same result for a different ``argument``."""
    message = (
        f"{component} returns the same result when `{argument}` changes: it ignores `{argument}` "
        "(a global used instead, or the argument overwritten inside the function?)"
    )
    return Verdict(False, IGNORES_ARGUMENT, message, {"argument": argument})


def failed_call(component: str, kind: str, message: str, detail: str = "") -> Verdict:
    """A call that did not return: ``kind`` is a sandbox FailureKind, ``message`` its one-line reason."""
    return Verdict(
        False, FAILURE_DIAGNOSES[kind], f"{component}: {message}", {"failure": kind, "detail": detail}
    )


def _as_numbers(name: str, got: Any, expected_shape: tuple[int, ...]) -> np.ndarray | Verdict:
    """``got`` as a numeric (or boolean) array, or the verdict saying what it is instead."""
    if got is None:
        what = "None (nothing was returned: a missing return statement?)"
    elif isinstance(got, str | bytes):
        what = f"a string ({str(got)[:40]!r})"
    elif isinstance(got, dict):
        what = f"a dict with keys {sorted(map(str, got))}"
    else:
        try:
            values = np.asarray(got)
        except (ValueError, TypeError):
            kind = type(got).__name__
            message = f"{name} is a {kind} that is not a rectangular array (rows of different lengths?)"
            return Verdict(False, SHAPE_MISMATCH, message, {"expected_shape": list(expected_shape)})
        if (
            values.dtype == bool
            or np.issubdtype(values.dtype, np.integer)
            or np.issubdtype(values.dtype, np.floating)
        ):
            return values
        what = f"a {type(got).__name__} of {values.dtype} values, not of numbers"
    expected = f"an array of shape {expected_shape}" if expected_shape else "a number"
    details = {"expected_shape": list(expected_shape), "not_numbers": True}
    return Verdict(False, MISMATCH, f"{name} is {what}, expected {expected}", details)


def _wrong_shape(
    name: str, expected: np.ndarray, got: np.ndarray, dtype: np.dtype | type | str, batch_size: int | None
) -> Verdict:
    """A verdict for ``got`` whose shape differs from ``expected``'s, using the values to name the cause."""
    details = {"expected_shape": list(expected.shape), "got_shape": list(got.shape)}
    precision = coarsest_float(dtype, got.dtype)
    if (
        got.ndim == 2
        and got.shape == expected.shape[::-1]
        and _within(got.T, expected, absolute_tolerance(expected, precision))
    ):
        message = (
            f"{name} is transposed: shape {got.shape}, expected {expected.shape}, and its transpose "
            "has the right values — keep the column layout (one sample per column)"
        )
        return Verdict(False, TRANSPOSED, message, details)
    message = _shape_message(name, expected.shape, got, batch_size)
    if got.size == 1 and expected.size > 1:
        total = expected.sum()
        if abs(float(got.flat[0]) - total) <= absolute_tolerance(total, precision, terms=expected.size):
            message += "; it is the sum of all the entries (a sum without axis)"
    return Verdict(False, SHAPE_MISMATCH, message, details)


def _shape_message(name: str, shape: tuple[int, ...], got: np.ndarray, batch_size: int | None) -> str:
    """What is wrong with ``got``'s shape (expected ``shape``), with the most likely cause first."""
    column = len(shape) == 2 and shape[1] == 1
    rows = shape[0] if shape else 0
    if got.ndim == 0 or (got.size == 1 and math.prod(shape) > 1):
        prefix = "scalar bias gradient: " if name.startswith("db") else ""
        fix = " — sum over axis=1 with keepdims=True" if column else ""
        return f"{prefix}{name} is a single number, expected {shape}{fix}"
    if column and got.shape == (rows,):
        return f"missing keepdims: {name} has shape ({rows},), expected {shape} — sum with keepdims=True"
    if column and batch_size and batch_size > 1 and got.shape == (rows, batch_size):
        return (
            f"per-sample bias: {name} has shape {got.shape}, one column per sample — sum over the batch "
            "(axis=1, keepdims=True)"
        )
    if column and got.shape == (rows, rows):
        return (
            f"{name} has shape {got.shape}, expected {shape}: a ({rows},) array was broadcast against a "
            f"({rows}, 1) column — keep every bias (and its gradient) a ({rows}, 1) column"
        )
    if got.ndim == 2 and got.shape == shape[::-1]:
        return (
            f"{name} has shape {got.shape}, the transpose of the expected {shape}: samples as rows? "
            "Use the column layout, one sample per column"
        )
    if got.size == math.prod(shape):
        return (
            f"{name} has shape {got.shape}, expected {shape}: the same number of entries in another "
            "shape — do not flatten or reshape it"
        )
    return f"{name} has shape {got.shape}, expected {shape}"


def _error_details(expected: np.ndarray, got: np.ndarray, atol: float, dtype: np.dtype) -> dict[str, Any]:
    """Shapes, the largest absolute error and where, relative to the largest expected entry."""
    error = np.abs(got - expected)
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.size else ()
    max_abs = float(error.max(initial=0.0))
    scale = float(np.abs(expected).max(initial=0.0))
    return {
        "expected_shape": list(expected.shape),
        "got_shape": list(got.shape),
        "dtype": str(dtype),
        "tolerance": atol,
        "max_abs_error": max_abs,
        "max_rel_error": max_abs / scale if scale > 0 else None,
        "worst_index": [int(i) for i in worst],
        "expected_at_worst": float(expected[worst]) if error.size else None,
        "got_at_worst": float(got[worst]) if error.size else None,
        "wrong_entries": int((error > atol).sum()),
    }


def _wrong_values(
    name: str, expected: np.ndarray, got: np.ndarray, atol: float, batch_size: int | None, details: dict
) -> Verdict:
    """Right shape, wrong values: transposed, scaled, sign-flipped, or a plain mismatch."""
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] > 1 and _within(got.T, expected, atol):
        message = f"{name} is transposed: its transpose has the right values — keep the column layout"
        return Verdict(False, TRANSPOSED, message, details)
    factor = _fit_factor(expected, got, atol)
    if factor is not None:
        details["factor"] = factor
        return _scaled(name, factor, batch_size, "the expected result", details)
    where = tuple(details["worst_index"])
    message = (
        f"{name} has wrong values: {details['wrong_entries']} of {expected.size} entries are off by more "
        f"than {atol:.2g}; the largest error is {details['max_abs_error']:.4g} at {where} (expected "
        f"{details['expected_at_worst']:.4g}, got {details['got_at_worst']:.4g})"
    )
    if details["max_rel_error"] is not None:
        message += f", {details['max_rel_error']:.1%} of the largest expected entry"
    hint = _where_wrong(got, np.abs(got - expected) > atol)
    return Verdict(False, MISMATCH, message + (f". {hint}" if hint else ""), details)


def _scaled(name: str, factor: float, batch_size: int | None, reference: str, details: dict) -> Verdict:
    """A scaled or sign-flipped verdict: ``name`` is ``factor`` times ``reference`` (what it should be)."""
    if math.isclose(factor, -1.0, rel_tol=FACTOR_RTOL):
        return Verdict(
            False, SIGN_FLIPPED, f"{name} is {reference} with the opposite sign: {SIGN_HINT}", details
        )
    cause = explain_factor(factor, batch_size) or (
        f"a constant factor {factor:.4g}: a sample count read from a global (the whole data set instead of "
        "this batch?), or a stray constant"
    )
    return Verdict(False, SCALED, f"{name} is {factor:.4g} times {reference}: {cause}", details)


def _fit_factor(expected: np.ndarray, got: np.ndarray, atol: float | np.ndarray) -> float | None:
    """The constant c with got == c * expected within ``atol`` (scaled by |c|), if there is one.

    Needs two or more clearly nonzero expected entries, and c must not be 1.
    """
    if np.count_nonzero(np.abs(expected) > atol) < 2:
        return None
    factor = float(np.sum(expected * got) / np.sum(expected * expected))
    if factor == 0 or math.isclose(factor, 1.0, rel_tol=FACTOR_RTOL):
        return None
    residual_ok = np.all(np.abs(got - factor * expected) <= np.asarray(atol) * max(1.0, abs(factor)))
    return factor if residual_ok else None


def _where_wrong(got: np.ndarray, wrong: np.ndarray) -> str:
    """A hint on where the wrong entries of a 2-D result are: all zeros, a few rows, a few columns."""
    if not got.any():
        return "It is all zeros"
    if got.ndim != 2:
        return ""
    for axis, label in ((1, "row"), (0, "column")):
        lines = np.flatnonzero(wrong.any(axis=axis))
        if 0 < lines.size <= 3 < wrong.shape[1 - axis]:
            if lines.size == 1:
                return f"Only {label} {int(lines[0])} is wrong"
            return f"Only {label}s {', '.join(str(int(i)) for i in lines)} are wrong"
    return ""


def _within(got: np.ndarray, expected: np.ndarray, atol: float) -> bool:
    """Every entry of ``got`` within ``atol`` of the same entry of ``expected`` (same shapes)."""
    return bool(np.all(np.abs(got.astype(np.float64) - expected) <= atol))


def _tied_with_best(scores: np.ndarray, labels: np.ndarray, dtype: np.dtype | type | str) -> np.ndarray:
    """(m,) True where ``labels``' score is within rounding noise of the column's best score."""
    classes, m = scores.shape
    valid = (labels >= 0) & (labels < classes)
    picked = np.where(valid, scores[np.where(valid, labels, 0).astype(int), np.arange(m)], -np.inf)
    return picked >= scores.max(axis=0) - absolute_tolerance(scores, dtype)


def _label_hint(expected: np.ndarray, got: np.ndarray) -> str:
    """A hint for wrong labels: off by one, or one class for every sample."""
    if np.all(got == expected + 1):
        return "Every label is one too high: labels count from 0"
    if np.all(got == got.flat[0]) and np.unique(expected).size > 1:
        return (
            f"Every prediction is {int(got.flat[0])}: the argmax over the wrong axis, or a constant output?"
        )
    return ""
