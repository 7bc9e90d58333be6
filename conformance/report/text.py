"""The report for people: one row per component with its verdict, then what failed and why, what could
not be checked and the one-line fix, and the exact call made for each component."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from conformance.report.model import CheckResult, Report
from conformance.report.summary import grouped
from conformance.report.verdicts import ComponentVerdict

STYLES = {"pass": "green", "fail": "bold red", "unchecked": "bold yellow", "not_required": "dim"}
HEADLINE_STYLES = {"PASSED": "green", "FAILED": "red", "NOT CHECKED": "red", "INCOMPLETE": "yellow"}


def _why(component: ComponentVerdict) -> str:
    """The table's last column: the diagnoses of a failure, the reason for anything but a pass."""
    if component.verdict == "fail":
        return ", ".join(component.diagnoses)
    return "" if component.verdict == "pass" else component.reason


def _table(report: Report) -> Table:
    table = Table(title=f"mnist-ref check: {report.target}", title_justify="left")
    for column in ("component", "verdict", "checks passed", "why"):
        table.add_column(column)
    for component in report.components:
        name = component.name + (" *" if component.required else "")
        verdict = f"[{STYLES[component.verdict]}]{component.verdict}[/]"
        table.add_row(name, verdict, f"{component.passed}/{len(component.checks)}", _why(component))
    return table


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
    """The component table, failures' messages, what was not checked and why, the calls, the verdict."""
    # force_jupyter=False: inside a Jupyter kernel rich would display each line itself, not write the text
    console = Console(
        file=io.StringIO(), force_terminal=color, force_jupyter=False, no_color=not color, width=width
    )

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    console.print(_table(report))
    say("* required: a PASS needs every one of them checked and right")
    if "style" in report.mapping:
        layout = report.mapping.get("layout", "column")
        reason = report.mapping.get("layout_reason")
        say(f"found: {report.mapping['style']} style, {layout} layout" + (f" ({reason})" if reason else ""))
    failed = [result for c in report.components if c.verdict == "fail" for result in c.checks]
    problems = [result for result in failed if result.status in ("fail", "error")]
    if problems:
        console.print("\n[bold]What went wrong[/]")
        for group in grouped(problems):
            say("\n".join(_problem_lines(group)))
    unchecked: dict[tuple[str, str | None], list[str]] = {}
    for component in report.components:
        if component.verdict == "unchecked":
            unchecked.setdefault((component.reason, component.fix), []).append(component.name)
    if unchecked:
        console.print("\n[bold]Not checked[/]")
        for (reason, fix), names in unchecked.items():
            say(f"{', '.join(names)}: {reason}")
            if fix:
                say(f"  fix: {fix}")
    calls: dict[str, list[str]] = {}
    for component in report.components:
        if component.call:
            calls.setdefault(component.call, []).append(component.name)
    if calls:
        console.print("\n[bold]Calls made[/] (canonical roles; the layout above)")
        for call, names in calls.items():
            say(f"{', '.join(names)}: {call}")
    for notice in report.notices:
        say(f"note: {notice}")
    verdicts = {c.verdict for c in report.components}
    counts = ", ".join(
        f"{sum(c.verdict == verdict for c in report.components)} {verdict}"
        for verdict in ("pass", "fail", "unchecked", "not_required")
        if verdict in verdicts
    )
    style = HEADLINE_STYLES[report.headline]
    console.print(f"\n[{style}]{report.headline}[/] {counts} (components); exit code {report.exit_code}")
    return console.file.getvalue()
