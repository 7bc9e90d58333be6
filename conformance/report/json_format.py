"""The JSON report: the stable contract documented in README (``Report.to_dict``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from conformance.report.model import Report


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as plain JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render_json(report: Report, *, extra: Mapping[str, Any] | None = None) -> str:
    """The report as indented JSON, keys in a fixed order, so the same run gives the same bytes.

    ``extra`` adds keys after the contract's own, e.g. ``{"baseline": comparison.to_dict()}``.
    """
    return json.dumps({**report.to_dict(), **(extra or {})}, indent=2, default=_plain) + "\n"
