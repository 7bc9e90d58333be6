"""What a check run produces: one CheckResult per check, gathered in a Report (the JSON contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

from conformance.report.verdicts import (
    DEFAULT_REQUIRED,
    EXIT_PASSED,
    HEADLINES,
    ComponentVerdict,
    exit_code,
    judge,
)

Status = Literal["pass", "fail", "error", "skip"]

COMPONENTS = (
    "init", "relu", "relu_grad", "softmax", "one_hot", "forward", "loss",
    "dW1", "db1", "dW2", "db2", "update", "predict", "accuracy", "train",
)  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, e.g. id "db2.shape" of component "db2"."""

    id: str
    component: str
    status: Status
    diagnosis: str | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    example: dict[str, Any] | None = None  # the smallest failing input found, e.g. {"hidden": 1, "batch": 1}
    side: bool = False  # a side property (globals, inputs untouched): can fail a component, never pass it


@dataclass
class Report:
    """All checks of one target, and the verdict per component they add up to (``components``).

    ``passed`` is True only when every required component was checked and is right.
    """

    target: str
    seed: int
    dtype: str
    checks: list[CheckResult]
    mapping: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    """Seconds each check took, by check id. Not in ``to_dict``: it changes from run to run."""
    required: tuple[str, ...] = DEFAULT_REQUIRED
    """The components a PASS needs (``--require``, the mapping file or the rubric can change them)."""

    @cached_property
    def components(self) -> list[ComponentVerdict]:
        """One verdict per component (conformance.report.verdicts), in check order."""
        return judge(self.checks, self.mapping, self.required)

    @property
    def exit_code(self) -> int:
        """0 passed, 1 something failed, 2 nothing could be checked, 3 a required component unchecked."""
        return exit_code(self.components)

    @property
    def headline(self) -> str:
        """PASSED, FAILED, NOT CHECKED or INCOMPLETE."""
        return HEADLINES[self.exit_code]

    @property
    def seconds(self) -> float:
        """Seconds all checks took together (0.0 when the runner did not time them)."""
        return sum(self.durations.get(result.id, 0.0) for result in self.checks)

    @property
    def passed(self) -> bool:
        """Every required component checked and right, nothing wrong."""
        return self.exit_code == EXIT_PASSED

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status, in a fixed order."""
        return {
            status: sum(r.status == status for r in self.checks)
            for status in ("pass", "fail", "error", "skip")
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: target, passed, verdict, components[...], checks[{id, status, ...}], ..."""
        return {
            "target": self.target,
            "passed": self.passed,
            "verdict": self.headline,
            "exit_code": self.exit_code,
            "required": list(self.required),
            "components": [component.to_dict() for component in self.components],
            "seed": self.seed,
            "dtype": self.dtype,
            "counts": self.counts(),
            "checks": [asdict(result) for result in self.checks],
            "mapping": self.mapping,
            "notices": self.notices,
        }
