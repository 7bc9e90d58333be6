"""The progress bar of a grading run: submissions done out of the class, failures, and the time left."""

from __future__ import annotations

from collections.abc import Iterable

from tqdm import tqdm

from conformance.grading.results import SubmissionResult


class Progress:
    """A tqdm bar on standard error (shown only on a terminal unless ``enabled`` says otherwise)."""

    def __init__(self, total: int, done: Iterable[SubmissionResult], *, enabled: bool | None = None):
        done = list(done)
        self.failing = 0
        self.not_checked = 0
        self.bar = tqdm(
            total=total,
            initial=len(done),
            desc="grading",
            unit="submission",
            disable=None if enabled is None else not enabled,
            dynamic_ncols=True,
        )
        for result in done:
            self._count(result)
        self._show_counts()

    def _count(self, result: SubmissionResult) -> None:
        if result.report is None:
            self.not_checked += 1
        elif not result.report.passed:
            self.failing += 1

    def _show_counts(self) -> None:
        self.bar.set_postfix_str(f"{self.failing} with failures, {self.not_checked} not checked")

    def add(self, result: SubmissionResult) -> None:
        """One more submission graded."""
        self._count(result)
        self._show_counts()
        self.bar.update()

    def close(self) -> None:
        self.bar.close()
