"""Regression check against an earlier JSON report (``mnist-ref check --baseline OLD.json``).

A regression is a check that passed in the baseline and fails or errors now; a check failing
in both runs is an old failure, not a regression. Fixed checks failed or errored in the
baseline and pass now. Checks that only one of the two runs has are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.report.model import CheckResult, Report
from conformance.report.summary import FAILING

STATUSES = ("pass", "fail", "error", "skip")
HOW_TO_WRITE = "expected a report written by `mnist-ref check TARGET --format json --out FILE`"


class BaselineError(Exception):
    """The baseline file is missing or is not a JSON report; the message is one line naming the file."""


@dataclass(frozen=True)
class Baseline:
    """The status of every check in an earlier report, by check id."""

    source: str
    statuses: dict[str, str]


@dataclass(frozen=True)
class Comparison:
    """What changed since the baseline."""

    source: str
    regressions: tuple[CheckResult, ...]  # passed in the baseline, fail or error now (the current results)
    fixed: tuple[str, ...]  # ids of checks that failed or errored in the baseline and pass now

    def to_dict(self) -> dict[str, Any]:
        """The ``"baseline"`` entry of the JSON report."""
        return {
            "file": self.source,
            "regressions": [result.id for result in self.regressions],
            "fixed": list(self.fixed),
        }

    def lines(self) -> list[str]:
        """The comparison for people: a count line, then one line per regression and per fixed check."""
        count = len(self.regressions)
        noun = "regression" if count == 1 else "regressions"
        lines = [f"compared with baseline {self.source}: {count} {noun}, {len(self.fixed)} fixed"]
        for result in self.regressions:
            diagnosis = f" [{result.diagnosis}]" if result.diagnosis else ""
            lines.append(f"  regressed: {result.id} now {result.status}{diagnosis}: {result.message}")
        lines += [f"  fixed: {check_id}" for check_id in self.fixed]
        return lines


def _is_check_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry.get("status") in STATUSES


def _statuses(document: Any) -> dict[str, str]:
    """check id -> status from a parsed JSON report; ValueError naming what is wrong."""
    checks = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(checks, list):
        raise ValueError('it has no "checks" list')
    statuses = {}
    for position, entry in enumerate(checks):
        if not _is_check_entry(entry):
            allowed = "/".join(STATUSES)
            raise ValueError(f'checks[{position}] is not an object with an "id" and a "status" ({allowed})')
        statuses[entry["id"]] = entry["status"]
    return statuses


def load_baseline(path: Path) -> Baseline:
    """Read the check statuses of an earlier JSON report; BaselineError if it cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline {path}: no such file; {HOW_TO_WRITE}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path}: cannot be read ({exc})") from None
    try:
        statuses = _statuses(json.loads(text))
    except json.JSONDecodeError as exc:
        reason = f"not JSON (line {exc.lineno}: {exc.msg})"
        raise BaselineError(f"baseline {path}: {reason}; {HOW_TO_WRITE}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {path}: {exc}; {HOW_TO_WRITE}") from None
    return Baseline(str(path), statuses)


def compare(baseline: Baseline, report: Report) -> Comparison:
    """The regressions and fixes of ``report`` relative to ``baseline``, in the report's check order."""
    regressions, fixed = [], []
    for result in report.checks:
        before = baseline.statuses.get(result.id)
        if before == "pass" and result.status in FAILING:
            regressions.append(result)
        elif before in FAILING and result.status == "pass":
            fixed.append(result.id)
    return Comparison(baseline.source, tuple(regressions), tuple(fixed))
