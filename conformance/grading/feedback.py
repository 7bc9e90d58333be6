"""Feedback for one student, in Markdown: the score, each part's result, what went wrong and why, and
what could not be checked, why, and the one-line fix.

A part's result is its verdict (conformance.grading.scoring): passed, failed, or not checked. What
went wrong is told once per cause: checks failing with the same status, diagnosis and message (one
bug, several checks; or one bug, several parts) are one entry naming them all. Hidden checks are
never named: a part that lost points to a hidden check says only how many hidden checks did not
pass, and the points of hidden items are summed in one closing line.
"""

from __future__ import annotations

import re

from conformance.diagnose import DIAGNOSES
from conformance.grading.results import SubmissionResult
from conformance.grading.scoring import Grade, ItemStatus, ScoredItem, points_text
from conformance.report.markdown import code_span, escape_markdown
from conformance.report.model import CheckResult
from conformance.report.summary import TRACEBACK_KEY, VERDICT_ICONS, example_text, grouped

STATUS_PHRASES = {"pass": "passed", "fail": "failed", "error": "error", "skip": "not checked"}
"""How a check ended, in the entries of "What to fix"."""
RESULT_PHRASES: dict[ItemStatus, str] = {"pass": "passed", "fail": "failed", "unchecked": "not checked"}
"""A part's result, in the table."""
HOW_IT_WAS_CHECKED = (
    "Your code was loaded without running its top-level statements (data loading, training loops, "
    "plots). Each part of the network was then called on its own with small generated inputs and "
    "compared with a reference implementation, PyTorch autograd and finite differences."
)


def fenced(text: str) -> str:
    """``text`` in a fenced code block longer than any run of backticks inside it."""
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return f"{fence}text\n{text}\n{fence}"


def render_feedback(result: SubmissionResult, grade: Grade) -> str:
    """The Markdown feedback file of one submission."""
    title = f"# Feedback for {escape_markdown(result.name)}"
    score = f"**Score: {points_text(grade.score)} / {points_text(grade.max_score)}**"
    if result.report is None:
        blocks = [title, score, *_not_checked(result)]
    else:
        graded = code_span(result.submission.entry or result.submission.path)
        visible = [scored for scored in grade.items if not scored.item.hidden]
        blocks = [title, score, f"Graded file: {graded}. {HOW_IT_WAS_CHECKED}", _table(visible)]
        blocks += _problems(visible) + _unchecked(visible)
    if grade.hidden_points:
        blocks.append(
            f"{points_text(grade.hidden_points)} of the {points_text(grade.max_score)} points come from "
            "hidden checks, which are not listed here."
        )
    return "\n\n".join(blocks) + "\n"


def _not_checked(result: SubmissionResult) -> list[str]:
    if result.outcome == "not_loaded":
        lead = "Your submission could not be loaded, so none of its parts could be checked:"
        advice = "Fix this first, then submit again."
    else:
        lead = "Your submission could not be graded:"
        advice = "Please tell your instructor."
    return [lead, f"> {escape_markdown(result.reason or '')}", advice]


def _table(items: list[ScoredItem]) -> str:
    lines = ["| Part | Result | Points |", "|:--|:--|--:|"]
    for scored in items:
        codes = dict.fromkeys(check.diagnosis for check in scored.visible_problems if check.diagnosis)
        result = f"{VERDICT_ICONS[scored.status]} {RESULT_PHRASES[scored.status]}"
        if codes:
            result += " (" + ", ".join(code_span(code) for code in codes) + ")"
        points = f"{points_text(scored.earned)} / {points_text(scored.item.points)}"
        lines.append(f"| {escape_markdown(scored.item.name)} | {result} | {points} |")
    return "\n".join(lines)


def _problems(items: list[ScoredItem]) -> list[str]:
    """A section per part (or per set of parts sharing a cause): each cause once, then the hidden count."""
    failing = [scored for scored in items if scored.status == "fail"]
    if not failing:
        return []
    sections: dict[tuple[str, ...], list[str]] = {}
    problems = [check for scored in failing for check in scored.visible_problems]
    for group in grouped(problems):
        ids = {check.id for check in group}
        parts = tuple(scored.item.name for scored in failing if ids & {c.id for c in scored.visible_problems})
        sections.setdefault(parts, []).append(_problem(group))
    for scored in failing:
        if scored.hidden_problems:
            noun = "check" if scored.hidden_problems == 1 else "checks"
            line = f"{scored.hidden_problems} hidden {noun} of this part did not pass."
            sections.setdefault((scored.item.name,), []).append(line)
    blocks = ["## What to fix"]
    for parts, entries in sections.items():
        blocks.append(f"### {escape_markdown(', '.join(parts))}")
        blocks += entries
    return blocks


def _problem(group: list[CheckResult]) -> str:
    """One cause: the ids of the checks it failed and its diagnosis, the message (with its hint), the
    smallest failing input, the traceback."""
    first = group[0]
    ids = escape_markdown(", ".join(check.id for check in group))
    headline = f"**{ids}** {STATUS_PHRASES[first.status]}"
    if first.diagnosis:
        headline += f": {code_span(first.diagnosis)}, {escape_markdown(DIAGNOSES.get(first.diagnosis, ''))}"
    paragraphs = [headline, escape_markdown(first.message)]
    if first.example:
        paragraphs.append(f"Smallest failing input: {escape_markdown(example_text(first.example))}.")
    traceback = first.details.get(TRACEBACK_KEY)
    if traceback:
        paragraphs.append(fenced(str(traceback).rstrip("\n")))
    return "\n\n".join(paragraphs)


def _unchecked(items: list[ScoredItem]) -> list[str]:
    """The parts that could not be checked (so earned nothing): why, and the one-line fix."""
    unchecked = [scored for scored in items if scored.status == "unchecked"]
    if not unchecked:
        return []
    lines = []
    for scored in unchecked:
        line = f"- **{escape_markdown(scored.item.name)}**: {escape_markdown(scored.visible_reason)}"
        if scored.fix:
            line += f". Fix: {escape_markdown(scored.fix)}"
        lines.append(line)
    return ["## Not checked", "\n".join(lines)]
