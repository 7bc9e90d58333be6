"""Checks of the gradient-descent update: theta - lr * d_theta, with the lr it is given, and no memory."""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import diagnose, tolerance
from conformance.checks.assertions import PARAMS, expect_arrays, expect_close, has_shape
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import Inputs, Problem, make_inputs, problems

WITHIN_RATE = 0.5
"""The learning rate an update applied inside the target's own step is probed with (and half of it)."""


def _gradients(inputs: Inputs, seed: int) -> dict[str, np.ndarray]:
    """Random gradients with the parameters' shapes and dtype."""
    rng = np.random.default_rng(seed + 1)
    return {
        f"d{name}": rng.standard_normal(value.shape).astype(value.dtype)
        for name, value in inputs.params.items()
    }


def _steps(ctx: Context, inputs: Inputs, grads: dict[str, np.ndarray], lr: float) -> dict[str, Any]:
    """What the target's update moved each parameter by: new - old (None where it returned no array)."""
    new = expect_arrays("update", ctx.call("update", inputs.params, grads, lr), PARAMS)
    return {
        name: new[name] - inputs.params[name]
        if has_shape(new[name], inputs.params[name].shape)
        else new[name]
        for name in PARAMS
    }


@check("update.values", "update")
def update_values(ctx: Context) -> None:
    """Every parameter moves by -lr times its gradient."""

    def body(problem: Problem) -> None:
        inputs = make_inputs(problem, ctx.dtype)
        grads = _gradients(inputs, problem.seed)
        steps = _steps(ctx, inputs, grads, 0.1)
        for name in PARAMS:
            expect_close(
                f"the step of {name} (new {name} - old {name})", -0.1 * grads[f"d{name}"], steps[name], ctx
            )

    ctx.for_all(problems(), body, examples=5)


@check("update.learning_rate", "update", side=True)
def update_learning_rate(ctx: Context) -> None:
    """The step is proportional to the learning rate passed in."""
    inputs = make_inputs(Problem(4, 3, 0), ctx.dtype)
    grads = _gradients(inputs, 0)
    slow, fast = _steps(ctx, inputs, grads, 0.01), _steps(ctx, inputs, grads, 0.5)
    for name in PARAMS:
        if has_shape(slow[name], inputs.params[name].shape) and np.allclose(slow[name], fast[name]):
            raise CheckFailed(
                diagnose.IGNORES_ARGUMENT,
                f"update moves {name} by the same step for lr=0.01 and lr=0.5: it ignores its learning-rate "
                "argument (a global alpha?); use the learning rate it is given",
                {"argument": "lr"},
            )


@check("update.no_hidden_state", "update", side=True)
def update_no_hidden_state(ctx: Context) -> None:
    """Two identical calls give identical results (no momentum or counters kept between calls)."""
    inputs = make_inputs(Problem(4, 3, 0), ctx.dtype)
    grads = _gradients(inputs, 0)
    first, second = _steps(ctx, inputs, grads, 0.1), _steps(ctx, inputs, grads, 0.1)
    for name in PARAMS:
        if not (has_shape(first[name], second[name].shape) and np.allclose(first[name], second[name])):
            raise CheckFailed(
                diagnose.MISMATCH,
                f"the same update called twice moved {name} differently: it keeps state between calls "
                "(momentum, a step counter, or a parameter it modified in place and reused)",
            )


@check("update.wiring", "update", side=True)
def update_wiring(ctx: Context) -> None:
    """The target's own code hands the gradients on in the order backward returns and update takes them."""
    problems = ctx.call("wiring")
    if problems:
        raise CheckFailed(
            diagnose.WRONG_ORDER,
            "; ".join(problems) + " (each function is right alone: the order is in the code that calls them)",
            {"where": problems},
        )


@check("update.within_step", "update", only_when="update_within")
def update_within_step(ctx: Context) -> None:
    """An update applied inside the target's own step (a backward or training method that sets the
    parameters itself) moves each parameter by -lr times something the learning rate does not change:
    halving lr halves every step (on one sample, so a step that draws samples takes the same one)."""
    inputs = make_inputs(Problem(4, 1, 0), ctx.dtype)
    start = inputs.params
    full, half = (
        expect_arrays("the step", ctx.call("applied_step", start, inputs.X, inputs.y, lr), PARAMS)
        for lr in (WITHIN_RATE, WITHIN_RATE / 2)
    )
    moved = [name for name in PARAMS if not np.allclose(full[name], start[name], rtol=0, atol=0)]
    if not moved:
        raise CheckFailed(
            diagnose.MISMATCH, f"the step at lr={WITHIN_RATE} leaves every parameter where it was"
        )
    for name in moved:
        if np.allclose(full[name], half[name]):
            raise CheckFailed(
                diagnose.IGNORES_ARGUMENT,
                f"the step moves {name} as far at lr={WITHIN_RATE / 2} as at lr={WITHIN_RATE}: it ignores "
                "the learning rate it is given (a fixed step or a global alpha?); use the learning rate",
                {"argument": "lr"},
            )
        expect_close(
            f"the step of {name} at lr={WITHIN_RATE / 2} (half the step at lr={WITHIN_RATE})",
            (np.asarray(full[name]) - start[name]) / 2,
            np.asarray(half[name]) - start[name],
            ctx,
            floor=tolerance.absolute_tolerance(start[name], ctx.precision, terms=2),
        )
