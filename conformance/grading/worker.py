"""What a grading worker process does: import torch once, then check one submission after another.

``mnist-ref check`` imports torch in a helper process for every target (about a second). A
worker of the grading pool imports it once, in ``start_worker``, and hands the in-process
autograd oracle to every ``run_checks`` it makes.

Each submission is checked in a staging folder of its own, holding a copy of its source files
only, so that no submission can import a classmate's file (the loader puts the target's folder
on ``sys.path``). Paths in its report are then made relative to that folder, so that students
read ``alice/homework.py, line 3`` and the same submission gives the same report on any machine.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from conformance.grading.results import SubmissionResult
from conformance.grading.settings import GradingSettings
from conformance.grading.submissions import Submission
from conformance.oracles import autograd
from conformance.report.model import Report
from conformance.runner import run_checks
from conformance.sandbox.protocol import TargetLoadError


def start_worker() -> None:
    """Pool initializer: die with the grading process; import torch; one thread for NumPy and one for
    torch; leave Ctrl-C to the parent.

    One thread each keeps ``jobs`` workers from competing for the same cores. On Ctrl-C the
    parent process stops the run, and the workers with it; a parent killed outright (SIGKILL, the
    out-of-memory killer) takes them along too.
    """
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)
    if autograd.available():
        import torch

        torch.set_num_threads(1)


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel kill this process when the one that started it dies (Linux; elsewhere nothing).

    A parent that died before the request took effect leaves this process adopted already: it ends
    at once. Its own children, the sandboxes, end when they find themselves orphaned.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def stage(submission: Submission, root: Path, staging: Path) -> None:
    """Copy the submission's source files from the class folder ``root`` into ``staging``, same paths."""
    for relative in submission.files:
        copy = staging / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, copy)


def _without(prefix: str, value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) with every occurrence of ``prefix`` removed."""
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return {key: _without(prefix, item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without(prefix, item) for item in value)
    return value


def relative_to_staging(report: Report, staging: Path) -> Report:
    """The report with ``/tmp/.../alice.py`` shown as ``alice.py`` in its messages and details."""
    prefix = f"{staging.resolve()}/"
    checks = [
        dataclasses.replace(
            check,
            message=_without(prefix, check.message),
            details=_without(prefix, check.details),
        )
        for check in report.checks
    ]
    return dataclasses.replace(report, checks=checks, mapping=_without(prefix, report.mapping))


def grade_submission(submission: Submission, settings: GradingSettings, root: Path) -> SubmissionResult:
    """Check one submission of the class in ``root``; never raises for anything the submission does."""
    if submission.entry is None:
        return SubmissionResult(submission, settings, "not_loaded", reason=submission.problem)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mnist-ref-grade-") as folder, contextlib.chdir(folder):
        staging = Path(folder)
        stage(submission, root, staging)
        try:
            report = run_checks(
                submission.entry,
                seed=settings.seed,
                dtype=settings.dtype,
                examples=settings.examples,
                timeout=settings.timeout,
                memory_mb=settings.memory_mb,
                submission_timeout=settings.submission_timeout,
                autograd=autograd,
                spec=settings.spec,
                allowed_imports=settings.allowed_imports,
            )
        except TargetLoadError as error:
            reason = _without(f"{staging.resolve()}/", f"cannot load the submission: {error}")
            seconds = time.perf_counter() - started
            return SubmissionResult(submission, settings, "not_loaded", reason=reason, seconds=seconds)
    report = relative_to_staging(report, staging)
    return SubmissionResult(submission, settings, "checked", report, seconds=time.perf_counter() - started)
