"""One submission's grading result, and the folder that keeps them: ``DIR/results/<name>.json``.

Each result is written (atomically) as soon as its submission is graded; a run that was
interrupted reuses the results whose submission and settings have not changed since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from conformance.files import remove_leftover_temporaries, write_atomically
from conformance.grading.settings import GradingSettings
from conformance.grading.submissions import Submission
from conformance.report import render_json
from conformance.report.model import CheckResult, Report
from conformance.report.verdicts import DEFAULT_REQUIRED

Outcome = Literal["checked", "not_loaded", "grader_failed"]
OUTCOME_WORDS: dict[Outcome, str] = {
    "checked": "checked",
    "not_loaded": "not loaded",
    "grader_failed": "grader failed",
}


@dataclass(frozen=True)
class SubmissionResult:
    """How grading one submission ended.

    ``outcome`` is "checked" (``report`` holds every check), "not_loaded" (the submission cannot
    be loaded, or a folder has no entry point; ``reason`` says why) or "grader_failed" (the
    process grading it died, e.g. killed by the submission, or the checker itself failed;
    ``reason`` says so). ``seconds`` is the time grading took, for information only.
    """

    submission: Submission
    settings: GradingSettings
    outcome: Outcome
    report: Report | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.submission.name

    def is_current(self, submission: Submission, settings: GradingSettings) -> bool:
        """True when this result was graded from the same source files with the same settings."""
        return self.submission == submission and self.settings == settings

    def to_dict(self) -> dict[str, Any]:
        submission = self.submission
        return {
            "name": submission.name,
            "path": submission.path,
            "files": list(submission.files),
            "entry": submission.entry,
            "problem": submission.problem,
            "source_sha256": submission.source_sha256,
            "settings": self.settings.to_dict(),
            "outcome": self.outcome,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "report": None if self.report is None else json.loads(render_json(self.report)),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SubmissionResult:
        """The result stored by ``to_dict``; KeyError or TypeError when it is not one."""
        submission = Submission(
            values["name"],
            values["path"],
            tuple(values["files"]),
            values["entry"],
            values["problem"],
            values["source_sha256"],
        )
        report = None if values["report"] is None else report_from_dict(values["report"])
        settings = GradingSettings.from_dict(values["settings"])
        return cls(submission, settings, values["outcome"], report, values["reason"], values["seconds"])


def report_from_dict(values: dict[str, Any]) -> Report:
    """The Report of a JSON report (``Report.to_dict``); its verdicts are judged again from its checks."""
    checks = [CheckResult(**entry) for entry in values["checks"]]
    required = tuple(values.get("required", DEFAULT_REQUIRED))
    return Report(
        values["target"],
        values["seed"],
        values["dtype"],
        checks,
        values["mapping"],
        values["notices"],
        required=required,
    )


class ResultStore:
    """The results folder: one ``<name>.json`` per graded submission."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def load(self, name: str) -> SubmissionResult | None:
        """The stored result of submission ``name``; None when there is none or it cannot be read."""
        try:
            return SubmissionResult.from_dict(json.loads(self.path(name).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, result: SubmissionResult) -> None:
        """Store ``result`` atomically: a reader sees the old file or the new one, never a part."""
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
        write_atomically(self.path(result.name), text)

    def clean(self) -> None:
        """Remove what a killed run left half-written."""
        if self.directory.is_dir():
            remove_leftover_temporaries(self.directory)
