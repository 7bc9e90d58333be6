"""The assertions checks make: each raises CheckFailed with a message saying expected vs got."""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import diagnose
from conformance.checks.base import CheckFailed, Context
from conformance.sandbox.protocol import Outcome

PARAMS = ("W1", "b1", "W2", "b2")


def expect_verdict(verdict: diagnose.Verdict) -> None:
    """Turn a failed comparison into CheckFailed."""
    if not verdict.ok:
        raise CheckFailed(verdict.diagnosis, verdict.message, verdict.details)


def expect_close(
    name: str,
    expected: np.ndarray,
    got: Any,
    ctx: Context,
    *,
    batch_size: int | None = None,
    floor: float = 0.0,
) -> None:
    """``got`` has ``expected``'s shape and values within the dtype's tolerance, else CheckFailed."""
    expect_verdict(
        diagnose.compare(name, expected, got, dtype=ctx.precision, batch_size=batch_size, floor=floor)
    )


def expect_arrays(operation: str, got: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """``got``, the adapter's dict of the arrays ``operation`` gave, when it holds every one of ``names``;
    else CheckFailed: the target gave some of them, or nothing at all (a missing ``return``: the adapter
    reports any result it cannot read as not provided, so what is left here is the target's doing)."""
    missing = [name for name in names if not isinstance(got, dict) or name not in got]
    if not missing:
        return got
    nothing = not got
    message = (
        f"{operation} returned nothing: a missing `return {', '.join(names)}`?"
        if nothing
        else f"{operation} gave no {', '.join(missing)}"
    )
    raise CheckFailed(diagnose.MISMATCH, message, {"returned_nothing": nothing})


def expect_shape(name: str, expected_shape: tuple[int, ...], got: Any) -> None:
    """``got`` is an array of ``expected_shape``, else CheckFailed saying which shape came back."""
    verdict = diagnose.compare_shape(name, expected_shape, got)
    if verdict is not None:
        expect_verdict(verdict)


def expect_untouched(outcome: Outcome, function: str) -> None:
    """The call changed none of its array arguments in place."""
    if outcome.mutated:
        expect_verdict(diagnose.mutates_input(function, outcome.mutated))


def has_shape(got: Any, shape: tuple[int, ...]) -> bool:
    """True when ``got`` is an array of exactly ``shape`` (value checks skip after a shape failure)."""
    return isinstance(got, np.ndarray) and got.shape == shape
