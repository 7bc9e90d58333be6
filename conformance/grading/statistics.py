"""What the class as a whole got right and wrong, computed from the gradebook (a pandas DataFrame)."""

from __future__ import annotations

import pandas as pd

from conformance.grading.gradebook import DIAGNOSIS_SEPARATOR

STATUS_COLUMNS = {
    "pass": "passed",
    "fail": "failed",
    "unchecked": "unchecked",
    "not_required": "not required",
    "": "no report",
}
"""The gradebook's component verdicts ("" when the submission was not checked) and their column names."""


def component_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per component: in how many submissions it passed, failed, was unchecked or not required,
    and how many submissions have no report (not loaded, or the grader failed); and ``pass_rate``, the
    share of all submissions that passed it (0.0 for an empty class)."""
    names = component_columns(frame)
    counts = pd.DataFrame(
        {
            column: [int((frame[component] == status).sum()) for component in names]
            for status, column in STATUS_COLUMNS.items()
        },
        index=pd.Index(names, name="component"),
    )
    counts["pass_rate"] = counts["passed"] / len(frame) if len(frame) else 0.0
    return counts


NOT_COMPONENTS = frozenset(
    {"name", "entry", "outcome", "verdict", "score", "max_score", "diagnoses", "reason"}
)
"""The gradebook's columns that are not a component's verdict."""


def component_columns(frame: pd.DataFrame) -> list[str]:
    """The gradebook's component columns (one per component of the network graded), in order."""
    return [name for name in frame.columns if name not in NOT_COMPONENTS]


def diagnosis_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns component, diagnosis, submissions: how many submissions have each diagnosis on each
    component, most common first (ties in component order, then by code)."""
    pairs = [
        tuple(entry.split(":", 1))
        for cell in frame["diagnoses"]
        if cell
        for entry in cell.split(DIAGNOSIS_SEPARATOR)
    ]
    counts = pd.DataFrame(pairs, columns=["component", "diagnosis"]).value_counts().rename("submissions")
    table = counts.reset_index()
    table["order"] = table["component"].map(component_columns(frame).index)
    table = table.sort_values(["submissions", "order", "diagnosis"], ascending=[False, True, True])
    return table.drop(columns="order").reset_index(drop=True)
