"""Checks of one_hot: labels (m,) -> (10, m), whatever labels the batch happens to hold."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance.checks.assertions import expect_close
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import N_OUT, Problem, problems


@check("one_hot.values", "one_hot")
def one_hot_values(ctx: Context) -> None:
    """one_hot(y) has one column per label with a single 1 in the label's row."""

    def body(problem: Problem) -> None:
        y = np.random.default_rng(problem.seed).permutation(np.arange(N_OUT).repeat(problem.batch))
        expect_close("one_hot(y)", mnist_ref.one_hot(y), ctx.call("one_hot", y), ctx)

    ctx.for_all(problems(), body)


@check("one_hot.missing_classes", "one_hot")
def one_hot_missing_classes(ctx: Context) -> None:
    """A batch without the largest labels still gets 10 rows (not y.max() + 1)."""

    def body(problem: Problem) -> None:
        y = np.random.default_rng(problem.seed).integers(0, 5, problem.batch)
        try:
            expect_close("one_hot(y) for labels 0..4 only", mnist_ref.one_hot(y), ctx.call("one_hot", y), ctx)
        except CheckFailed as failed:
            failed.message += (
                "; the one-hot must have 10 rows whatever the batch holds: use 10, not Y.max() + 1"
            )
            raise

    ctx.for_all(problems(), body)
