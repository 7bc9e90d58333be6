"""All checks, one module per area, registered in the order they are reported."""

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

__all__ = ["REGISTRY", "Check", "Context"]
