"""The rubric: how many points each component (or single check) is worth, and which checks are hidden.

A rubric is a TOML file::

    default_points = 1          # each component not listed in [components]; 0 leaves it out
    hidden = ["train.trajectory", "softmax.large_logits"]   # check ids or components
    required = ["forward", "dW1", "db1", "dW2", "db2", "update", "loss"]   # what a PASS needs

    allowed_imports = ["pandas"]   # packages submissions may import besides the standard library and numpy

    [network]                   # the course's network (default: the classic one), as in a spec file:
    layers = [784, 64, 32, 10]  # its components (dW3, db3...) can then be given points and required
    activation = "sigmoid"

    [components]                # earned when the component's verdict is pass: checked, and right
    dW1 = 3
    train = 2

    [checks]                    # a check scored on its own, taken out of its component:
    "softmax.large_logits" = 2  # earned when it passes

Hidden checks count towards the score like any other, but the feedback and the Gradescope
results show the student neither their names nor their messages. ``required`` (by default the
components every implementation has, conformance.report.verdicts.DEFAULT_REQUIRED) decides each
submission's verdict, PASSED or INCOMPLETE, as `mnist-ref check` gives it; it does not change the
points. Without a rubric every component is worth one point and nothing is hidden. The components and
checks a rubric can name are those of its network (conformance.checks.network for any but the classic).
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.checks import ALL_CHECKS, network
from conformance.report.model import COMPONENTS, CheckResult
from conformance.report.verdicts import DEFAULT_REQUIRED
from conformance.sandbox import imports
from mnist_ref.spec import CLASSIC, NetworkSpec, SpecError, spec_from_table

CHECK_COMPONENTS: dict[str, str] = {registered.id: registered.component for registered in ALL_CHECKS}
"""Every check id of the classic network, with its component, in the order the checks run."""
RUBRIC_KEYS = ("default_points", "hidden", "required", "components", "checks", "network", "allowed_imports")


@functools.cache
def check_components(spec: NetworkSpec) -> dict[str, str]:
    """Every check id of ``spec``'s checks, with its component, in the order the checks run."""
    if network.is_classic(spec):
        return CHECK_COMPONENTS
    return {registered.id: registered.component for registered in network.network_checks(spec)}


def component_names(spec: NetworkSpec) -> tuple[str, ...]:
    """The components of ``spec``'s checks, in order."""
    return COMPONENTS if network.is_classic(spec) else network.components(spec)


def required_by_default(spec: NetworkSpec) -> tuple[str, ...]:
    """What a PASS needs when the rubric does not say: the network's forward, gradients and update."""
    return DEFAULT_REQUIRED if network.is_classic(spec) else network.required(spec)


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
    network: NetworkSpec = CLASSIC
    allowed_imports: tuple[str, ...] = ()  # packages a submission may import besides the stdlib and numpy

    @property
    def items(self) -> tuple[RubricItem, ...]:
        """The scored items in component order: each component, then its separately scored checks."""
        items = []
        for component in component_names(self.network):
            own = [
                check_id for check_id, owner in check_components(self.network).items() if owner == component
            ]
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
            **({} if self.network == CLASSIC else {"network": self.network.to_table()}),
            **({"allowed_imports": list(self.allowed_imports)} if self.allowed_imports else {}),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Rubric:
        """The rubric of ``to_dict`` (as stored in a grading manifest); RubricError if it is not one."""
        return parse_rubric(values, "the stored rubric")


EQUAL_WEIGHTS = Rubric(dict.fromkeys(COMPONENTS, 1.0), {}, frozenset())
"""The rubric used without --rubric: one point per component, nothing hidden."""


def equal_weights(spec: NetworkSpec) -> Rubric:
    """One point per component of ``spec``'s checks, nothing hidden (the classic network: EQUAL_WEIGHTS)."""
    if network.is_classic(spec):
        return EQUAL_WEIGHTS
    return Rubric(dict.fromkeys(component_names(spec), 1.0), {}, frozenset(), required_by_default(spec), spec)


def load_rubric(path: Path, spec: NetworkSpec | None = None) -> Rubric:
    """The rubric in the TOML file ``path``; RubricError naming the file and the wrong key. ``spec``
    (the command's network options) stands for the rubric's ``[network]`` table when given."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RubricError(f"{path}: cannot read the rubric: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RubricError(f"{path}: not valid TOML: {error}") from error
    return parse_rubric(document, str(path), spec)


def parse_rubric(document: dict[str, Any], source: str, spec: NetworkSpec | None = None) -> Rubric:
    """The rubric described by a parsed TOML ``document`` read from ``source`` (named in errors); ``spec``,
    when given, is the network instead of the document's ``[network]`` table."""
    unknown = [key for key in document if key not in RUBRIC_KEYS]
    if unknown:
        raise RubricError(
            f"{source}: unknown key {unknown[0]!r}; a rubric has default_points, hidden, "
            "required, [components], [checks] and [network]"
        )
    spec = spec or _network(source, document.get("network"))
    names, ids = component_names(spec), check_components(spec)
    default = _points(source, "default_points", document.get("default_points", 1.0))
    components = _table(source, "components", document.get("components", {}))
    for name in components:
        if name not in names:
            raise RubricError(
                f"{source}: components.{name}: unknown component; the components are {', '.join(names)}"
            )
    checks = _table(source, "checks", document.get("checks", {}))
    for check_id in checks:
        if check_id not in ids:
            raise RubricError(
                f"{source}: checks.{check_id}: unknown check; {_check_ids_hint(check_id, spec)}"
            )
    rubric = Rubric(
        {name: components.get(name, default) for name in names},
        {check_id: checks[check_id] for check_id in ids if check_id in checks},
        _hidden(source, document.get("hidden", []), spec),
        _required(source, document.get("required", list(required_by_default(spec))), spec),
        spec,
        _allowed(source, document.get("allowed_imports", [])),
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


def _allowed(source: str, value: Any) -> tuple[str, ...]:
    try:
        return imports.parse_allowed(value, f"{source}: allowed_imports")
    except ValueError as error:
        raise RubricError(str(error)) from None


def _network(source: str, table: Any) -> NetworkSpec:
    """The spec of a rubric's ``[network]`` table; the classic network without one."""
    if table is None:
        return CLASSIC
    if not isinstance(table, dict):
        raise RubricError(f"{source}: network must be a table ([network]) of a spec's keys")
    try:
        return spec_from_table(table, f"{source}: [network]")
    except SpecError as error:
        raise RubricError(str(error)) from None


def _hidden(source: str, value: Any, spec: NetworkSpec) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise RubricError(f'{source}: hidden must be a list of check ids or components, such as ["train"]')
    for entry in value:
        if entry not in component_names(spec) and entry not in check_components(spec):
            raise RubricError(f"{source}: hidden: {entry!r} is neither a check id nor a component")
    return frozenset(value)


def _required(source: str, value: Any, spec: NetworkSpec) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise RubricError(f'{source}: required must be a list of components, such as ["forward", "dW1"]')
    names = component_names(spec)
    for entry in value:
        if entry not in names:
            raise RubricError(
                f"{source}: required: {entry!r} is not a component; the components are {', '.join(names)}"
            )
    return tuple(name for name in names if name in value)


def _check_components_can_earn(source: str, rubric: Rubric, listed: dict[str, float]) -> None:
    """A component listed with points must keep at least one check that is not scored on its own."""
    item_names = {item.name for item in rubric.items}
    for name, points in listed.items():
        if points > 0 and name not in item_names:
            raise RubricError(
                f"{source}: components.{name}: every check of {name} has its own points in [checks], "
                f"so {name} itself can earn nothing; remove it from [components]"
            )


def _check_ids_hint(check_id: str, spec: NetworkSpec) -> str:
    component = check_id.split(".")[0]
    own = [known for known, owner in check_components(spec).items() if owner == component]
    if own:
        return f"the checks of {component} are {', '.join(own)}"
    names = ", ".join(component_names(spec))
    return f"check ids are component.name, such as db2.shape; the components are {names}"
