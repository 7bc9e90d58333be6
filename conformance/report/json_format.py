"""The JSON report: the stable contract documented in README (``Report.to_dict``)."""

from __future__ import annotations

import json
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


def render_json(report: Report) -> str:
    """The report as indented JSON, keys in a fixed order, so the same run gives the same bytes."""
    return json.dumps(report.to_dict(), indent=2, default=_plain) + "\n"
