"""The output folder of a grading run, and the files written into it.

    DIR/results/<name>.json               every check result of a submission (for resuming and merging)
    DIR/feedback/<name>.md                for the student (hidden checks left out)
    DIR/gradescope/<name>/results.json    for the Gradescope autograder
    DIR/grades.csv                        the gradebook, one row per submission
    DIR/summary.md, DIR/plots/*.png       the class at a glance
    DIR/grading.json                      the class, the shard, the settings and the rubric

A submission's files are written as soon as it is graded; the gradebook and the summary when
every submission of the run is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conformance.files import write_atomically
from conformance.grading.feedback import render_feedback
from conformance.grading.gradebook import gradebook, write_gradebook
from conformance.grading.gradescope import render_gradescope_results
from conformance.grading.results import ResultStore, SubmissionResult
from conformance.grading.rubric import Rubric
from conformance.grading.scoring import grade
from conformance.grading.settings import GradingSettings
from conformance.grading.summary import write_summary

GRADEBOOK_FILE = "grades.csv"


def result_store(out: Path) -> ResultStore:
    return ResultStore(out / "results")


def feedback_path(out: Path, name: str) -> Path:
    return out / "feedback" / f"{name}.md"


def gradescope_path(out: Path, name: str) -> Path:
    return out / "gradescope" / name / "results.json"


def write_student_files(out: Path, result: SubmissionResult, rubric: Rubric) -> None:
    """The feedback and the Gradescope results of one submission."""
    scored = grade(result, rubric)
    write_atomically(feedback_path(out, result.name), render_feedback(result, scored))
    write_atomically(gradescope_path(out, result.name), render_gradescope_results(result, scored))


def write_class_files(
    out: Path, results: Sequence[SubmissionResult], rubric: Rubric, settings: GradingSettings
) -> Path:
    """The gradebook, the summary and its plots; the gradebook's path."""
    frame = gradebook(results, rubric)
    path = out / GRADEBOOK_FILE
    write_gradebook(frame, path)
    write_summary(out, frame, rubric, settings)
    return path
