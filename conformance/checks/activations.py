"""Checks of relu and its gradient."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance import diagnose
from conformance.checks.assertions import expect_close, expect_untouched
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import Problem, logits, problems


def _hidden_values(problem: Problem, ctx: Context) -> np.ndarray:
    """Z1-like values (hidden, batch), none exactly 0."""
    return logits(np.random.default_rng(problem.seed), (problem.hidden, problem.batch), ctx.dtype)


@check("relu.values", "relu")
def relu_values(ctx: Context) -> None:
    """relu(Z) equals max(Z, 0) elementwise with Z's shape."""

    def body(problem: Problem) -> None:
        Z = _hidden_values(problem, ctx)
        expect_close("relu(Z)", mnist_ref.relu(Z), ctx.call("relu", Z), ctx)

    ctx.for_all(problems(), body)


@check("relu.inputs_untouched", "relu", side=True)
def relu_inputs_untouched(ctx: Context) -> None:
    """relu leaves its input array unchanged."""
    expect_untouched(ctx.call_outcome("relu", _hidden_values(Problem(4, 3, 0), ctx)), "relu")


@check("relu_grad.values", "relu_grad")
def relu_grad_values(ctx: Context) -> None:
    """The relu gradient is 1 where Z > 0 and 0 where Z < 0."""

    def body(problem: Problem) -> None:
        Z = _hidden_values(problem, ctx)
        got = ctx.call("relu_grad", Z)
        expect_close("relu_grad(Z)", mnist_ref.relu_grad(Z), _as_float(got), ctx)

    ctx.for_all(problems(), body)


@check("relu_grad.at_zero", "relu_grad")
def relu_grad_at_zero(ctx: Context) -> None:
    """At Z == 0 any subgradient in [0, 1] is accepted; elsewhere 0 or 1."""
    Z = np.array([[-2.0, 0.0, 3.0], [0.0, 1.5, -0.5]], dtype=ctx.dtype)
    got = _as_float(ctx.call("relu_grad", Z))
    expected = mnist_ref.relu_grad(Z)
    off_kink = Z != 0
    if np.shape(got) == Z.shape and np.all((got[~off_kink] >= 0) & (got[~off_kink] <= 1)):
        got = np.where(off_kink, got, expected)
    expect_close("relu_grad(Z) with zeros in Z", expected, got, ctx)


def _as_float(got: object) -> object:
    """Boolean masks are fine gradients: compare them as 0.0 / 1.0."""
    if isinstance(got, np.ndarray) and got.dtype == bool:
        return got.astype(np.float64)
    if isinstance(got, np.ndarray) and not np.issubdtype(got.dtype, np.number):
        raise CheckFailed(diagnose.MISMATCH, f"relu_grad returned an array of {got.dtype}, expected numbers")
    return got
