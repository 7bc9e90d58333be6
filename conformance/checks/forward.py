"""Checks of the forward pass and of the loss, fed the reference's parameters and batch."""

from __future__ import annotations

import mnist_ref
from conformance import diagnose
from conformance.checks.assertions import expect_close, expect_untouched, expect_verdict
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import Problem, make_inputs, problems

ACTIVATIONS = ("Z1", "A1", "Z2", "A2")
LOG_EPSILON = 1e-6
"""Losses written as log(A2 + 1e-8) are accepted: the epsilon moves the loss by about 1e-7."""


@check("forward.values", "forward")
def forward_values(ctx: Context) -> None:
    """Z1, A1, Z2 and A2 equal the reference's for the same parameters and batch."""

    def body(problem: Problem) -> None:
        inputs = make_inputs(problem, ctx.dtype)
        got = ctx.call("forward", inputs.params, inputs.X)
        compared = [name for name in ACTIVATIONS if name in got]
        if not compared:
            raise CheckFailed(diagnose.MISMATCH, "forward returned none of Z1, A1, Z2, A2")
        for name in compared:
            expect_close(f"forward: {name}", getattr(inputs.cache, name), got[name], ctx)

    ctx.for_all(problems(), body)


@check("forward.inputs_untouched", "forward", side=True)
def forward_inputs_untouched(ctx: Context) -> None:
    """forward leaves the parameters and X unchanged."""
    inputs = make_inputs(Problem(4, 3, 0), ctx.dtype)
    expect_untouched(ctx.call_outcome("forward", inputs.params, inputs.X), "forward")


@check("loss.value", "loss")
def loss_value(ctx: Context) -> None:
    """The loss is the mean cross-entropy over the batch."""

    def body(problem: Problem) -> None:
        inputs = make_inputs(problem, ctx.dtype)
        expected = mnist_ref.cross_entropy(inputs.cache.Z2, inputs.y)
        got = ctx.call("loss", inputs.params, inputs.X, inputs.y)
        expect_verdict(
            diagnose.compare_scalar(
                "loss", expected, got, dtype=ctx.dtype, batch_size=problem.batch, floor=LOG_EPSILON
            )
        )

    ctx.for_all(problems(min_batch=2), body)
