"""The report as GitHub-flavoured Markdown, small enough for a CI job summary or a pull-request comment.

A one-line verdict with the counts, a table with one row per component (status, checks
passed, diagnoses), then a collapsed ``<details>`` section per failing check with its
diagnosis, message, smallest failing input and the target's traceback.
"""

from __future__ import annotations

import html
import re

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report
from conformance.report.summary import (
    FAILING,
    TRACEBACK_KEY,
    ComponentSummary,
    by_component,
    counts_text,
    example_text,
)

ICONS = {"pass": "✅", "fail": "❌", "error": "💥", "skip": "⏭️"}
TABLE_HEADER = ("Status", "Component", "Checks passed", "Diagnoses")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!$@])")
"""Characters that could start emphasis, code, links, HTML, tables, math or mentions."""


def escape_markdown(text: str) -> str:
    """``text`` on one line, shown literally by a Markdown renderer (in a paragraph or a table cell)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code_span(text: str) -> str:
    """``text`` as inline code, delimited by more backticks than any run of them inside it."""
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    ticks = "`" * (longest_run + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{padding}{text}{padding}{ticks}"


def _code_block(text: str) -> str:
    """A fenced block longer than any run of backticks inside ``text``."""
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return f"{fence}text\n{text}\n{fence}"


def _verdict(report: Report) -> str:
    icon, word = ("✅", "PASSED") if report.passed else ("❌", "FAILED")
    return (
        f"{icon} **mnist-ref check {word}** for {code_span(' '.join(report.target.split()))}: "
        f"{counts_text(report)} of {len(report.checks)} checks (seed {report.seed}, {report.dtype})"
    )


def _row(component: ComponentSummary) -> str:
    notes = [f"`{code}`" for code in component.diagnoses]
    skipped = sum(result.status == "skip" for result in component.checks)
    if skipped:
        notes.append(f"{skipped} skipped")
    cells = (
        ICONS[component.status],
        escape_markdown(component.name),
        f"{component.passed}/{len(component.checks)}",
        ", ".join(notes),
    )
    return "| " + " | ".join(cells) + " |"


def _table(report: Report) -> str:
    lines = ["| " + " | ".join(TABLE_HEADER) + " |", "|:-:|:--|--:|:--|"]
    return "\n".join(lines + [_row(component) for component in by_component(report)])


def _details(result: CheckResult) -> str:
    title = f"{ICONS[result.status]} <code>{html.escape(result.id)}</code>"
    paragraphs = []
    if result.diagnosis:
        title += f": {html.escape(result.diagnosis)}"
        description = DIAGNOSES.get(result.diagnosis, "no description")
        paragraphs.append(f"**Diagnosis:** `{result.diagnosis}`, {escape_markdown(description)}")
    paragraphs.append(f"**Message:** {escape_markdown(result.message)}")
    if result.example:
        paragraphs.append(f"**Smallest failing input:** {escape_markdown(example_text(result.example))}")
    traceback = result.details.get(TRACEBACK_KEY)
    if traceback:
        paragraphs.append(_code_block(str(traceback).rstrip("\n")))
    return "\n\n".join([f"<details>\n<summary>{title}</summary>", *paragraphs, "</details>"])


def render_markdown(report: Report) -> str:
    """Verdict, the component table, a collapsed section per failing check, the notices."""
    blocks = [_verdict(report), _table(report)]
    problems = [result for result in report.checks if result.status in FAILING]
    if problems:
        blocks.append("**What went wrong**")
        blocks += [_details(result) for result in problems]
    blocks += [f"> **Note:** {escape_markdown(notice)}" for notice in report.notices]
    return "\n\n".join(blocks) + "\n"
