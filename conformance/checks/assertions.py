"""The assertions checks make: each raises CheckFailed with a message saying expected vs got."""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import diagnose
from conformance.checks.base import CheckFailed, Context
from conformance.sandbox.protocol import Outcome


def result_dtype(got: Any, ctx: Context) -> np.dtype:
    """The precision to judge ``got`` by: the coarser of the inputs' dtype and the result's float dtype."""
    got_dtype = getattr(got, "dtype", None)
    if got_dtype == np.float32 or ctx.dtype == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def expect_close(name: str, expected: np.ndarray, got: Any, ctx: Context, *, batch_size: int | None = None) -> None:
    """``got`` has ``expected``'s shape and values within the dtype's tolerance, or CheckFailed with a diagnosis."""
    verdict = diagnose.compare(name, expected, got, dtype=result_dtype(got, ctx), batch_size=batch_size)
    if not verdict.ok:
        raise CheckFailed(verdict.diagnosis, verdict.message, verdict.details)


def expect_shape(name: str, expected_shape: tuple[int, ...], got: Any) -> None:
    """``got`` is an array of ``expected_shape``, or CheckFailed(shape_mismatch) saying which shape came back."""
    verdict = diagnose.compare_shape(name, expected_shape, got)
    if verdict is not None:
        raise CheckFailed(verdict.diagnosis, verdict.message, verdict.details)


def expect_untouched(outcome: Outcome, function: str) -> None:
    """The call changed none of its array arguments in place."""
    if outcome.mutated:
        raise CheckFailed(
            diagnose.MUTATES_INPUT,
            f"{function} modified its input {', '.join(outcome.mutated)} in place; "
            "work on a copy (e.g. Z = Z.copy() or np.maximum(Z, 0)) so the caller's arrays stay as they were",
            {"mutated": list(outcome.mutated)},
        )


def has_shape(got: Any, shape: tuple[int, ...]) -> bool:
    """True when ``got`` is an array of exactly ``shape`` (used to skip value checks after a shape failure)."""
    return isinstance(got, np.ndarray) and got.shape == shape
