"""All checks, one module per area, in the order of the components they check."""

from conformance.checks import (  # noqa: F401  (importing a module registers its checks)
    activations,
    forward,
    gradients,
    init,
    one_hot,
    predict,
    softmax,
    training,
    update,
)
from conformance.checks.base import REGISTRY, Check, Context
from conformance.report.model import COMPONENTS

ALL_CHECKS: list[Check] = sorted(REGISTRY, key=lambda registered: COMPONENTS.index(registered.component))

__all__ = ["ALL_CHECKS", "Check", "Context"]
