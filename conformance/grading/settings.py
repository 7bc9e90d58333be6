"""The settings a class is graded with: a stored result is reused only when they are the same."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from mnist_ref import __version__
from mnist_ref.spec import CLASSIC, NetworkSpec, spec_from_table


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
    network: str = ""
    """The network checked, as the JSON of its ``[network]`` table; "" for the classic one."""
    allowed_imports: tuple[str, ...] = ()
    """Packages submissions may import besides the standard library and NumPy (the rubric's)."""

    @property
    def spec(self) -> NetworkSpec:
        """The network checked (mnist_ref.spec)."""
        return CLASSIC if not self.network else spec_from_table(json.loads(self.network))

    @staticmethod
    def network_of(spec: NetworkSpec) -> str:
        """The ``network`` value for ``spec``."""
        return "" if spec == CLASSIC else json.dumps(spec.to_table(), sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GradingSettings:
        """The settings stored by ``to_dict``; TypeError when a key is missing or unknown."""
        return cls(**{**values, "allowed_imports": tuple(values.get("allowed_imports", ()))})
