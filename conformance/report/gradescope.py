"""The report as a Gradescope autograder ``results.json``.

Format (gradescope-autograders.readthedocs.io, "Autograder Specifications"): a top-level
``score``, ``execution_time`` (seconds), ``output``, ``visibility``, ``stdout_visibility`` and
``tests``, each test with ``name``, ``score``, ``max_score``, ``status`` ("passed" or "failed"),
``output`` and ``visibility``.

One test per component. A component earns its points only when its verdict is ``pass``
(conformance.report.verdicts: checked, and right); one that failed, could not be checked or is
not in the submission earns nothing, and its output says why: the failures, one per cause, or
the reason it was not checked and the one-line fix. A file with nothing to check scores 0.
Points are 1 per component unless ``weights`` says otherwise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from conformance.report.model import COMPONENTS, Report
from conformance.report.summary import (
    counts_text,
    grouped,
    problem_lines,
    problems,
    verdict_counts_text,
    verdict_lines,
)
from conformance.report.verdicts import ComponentVerdict

VISIBILITY = "visible"
STDOUT_VISIBILITY = "hidden"
"""The autograder's own stdout is for the instructor; everything for the student is in "output"."""
NOT_LOADED = "not checked: the submission could not be loaded (see the message at the top)"


def component_points(components: Sequence[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    """Points per component: 1 each without ``weights``; with them, their points and 0 for unlisted ones.

    Raises ValueError for an unknown component or points that are not a number >= 0.
    """
    if weights is None:
        return dict.fromkeys(components, 1.0)
    for name, points in weights.items():
        if name not in COMPONENTS:
            known = ", ".join(COMPONENTS)
            raise ValueError(f"weights: unknown component {name!r}; the components are {known}")
        if not (isinstance(points, int | float) and math.isfinite(points) and points >= 0):
            raise ValueError(f"weights: {name} is worth {points!r} points; give a number >= 0")
    return {name: float(weights.get(name, 0.0)) for name in components}


def _test_output(component: ComponentVerdict) -> str:
    lines = verdict_lines(component, call=False)
    if component.verdict != "pass":
        lines.append(f"{component.passed} of {len(component.checks)} checks passed")
    if component.call:
        lines.append(f"call: {component.call}")
    for group in grouped(problems(component)):
        lines += ["", *problem_lines(group)]
    return "\n".join(lines)


def _test(component: ComponentVerdict, points: float) -> dict[str, Any]:
    earned = component.verdict == "pass"
    return {
        "name": component.name,
        "score": points if earned else 0.0,
        "max_score": points,
        "status": "passed" if earned else "failed",
        "output": _test_output(component),
        "visibility": VISIBILITY,
    }


def _results(score: float, seconds: float, output: str, tests: list[dict[str, Any]]) -> str:
    results = {
        "score": round(score, 6),
        "execution_time": round(seconds),
        "output": output,
        "visibility": VISIBILITY,
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": tests,
    }
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


def render_gradescope(report: Report, *, weights: Mapping[str, float] | None = None) -> str:
    """``results.json`` for a report: one test per component, worth its weight (1 by default)."""
    components = report.components
    points = component_points([component.name for component in components], weights)
    tests = [_test(component, points[component.name]) for component in components]
    earned = sum(test["status"] == "passed" for test in tests)
    verdict = (
        f"mnist-ref check {report.headline}: {earned} of {len(tests)} components correct "
        f"({verdict_counts_text(components)}; {counts_text(report)} checks)"
    )
    unchecked = [c for c in components if c.verdict == "unchecked" and c.required]
    if unchecked:
        verdict += "\nNot checked, so not scored (each with its fix):"
        verdict += "".join(f"\n- {' / '.join(verdict_lines(c, call=False))}" for c in unchecked)
    output = "\n".join([verdict, *report.notices])
    return _results(sum(test["score"] for test in tests), report.seconds, output, tests)


def render_gradescope_load_failure(message: str, *, weights: Mapping[str, float] | None = None) -> str:
    """``results.json`` when the submission cannot be loaded: score 0 and ``message`` for the student."""
    points = component_points(COMPONENTS, weights)
    tests = [
        {
            "name": name,
            "score": 0.0,
            "max_score": points[name],
            "status": "failed",
            "output": NOT_LOADED,
            "visibility": VISIBILITY,
        }
        for name in COMPONENTS
    ]
    return _results(0.0, 0.0, message, tests)
