"""Checks of the four gradients dW1, db1, dW2, db2, each on its own.

backward is fed the reference's parameters, batch and forward pass, so a bug in the
target's forward pass does not show up here. Every gradient gets five checks:

- shape: exactly its parameter's shape (a scalar or per-sample bias gradient fails here);
- autograd: its values equal PyTorch autograd's in float64;
- finite_diff: its projections on random directions and coordinates equal central
  finite differences of the loss;
- batch_size: it is computed from the batch it is given, not from a fixed sample count;
- globals: it does not change when the module-level numbers it reads change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import diagnose, tolerance
from conformance.checks.assertions import expect_arrays, expect_close, expect_verdict, has_shape
from conformance.checks.base import CheckFailed, Context, Skipped, check
from conformance.oracles import finite_diff, reference
from conformance.strategies import Inputs, Problem, make_inputs, problems

GRADIENTS = {"dW1": "W1", "db1": "b1", "dW2": "W2", "db2": "b2"}
SMALL_BATCH, LARGE_BATCH = 3, 7


def backward(ctx: Context, problem: Problem) -> tuple[Inputs, dict[str, Any]]:
    """The reference inputs for ``problem`` and the gradients the target computes from them."""
    inputs = make_inputs(problem, ctx.dtype)
    cache = inputs.cache._asdict()
    grads = ctx.call("backward", inputs.params, inputs.X, inputs.y, cache, memo_key=("backward", problem))
    return inputs, expect_arrays("backward", grads, tuple(GRADIENTS))


def _gradient_of(ctx: Context, problem: Problem, name: str) -> tuple[Inputs, np.ndarray]:
    """The target's ``name`` gradient for ``problem``, skipping value checks when its shape is wrong."""
    inputs, grads = backward(ctx, problem)
    got = grads[name]
    if not has_shape(got, inputs.params[GRADIENTS[name]].shape):
        raise Skipped(f"values not compared: {name} has the wrong shape (see {name}.shape)")
    return inputs, got


def _as_float64(inputs: Inputs) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(params, X, y) of ``inputs`` in float64, the oracles' precision."""
    return (*reference.as_float64(inputs.params, inputs.X), inputs.y)


def true_gradients(inputs: Inputs) -> dict[str, np.ndarray]:
    """The exact gradients in float64, from the reference (the autograd checks ask PyTorch)."""
    return reference.gradients(*_as_float64(inputs))


def _floor(ctx: Context, inputs: Inputs, name: str, got: Any) -> float:
    """The noise ``name`` carries from cancellations, at the precision ``got`` was computed in."""
    precision = tolerance.coarsest_float(ctx.precision, getattr(got, "dtype", np.float64))
    dZ2 = inputs.cache.A2 - np.eye(inputs.cache.A2.shape[0])[:, inputs.y]
    return tolerance.gradient_floor(name, inputs.params, inputs.X, inputs.cache.A1, dZ2, precision)


def _check_shape(ctx: Context, name: str) -> None:
    def body(problem: Problem) -> None:
        inputs, grads = backward(ctx, problem)
        got = grads[name]
        if not has_shape(got, inputs.params[GRADIENTS[name]].shape):
            # Compared by value too, so that a transposed gradient is named as such.
            expect_close(
                name,
                true_gradients(inputs)[name],
                got,
                ctx,
                batch_size=problem.batch,
                floor=_floor(ctx, inputs, name, got),
            )

    ctx.for_all(ctx.problems("backward"), body, examples=5)


def autograd_gradients(ctx: Context, problem: Problem, inputs: Inputs) -> dict[str, np.ndarray]:
    """PyTorch autograd's four gradients for ``problem`` (its ``inputs``), asked once for the four checks."""
    key = ("autograd", problem)
    if key not in ctx.memo:
        ctx.memo[key] = ctx.autograd.gradients(*_as_float64(inputs))
    return ctx.memo[key]


def _check_autograd(ctx: Context, name: str) -> None:
    if not ctx.torch_available:
        raise Skipped("PyTorch is not installed: pip install 'mnist-ref[torch]' to compare with autograd")

    def body(problem: Problem) -> None:
        inputs, got = _gradient_of(ctx, problem, name)
        expected = autograd_gradients(ctx, problem, inputs)[name]
        expect_close(name, expected, got, ctx, batch_size=problem.batch, floor=_floor(ctx, inputs, name, got))

    ctx.for_all(ctx.problems("backward"), body)


def _check_finite_diff(ctx: Context, name: str) -> None:
    def body(problem: Problem) -> None:
        inputs, got = _gradient_of(ctx, problem, name)
        rng = np.random.default_rng(problem.seed)
        results = finite_diff.check_gradients(*_as_float64(inputs), {name: got}, rng=rng, dtype=ctx.precision)
        expect_verdict(results[GRADIENTS[name]].verdict)

    ctx.for_all(ctx.problems("backward"), body, examples=5)


def _fitted_factor(expected: np.ndarray, got: np.ndarray) -> float:
    """The c that best fits got ~= c * expected (least squares)."""
    return float(np.vdot(expected, got) / max(np.vdot(expected, expected), np.finfo(np.float64).tiny))


def _check_batch_size(ctx: Context, name: str) -> None:
    if "backward" in ctx.per_sample:
        raise Skipped("the target's own code calls backward one sample at a time: no batch size to vary")

    def body(problem: Problem) -> None:
        factors = {}
        for batch in (SMALL_BATCH, LARGE_BATCH):
            inputs, got = _gradient_of(ctx, Problem(problem.hidden, batch, problem.seed), name)
            factors[batch] = _fitted_factor(true_gradients(inputs)[name], got.astype(np.float64))
        per_sample = [factor / batch for batch, factor in factors.items()]
        fixed_count = 1 / per_sample[0] if per_sample[0] else float("inf")
        # got = (m / N) * right for a fixed count N: the factor grows with the batch. N = 1 is a
        # missing mean, which the value checks report as scaled by m.
        if np.isclose(*per_sample, rtol=1e-3) and not np.isclose(fixed_count, 1.0, rtol=1e-3):
            small, large = factors[SMALL_BATCH], factors[LARGE_BATCH]
            raise CheckFailed(
                diagnose.DEPENDS_ON_GLOBAL_STATE,
                f"{name} is {small:.4g} times the right value for a batch of {SMALL_BATCH} and {large:.4g} "
                f"times for a batch of {LARGE_BATCH}: it divides by a fixed sample count ({fixed_count:.4g}) "
                "instead of the batch size; use m = X.shape[1] inside the function",
                {"factors": [small, large], "fixed_count": fixed_count},
            )

    ctx.for_all(problems(), body, examples=3)


def _perturbed(value: Any) -> Any:
    """A different value of the same kind, to see whether a function reads it."""
    if isinstance(value, np.ndarray):
        return value * 2 + 1
    return value * 2 + 1 if not isinstance(value, bool) else not value


def _check_globals(ctx: Context, name: str) -> None:
    # The gradient first: a target without a backward pass skips here rather than passing for want of globals.
    inputs, before = _gradient_of(ctx, ctx.sized("backward", Problem(4, 5, 0)), name)
    data_globals = ctx.call("global_values", "backward")
    if not data_globals:
        return
    ctx.call("set_globals", {key: _perturbed(value) for key, value in data_globals.items()})
    try:
        after = ctx.call("backward", inputs.params, inputs.X, inputs.y, inputs.cache._asdict())[name]
    finally:
        ctx.call("set_globals", data_globals)
    if not has_shape(after, before.shape) or not np.array_equal(before, after):
        names = ", ".join(sorted(data_globals))
        raise CheckFailed(
            diagnose.DEPENDS_ON_GLOBAL_STATE,
            f"{name} changes when the module-level value(s) {names} change: backward reads global state; "
            "compute what it needs (m = X.shape[1], ...) from its arguments",
            {"globals": sorted(data_globals)},
        )


def _register(name: str) -> None:
    """Register the five checks of gradient ``name``."""
    parameter = GRADIENTS[name]
    for kind, description, run in (
        ("shape", f"{name} has the shape of {parameter}.", _check_shape),
        ("autograd", f"{name} equals PyTorch autograd's gradient (float64).", _check_autograd),
        ("finite_diff", f"{name} agrees with finite differences of the loss.", _check_finite_diff),
        ("batch_size", f"{name} is computed from the batch it is given.", _check_batch_size),
        ("globals", f"{name} does not depend on module-level globals.", _check_globals),
    ):
        check_id = f"{name}.{kind}"

        def run_check(ctx: Context, run: Any = run) -> None:
            run(ctx, name)

        run_check.__doc__ = description
        check(check_id, name, needs_torch=kind == "autograd", side=kind == "globals")(run_check)


for _name in GRADIENTS:
    _register(_name)
