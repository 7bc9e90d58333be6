"""The report as GitHub-flavoured Markdown, small enough for a CI job summary or a pull-request comment.

A one-line verdict (PASSED, FAILED, NOT CHECKED or INCOMPLETE, as the exit code says), a table with
one row per component: its verdict, whether a PASS needs it, the checks passed, why (the diagnoses
of a failure; the reason and the one-line fix of a component that could not be checked) and the
call made. Then a collapsed ``<details>`` section per cause of failure (checks failing with the same
diagnosis and message are one cause) with its diagnosis, message, smallest failing input and the
target's traceback.
"""

from __future__ import annotations

import html
import re

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report
from conformance.report.summary import (
    HEADLINE_ICONS,
    TRACEBACK_KEY,
    VERDICT_ICONS,
    VERDICT_WORDS,
    counts_text,
    example_text,
    grouped,
    problems,
    verdict_counts_text,
)
from conformance.report.verdicts import ComponentVerdict

CHECK_ICONS = {"pass": "✅", "fail": "❌", "error": "💥", "skip": "⏭️"}
TABLE_HEADER = ("Verdict", "Component", "Required", "Checks passed", "Why", "Call made")
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


def _table_code(text: str) -> str:
    """Inline code in a table cell: a ``|`` would end the cell even inside code, so it is written ``\\|``."""
    return code_span(" ".join(text.split())).replace("|", "\\|")


def _code_block(text: str) -> str:
    """A fenced block longer than any run of backticks inside ``text``."""
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return f"{fence}text\n{text}\n{fence}"


def _verdict(report: Report) -> str:
    return (
        f"{HEADLINE_ICONS[report.headline]} **mnist-ref check {report.headline}** for "
        f"{code_span(' '.join(report.target.split()))}: {verdict_counts_text(report.components)} of "
        f"{len(report.components)} components; {counts_text(report)} of {len(report.checks)} checks "
        f"(seed {report.seed}, {report.dtype}; exit code {report.exit_code})"
    )


def _why(component: ComponentVerdict) -> str:
    if component.verdict == "pass":
        return ""
    if component.verdict == "fail":
        codes = component.diagnoses
        return ", ".join(f"`{code}`" for code in codes) if codes else escape_markdown(component.reason)
    why = escape_markdown(component.reason)
    if component.fix and component.verdict == "unchecked":
        why += f". **Fix:** {escape_markdown(component.fix)}"
    return why


def _row(component: ComponentVerdict) -> str:
    cells = (
        f"{VERDICT_ICONS[component.verdict]} {VERDICT_WORDS[component.verdict]}",
        escape_markdown(component.name),
        "yes" if component.required else "",
        f"{component.passed}/{len(component.checks)}",
        _why(component),
        _table_code(component.call) if component.call else "",
    )
    return "| " + " | ".join(cells) + " |"


def _table(report: Report) -> str:
    lines = ["| " + " | ".join(TABLE_HEADER) + " |", "|:--|:--|:-:|--:|:--|:--|"]
    return "\n".join(lines + [_row(component) for component in report.components])


def _details(group: list[CheckResult]) -> str:
    first = group[0]
    ids = ", ".join(f"<code>{html.escape(result.id)}</code>" for result in group)
    title = f"{CHECK_ICONS[first.status]} {ids}"
    paragraphs = []
    if first.diagnosis:
        title += f": {html.escape(first.diagnosis)}"
        description = DIAGNOSES.get(first.diagnosis, "no description")
        paragraphs.append(f"**Diagnosis:** `{first.diagnosis}`, {escape_markdown(description)}")
    paragraphs.append(f"**Message:** {escape_markdown(first.message)}")
    if first.example:
        paragraphs.append(f"**Smallest failing input:** {escape_markdown(example_text(first.example))}")
    traceback = first.details.get(TRACEBACK_KEY)
    if traceback:
        paragraphs.append(_code_block(str(traceback).rstrip("\n")))
    return "\n\n".join([f"<details>\n<summary>{title}</summary>", *paragraphs, "</details>"])


def render_markdown(report: Report) -> str:
    """Verdict, the component table, a collapsed section per cause of failure, the notices."""
    blocks = [_verdict(report), _table(report)]
    failing = [result for component in report.components for result in problems(component)]
    if failing:
        blocks.append("**What went wrong**")
        blocks += [_details(group) for group in grouped(failing)]
    blocks += [f"> **Note:** {escape_markdown(notice)}" for notice in report.notices]
    return "\n\n".join(blocks) + "\n"
