"""Checks of parameter initialisation: shapes (biases (h, 1) and (10, 1)) and usable random weights."""

from __future__ import annotations

import numpy as np

from conformance import diagnose
from conformance.checks.assertions import PARAMS, expect_arrays, expect_shape
from conformance.checks.base import CheckFailed, Context, check
from conformance.strategies import N_IN, N_OUT

HIDDEN = 16


def _initial(ctx: Context) -> dict[str, np.ndarray]:
    return expect_arrays("init", ctx.call("init", N_IN, HIDDEN, N_OUT, memo_key="init"), PARAMS)


@check("init.shapes", "init")
def init_shapes(ctx: Context) -> None:
    """W1 (h, 784), b1 (h, 1), W2 (10, h), b2 (10, 1): biases are columns, not per-sample."""
    params = _initial(ctx)
    W1 = params["W1"]
    hidden = W1.shape[0] if isinstance(W1, np.ndarray) and W1.ndim == 2 else HIDDEN
    for name, shape in (
        ("W1", (hidden, N_IN)),
        ("b1", (hidden, 1)),
        ("W2", (N_OUT, hidden)),
        ("b2", (N_OUT, 1)),
    ):
        expect_shape(f"init: {name}", shape, params[name])


@check("init.weights", "init")
def init_weights(ctx: Context) -> None:
    """Weights are finite, small and not all equal (equal weights keep hidden units identical)."""
    params = _initial(ctx)
    for name in ("W1", "W2"):
        weights = np.asarray(params[name], dtype=np.float64)
        if not np.all(np.isfinite(weights)):
            raise CheckFailed(diagnose.NONFINITE, f"init: {name} contains NaN or infinite values")
        if weights.size > 1 and np.ptp(weights) == 0:
            raise CheckFailed(
                diagnose.MISMATCH,
                f"init: every entry of {name} is {weights.flat[0]:g}; equal weights give every hidden unit "
                "the same gradient, so they never learn different features: draw them at random",
            )
        if np.abs(weights).max() > 10:
            raise CheckFailed(
                diagnose.MISMATCH,
                f"init: {name} has entries as large as {np.abs(weights).max():.3g}; use small random values "
                "(He: normal * sqrt(2 / fan_in), or uniform(-0.5, 0.5))",
            )
