"""Checks of the forward pass and of the loss, fed the reference's parameters and batch."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance import diagnose, tolerance
from conformance.checks import network
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
        difference = other_network(inputs.cache, got)
        if difference is not None:
            what, options = difference
            raise CheckFailed(
                diagnose.DIFFERENT_NETWORK,
                f"forward computes another network than the classic one: {what}. Check it as what it is"
                f" with {options}",
                {"difference": what, "options": options},
            )
        for name in compared:
            safeguard = tolerance.STABILISER if name == "A2" else 0.0  # a softmax's epsilon or clipping
            expect_close(f"forward: {name}", getattr(inputs.cache, name), got[name], ctx, floor=safeguard)

    ctx.for_all(ctx.problems("forward"), body)


HIDDEN_ACTIVATIONS = {
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
}
"""Hidden activations courses assign instead of ReLU, recognised so that such a network is not failed."""


def other_network(reference: mnist_ref.ForwardCache, got: dict[str, np.ndarray]) -> tuple[str, str] | None:
    """How the target's forward pass (``got``: Z1, A1, Z2, A2 as far as it gives them) differs from the
    classic network, and the options that check it as it is, when it is another network courses assign:
    a hidden activation other than ReLU (leaky ReLU of slope 0.01), or sigmoid outputs instead of softmax.
    None when it is none of those (right, or wrong in another way).
    """
    A1, A2 = got.get("A1"), got.get("A2")
    if _same(A1, np.maximum(reference.Z1, 0)) is False:
        for name, activation in HIDDEN_ACTIVATIONS.items():
            if _same(A1, activation(reference.Z1)):
                return f"its hidden layers are {name}, not relu", f"--activation {name}"
    own_Z2 = got.get("Z2", reference.Z2)
    if _same(A2, mnist_ref.softmax(reference.Z2)) is False and _same(A2, 1 / (1 + np.exp(-own_Z2))):
        return "its outputs are sigmoid, not softmax", "--output sigmoid --loss mse"
    return None


def _same(got: np.ndarray | None, expected: np.ndarray) -> bool | None:
    """Whether ``got`` equals ``expected`` up to float32 rounding; None when there is nothing to compare."""
    if got is None or np.shape(got) != np.shape(expected):
        return None
    return bool(np.allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-5, atol=1e-6))


@check("forward.network", "forward", side=True, only_when="family_probe")
def forward_network(ctx: Context) -> None:
    """The target computes no other network of the family than the one checked (checks.network)."""
    network.check_network(ctx)


@check("forward.inputs_untouched", "forward", side=True)
def forward_inputs_untouched(ctx: Context) -> None:
    """forward leaves the parameters and X unchanged."""
    inputs = make_inputs(ctx.sized("forward", Problem(4, 3, 0)), ctx.dtype)
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
                "loss", expected, got, dtype=ctx.precision, batch_size=problem.batch, floor=LOG_EPSILON
            )
        )

    ctx.for_all(problems(min_batch=2), body)
