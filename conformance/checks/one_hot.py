"""Checks of one_hot: labels (m,) -> (10, m), whatever labels the batch happens to hold."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance import diagnose
from conformance.checks.assertions import expect_close
from conformance.checks.base import CheckFailed, Context, Skipped, TargetRaised, check
from conformance.strategies import N_OUT, Problem, make_inputs, problems

SMALL_LABELS = 5
"""Batches of labels 0..4 only: no 9, no 8..."""


def as_columns(got: object, expected: np.ndarray) -> object:
    """``got`` as columns (10, m) when it is exactly the one-hot rows (m, 10); anything else as it is.

    Either orientation is a right one-hot: code that builds rows transposes them where it uses them,
    and a backward that uses them the wrong way round fails the gradient checks, where the harm is.
    """
    if isinstance(got, np.ndarray) and got.shape == expected.T.shape and np.array_equal(got.T, expected):
        return got.T
    return got


@check("one_hot.values", "one_hot")
def one_hot_values(ctx: Context) -> None:
    """one_hot(y) has one column (or row) per label with a single 1 at the label."""

    def body(problem: Problem) -> None:
        y = np.random.default_rng(problem.seed).permutation(np.arange(N_OUT).repeat(problem.batch))
        expected = mnist_ref.one_hot(y)
        expect_close("one_hot(y)", expected, as_columns(ctx.call("one_hot", y), expected), ctx)

    ctx.for_all(problems(), body)


@check("one_hot.missing_classes", "one_hot")
def one_hot_missing_classes(ctx: Context) -> None:
    """A batch without the largest labels still gets 10 rows (not y.max() + 1)."""

    def body(problem: Problem) -> None:
        y = np.random.default_rng(problem.seed).integers(0, SMALL_LABELS, problem.batch)
        try:
            expected = mnist_ref.one_hot(y)
            expect_close(
                "one_hot(y) for labels 0..4 only", expected, as_columns(ctx.call("one_hot", y), expected), ctx
            )
        except CheckFailed as failed:
            failed.message += (
                "; the one-hot must have 10 rows whatever the batch holds: use 10, not Y.max() + 1"
            )
            raise

    ctx.for_all(problems(), body)


@check("one_hot.inside_backward", "one_hot")
def one_hot_inside_backward(ctx: Context) -> None:
    """backward also works on a batch without the largest labels (where it builds its own one-hot)."""
    every_digit = make_inputs(Problem(4, 12, 0), ctx.dtype, labels=np.arange(12) % N_OUT)
    try:
        ctx.call("backward", every_digit.params, every_digit.X, every_digit.y, every_digit.cache._asdict())
    except TargetRaised as raised:
        raise Skipped(
            f"backward fails on every batch ({raised.failure.message}): see the gradient checks"
        ) from None
    small_digits = make_inputs(Problem(4, 12, 0), ctx.dtype, labels=np.arange(12) % SMALL_LABELS)
    try:
        ctx.call(
            "backward", small_digits.params, small_digits.X, small_digits.y, small_digits.cache._asdict()
        )
    except TargetRaised as raised:
        raise CheckFailed(
            diagnose.EXCEPTION,
            "backward works on a batch holding every digit but fails on one holding only 0..4 "
            f"({raised.failure.message}): the one-hot it builds must have 10 rows, not Y.max() + 1",
        ) from None
