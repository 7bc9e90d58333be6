"""The gradebook, ``grades.csv``: one row per submission, sorted by name, the same bytes for the same run.

Columns: ``name``, ``entry`` (the file graded), ``outcome`` (checked, not loaded, grader
failed), ``verdict`` (PASSED, FAILED, NOT CHECKED or INCOMPLETE, as `mnist-ref check` would say
with the rubric's required components; empty when the submission was not checked), ``score`` and
``max_score`` (by the rubric), one column per component with its verdict (pass, fail, unchecked or
not_required; empty when the submission was not checked), ``diagnoses`` (``component:code`` of
every failing check of a component that failed, ``; ``-separated) and ``reason`` (why a
submission was not checked). No timestamps and no durations, so a rerun reproduces the file exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from conformance.files import write_atomically
from conformance.grading.results import OUTCOME_WORDS, SubmissionResult
from conformance.grading.rubric import EQUAL_WEIGHTS, Rubric, component_names
from conformance.grading.scoring import grade, with_rubric

DIAGNOSIS_SEPARATOR = "; "


def columns(rubric: Rubric) -> tuple[str, ...]:
    """The gradebook's columns: one per component of the rubric's network (dW3, db3... for a deeper one)."""
    return ("name", "entry", "outcome", "verdict", "score", "max_score", *component_names(rubric.network),
            "diagnoses", "reason")  # fmt: skip


SCORE_FORMAT = "%.6g"


def diagnoses(result: SubmissionResult, rubric: Rubric = EQUAL_WEIGHTS) -> list[str]:
    """``component:code`` for each diagnosis of the components that failed, in component order, each once."""
    if result.report is None:
        return []
    components = with_rubric(result.report, rubric).components
    return [f"{component.name}:{code}" for component in components for code in component.diagnoses]


def gradebook_row(result: SubmissionResult, rubric: Rubric) -> dict[str, Any]:
    """The row of one submission (see the module docstring for the columns)."""
    report = None if result.report is None else with_rubric(result.report, rubric)
    verdicts = {} if report is None else {c.name: c.verdict for c in report.components}
    scored = grade(result, rubric)
    return {
        "name": result.name,
        "entry": result.submission.entry or result.submission.path,
        "outcome": OUTCOME_WORDS[result.outcome],
        "verdict": "" if report is None else report.headline,
        "score": scored.score,
        "max_score": scored.max_score,
        **{component: verdicts.get(component, "") for component in component_names(rubric.network)},
        "diagnoses": DIAGNOSIS_SEPARATOR.join(diagnoses(result, rubric)),
        "reason": result.reason or "",
    }


def gradebook(results: Sequence[SubmissionResult], rubric: Rubric) -> pd.DataFrame:
    """One row per submission, sorted by name."""
    rows = sorted((gradebook_row(result, rubric) for result in results), key=lambda row: row["name"])
    return pd.DataFrame(rows, columns=list(columns(rubric)))


def write_gradebook(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV (scores without trailing zeros: 12, 7.5)."""
    write_atomically(path, frame.to_csv(index=False, lineterminator="\n", float_format=SCORE_FORMAT))
