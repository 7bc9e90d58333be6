"""A submission's grade as a Gradescope autograder ``results.json``, one test per rubric item.

conformance.report.gradescope renders one report with a weight per component; grading needs
more: points for single checks and hidden checks. A test earns its points only when its item's
verdict is pass (conformance.grading.scoring); a failed item's output tells each cause once, an
unchecked one's says why it could not be checked and the one-line fix. A hidden item is a test
with visibility "hidden" (the instructor sees it, the student never does); a visible item's
output leaves out its hidden checks and only counts the ones that did not pass.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.grading.results import SubmissionResult
from conformance.grading.scoring import Grade, ScoredItem, points_text
from conformance.report.gradescope import NOT_LOADED, STDOUT_VISIBILITY, VISIBILITY
from conformance.report.summary import FAILING, grouped, problem_lines


def _output(scored: ScoredItem) -> str:
    hidden_item = scored.item.hidden
    shown = scored.checks if hidden_item else scored.visible_checks
    passed = sum(check.status == "pass" for check in shown)
    lines = [f"{passed} of {len(shown)} checks passed"]
    if scored.status == "unchecked":
        lines.append(f"not checked: {scored.reason if hidden_item else scored.visible_reason}")
        if scored.fix:
            lines.append(f"fix: {scored.fix}")
    if scored.status == "fail":
        problems = [check for check in shown if check.status in FAILING]
        for group in grouped(problems):
            lines += ["", *problem_lines(group)]
    if scored.hidden_problems and not hidden_item:
        lines += ["", f"hidden checks that did not pass: {scored.hidden_problems}"]
    return "\n".join(lines)


def _test(scored: ScoredItem, checked: bool) -> dict[str, Any]:
    return {
        "name": scored.item.name,
        "score": scored.earned,
        "max_score": scored.item.points,
        "status": "passed" if scored.status == "pass" else "failed",
        "output": _output(scored) if checked else NOT_LOADED,
        "visibility": "hidden" if scored.item.hidden else VISIBILITY,
    }


def render_gradescope_results(result: SubmissionResult, grade: Grade) -> str:
    """``results.json`` for Gradescope: the score, a verdict line, one test per rubric item."""
    checked = result.report is not None
    if checked:
        correct = sum(scored.status == "pass" for scored in grade.items)
        unchecked = sum(scored.status == "unchecked" for scored in grade.items if not scored.item.hidden)
        output = (
            f"mnist-ref grade: {correct} of {len(grade.items)} parts correct, "
            f"{points_text(grade.score)} of {points_text(grade.max_score)} points"
        )
        if unchecked:
            output += f"; {unchecked} could not be checked (each says why, and how to fix it)"
    else:
        output = result.reason or ""
    results = {
        "score": round(grade.score, 6),
        "execution_time": round(result.seconds),
        "output": output,
        "visibility": VISIBILITY,
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": [_test(scored, checked) for scored in grade.items],
    }
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"
