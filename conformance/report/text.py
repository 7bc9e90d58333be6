"""The report for people: a table of every check, then what failed, why, and what to try."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from conformance.report.model import CheckResult, Report

STYLES = {"pass": "green", "fail": "bold red", "error": "bold magenta", "skip": "yellow"}


def _table(report: Report) -> Table:
    table = Table(title=f"mnist-ref check: {report.target}", title_justify="left")
    for column in ("component", "check", "status", "diagnosis"):
        table.add_column(column)
    for result in report.checks:
        style = STYLES[result.status]
        table.add_row(result.component, result.id, f"[{style}]{result.status}[/]", result.diagnosis or "")
    return table


def _grouped(results: list[CheckResult]) -> list[list[CheckResult]]:
    """Results with the same status, diagnosis and message together (one cause often fails several checks)."""
    groups: dict[tuple, list[CheckResult]] = {}
    for result in results:
        groups.setdefault((result.status, result.diagnosis, result.message), []).append(result)
    return list(groups.values())


def _problem_lines(group: list[CheckResult]) -> list[str]:
    first = group[0]
    ids = ", ".join(result.id for result in group)
    lines = [f"{ids}: {first.status}" + (f" [{first.diagnosis}]" if first.diagnosis else "")]
    lines.append(f"  {first.message}")
    if first.example:
        example = ", ".join(f"{key}={value}" for key, value in first.example.items())
        lines.append(f"  smallest failing input: {example}")
    return lines


def render_text(report: Report, *, color: bool = False, width: int = 110) -> str:
    """The table, the failures' messages, the skips' reasons, and a one-line summary."""
    console = Console(file=io.StringIO(), force_terminal=color, no_color=not color, width=width)
    console.print(_table(report))
    if "style" in report.mapping:
        layout = report.mapping.get("layout", "column")
        reason = report.mapping.get("layout_reason")
        found = f"found: {report.mapping['style']} style, {layout} layout"
        console.print(found + (f" ({reason})" if reason else ""), markup=False, highlight=False)
    problems = [r for r in report.checks if r.status in ("fail", "error")]
    if problems:
        console.print("\n[bold]What went wrong[/]")
        for group in _grouped(problems):
            console.print("\n".join(_problem_lines(group)), markup=False, highlight=False)
    skipped = [r for r in report.checks if r.status == "skip"]
    if skipped:
        console.print("\n[bold]Skipped[/]")
        for group in _grouped(skipped):
            ids = ", ".join(result.id for result in group)
            console.print(f"{ids}: {group[0].message}", markup=False, highlight=False)
    for notice in report.notices:
        console.print(f"note: {notice}", markup=False, highlight=False)
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
    verdict = "[green]PASSED[/]" if report.passed else "[red]FAILED[/]"
    console.print(f"\n{verdict} {counts}")
    return console.file.getvalue()
