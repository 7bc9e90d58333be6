"""Grading a whole class: reuse what an earlier run finished, grade the rest in parallel, write everything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.grading.manifest import Manifest, write_manifest
from conformance.grading.outputs import result_store, write_class_files, write_student_files
from conformance.grading.pool import available_cores, grade_in_pool
from conformance.grading.progress import Progress
from conformance.grading.results import ResultStore, SubmissionResult
from conformance.grading.rubric import EQUAL_WEIGHTS, Rubric
from conformance.grading.settings import GradingSettings
from conformance.grading.shards import WHOLE_CLASS, Shard
from conformance.grading.submissions import Submission, SubmissionSet


@dataclass(frozen=True)
class GradingRun:
    """What ``grade_class`` did: every result of the run (sorted by name), how many were reused."""

    results: tuple[SubmissionResult, ...]
    reused: int
    gradebook: Path

    @property
    def graded(self) -> int:
        """How many submissions were graded by this run (not reused)."""
        return len(self.results) - self.reused


def current_results(
    submissions: Sequence[Submission], store: ResultStore, settings: GradingSettings
) -> dict[str, SubmissionResult]:
    """The stored results, by name, of the submissions unchanged since they were graded with ``settings``."""
    results = {}
    for submission in submissions:
        stored = store.load(submission.name)
        if stored is not None and stored.is_current(submission, settings):
            results[submission.name] = stored
    return results


def grade_class(
    submissions: SubmissionSet,
    out: Path,
    *,
    settings: GradingSettings,
    rubric: Rubric = EQUAL_WEIGHTS,
    jobs: int | None = None,
    shard: Shard = WHOLE_CLASS,
    force: bool = False,
    progress: bool | None = None,
) -> GradingRun:
    """Grade ``shard`` of the class into the folder ``out`` with ``jobs`` workers (default: every core).

    A submission whose stored result has the same source hash and settings is not graded again
    unless ``force``; every other result is stored as soon as it is ready, so a run stopped by
    Ctrl-C or a dead machine resumes where it stopped. ``progress``: show a progress bar (None:
    only on a terminal).
    """
    selected = shard.select(submissions.submissions)
    names = tuple(submissions.names)
    write_manifest(out, Manifest(settings, rubric, shard, names, tuple(s.name for s in selected)))
    store = result_store(out)
    store.clean()
    results = {} if force else current_results(selected, store, settings)
    for result in results.values():
        write_student_files(out, result, rubric)  # the rubric may have changed since
    reused = len(results)
    pending = [submission for submission in selected if submission.name not in results]
    bar = Progress(len(selected), results.values(), enabled=progress, required=rubric.required)

    def record(result: SubmissionResult) -> None:
        store.save(result)
        write_student_files(out, result, rubric)
        results[result.name] = result
        bar.add(result)

    try:
        grade_in_pool(pending, settings, submissions.root.resolve(), jobs or available_cores(), record)
    finally:
        bar.close()
    ordered = tuple(results[submission.name] for submission in selected)
    return GradingRun(ordered, reused, write_class_files(out, ordered, rubric, settings))
