"""What a grading worker process does: import torch once, then check one submission after another.

``mnist-ref check`` imports torch in a helper process for every target (about a second). A
worker of the grading pool imports it once, in ``start_worker``, and hands the in-process
autograd oracle to every ``run_checks`` it makes. The submission's own code still runs in a
sandbox child process per submission, so submissions cannot affect each other.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from conformance.grading.results import SubmissionResult
from conformance.grading.settings import GradingSettings
from conformance.grading.submissions import Submission
from conformance.oracles import autograd
from conformance.runner import run_checks
from conformance.sandbox.protocol import TargetLoadError


def start_worker(root: Path) -> None:
    """Pool initializer: work in the class folder ``root``; import torch; one thread for NumPy and torch.

    Working in ``root`` lets the submissions be checked by their relative paths, so the
    messages and tracebacks students see name ``alice/homework.py``, not a path on this machine.
    One thread each keeps ``jobs`` workers from competing for the same cores.
    """
    os.chdir(root)
    threadpool_limits(1)
    if autograd.available():
        import torch

        torch.set_num_threads(1)


def grade_submission(submission: Submission, settings: GradingSettings) -> SubmissionResult:
    """Check one submission (in the worker's class folder); never raises for anything the submission does."""
    if submission.entry is None:
        return SubmissionResult(submission, settings, "not_loaded", reason=submission.problem)
    started = time.perf_counter()
    try:
        report = run_checks(
            submission.entry,
            seed=settings.seed,
            dtype=settings.dtype,
            examples=settings.examples,
            timeout=settings.timeout,
            memory_mb=settings.memory_mb,
            autograd=autograd,
        )
    except TargetLoadError as error:
        reason = f"cannot load the submission: {error}"
        return SubmissionResult(
            submission, settings, "not_loaded", reason=reason, seconds=time.perf_counter() - started
        )
    return SubmissionResult(submission, settings, "checked", report, seconds=time.perf_counter() - started)
