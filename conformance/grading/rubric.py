"""The rubric: how many points each component (or single check) is worth, and which checks are hidden.

A rubric is a TOML file::

    default_points = 1          # each component not listed in [components]; 0 leaves it out
    hidden = ["train.trajectory", "softmax.large_logits"]   # check ids or components
    required = ["forward", "dW1", "db1", "dW2", "db2", "update", "loss"]   # what a PASS needs

    [components]                # earned when the component's verdict is pass: checked, and right
    dW1 = 3
    train = 2

    [checks]                    # a check scored on its own, taken out of its component:
    "softmax.large_logits" = 2  # earned when it passes

Hidden checks count towards the score like any other, but the feedback and the Gradescope
results show the student neither their names nor their messages. ``required`` (by default the
components every implementation has, conformance.report.verdicts.DEFAULT_REQUIRED) decides each
submission's verdict, PASSED or INCOMPLETE, as `mnist-ref check` gives it; it does not change the
points. Without a rubric every component is worth one point and nothing is hidden.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.checks import ALL_CHECKS
from conformance.report.model import COMPONENTS, CheckResult
from conformance.report.verdicts import DEFAULT_REQUIRED

CHECK_COMPONENTS: dict[str, str] = {registered.id: registered.component for registered in ALL_CHECKS}
"""Every check id, with its component, in the order the checks run."""
RUBRIC_KEYS = ("default_points", "hidden", "required", "components", "checks")


class RubricError(Exception):
    """The rubric file is unreadable or wrong; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class RubricItem:
    """One line of the score: a component, or a check scored on its own, and the checks that earn it."""

    name: str
    points: float
    check_ids: tuple[str, ...]
    hidden: bool


@dataclass(frozen=True)
class Rubric:
    """Points per component and per separately scored check; the hidden checks and components; the
    components a submission's verdict needs to be PASSED."""

    components: dict[str, float]
    checks: dict[str, float]
    hidden: frozenset[str]
    required: tuple[str, ...] = DEFAULT_REQUIRED

    @property
    def items(self) -> tuple[RubricItem, ...]:
        """The scored items in component order: each component, then its separately scored checks."""
        items = []
        for component in COMPONENTS:
            own = [check_id for check_id, owner in CHECK_COMPONENTS.items() if owner == component]
            shared = tuple(check_id for check_id in own if check_id not in self.checks)
            hidden = component in self.hidden
            if shared:
                items.append(RubricItem(component, self.components[component], shared, hidden))
            for check_id in own:
                if check_id in self.checks:
                    check_hidden = hidden or check_id in self.hidden
                    items.append(RubricItem(check_id, self.checks[check_id], (check_id,), check_hidden))
        return tuple(items)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def hidden_points(self) -> float:
        """The points of the items students do not see."""
        return sum(item.points for item in self.items if item.hidden)

    def hides(self, result: CheckResult) -> bool:
        """True when the check, or its whole component, is hidden from students."""
        return result.id in self.hidden or result.component in self.hidden

    def to_dict(self) -> dict[str, Any]:
        """Every component's points, the separately scored checks, the hidden names (sorted), the required."""
        return {
            "components": self.components,
            "checks": self.checks,
            "hidden": sorted(self.hidden),
            "required": list(self.required),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Rubric:
        """The rubric of ``to_dict`` (as stored in a grading manifest); RubricError if it is not one."""
        return parse_rubric(values, "the stored rubric")


EQUAL_WEIGHTS = Rubric(dict.fromkeys(COMPONENTS, 1.0), {}, frozenset())
"""The rubric used without --rubric: one point per component, nothing hidden."""


def load_rubric(path: Path) -> Rubric:
    """The rubric in the TOML file ``path``; RubricError naming the file and the wrong key."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RubricError(f"{path}: cannot read the rubric: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RubricError(f"{path}: not valid TOML: {error}") from error
    return parse_rubric(document, str(path))


def parse_rubric(document: dict[str, Any], source: str) -> Rubric:
    """The rubric described by a parsed TOML ``document`` read from ``source`` (named in errors)."""
    unknown = [key for key in document if key not in RUBRIC_KEYS]
    if unknown:
        raise RubricError(
            f"{source}: unknown key {unknown[0]!r}; a rubric has default_points, hidden, "
            "required, [components] and [checks]"
        )
    default = _points(source, "default_points", document.get("default_points", 1.0))
    components = _table(source, "components", document.get("components", {}))
    for name in components:
        if name not in COMPONENTS:
            raise RubricError(
                f"{source}: components.{name}: unknown component; the components are {_listed()}"
            )
    checks = _table(source, "checks", document.get("checks", {}))
    for check_id in checks:
        if check_id not in CHECK_COMPONENTS:
            raise RubricError(f"{source}: checks.{check_id}: unknown check; {_check_ids_hint(check_id)}")
    rubric = Rubric(
        {name: components.get(name, default) for name in COMPONENTS},
        {check_id: checks[check_id] for check_id in CHECK_COMPONENTS if check_id in checks},
        _hidden(source, document.get("hidden", [])),
        _required(source, document.get("required", list(DEFAULT_REQUIRED))),
    )
    _check_components_can_earn(source, rubric, components)
    if rubric.max_score <= 0:
        raise RubricError(f"{source}: every component and check is worth 0 points; give some points")
    return rubric


def _points(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise RubricError(f"{source}: {key} = {value!r}: points must be a number >= 0")
    return float(value)


def _table(source: str, key: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise RubricError(f"{source}: {key} must be a table ([{key}]) of name = points, not {value!r}")
    return {name: _points(source, f"{key}.{name}", points) for name, points in value.items()}


def _hidden(source: str, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise RubricError(f'{source}: hidden must be a list of check ids or components, such as ["train"]')
    for entry in value:
        if entry not in COMPONENTS and entry not in CHECK_COMPONENTS:
            raise RubricError(f"{source}: hidden: {entry!r} is neither a check id nor a component")
    return frozenset(value)


def _required(source: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise RubricError(f'{source}: required must be a list of components, such as ["forward", "dW1"]')
    for entry in value:
        if entry not in COMPONENTS:
            raise RubricError(
                f"{source}: required: {entry!r} is not a component; the components are {_listed()}"
            )
    return tuple(name for name in COMPONENTS if name in value)


def _check_components_can_earn(source: str, rubric: Rubric, listed: dict[str, float]) -> None:
    """A component listed with points must keep at least one check that is not scored on its own."""
    item_names = {item.name for item in rubric.items}
    for name, points in listed.items():
        if points > 0 and name not in item_names:
            raise RubricError(
                f"{source}: components.{name}: every check of {name} has its own points in [checks], "
                f"so {name} itself can earn nothing; remove it from [components]"
            )


def _listed() -> str:
    return ", ".join(COMPONENTS)


def _check_ids_hint(check_id: str) -> str:
    component = check_id.split(".")[0]
    own = [known for known, owner in CHECK_COMPONENTS.items() if owner == component]
    if own:
        return f"the checks of {component} are {', '.join(own)}"
    return f"check ids are component.name, such as db2.shape; the components are {_listed()}"
