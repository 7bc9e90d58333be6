"""The report as an HTML fragment, for a Jupyter notebook's output (``%mnist_check``).

The same content as the text report, in the Markdown report's order: a one-line verdict, a table
with one row per component (verdict, required, checks passed, why, call made), then each cause of
failure once (checks failing with the same diagnosis and message are one cause) with its
diagnosis, message, smallest failing input and the target's traceback, and the notices. Inline
styles only, so it reads the same in JupyterLab, Notebook, VS Code and Colab.
"""

from __future__ import annotations

from html import escape

from conformance.diagnose import DIAGNOSES
from conformance.report.model import CheckResult, Report
from conformance.report.summary import (
    HEADLINE_ICONS,
    STATUS_WORDS,
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

REPORT_CLASS = "mnist-ref-report"
VERDICT_COLORS = {"pass": "#1a7f37", "fail": "#cf222e", "unchecked": "#9a6700", "not_required": "#6e7781"}
HEADLINE_COLORS = {
    "PASSED": "#1a7f37",
    "FAILED": "#cf222e",
    "NOT CHECKED": "#cf222e",
    "INCOMPLETE": "#9a6700",
}
TABLE_HEADER = ("Component", "Verdict", "Required", "Checks passed", "Why", "Call made")
CELL_STYLE = "text-align:left;vertical-align:top;padding:2px 8px"


def _verdict(report: Report) -> str:
    color = HEADLINE_COLORS[report.headline]
    return (
        f'<p>{HEADLINE_ICONS[report.headline]} <b style="color:{color}">mnist-ref check '
        f"{escape(report.headline)}</b> for <code>{escape(report.target)}</code>: "
        f"{escape(verdict_counts_text(report.components))} of {len(report.components)} components; "
        f"{escape(counts_text(report))} of {len(report.checks)} checks "
        f"(seed {report.seed}, {escape(report.dtype)})</p>"
    )


def _why(component: ComponentVerdict) -> str:
    if component.verdict == "pass":
        return ""
    if component.verdict == "fail" and component.diagnoses:
        return ", ".join(f"<code>{escape(code)}</code>" for code in component.diagnoses)
    why = escape(component.reason)
    if component.fix and component.verdict == "unchecked":
        why += f"<br><b>Fix:</b> {escape(component.fix)}"
    return why


def _row(component: ComponentVerdict) -> str:
    verdict = component.verdict
    word = f"{VERDICT_ICONS[verdict]} {VERDICT_WORDS[verdict]}"
    cells = (
        f"<code>{escape(component.name)}</code>",
        f'<span style="color:{VERDICT_COLORS[verdict]}">{word}</span>',
        "yes" if component.required else "",
        f"{component.passed}/{len(component.checks)}",
        _why(component),
        f"<code>{escape(component.call)}</code>" if component.call else "",
    )
    return "<tr>" + "".join(f'<td style="{CELL_STYLE}">{cell}</td>' for cell in cells) + "</tr>"


def _table(report: Report) -> str:
    header = "".join(f'<th style="{CELL_STYLE}">{name}</th>' for name in TABLE_HEADER)
    rows = "\n".join(_row(component) for component in report.components)
    return f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


def _cause(group: list[CheckResult]) -> str:
    first = group[0]
    ids = ", ".join(f"<code>{escape(result.id)}</code>" for result in group)
    title = f"{ids} {STATUS_WORDS[first.status]}"
    parts = []
    if first.diagnosis:
        title += f": <code>{escape(first.diagnosis)}</code>"
        parts.append(escape(DIAGNOSES.get(first.diagnosis, "no description")))
    parts.append(escape(first.message))
    if first.example:
        parts.append(f"Smallest failing input: {escape(example_text(first.example))}")
    body = "".join(f"<div>{part}</div>" for part in parts)
    traceback = first.details.get(TRACEBACK_KEY)
    if traceback:
        body += f"<pre>{escape(str(traceback).rstrip())}</pre>"
    return f"<li><b>{title}</b>{body}</li>"


def render_html(report: Report) -> str:
    """The report as one ``<div>``: verdict, component table, each cause of failure once, notices."""
    blocks = [_verdict(report), _table(report)]
    failing = [result for component in report.components for result in problems(component)]
    if failing:
        causes = "\n".join(_cause(group) for group in grouped(failing))
        blocks.append(f"<p><b>What went wrong</b></p>\n<ul>\n{causes}\n</ul>")
    blocks += [f"<p><i>Note: {escape(notice)}</i></p>" for notice in report.notices]
    return f'<div class="{REPORT_CLASS}">\n' + "\n".join(blocks) + "\n</div>"


def render_html_error(target: str, message: str) -> str:
    """A target that could not be loaded: the reason, as ``mnist-ref check`` says it."""
    color = HEADLINE_COLORS["NOT CHECKED"]
    return (
        f'<div class="{REPORT_CLASS}"><p>{HEADLINE_ICONS["NOT CHECKED"]} <b style="color:{color}">'
        f"mnist-ref check NOT CHECKED</b> for <code>{escape(target)}</code>: {escape(message)}</p></div>"
    )
