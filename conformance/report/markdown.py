"""The report as GitHub-flavoured Markdown, small enough for a CI job summary or a pull-request comment.

A one-line verdict with the counts, a table with one row per component (status, checks
passed, diagnoses), then a collapsed ``<details>`` section per failing check with its
message, smallest failing input and the target's traceback.
"""

from __future__ import annotations

import html
import re

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report
from conformance.report.summary import FAILING, TRACEBACK_KEY, ComponentSummary, by_component, example_text

ICONS = {"pass": "✅", "fail": "❌", "error": "💥", "skip": "⏭️"}
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!$@])")
"""Characters that could start emphasis, code, links, HTML, tables, math or mentions."""


def escape_markdown(text: str) -> str:
    """``text`` on one line, shown literally by a Markdown renderer (inline, in a paragraph or a table cell)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code_block(text: str) -> list[str]:
    """A fenced block longer than any run of backticks inside ``text``."""
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return [f"{fence}text", text, fence]


def _verdict(report: Report) -> str:
    counts = report.counts()
    icon, word = ("✅", "PASSED") if report.passed else ("❌", "FAILED")
    return (
        f"{icon} **mnist-ref check {word}** for {escape_markdown(report.target)}: "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors, "
        f"{counts['skip']} skipped of {len(report.checks)} checks (seed {report.seed}, {report.dtype})"
    )


def _row(component: ComponentSummary) -> str:
    notes = [f"`{code}`" for code in component.diagnoses]
    skipped = sum(result.status == "skip" for result in component.checks)
    if skipped:
        notes.append(f"{skipped} skipped")
    cells = [
        ICONS[component.status],
        escape_markdown(component.name),
        f"{component.passed}/{len(component.checks)}",
        ", ".join(notes),
    ]
    return "| " + " | ".join(cells) + " |"


def _details(result: CheckResult) -> list[str]:
    title = f"{ICONS[result.status]} <code>{html.escape(result.id)}</code>"
    if result.diagnosis:
        title += f": {html.escape(result.diagnosis)}"
    lines = ["<details>", f"<summary>{title}</summary>", ""]
    if result.diagnosis:
        description = DIAGNOSES.get(result.diagnosis, "no description")
        lines += [f"**Diagnosis:** `{result.diagnosis}`, {escape_markdown(description)}", ""]
    lines += [f"**Message:** {escape_markdown(result.message)}", ""]
    if result.example:
        lines += [f"**Smallest failing input:** {escape_markdown(example_text(result.example))}", ""]
    traceback = result.details.get(TRACEBACK_KEY)
    if traceback:
        lines += [*_code_block(str(traceback).rstrip("\n")), ""]
    return [*lines, "</details>"]


def render_markdown(report: Report) -> str:
    """Verdict, the component table, a collapsed section per failing check, the notices."""
    lines = [_verdict(report), "", "| Status | Component | Checks passed | Diagnoses |", "|:-:|:--|--:|:--|"]
    lines += [_row(component) for component in by_component(report)]
    problems = [result for result in report.checks if result.status in FAILING]
    if problems:
        lines += ["", "**What went wrong**", ""]
        for result in problems:
            lines += [*_details(result), ""]
    for notice in report.notices:
        lines += ["", f"> **Note:** {escape_markdown(notice)}"]
    return "\n".join(lines).rstrip("\n") + "\n"
