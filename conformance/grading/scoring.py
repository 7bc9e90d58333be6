"""A submission's grade: the rubric applied to its check results."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.grading.results import SubmissionResult
from conformance.grading.rubric import Rubric, RubricItem
from conformance.report.model import CheckResult, Status
from conformance.report.summary import FAILING, ComponentSummary


@dataclass(frozen=True)
class ScoredItem:
    """A rubric item, the check results that decide it, and which of those the student may not see.

    ``status`` is the worst status among the checks (error, then fail, then pass), or "skip"
    when none of them ran (not provided, or the submission was not loaded). Its points are
    earned when the status is "pass": nothing failed or errored and at least one check passed.
    """

    item: RubricItem
    checks: tuple[CheckResult, ...]
    hidden_check_ids: frozenset[str]

    @property
    def status(self) -> Status:
        return ComponentSummary(self.item.name, self.checks).status

    @property
    def visible_checks(self) -> tuple[CheckResult, ...]:
        """The checks a student may see."""
        return tuple(check for check in self.checks if check.id not in self.hidden_check_ids)

    @property
    def hidden_problems(self) -> int:
        """How many hidden checks failed or errored."""
        return sum(check.status in FAILING for check in self.checks if check.id in self.hidden_check_ids)

    @property
    def earned(self) -> float:
        return self.item.points if self.status == "pass" else 0.0


@dataclass(frozen=True)
class Grade:
    """The scored items of one submission, in rubric order."""

    items: tuple[ScoredItem, ...]

    @property
    def score(self) -> float:
        return sum(scored.earned for scored in self.items)

    @property
    def max_score(self) -> float:
        return sum(scored.item.points for scored in self.items)

    @property
    def hidden_points(self) -> float:
        """The points of the items a student does not see."""
        return sum(scored.item.points for scored in self.items if scored.item.hidden)


def points_text(points: float) -> str:
    """Points as people write them: 3.0 -> ``3``, 2.5 -> ``2.5``."""
    return f"{points:g}"


def grade(result: SubmissionResult, rubric: Rubric) -> Grade:
    """Score ``result`` with ``rubric``; a submission that was not checked earns nothing."""
    checks = () if result.report is None else tuple(result.report.checks)
    hidden = frozenset(check.id for check in checks if rubric.hides(check))
    return Grade(
        tuple(
            ScoredItem(item, tuple(check for check in checks if check.id in item.check_ids), hidden)
            for item in rubric.items
        )
    )
