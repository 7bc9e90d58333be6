"""``summary.md``: the class at a glance, for the instructor, with its plots under ``plots/``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conformance.diagnose import DIAGNOSES
from conformance.files import write_atomically
from conformance.grading.plots import PLOT_FILES, write_plots
from conformance.grading.rubric import EQUAL_WEIGHTS, Rubric
from conformance.grading.scoring import points_text
from conformance.grading.settings import GradingSettings
from conformance.grading.statistics import STATUS_COLUMNS, component_counts, diagnosis_counts
from conformance.report.markdown import code_span, escape_markdown
from conformance.report.verdicts import HEADLINES

PLOTS_FOLDER = "plots"
MOST_COMMON = 10
"""How many diagnoses the table and the plot show."""


def _overview(frame: pd.DataFrame, rubric: Rubric, settings: GradingSettings) -> str:
    total = len(frame)
    checked = int((frame["outcome"] == "checked").sum())
    max_score = rubric.max_score
    lines = [f"**{total} submissions**: {checked} checked, {total - checked} not checked."]
    verdicts = frame.loc[frame["verdict"] != "", "verdict"].value_counts()
    if not verdicts.empty:
        shown = ", ".join(f"{verdicts[name]} {name}" for name in HEADLINES.values() if name in verdicts)
        lines.append(f"Verdicts of the checked ones, as `mnist-ref check` gives them: {shown}.")
    if total:
        scores = frame["score"]
        mean, median = scores.mean(), scores.median()
        full = int((scores == max_score).sum())
        lines.append(
            f"Mean score {mean:.2f} of {points_text(max_score)} ({mean / max_score:.0%}), "
            f"median {median:g}; {full} with full marks."
        )
    lines.append(_points_line(rubric))
    lines.append(
        f"Settings: seed {settings.seed}, {settings.dtype}, {settings.examples} examples per property, "
        f"{settings.timeout:g} s per call, {settings.memory_mb} MB, mnist-ref {settings.version}."
    )
    return "  \n".join(lines)


def _points_line(rubric: Rubric) -> str:
    if rubric == EQUAL_WEIGHTS:
        return "Points: 1 per component, none hidden."
    line = f"Points: from the rubric, {points_text(rubric.max_score)} in all"
    hidden = rubric.hidden_points
    return line + (f", {points_text(hidden)} of them hidden from students." if hidden else ".")


def _component_table(counts: pd.DataFrame) -> str:
    header = ["Component", *[column.capitalize() for column in STATUS_COLUMNS.values()], "Pass rate"]
    lines = ["| " + " | ".join(header) + " |", "|:--|" + "--:|" * (len(header) - 1)]
    for component, row in counts.iterrows():
        cells = [str(int(row[column])) for column in STATUS_COLUMNS.values()]
        lines.append(f"| {component} | " + " | ".join(cells) + f" | {row['pass_rate']:.0%} |")
    return "\n".join(lines)


def _diagnosis_table(diagnoses: pd.DataFrame) -> str:
    if diagnoses.empty:
        return "No check failed in any submission."
    lines = ["| Component | Diagnosis | Submissions | Meaning |", "|:--|:--|--:|:--|"]
    for row in diagnoses.itertuples():
        meaning = escape_markdown(DIAGNOSES.get(row.diagnosis, ""))
        lines.append(f"| {row.component} | {code_span(row.diagnosis)} | {row.submissions} | {meaning} |")
    return "\n".join(lines)


def _unchecked_table(frame: pd.DataFrame) -> list[str]:
    unchecked = frame[frame["outcome"] != "checked"]
    if unchecked.empty:
        return []
    lines = ["| Submission | Outcome | Reason |", "|:--|:--|:--|"]
    for row in unchecked.itertuples():
        lines.append(f"| {code_span(row.name)} | {row.outcome} | {escape_markdown(row.reason)} |")
    return ["## Not checked", "\n".join(lines)]


def _image(title: str, kind: str) -> str:
    return f"![{title}]({PLOTS_FOLDER}/{PLOT_FILES[kind]})"


def render_summary(frame: pd.DataFrame, rubric: Rubric, settings: GradingSettings) -> str:
    """The Markdown summary of a gradebook ``frame`` (see conformance.grading.gradebook)."""
    counts = component_counts(frame)
    diagnoses = diagnosis_counts(frame).head(MOST_COMMON)
    blocks = [
        "# Grading summary",
        _overview(frame, rubric, settings),
        _image("Score histogram", "scores"),
        "## Components",
        "Each submission's verdict on each component, as `mnist-ref check` gives it: passed (checked, "
        "and right), failed, unchecked (the checker could not run it: the feedback says why, with the "
        "fix) or not required (not found, and not required). The pass rate is over all submissions.",
        _component_table(counts),
        _image("Verdict on each component", "components"),
        "## Most common diagnoses",
        _diagnosis_table(diagnoses),
        _image("Most common diagnoses", "diagnoses"),
        *_unchecked_table(frame),
    ]
    return "\n\n".join(blocks) + "\n"


def write_summary(directory: Path, frame: pd.DataFrame, rubric: Rubric, settings: GradingSettings) -> Path:
    """Write ``summary.md`` and its plots into ``directory``; the path of summary.md."""
    counts = component_counts(frame)
    write_plots(
        directory / PLOTS_FOLDER,
        frame["score"],
        rubric.max_score,
        counts,
        diagnosis_counts(frame).head(MOST_COMMON),
    )
    path = directory / "summary.md"
    write_atomically(path, render_summary(frame, rubric, settings))
    return path
