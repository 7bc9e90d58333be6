"""The adapter operations that check a network of the family (any depth, activation, loss, optimizer).

Each takes ``setting`` = (depth, optimizer, l2), so that a child restarted after a crash answers the
same way. They call the target's own functions found by conformance.adapters.family; for a network of
two layers written as the classic one is (``forward_prop(W1, b1, W2, b2, X)``), they fall back on the
two-layer adapter's operations, which know those styles.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from conformance.adapters.family import NetworkCalls, Params
from conformance.sandbox.protocol import NotProvided

Setting = tuple[int, str, float]
"""(depth, optimizer, l2) of the spec being checked."""


class NetworkOperations:
    """Mixed into the two-layer adapters, whose ``module``, ``forward``, ``loss``, ``backward`` and
    ``update`` it uses for the fallback."""

    module: Any

    def _network(self, setting: Setting) -> NetworkCalls:
        cached = self.__dict__.setdefault("_network_calls", {})
        if setting not in cached:
            cached[setting] = NetworkCalls(self.module, *setting, trees=self._source_trees)  # type: ignore[attr-defined]
        return cached[setting]

    def _classic_fallback(self, setting: Setting, operation: str) -> bool:
        """Whether ``operation`` goes to the two-layer adapter: a two-layer network the family finder
        cannot call."""
        calls = self._network(setting)
        return setting[0] == 2 and calls.found.network_class is None and not calls.usable(operation)

    def network_describe(self, setting: Setting) -> dict[str, Any]:
        """What the family finder found: each operation's function, the network class if any, and the
        layer sizes the target's code writes down (``layers_dims = [784, 64, 32, 10]``)."""
        trees = self._source_trees  # type: ignore[attr-defined]
        return {
            **self._network(setting).describe(),
            "layer_sizes": written_layer_sizes(trees, vars(self.module)),
        }

    def family_probe(self) -> bool:
        """Whether the target shows signs of a network of the family worth probing as such: a forward or
        backward the family finder can call, layer sizes of another depth than two written down, an update
        named for momentum or Adam, or a backward requiring an L2 lambda."""
        classic: Setting = (2, "sgd", 0.0)
        calls, described = self._network(classic), self.network_describe(classic)
        return bool(
            calls.usable("forward")
            or calls.usable("backward")
            or any(len(sizes) != 3 for sizes in described["layer_sizes"])
            or set(described["optimizers"]) - {"sgd"}
            or described["l2_parameter"]
        )

    def network_init(self, setting: Setting, sizes: list[int]) -> Params:
        """The target's initial parameters for layer ``sizes`` (as many layers as it makes)."""
        if self._classic_fallback(setting, "init"):
            return self.init(sizes[0], sizes[1], sizes[-1])  # type: ignore[attr-defined]
        return self._network(setting).init(sizes)

    def network_forward(self, setting: Setting, params: Params, X: np.ndarray) -> np.ndarray:
        """The outputs AL (k, m) of the target's forward pass on X (n_0, m)."""
        if self._classic_fallback(setting, "forward"):
            return _output_of(self.forward(params, X))  # type: ignore[attr-defined]
        return self._network(setting).forward(params, X)[0]

    def network_loss(self, setting: Setting, params: Params, X: np.ndarray, Y: np.ndarray) -> float:
        """The target's loss of its own outputs on X against the one-hot labels Y (k, m)."""
        if self._classic_fallback(setting, "loss"):
            return self.loss(params, X, np.argmax(Y, axis=0), setting[2])  # type: ignore[attr-defined]
        return self._network(setting).loss(params, X, Y)

    def network_loss_derivative(self, setting: Setting, params: Params, AL: np.ndarray, Y: np.ndarray) -> Any:
        """The target's derivative of its loss with respect to the outputs AL (k, m), labels Y (k, m)."""
        return self._network(setting).loss_derivative(params, AL, Y)

    def network_backward(self, setting: Setting, params: Params, X: np.ndarray, Y: np.ndarray) -> dict:
        """dW1..dWL, db1..dbL from the target's backward, given its own forward pass's cache."""
        if self._classic_fallback(setting, "backward"):
            cache = self.forward(params, X)  # type: ignore[attr-defined]
            return self.backward(params, X, np.argmax(Y, axis=0), cache, setting[2])  # type: ignore[attr-defined]
        return self._network(setting).backward(params, X, Y)

    def network_update(
        self,
        setting: Setting,
        params: Params,
        grads: dict[str, np.ndarray],
        lr: float,
        state: dict[str, Any] | None,
        hyper: dict[str, float],
    ) -> tuple[Params, dict[str, Any]]:
        """(parameters, optimizer state) after one step of the target's update; ``state`` None is fresh."""
        if self._classic_fallback(setting, "update"):
            if setting[1] != "sgd":
                raise NotProvided("update", f"no {setting[1]} update function found")
            return self.update(params, grads, lr), {}  # type: ignore[attr-defined]
        return self._network(setting).update(params, grads, lr, state, hyper)


def written_layer_sizes(trees: list[ast.AST], namespace: dict[str, Any]) -> list[list[int]]:
    """The lists of layer widths from 784 inputs to 10 classes (at least one hidden layer) written in the
    target's code or held by its module's globals, each once, in the order found."""
    found = [
        _int_literals(node)
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.List | ast.Tuple)
    ]
    found += [list(value) for value in namespace.values() if isinstance(value, list | tuple)]
    widths = [sizes for sizes in found if _layer_widths(sizes)]
    return [list(sizes) for sizes in dict.fromkeys(tuple(sizes) for sizes in widths)]


def _int_literals(node: ast.List | ast.Tuple) -> list[Any]:
    return [element.value if isinstance(element, ast.Constant) else None for element in node.elts]


def _layer_widths(sizes: list[Any]) -> bool:
    return (
        len(sizes) >= 3
        and all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in sizes)
        and sizes[0] == 784
        and sizes[-1] == 10
    )


def _output_of(forward: dict[str, np.ndarray]) -> np.ndarray:
    if "A2" not in forward:
        raise NotProvided("forward", "cannot read the outputs A2 from what forward returned")
    return forward["A2"]
