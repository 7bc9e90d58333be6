"""Grading a whole class: reuse what an earlier run finished, grade the rest in parallel, write everything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.grading.manifest import Manifest, write_manifest
from conformance.grading.outputs import result_store, write_class_files, write_student_files
from conformance.grading.pool import available_cores, grade_in_pool
from conformance.grading.progress import Progress
from conformance.grading.results import SubmissionResult
from conformance.grading.rubric import EQUAL_WEIGHTS, Rubric
from conformance.grading.settings import GradingSettings
from conformance.grading.shards import WHOLE_CLASS, Shard
from conformance.grading.submissions import SubmissionSet


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
    results: dict[str, SubmissionResult] = {}
    pending = []
    for submission in selected:
        stored = None if force else store.load(submission.name)
        if stored is not None and stored.is_current(submission, settings):
            results[submission.name] = stored
            write_student_files(out, stored, rubric)  # the rubric may have changed since
        else:
            pending.append(submission)
    reused = len(results)
    bar = Progress(len(selected), results.values(), enabled=progress)

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
