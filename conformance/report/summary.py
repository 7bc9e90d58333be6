"""What several report formats share: checks grouped by component, and a problem described in plain lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report, Status

FAILING: tuple[Status, ...] = ("fail", "error")
STATUS_WORDS: dict[Status, str] = {"pass": "passed", "fail": "failed", "error": "errored", "skip": "skipped"}
TRACEBACK_KEY = "detail"
"""The key of ``CheckResult.details`` that holds the target's traceback or its last lines of output."""


@dataclass(frozen=True)
class ComponentSummary:
    """The checks of one component (e.g. "db2") and what they add up to."""

    name: str
    checks: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        """The worst status among the checks: error, then fail, then pass; skip when all were skipped."""
        for status in ("error", "fail", "pass"):
            if any(result.status == status for result in self.checks):
                return status
        return "skip"

    @property
    def passed(self) -> int:
        """How many of the checks passed."""
        return sum(result.status == "pass" for result in self.checks)

    @property
    def diagnoses(self) -> tuple[str, ...]:
        """The diagnosis codes of the failing checks, each once, in check order."""
        codes = (result.diagnosis for result in self.checks if result.status in FAILING and result.diagnosis)
        return tuple(dict.fromkeys(codes))


def by_component(report: Report) -> list[ComponentSummary]:
    """One summary per component, in the order the components first appear in the report."""
    grouped: dict[str, list[CheckResult]] = {}
    for result in report.checks:
        grouped.setdefault(result.component, []).append(result)
    return [ComponentSummary(name, tuple(results)) for name, results in grouped.items()]


def counts_text(report: Report) -> str:
    """``40 passed, 2 failed, 0 errored, 1 skipped``."""
    return ", ".join(f"{n} {STATUS_WORDS[status]}" for status, n in report.counts().items())


def example_text(example: dict[str, Any]) -> str:
    """The smallest failing input as ``hidden=1, batch=2, seed=0``."""
    return ", ".join(f"{key}={value}" for key, value in example.items())


def headline(result: CheckResult) -> str:
    """``db2.shape failed: shape_mismatch (the result has the wrong shape, ...)``."""
    line = f"{result.id} {STATUS_WORDS[result.status]}"
    if result.diagnosis:
        line += f": {result.diagnosis} ({DIAGNOSES.get(result.diagnosis, 'no description')})"
    return line


def problem_lines(result: CheckResult) -> list[str]:
    """A check that did not pass, for a person: headline, message, smallest failing input, traceback."""
    lines = [headline(result), result.message]
    if result.example and result.status in FAILING:
        lines.append(f"smallest failing input: {example_text(result.example)}")
    traceback = result.details.get(TRACEBACK_KEY)
    if traceback:
        lines.append(str(traceback).rstrip("\n"))
    return lines


def measurement_line(result: CheckResult) -> str | None:
    """The check's measurements (shapes, errors, tolerance) as ``key=value`` pairs, or None."""
    pairs = [
        f"{key}={json.dumps(value, default=str)}"
        for key, value in result.details.items()
        if key != TRACEBACK_KEY
    ]
    return f"details: {', '.join(pairs)}" if pairs else None
