"""Parameters or gradients as a list of layers: ``[(W1, b1), (W2, b2)]`` or ``[{"W": W1, "b": b1}, ...]``.

Such a list is recognised by its shape: two items, each a pair of arrays or a dict with a
weight key and a bias key (``"W"``/``"b"``, ``"weights"``/``"bias"``, ``"dW"``/``"db"``).
Nothing in the code's names says it, so the adapter learns it from what the target's init returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters.names import GRAD_NAMES, normalize

WEIGHT_KEYS = ("w", "weight", "weights", "dw", "gradw", "dweight", "dweights")
BIAS_KEYS = ("b", "bias", "biases", "db", "gradb", "dbias", "dbiases")
LAYER_COUNT = 2


@dataclass(frozen=True)
class LayerListLayout:
    """The arrays travel as a list of layers; ``keys`` ("W", "b") for dict layers, None for pairs."""

    names: tuple[str, ...]  # canonical, layer by layer: ("W1", "b1", "W2", "b2") or ("dW1", "db1", ...)
    keys: tuple[str, str] | None = None

    def pack(self, values: Mapping[str, Any]) -> list[Any]:
        """``[(W1, b1), (W2, b2)]`` or ``[{"W": W1, "b": b1}, ...]`` (a list: a loop may replace layers)."""
        layers = []
        for weight, bias in zip(self.names[::2], self.names[1::2], strict=True):
            pair = (values[weight], values[bias])
            layers.append(pair if self.keys is None else dict(zip(self.keys, pair, strict=True)))
        return layers

    def unpack(self, packed: Any) -> dict[str, Any]:
        """Back to canonical names (what the list holds, if it is still a list of layers)."""
        found = layer_arrays(packed)
        if found is None:
            return {}
        return dict(zip(self.names, found[0], strict=True))

    def text(self) -> str:
        """E.g. "list of layers [(W1, b1), (W2, b2)]"."""
        if self.keys is None:
            return f"list of layers [({self.names[0]}, {self.names[1]}), ({self.names[2]}, {self.names[3]})]"
        weight, bias = self.keys
        return f"list of layers [{{{weight!r}: {self.names[0]}, {bias!r}: {self.names[1]}}}, ...]"


def gradient_layout(params: LayerListLayout, strings: Iterable[str]) -> LayerListLayout:
    """How gradients travel when the parameters are a list of layers: pairs like them, dicts keyed
    ``"dW"``/``"db"`` when the code spells those keys (``strings``), else keyed like the parameters."""
    keys = params.keys
    if keys is not None and {f"d{key}" for key in keys} <= set(strings):
        keys = (f"d{keys[0]}", f"d{keys[1]}")
    return LayerListLayout(GRAD_NAMES, keys)


def layer_arrays(value: Any) -> tuple[list[Any], tuple[str, str] | None] | None:
    """(the arrays W1, b1, W2, b2 in order, the dict keys or None) when ``value`` is a list of two layers."""
    if not isinstance(value, list | tuple) or len(value) != LAYER_COUNT:
        return None
    arrays: list[Any] = []
    keys: tuple[str, str] | None = None
    for layer in value:
        if isinstance(layer, Mapping):
            keys = _layer_keys(layer)
            if keys is None:
                return None
            arrays.extend(layer[key] for key in keys)
        elif isinstance(layer, list | tuple) and len(layer) == 2 and all(map(_is_array, layer)):
            arrays.extend(layer)
        else:
            return None
    return arrays, keys


def layer_layout(value: Any, names: tuple[str, ...]) -> LayerListLayout | None:
    """The LayerListLayout that ``value`` shows, for the canonical ``names``; None if it is no layer list."""
    found = layer_arrays(value)
    return None if found is None else LayerListLayout(names, found[1])


def read_layers(value: Any, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """``{name: np.asarray(array)}`` from a list of layers, None when ``value`` is not one."""
    found = layer_arrays(value)
    if found is None:
        return None
    return {name: np.asarray(array) for name, array in zip(names, found[0], strict=True)}


def _layer_keys(layer: Mapping[Any, Any]) -> tuple[str, str] | None:
    """The (weight key, bias key) of a layer dict, None unless it has exactly one of each."""
    weights = [key for key in layer if isinstance(key, str) and normalize(key) in WEIGHT_KEYS]
    biases = [key for key in layer if isinstance(key, str) and normalize(key) in BIAS_KEYS]
    if len(weights) != 1 or len(biases) != 1:
        return None
    return weights[0], biases[0]


def _is_array(value: Any) -> bool:
    """NumPy arrays and scalars count (a bias gradient may come back as a NumPy scalar)."""
    return isinstance(value, np.ndarray | np.number)
