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


def _problem_lines(result: CheckResult) -> list[str]:
    lines = [f"{result.id}: {result.status}" + (f" [{result.diagnosis}]" if result.diagnosis else "")]
    lines.append(f"  {result.message}")
    if result.example:
        example = ", ".join(f"{key}={value}" for key, value in result.example.items())
        lines.append(f"  smallest failing input: {example}")
    return lines


def render_text(report: Report, *, color: bool = False, width: int = 110) -> str:
    """The table, the failures' messages, the skips' reasons, and a one-line summary."""
    console = Console(file=io.StringIO(), force_terminal=color, no_color=not color, width=width)
    console.print(_table(report))
    problems = [r for r in report.checks if r.status in ("fail", "error")]
    if problems:
        console.print("\n[bold]What went wrong[/]")
        for result in problems:
            console.print("\n".join(_problem_lines(result)), markup=False, highlight=False)
    skipped = [r for r in report.checks if r.status == "skip"]
    if skipped:
        console.print("\n[bold]Skipped[/]")
        for result in skipped:
            console.print(f"{result.id}: {result.message}", markup=False, highlight=False)
    for notice in report.notices:
        console.print(f"note: {notice}", markup=False, highlight=False)
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
    verdict = "[green]PASSED[/]" if report.passed else "[red]FAILED[/]"
    console.print(f"\n{verdict} {counts}")
    return console.file.getvalue()
