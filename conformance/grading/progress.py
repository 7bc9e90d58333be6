"""The progress bar of a grading run: submissions done out of the class, their verdicts, and the time left."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tqdm import tqdm

from conformance.grading.results import SubmissionResult
from conformance.report.verdicts import DEFAULT_REQUIRED, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_UNUSABLE


class Progress:
    """A tqdm bar on standard error (shown only on a terminal unless ``enabled`` says otherwise).

    It counts the submissions that failed (FAILED), those with a required component that could not
    be checked (INCOMPLETE), and those not checked at all (not loaded, grader failed, or NOT CHECKED),
    judged with the components in ``required`` as `mnist-ref check` would.
    """

    def __init__(
        self,
        total: int,
        done: Iterable[SubmissionResult],
        *,
        enabled: bool | None = None,
        required: tuple[str, ...] = DEFAULT_REQUIRED,
    ):
        done = list(done)
        self.required = required
        self.failing = 0
        self.incomplete = 0
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
            return
        exit_code = dataclasses.replace(result.report, required=self.required).exit_code
        self.failing += exit_code == EXIT_FAILED
        self.incomplete += exit_code == EXIT_INCOMPLETE
        self.not_checked += exit_code == EXIT_UNUSABLE

    def _show_counts(self) -> None:
        self.bar.set_postfix_str(
            f"{self.failing} failed, {self.incomplete} incomplete, {self.not_checked} not checked"
        )

    def add(self, result: SubmissionResult) -> None:
        """One more submission graded."""
        self._count(result)
        self._show_counts()
        self.bar.update()

    def close(self) -> None:
        self.bar.close()
