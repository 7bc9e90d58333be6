"""Checks of a short training run: the loss goes down, and the steps match the reference's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import mnist_ref
from conformance import diagnose, tolerance
from conformance.checks.assertions import expect_arrays, expect_close, has_shape
from conformance.checks.base import CheckFailed, Context, Skipped, check
from conformance.strategies import Problem, make_inputs

PROBLEM = Problem(hidden=16, batch=64, seed=7)
ONE_SAMPLE = Problem(hidden=16, batch=1, seed=7)
"""On one sample, full-batch, mini-batch and per-sample gradient descent take the same steps."""
LEARNING_RATE = 0.1
STEPS = 3


def _trained(ctx: Context, problem: Problem = PROBLEM) -> tuple[mnist_ref.Params, dict]:
    """The reference's starting parameters and the target's parameters after STEPS steps on ``problem``."""
    inputs = make_inputs(problem, ctx.dtype)
    trained = ctx.call(
        "train", inputs.params, inputs.X, inputs.y, LEARNING_RATE, STEPS, memo_key=("train", problem)
    )
    return inputs.params, expect_arrays("training", trained, mnist_ref.PARAM_NAMES)


@check("train.loss_decreases", "train")
def train_loss_decreases(ctx: Context) -> None:
    """A few steps of the target's own training loop lower the loss (on one sample, for a loop that steps
    on mini-batches or random samples: see ``_judged_as_it_steps``)."""
    _judged_as_it_steps(ctx, _expect_loss_decreases)


@check("train.trajectory", "train")
def train_trajectory(ctx: Context) -> None:
    """From the same parameters, the target's steps land where the reference's full-batch steps do.

    A loop whose code steps on mini-batches or samples (a batch-size parameter, ``range(0, n, bs)``,
    ``zip`` over the data, a randomly drawn sample) takes other steps on a batch, and the same steps on a
    single sample: for such a loop, wrong values on the batch that are right on one sample are not judged
    (the gradient checks judge the steps themselves).
    """
    _judged_as_it_steps(ctx, _expect_trajectory)


def _judged_as_it_steps(ctx: Context, expect: Callable[[Context, Problem], None]) -> None:
    """``expect(ctx, PROBLEM)``; for a loop that steps on mini-batches or samples, a mismatch there is
    judged again on ONE_SAMPLE: a failure there stands, agreement there leaves the check Skipped."""
    try:
        expect(ctx, PROBLEM)
    except CheckFailed as failed:
        if failed.diagnosis != diagnose.MISMATCH or not ctx.trains_in_batches:
            raise
        expect(ctx, ONE_SAMPLE)
        raise Skipped(
            f"its steps match the reference's on one sample but not on a batch of {PROBLEM.batch}: the loop "
            "is not full-batch gradient descent (mini-batches, one sample at a time), so its steps on a "
            "batch cannot be compared",
            {"one_sample_matches": True},
        ) from None


def _expect_loss_decreases(ctx: Context, problem: Problem) -> None:
    """The loss on ``problem`` after the target's STEPS steps is below the loss before, else CheckFailed."""
    start, trained = _trained(ctx, problem)
    inputs = make_inputs(problem, ctx.dtype)
    if not all(has_shape(trained[name], start[name].shape) for name in mnist_ref.PARAM_NAMES):
        raise CheckFailed(diagnose.SHAPE_MISMATCH, "training changed the shapes of the parameters")
    before = mnist_ref.loss(start, inputs.X, inputs.y)
    trained = {name: np.asarray(trained[name], dtype=start[name].dtype) for name in mnist_ref.PARAM_NAMES}
    after = mnist_ref.loss(trained, inputs.X, inputs.y) if _finite(trained) else float("inf")
    if not after < before:
        raise CheckFailed(
            diagnose.MISMATCH,
            f"after {STEPS} steps at lr={LEARNING_RATE} on {problem.batch} samples the loss went from "
            f"{before:.4f} to {after:.4f}: training does not descend",
            {"loss_before": before, "loss_after": after},
        )


def _expect_trajectory(ctx: Context, problem: Problem) -> None:
    """The target's parameters after STEPS steps on ``problem`` are the reference's, else CheckFailed (a
    softmax safeguard may move each step by STABILISER of its size)."""
    start, trained = _trained(ctx, problem)
    inputs = make_inputs(problem, ctx.dtype)
    expected = start
    for _ in range(STEPS):
        cache = mnist_ref.forward(expected, inputs.X)
        expected = mnist_ref.sgd_update(
            expected, mnist_ref.backward(expected, cache, inputs.X, inputs.y), LEARNING_RATE
        )
    for name in mnist_ref.PARAM_NAMES:
        expect_close(
            f"{name} after {STEPS} training steps on {problem.batch} samples (the change from the start)",
            expected[name] - start[name],
            np.asarray(trained[name]) - start[name],
            ctx,
            floor=tolerance.absolute_tolerance(start[name], ctx.precision, terms=STEPS)
            + tolerance.STABILISER * float(np.max(np.abs(expected[name] - start[name]), initial=0.0)),
        )


def _finite(params: mnist_ref.Params) -> bool:
    return all(np.all(np.isfinite(value)) for value in params.values())
