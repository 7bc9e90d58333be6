"""What several report formats share: verdict icons and words, a problem described in plain lines,
and the failing checks grouped by cause (one bug often fails several checks with the same message).

The verdict on each component comes from ``Report.components`` (conformance.report.verdicts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report, Status
from conformance.report.verdicts import VERDICTS, ComponentVerdict, Verdict

FAILING: tuple[Status, ...] = ("fail", "error")
STATUS_WORDS: dict[Status, str] = {"pass": "passed", "fail": "failed", "error": "errored", "skip": "skipped"}
TRACEBACK_KEY = "detail"
"""The key of ``CheckResult.details`` that holds the target's traceback or its last lines of output."""
VERDICT_ICONS: dict[Verdict, str] = {
    "pass": "✅",
    "fail": "❌",
    "unchecked": "⚠️",
    "not_required": "\N{HEAVY MINUS SIGN}",
}
VERDICT_WORDS: dict[Verdict, str] = {
    "pass": "passed",
    "fail": "failed",
    "unchecked": "not checked",
    "not_required": "not required",
}
HEADLINE_ICONS = {"PASSED": "✅", "FAILED": "❌", "NOT CHECKED": "⚠️", "INCOMPLETE": "⚠️"}


def counts_text(report: Report) -> str:
    """``40 passed, 2 failed, 0 errored, 1 skipped`` (checks)."""
    return ", ".join(f"{n} {STATUS_WORDS[status]}" for status, n in report.counts().items())


def verdict_counts_text(components: Iterable[ComponentVerdict]) -> str:
    """``12 passed, 2 failed, 1 not required`` (components; verdicts that no component has are left out)."""
    components = list(components)
    counts = {verdict: sum(c.verdict == verdict for c in components) for verdict in VERDICTS}
    return ", ".join(f"{n} {VERDICT_WORDS[verdict]}" for verdict, n in counts.items() if n)


def example_text(example: dict[str, Any]) -> str:
    """The smallest failing input as ``hidden=1, batch=2, seed=0``."""
    return ", ".join(f"{key}={value}" for key, value in example.items())


def grouped(results: Iterable[CheckResult]) -> list[list[CheckResult]]:
    """Results with the same status, diagnosis and message together, in the order the groups first appear.

    One cause (a scalar db2) often fails several checks with the same message: it is told once.
    """
    groups: dict[tuple[str, str | None, str], list[CheckResult]] = {}
    for result in results:
        groups.setdefault((result.status, result.diagnosis, result.message), []).append(result)
    return list(groups.values())


def problems(component: ComponentVerdict) -> list[CheckResult]:
    """The failing checks of a component that failed (an unchecked one's are not the target's fault)."""
    if component.verdict != "fail":
        return []
    return [result for result in component.checks if result.status in FAILING]


def headline(results: CheckResult | Sequence[CheckResult]) -> str:
    """``db2.shape failed: shape_mismatch (the result has the wrong shape, ...)``; a group names every id."""
    group = [results] if isinstance(results, CheckResult) else list(results)
    first = group[0]
    line = f"{', '.join(result.id for result in group)} {STATUS_WORDS[first.status]}"
    if first.diagnosis:
        line += f": {first.diagnosis} ({DIAGNOSES.get(first.diagnosis, 'no description')})"
    return line


def problem_lines(results: CheckResult | Sequence[CheckResult]) -> list[str]:
    """A check (or a group of checks with one cause) that did not pass, for a person: headline, message,
    smallest failing input, traceback."""
    group = [results] if isinstance(results, CheckResult) else list(results)
    first = group[0]
    lines = [headline(group), first.message]
    if first.example and first.status in FAILING:
        lines.append(f"smallest failing input: {example_text(first.example)}")
    traceback = first.details.get(TRACEBACK_KEY)
    if traceback:
        lines.append(str(traceback).rstrip("\n"))
    return lines


def verdict_lines(component: ComponentVerdict, *, call: bool = True) -> list[str]:
    """The verdict on a component for a person: ``db2: failed (shape_mismatch)``, or why it was not
    checked and the one-line fix; then the call made (unless ``call`` is False)."""
    word = VERDICT_WORDS[component.verdict]
    if component.verdict == "fail":
        codes = ", ".join(component.diagnoses)
        lines = [f"{component.name}: {word}" + (f" ({codes})" if codes else f": {component.reason}")]
    else:
        lines = [f"{component.name}: {word}: {component.reason}"]
    if component.fix and component.verdict == "unchecked":
        lines.append(f"fix: {component.fix}")
    if call and component.call:
        lines.append(f"call: {component.call}")
    return lines


def measurement_line(result: CheckResult) -> str | None:
    """The check's measurements (shapes, errors, tolerance) as ``key=value`` pairs, or None."""
    pairs = [
        f"{key}={json.dumps(value, default=str)}"
        for key, value in result.details.items()
        if key != TRACEBACK_KEY
    ]
    return f"details: {', '.join(pairs)}" if pairs else None
