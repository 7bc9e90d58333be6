"""mnist-ref: a small NumPy reference of the two-layer MNIST MLP, and a checker for other people's.

Importing this package loads nothing yet: the network's functions below load ``mnist_ref.network``
(and NumPy) when first used, so that a part of the package (``mnist_ref.spec``, which the checker's
process around a submission needs) comes without the reference network itself. The data loaders,
plots and the conformance harness load pandas, matplotlib and torch when they are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnist_ref.network import (
        GRAD_NAMES,
        PARAM_NAMES,
        ForwardCache,
        Grads,
        Params,
        accuracy,
        backward,
        cross_entropy,
        forward,
        from_one_hot,
        init_params,
        log_softmax,
        loss,
        one_hot,
        predict,
        relu,
        relu_grad,
        sgd_update,
        softmax,
    )

__version__ = "0.1.0"

__all__ = [
    "GRAD_NAMES",
    "PARAM_NAMES",
    "ForwardCache",
    "Grads",
    "Params",
    "accuracy",
    "backward",
    "cross_entropy",
    "forward",
    "from_one_hot",
    "init_params",
    "log_softmax",
    "loss",
    "one_hot",
    "predict",
    "relu",
    "relu_grad",
    "sgd_update",
    "softmax",
]


def __getattr__(name: str) -> Any:
    """The network's function or constant ``name`` (or the module itself, ``network``), from
    mnist_ref.network, imported on first use."""
    if name == "network":
        return importlib.import_module("mnist_ref.network")
    if name in __all__:
        return getattr(importlib.import_module("mnist_ref.network"), name)
    raise AttributeError(f"module 'mnist_ref' has no attribute {name!r}")
