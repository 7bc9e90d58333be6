"""The gradebook, ``grades.csv``: one row per submission, sorted by name, the same bytes for the same run.

Columns: ``name``, ``entry`` (the file graded), ``outcome`` (checked, not loaded, grader
failed), ``score`` and ``max_score`` (by the rubric), one column per component with its
status (pass, fail, error or skip; empty when the submission was not checked), ``diagnoses``
(``component:code`` of every failing check, ``; ``-separated) and ``reason`` (why a submission
was not checked). No timestamps and no durations, so a rerun reproduces the file exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from conformance.files import write_atomically
from conformance.grading.results import OUTCOME_WORDS, SubmissionResult
from conformance.grading.rubric import Rubric
from conformance.grading.scoring import grade
from conformance.report.model import COMPONENTS
from conformance.report.summary import by_component

DIAGNOSIS_SEPARATOR = "; "
COLUMNS = ("name", "entry", "outcome", "score", "max_score", *COMPONENTS, "diagnoses", "reason")
SCORE_FORMAT = "%.6g"


def diagnoses(result: SubmissionResult) -> list[str]:
    """``component:code`` for each diagnosis of the failing checks, in component order, each once."""
    if result.report is None:
        return []
    components = by_component(result.report)
    return [f"{component.name}:{code}" for component in components for code in component.diagnoses]


def gradebook_row(result: SubmissionResult, rubric: Rubric) -> dict[str, Any]:
    """The row of one submission (see the module docstring for the columns)."""
    statuses = {} if result.report is None else {c.name: c.status for c in by_component(result.report)}
    scored = grade(result, rubric)
    return {
        "name": result.name,
        "entry": result.submission.entry or result.submission.path,
        "outcome": OUTCOME_WORDS[result.outcome],
        "score": scored.score,
        "max_score": scored.max_score,
        **{component: statuses.get(component, "") for component in COMPONENTS},
        "diagnoses": DIAGNOSIS_SEPARATOR.join(diagnoses(result)),
        "reason": result.reason or "",
    }


def gradebook(results: Sequence[SubmissionResult], rubric: Rubric) -> pd.DataFrame:
    """One row per submission, sorted by name."""
    rows = sorted((gradebook_row(result, rubric) for result in results), key=lambda row: row["name"])
    return pd.DataFrame(rows, columns=list(COLUMNS))


def write_gradebook(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV (scores without trailing zeros: 12, 7.5)."""
    write_atomically(path, frame.to_csv(index=False, lineterminator="\n", float_format=SCORE_FORMAT))
