"""Adapters: call a student's network, whatever its shape, in canonical terms.

``discover(module)`` looks at a loaded target (top-level code already stripped) and
returns an ``Adapter``: a network class with forward and backward methods gives a
``ClassAdapter``, anything else a ``FunctionalAdapter`` over the module's functions.
Canonical terms are the reference's: column layout, X (784, m), labels y (m,),
params ``{"W1": (h, 784), "b1": (h, 1), "W2": (10, h), "b2": (10, 1)}``.

Modules, one concept each: ``names`` (what students call things), ``introspect`` (facts
read from code), ``signatures`` (parameters mapped to values), ``candidates`` (which
function is which component), ``choices`` (what a mapping file chose), ``layouts`` and
``layers`` (bundles of arrays in and out), ``orientation`` (column or row layout),
``labels`` (integer or one-hot labels), ``values`` (what each operation offers),
``module_globals``, ``description``, and the two adapters.
"""

from __future__ import annotations

import types
from typing import Any, Protocol

import numpy as np

from conformance.adapters.choices import NO_MAPPING, TargetMapping
from conformance.adapters.class_style import ClassAdapter, network_class
from conformance.adapters.functional import FunctionalAdapter

Params = dict[str, np.ndarray]


class Adapter(Protocol):
    """What the sandbox's worker calls; every operation raises NotProvided for a missing component."""

    def describe(self) -> dict[str, Any]: ...
    def init(self, n_in: int, hidden: int, n_out: int) -> Params: ...
    def relu(self, Z: np.ndarray) -> np.ndarray: ...
    def relu_grad(self, Z: np.ndarray) -> np.ndarray: ...
    def softmax(self, Z: np.ndarray) -> np.ndarray: ...
    def one_hot(self, y: np.ndarray) -> np.ndarray: ...
    def forward(self, params: Params, X: np.ndarray) -> dict[str, np.ndarray]: ...
    def loss(self, params: Params, X: np.ndarray, y: np.ndarray) -> np.ndarray: ...
    def backward(self, params: Params, X: np.ndarray, y: np.ndarray, cache: Any) -> dict[str, np.ndarray]: ...
    def update(self, params: Params, grads: dict[str, np.ndarray], lr: float) -> Params: ...
    def predict(self, params: Params, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray: ...
    def accuracy(
        self,
        predictions: np.ndarray,
        y: np.ndarray,
        params: Params | None = None,
        X: np.ndarray | None = None,
    ) -> np.ndarray: ...
    def train(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Params: ...
    def applied_step(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float) -> Params: ...
    def data_globals(self, component: str) -> dict[str, str]: ...
    def set_globals(self, values: dict[str, Any]) -> None: ...


def discover(module: types.ModuleType, mapping: TargetMapping = NO_MAPPING) -> Adapter:
    """The adapter for a loaded target: its network class if it has one (or the mapping file names
    one), else its module functions; ``mapping`` (a parsed mapping file) fixes what names cannot tell.

    Raises TargetLoadError when the mapping file names something the target does not have.
    """
    network = network_class(module, mapping)
    if network is None:
        return FunctionalAdapter(module, mapping)
    return ClassAdapter(module, network, mapping)


__all__ = ["Adapter", "ClassAdapter", "FunctionalAdapter", "discover"]
