"""Feedback for one student, in Markdown: the score, each part's result, and what went wrong and why.

Hidden checks are never named: a part that lost points to a hidden check says only how many
hidden checks did not pass, and the points of hidden items are summed in one closing line.
"""

from __future__ import annotations

import re

from conformance.diagnose import DIAGNOSES
from conformance.grading.results import SubmissionResult
from conformance.grading.scoring import Grade, ScoredItem, points_text
from conformance.report.markdown import ICONS, code_span, escape_markdown
from conformance.report.model import CheckResult
from conformance.report.summary import FAILING, TRACEBACK_KEY, example_text

STATUS_PHRASES = {"pass": "passed", "fail": "failed", "error": "error", "skip": "not checked"}
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
        blocks += _problems(visible) + _not_provided(visible)
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
        codes = dict.fromkeys(
            check.diagnosis for check in scored.visible_checks if check.status in FAILING and check.diagnosis
        )
        result = f"{ICONS[scored.status]} {STATUS_PHRASES[scored.status]}"
        if codes:
            result += " (" + ", ".join(code_span(code) for code in codes) + ")"
        points = f"{points_text(scored.earned)} / {points_text(scored.item.points)}"
        lines.append(f"| {escape_markdown(scored.item.name)} | {result} | {points} |")
    return "\n".join(lines)


def _problems(items: list[ScoredItem]) -> list[str]:
    failing = [scored for scored in items if scored.status in FAILING]
    if not failing:
        return []
    blocks = ["## What to fix"]
    for scored in failing:
        blocks.append(f"### {escape_markdown(scored.item.name)}")
        blocks += [_problem(check) for check in scored.visible_checks if check.status in FAILING]
        if scored.hidden_problems:
            noun = "check" if scored.hidden_problems == 1 else "checks"
            blocks.append(f"{scored.hidden_problems} hidden {noun} of this part did not pass.")
    return blocks


def _problem(check: CheckResult) -> str:
    """One failing check: its id and diagnosis, the message (with its hint), the input, the traceback."""
    headline = f"**{escape_markdown(check.id)}** {STATUS_PHRASES[check.status]}"
    if check.diagnosis:
        headline += f": {code_span(check.diagnosis)}, {escape_markdown(DIAGNOSES.get(check.diagnosis, ''))}"
    paragraphs = [headline, escape_markdown(check.message)]
    if check.example:
        paragraphs.append(f"Smallest failing input: {escape_markdown(example_text(check.example))}.")
    traceback = check.details.get(TRACEBACK_KEY)
    if traceback:
        paragraphs.append(fenced(str(traceback).rstrip("\n")))
    return "\n\n".join(paragraphs)


def _not_provided(items: list[ScoredItem]) -> list[str]:
    """Parts whose checks were all skipped, with the first reason given."""
    skipped = [scored for scored in items if scored.status == "skip" and scored.visible_checks]
    if not skipped:
        return []
    lines = [
        f"- **{escape_markdown(scored.item.name)}**: {escape_markdown(scored.visible_checks[0].message)}"
        for scored in skipped
    ]
    return ["## Not checked", "\n".join(lines)]
