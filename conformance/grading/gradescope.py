"""A submission's grade as a Gradescope autograder ``results.json``, one test per rubric item.

conformance.report.gradescope renders one report with a weight per component; grading needs
more: points for single checks and hidden checks. A hidden item is a test with visibility
"hidden" (the instructor sees it, the student never does); a visible item's output leaves
out its hidden checks and only counts the ones that did not pass.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.grading.results import SubmissionResult
from conformance.grading.scoring import Grade, ScoredItem, points_text
from conformance.report.gradescope import NOT_LOADED, STDOUT_VISIBILITY, VISIBILITY
from conformance.report.summary import problem_lines


def _output(scored: ScoredItem) -> str:
    shown = scored.checks if scored.item.hidden else scored.visible_checks
    passed = sum(check.status == "pass" for check in shown)
    lines = [f"{passed} of {len(shown)} checks passed"]
    for check in shown:
        if check.status != "pass":
            lines += ["", *problem_lines(check)]
    if scored.hidden_problems and not scored.item.hidden:
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
        output = (
            f"mnist-ref grade: {correct} of {len(grade.items)} parts correct, "
            f"{points_text(grade.score)} of {points_text(grade.max_score)} points"
        )
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
