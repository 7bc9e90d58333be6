"""The settings a class is graded with: a stored result is reused only when they are the same."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mnist_ref import __version__


@dataclass(frozen=True)
class GradingSettings:
    """What ``run_checks`` is called with for every submission, and the version of the checker."""

    seed: int = 0
    dtype: str = "float64"
    examples: int = 10
    timeout: float = 10.0
    memory_mb: int = 2048
    submission_timeout: float = 120.0
    version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GradingSettings:
        """The settings stored by ``to_dict``; TypeError when a key is missing or unknown."""
        return cls(**values)
