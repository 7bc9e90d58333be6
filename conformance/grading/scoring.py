"""A submission's grade: the rubric applied to the verdicts on its components.

A rubric item (a component, or a check scored on its own) is judged as ``mnist-ref check`` judges a
component (conformance.report.verdicts), on the item's own checks, with every component of the item
required: it earns its points only when its verdict is ``pass``. The worst verdict of the item's
components decides (fail, then unchecked, then pass); a component the mapping file turned off
(``not_required``) counts as unchecked: no points, and the reason is given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from conformance.grading.results import SubmissionResult
from conformance.grading.rubric import Rubric, RubricItem
from conformance.report.model import CheckResult, Report
from conformance.report.summary import FAILING
from conformance.report.verdicts import ComponentVerdict, judge

ItemStatus = Literal["pass", "fail", "unchecked"]
WORST_FIRST: tuple[ItemStatus, ...] = ("fail", "unchecked", "pass")
NOT_LOADED = "the submission was not checked"
HIDDEN_REASON = "a hidden check says why"


@dataclass(frozen=True)
class ScoredItem:
    """A rubric item, the check results that decide it, which of those the student may not see, and the
    verdict on each of its components (judged on those checks only).

    ``status`` is the worst verdict: "fail", then "unchecked" (not_required counts as unchecked), then
    "pass"; "unchecked" when the submission was not checked at all. Its points are earned when the
    status is "pass".
    """

    item: RubricItem
    checks: tuple[CheckResult, ...]
    hidden_check_ids: frozenset[str]
    verdicts: tuple[ComponentVerdict, ...] = ()

    @property
    def verdict(self) -> ComponentVerdict | None:
        """The verdict that decides the item: the worst of its components' (None when nothing was checked)."""
        return min(self.verdicts, key=lambda verdict: WORST_FIRST.index(_status(verdict)), default=None)

    @property
    def status(self) -> ItemStatus:
        return "unchecked" if self.verdict is None else _status(self.verdict)

    @property
    def reason(self) -> str:
        """Why the item has its status: the verdict's reason (for a failure, its first failing check)."""
        return NOT_LOADED if self.verdict is None else self.verdict.reason

    @property
    def visible_reason(self) -> str:
        """``reason``, unless it names or quotes a hidden check of the item (then it says only that much)."""
        hidden = [check for check in self.checks if check.id in self.hidden_check_ids]
        if any(
            check.id in self.reason or (check.message and check.message in self.reason) for check in hidden
        ):
            return HIDDEN_REASON
        return self.reason

    @property
    def fix(self) -> str | None:
        """The one-line fix of an unchecked item, when there is one."""
        return None if self.verdict is None or self.status != "unchecked" else self.verdict.fix

    @property
    def visible_checks(self) -> tuple[CheckResult, ...]:
        """The checks a student may see."""
        return tuple(check for check in self.checks if check.id not in self.hidden_check_ids)

    @property
    def visible_problems(self) -> tuple[CheckResult, ...]:
        """The visible checks that failed or errored in an item that failed (in an unchecked one, a failing
        check is not the student's doing: its reason says why)."""
        if self.status != "fail":
            return ()
        return tuple(check for check in self.visible_checks if check.status in FAILING)

    @property
    def hidden_problems(self) -> int:
        """How many hidden checks failed or errored."""
        return sum(check.status in FAILING for check in self.checks if check.id in self.hidden_check_ids)

    @property
    def earned(self) -> float:
        return self.item.points if self.status == "pass" else 0.0


def _status(verdict: ComponentVerdict) -> ItemStatus:
    return "unchecked" if verdict.verdict == "not_required" else verdict.verdict


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


def with_rubric(report: Report, rubric: Rubric) -> Report:
    """``report`` with the rubric's required components (what its verdict, PASSED or not, needs)."""
    if report.required == rubric.required:
        return report
    return dataclasses.replace(report, required=rubric.required)


def item_verdicts(item: RubricItem, report: Report) -> tuple[ComponentVerdict, ...]:
    """The verdicts on the components of ``item``, judged on the item's own checks, all of them required.

    The other components' checks are judged alongside, as evidence only (whether the target's call
    returned at all), so that an item made of a whole component gets the verdict `mnist-ref check` gives.
    An item made only of side checks (``dW1.globals`` scored on its own) measures that side property:
    it passes when they all pass, though no value was compared.
    """
    own = [check for check in report.checks if check.id in item.check_ids]
    components = {check.component for check in own}
    checks = [c for c in report.checks if c.component not in components or c.id in item.check_ids]
    verdicts = [v for v in judge(checks, report.mapping, required=components) if v.name in components]
    if own and all(check.side for check in own):
        verdicts = [_side_property(verdict, report) for verdict in verdicts]
    return tuple(verdicts)


def _side_property(verdict: ComponentVerdict, report: Report) -> ComponentVerdict:
    """The verdict on a side property scored on its own: pass when every one of its checks passed."""
    found = verdict.name not in report.mapping.get("missing", {})
    if verdict.verdict != "unchecked" or not found or any(c.status != "pass" for c in verdict.checks):
        return verdict
    return dataclasses.replace(verdict, verdict="pass", reason="the property holds", fix=None)


def grade(result: SubmissionResult, rubric: Rubric) -> Grade:
    """Score ``result`` with ``rubric``; a submission that was not checked earns nothing."""
    report = result.report
    checks = () if report is None else tuple(report.checks)
    hidden = frozenset(check.id for check in checks if rubric.hides(check))
    items = []
    for item in rubric.items:
        own = tuple(check for check in checks if check.id in item.check_ids)
        verdicts = () if report is None else item_verdicts(item, report)
        items.append(ScoredItem(item, own, hidden, verdicts))
    return Grade(tuple(items))
