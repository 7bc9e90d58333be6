"""Checks of the column-wise softmax: values, probabilities, shift invariance, overflow."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance import diagnose, tolerance
from conformance.checks.assertions import expect_close, expect_shape
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import N_OUT, Problem, logits, problems
from conformance.tolerance import absolute_tolerance, coarsest_float


def _logits(problem: Problem, ctx: Context) -> np.ndarray:
    """Moderate logits (10, batch)."""
    return logits(np.random.default_rng(problem.seed), (N_OUT, problem.batch), ctx.dtype)


SOFTMAX_EPSILON = tolerance.STABILISER
"""Softmaxes written as e / (sum(e) + 1e-8) are accepted: the epsilon moves a probability by about 1e-8."""


def expect_softmax(
    name: str, Z: np.ndarray, got: object, ctx: Context, expected_of: np.ndarray | None = None
) -> None:
    """``got`` is softmax(``expected_of``, or Z) within the tolerance of the precision it was computed in,
    counting the rounding of Z itself to that precision (float32 logits of 1800 are off by 1e-4)."""
    precision = coarsest_float(ctx.precision, getattr(got, "dtype", ctx.dtype))
    rounding = absolute_tolerance(np.array(float(np.max(np.abs(Z), initial=0.0))), precision)
    expected = mnist_ref.softmax(Z if expected_of is None else expected_of)
    expect_close(name, expected, got, ctx, floor=rounding + SOFTMAX_EPSILON)


@check("softmax.values", "softmax")
def softmax_values(ctx: Context) -> None:
    """softmax(Z) equals the reference on moderate logits."""

    def body(problem: Problem) -> None:
        Z = _logits(problem, ctx)
        expect_softmax("softmax(Z)", Z, ctx.call("softmax", Z), ctx)

    ctx.for_all(problems(), body)


@check("softmax.probabilities", "softmax")
def softmax_probabilities(ctx: Context) -> None:
    """Every column lies in [0, 1] and sums to 1."""

    def body(problem: Problem) -> None:
        Z = _logits(problem, ctx)
        got = ctx.call("softmax", Z)
        expect_shape("softmax(Z)", Z.shape, got)
        tolerance = (
            1e3 * np.finfo(coarsest_float(ctx.precision, np.asarray(got).dtype)).eps + N_OUT * SOFTMAX_EPSILON
        )
        sums = got.sum(axis=0)
        worst = int(np.argmax(np.abs(sums - 1)))
        if not np.all(np.isfinite(got)) or abs(sums[worst] - 1) > tolerance or got.min() < -tolerance:
            raise CheckFailed(
                diagnose.MISMATCH,
                f"column {worst} of softmax(Z) sums to {sums[worst]:.6g}, expected 1: normalise each column "
                "(sum over axis=0 with keepdims=True), not the whole matrix or the rows",
                {"column_sums": sums.tolist()},
            )

    ctx.for_all(problems(), body)


@check("softmax.shift_invariance", "softmax")
def softmax_shift_invariance(ctx: Context) -> None:
    """Adding a different constant to each column changes nothing."""

    def body(problem: Problem) -> None:
        rng = np.random.default_rng(problem.seed)
        Z = _logits(problem, ctx)
        shifts = rng.uniform(-30, 30, (1, problem.batch)).astype(ctx.dtype)
        shifted = Z + shifts
        name = "softmax(Z + c) with one constant c per column"
        expect_softmax(name, shifted, ctx.call("softmax", shifted), ctx, expected_of=Z)

    ctx.for_all(problems(), body)


@check("softmax.large_logits", "softmax")
def softmax_large_logits(ctx: Context) -> None:
    """Logits of +-1e4 give finite probabilities (no overflow)."""
    Z = np.array([[1e4, -1e4], [0.0, -1e4 + 1.0], [-1e4, -1e4 + 2.0]], dtype=ctx.dtype)
    Z = np.vstack([Z, np.full((N_OUT - 3, 2), -1e4, dtype=ctx.dtype)])
    expect_softmax("softmax(Z) with logits of +-1e4", Z, ctx.call("softmax", Z), ctx)


@check("softmax.column_offsets", "softmax")
def softmax_column_offsets(ctx: Context) -> None:
    """Columns with very different offsets are each normalised on their own (max taken per column)."""
    Z = _logits(Problem(0, 4, 1), ctx) + np.array([[0.0, 900.0, -900.0, 1800.0]], dtype=ctx.dtype)
    expect_softmax("softmax(Z) with columns offset by 0, 900, -900, 1800", Z, ctx.call("softmax", Z), ctx)
