"""Updates written as an optimizer object that steps one layer at a time: ``SGD(lr).update_params(layer)``.

The optimizer reads and writes attributes of the layer it is given; which ones (``layer.weights``,
``layer.dweights``, ``layer.biases``, ``layer.dbiases``) is read from its code. The checker hands it
stand-in layers holding the parameters and gradients under those names, one per layer, and reads the
parameters back. An update is elementwise, so the layout the arrays are in does not matter.
"""

from __future__ import annotations

import ast
import inspect
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters.introspect import class_functions, function_tree
from conformance.adapters.names import normalize, roles_for
from conformance.adapters.storage import role_of

UPDATE_METHOD_NAMES = ("updateparams", "updateparameters", "update", "step", "updatelayer", "apply")
"""Methods of an optimizer that step one layer (normalised)."""
LAYER_PARAMETER_NAMES = ("layer", "lyr", "module")
"""What the layer the method steps is called (normalised)."""
ROLES = ("W", "b", "dW", "db")


@dataclass(frozen=True)
class LayerOptimizer:
    """An optimizer class, its method that steps one layer, its learning-rate parameter and the layer's
    attributes it uses for each role ("W" -> "weights", "dW" -> "dweights", ...)."""

    cls: type
    method: str
    rate: str
    attributes: Mapping[str, str]

    def update(
        self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray], lr: float
    ) -> dict[str, np.ndarray]:
        """The parameters after the optimizer, built with ``lr``, stepped a stand-in layer per layer."""
        optimizer = self.cls(**{self.rate: lr})
        updated = {}
        for number in ("1", "2"):
            values = {
                "W": params["W" + number],
                "b": params["b" + number],
                "dW": grads["dW" + number],
                "db": grads["db" + number],
            }
            layer = types.SimpleNamespace(
                **{self.attributes[role]: np.array(value, copy=True) for role, value in values.items()}
            )
            getattr(optimizer, self.method)(layer)
            updated["W" + number] = np.asarray(getattr(layer, self.attributes["W"]))
            updated["b" + number] = np.asarray(getattr(layer, self.attributes["b"]))
        return updated

    def text(self) -> str:
        """The call as the user reads it."""
        used = ", ".join(f"layer.{self.attributes[role]}" for role in ROLES)
        return f"{self.cls.__name__}({self.rate}=lr).{self.method}(layer) per layer; the layer holding {used}"


def find_layer_optimizer(classes: Mapping[str, type]) -> LayerOptimizer | None:
    """The one class whose method steps a layer it is given, built with a learning rate alone; None if
    there is no such class, or several."""
    found = [optimizer for cls in classes.values() if (optimizer := _layer_optimizer(cls)) is not None]
    return found[0] if len(found) == 1 else None


def _layer_optimizer(cls: type) -> LayerOptimizer | None:
    """``cls`` as a LayerOptimizer, if it is one."""
    rate = _rate_parameter(cls)
    if rate is None:
        return None
    for name, method in class_functions(cls).items():
        parameters = list(inspect.signature(method).parameters)[1:]  # after self
        if normalize(name) not in UPDATE_METHOD_NAMES or len(parameters) != 1:
            continue
        if normalize(parameters[0]) not in LAYER_PARAMETER_NAMES:
            continue
        attributes = _layer_attributes(method, parameters[0])
        if attributes is not None:
            return LayerOptimizer(cls, name, rate, attributes)
    return None


def _rate_parameter(cls: type) -> str | None:
    """The constructor's learning-rate parameter, when every other one has a default."""
    try:
        parameters = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):  # a constructor without a signature takes no learning rate we can give
        return None
    rates = [parameter.name for parameter in parameters if "lr" in roles_for(parameter.name)]
    others = [p for p in parameters if p.name not in rates and p.default is inspect.Parameter.empty]
    return rates[0] if len(rates) == 1 and not others else None


def _layer_attributes(method: Any, layer: str) -> dict[str, str] | None:
    """Role -> the attribute of ``layer`` the method uses for it (``weights`` for W); None unless there
    is exactly one for each of W, b, dW, db."""
    tree = function_tree(method)
    if tree is None:
        return None
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == layer
    }
    by_role: dict[str, list[str]] = {}
    for attribute in used:
        role = role_of(attribute)
        if role is not None:
            by_role.setdefault(role, []).append(attribute)
    if sorted(by_role) != sorted(ROLES) or any(len(names) != 1 for names in by_role.values()):
        return None
    return {role: names[0] for role, names in by_role.items()}
