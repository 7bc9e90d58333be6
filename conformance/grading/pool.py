"""Grading submissions in a pool of worker processes, so that no submission can stop the batch.

A submission's own code runs in a sandbox child of a worker. Should a submission still bring
its worker down (by killing its parent process, say), the pool breaks. The submissions it was
grading are suspects: a lone suspect is recorded as "grader_failed" at once; several are each
graded again alone, in a pool of their own, and the one that breaks that pool too is recorded
as "grader_failed" while the others get their grade.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from conformance.grading.results import SubmissionResult
from conformance.grading.settings import GradingSettings
from conformance.grading.submissions import Submission
from conformance.grading.worker import grade_submission, start_worker

OnResult = Callable[[SubmissionResult], None]
WORKER_DIED = (
    "the process grading this submission died (did the submission kill its parent process, or exhaust "
    "the machine's memory?)"
)


def available_cores() -> int:
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def grade_in_pool(
    submissions: Iterable[Submission], settings: GradingSettings, root: Path, jobs: int, on_result: OnResult
) -> None:
    """Grade every submission (their entries relative to ``root``) with ``jobs`` workers.

    ``on_result`` is called in this process with each result as soon as it is ready.
    """
    queue: deque[Submission] = deque()
    for submission in submissions:
        if submission.entry is None:  # nothing to run: no worker needed
            on_result(grade_submission(submission, settings, root))
        else:
            queue.append(submission)
    while queue:
        suspects = _grade_until_broken(queue, settings, root, min(jobs, len(queue)), on_result)
        if len(suspects) == 1:  # the only submission being graded: no doubt about it
            on_result(_worker_died(suspects[0], settings))
            continue
        for suspect in suspects:  # each alone: the one that breaks its own pool too is to blame
            if _grade_until_broken(deque([suspect]), settings, root, 1, on_result):
                on_result(_worker_died(suspect, settings))


def _worker_died(submission: Submission, settings: GradingSettings) -> SubmissionResult:
    return SubmissionResult(submission, settings, "grader_failed", reason=WORKER_DIED)


def _failed(submission: Submission, settings: GradingSettings, error: BaseException) -> SubmissionResult:
    reason = f"the checker failed on this submission: {type(error).__name__}: {error}"
    return SubmissionResult(submission, settings, "grader_failed", reason=reason)


def _grade_until_broken(
    queue: deque[Submission], settings: GradingSettings, root: Path, jobs: int, on_result: OnResult
) -> list[Submission]:
    """Grade the submissions of ``queue``, taking them out, with at most ``jobs`` in flight.

    Returns the submissions in flight when a worker died (the pool is then unusable), else [].
    """
    in_flight: dict[Future[SubmissionResult], Submission] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker) as pool:
        try:
            while queue or in_flight:
                while queue and len(in_flight) < jobs:
                    in_flight[pool.submit(grade_submission, queue[0], settings, root)] = queue[0]
                    queue.popleft()
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    error = future.exception()
                    if isinstance(error, BrokenProcessPool):
                        raise error
                    submission = in_flight.pop(future)
                    on_result(future.result() if error is None else _failed(submission, settings, error))
        except BrokenProcessPool:
            return list(in_flight.values())
    return []
