"""What a check run produces: one CheckResult per check, gathered in a Report (the JSON contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

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


@dataclass
class Report:
    """All checks of one target. ``passed`` is True when no check failed or errored."""

    target: str
    seed: int
    dtype: str
    checks: list[CheckResult]
    mapping: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    """Seconds each check took, by check id. Not in ``to_dict``: it changes from run to run."""

    @property
    def seconds(self) -> float:
        """Seconds all checks took together (0.0 when the runner did not time them)."""
        return sum(self.durations.get(result.id, 0.0) for result in self.checks)

    @property
    def passed(self) -> bool:
        return not any(result.status in ("fail", "error") for result in self.checks)

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status, in a fixed order."""
        return {
            status: sum(r.status == status for r in self.checks)
            for status in ("pass", "fail", "error", "skip")
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: target, passed, checks[{id, component, status, diagnosis, message, ...}], ..."""
        return {
            "target": self.target,
            "passed": self.passed,
            "seed": self.seed,
            "dtype": self.dtype,
            "counts": self.counts(),
            "checks": [asdict(result) for result in self.checks],
            "mapping": self.mapping,
            "notices": self.notices,
        }
