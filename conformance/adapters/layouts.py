"""How a target bundles several arrays (params, cache, grads), both ways.

Going in, the canonical dict ``{"W1": ..., "b1": ..., ...}`` is *packed* the way the
target expects: a dict with the target's keys (``"W1"`` or ``"w1"``, ``"dW1"`` or
``"W1"`` for gradients), a tuple in the target's order, or a list of layers
(``conformance.adapters.layers``). Coming back, whatever the target returned (a dict, a
tuple, a tuple holding a dict, a list of layers, one array) is *read* into a canonical
dict with ``np.asarray`` and nothing else: never reshaped, squeezed or cast (converting a
row-layout target's arrays is ``orientation``'s job).
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from conformance.adapters.introspect import referenced_names, returned_names, string_constants, unpacked_names
from conformance.adapters.layers import LayerListLayout, read_layers
from conformance.adapters.names import ACTIVATION_NAMES, CONTAINER_NAMES, normalize, roles_for

N_CLASSES = 10
"""The output size: an unnamed array with a side of 10 in what a forward pass returns is its output."""


@dataclass(frozen=True)
class DictLayout:
    """The arrays travel in a dict; ``keys`` maps each canonical name to the target's key.

    ``guessed``: nothing in the target showed these keys; the canonical ones are assumed.
    """

    keys: Mapping[str, str]
    guessed: bool = False

    def pack(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``{target key: value}`` for every canonical name in ``values`` that the layout knows."""
        return {key: values[name] for name, key in self.keys.items() if name in values}

    def unpack(self, packed: Mapping[str, Any]) -> dict[str, Any]:
        """Back to canonical names: the values under the layout's keys."""
        return {name: packed[key] for name, key in self.keys.items() if key in packed}

    def text(self) -> str:
        """E.g. "dict with keys 'W1', 'b1', 'W2', 'b2'"."""
        return "dict with keys " + ", ".join(repr(key) for key in self.keys.values())


@dataclass(frozen=True)
class TupleLayout:
    """The arrays travel as a tuple in ``order`` (canonical names)."""

    order: tuple[str, ...]

    def pack(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The values as a tuple in the target's order."""
        return tuple(values[name] for name in self.order)

    def unpack(self, packed: tuple[Any, ...]) -> dict[str, Any]:
        """Back to canonical names, by position."""
        return dict(zip(self.order, packed, strict=True))

    def text(self) -> str:
        """E.g. "tuple (W1, b1, W2, b2)"."""
        return f"tuple ({', '.join(self.order)})"


@dataclass(frozen=True)
class AttributeLayout:
    """The arrays travel as attributes of one object (a named tuple such as the reference's ForwardCache)."""

    names: tuple[str, ...]

    def pack(self, values: Mapping[str, Any]) -> types.SimpleNamespace:
        """An object with one attribute per canonical name: ``cache.A2``."""
        return types.SimpleNamespace(**{name: values[name] for name in self.names if name in values})

    def unpack(self, packed: Any) -> dict[str, Any]:
        """Back to canonical names, from the attributes."""
        return {name: getattr(packed, name) for name in self.names if hasattr(packed, name)}

    def text(self) -> str:
        """E.g. "object with attributes Z1, A1, Z2, A2"."""
        return "object with attributes " + ", ".join(self.names)


Layout = DictLayout | TupleLayout | AttributeLayout | LayerListLayout


def reads_attributes(container: str, function: types.FunctionType) -> bool:
    """True when ``function`` reads at least two of the container's arrays by name as attributes
    (``cache.A2``, ``cache.Z1``) rather than as local variables."""
    return len(set(CONTAINER_NAMES[container]) & referenced_names(function)) >= 2


def dict_layout(container: str, strings: Iterable[str]) -> DictLayout | None:
    """The dict layout of ``container`` ("params", "cache", "grads") that the string literals show, if any.

    Keys spelled out (``"W1"``, ``"w1"``), prefixes that a loop completes (``"W" + str(l)``),
    or for gradients the parameters' keys, prefixed with ``"d"`` when that string is there
    (``grads["d" + key]``).
    """
    names = CONTAINER_NAMES[container]
    strings = set(strings)
    keys = _exact_keys(names, strings) or _prefix_keys(names, strings)
    if keys is None and container == "grads":
        param_keys = dict_layout("params", strings)
        if param_keys is not None:
            prefix = "d" if "d" in strings else ""
            keys = {"d" + name: prefix + key for name, key in param_keys.keys.items()}
    return None if keys is None else DictLayout(keys)


def tuple_order(container: str, tuples: Iterable[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """The first of ``tuples`` (names in a ``return`` or an unpacking) that lists exactly the container's
    arrays, as canonical names in that order: ``("w1", "W2", "b1", "b2")`` gives (W1, W2, b1, b2)."""
    names = CONTAINER_NAMES[container]
    for candidate in tuples:
        order = tuple(canonical_name(name, names, aliases=False) for name in candidate or ())
        if sorted(map(str, order)) == sorted(names):
            return order
    return None


@dataclass(frozen=True)
class Conventions:
    """How the target as a whole bundles arrays: all its string literals, and its returned tuples' orders."""

    strings: frozenset[str]
    orders: Mapping[str, tuple[str, ...]]  # container -> canonical names in the order the target returns them
    known: Mapping[str, Layout] = field(default_factory=dict)  # container -> layout seen in a returned value

    @classmethod
    def of(cls, functions: Iterable[types.FunctionType]) -> Conventions:
        """Read from the target's functions (and methods): ``return W1, b1, W2, b2`` sets the params order."""
        functions = list(functions)
        strings = set().union(*map(string_constants, functions))
        returned = [returned_names(function) for function in functions]
        orders = {container: tuple_order(container, returned) for container in CONTAINER_NAMES}
        return cls(frozenset(strings), {container: order for container, order in orders.items() if order})

    def knowing(self, container: str, layout: Layout) -> Conventions:
        """These conventions, with ``container`` known to travel as ``layout`` (init returned such a list)."""
        return replace(self, known={**self.known, container: layout})

    def returned_layout(self, container: str, function: types.FunctionType | None) -> Layout:
        """How ``function`` returns ``container``: the order of its ``return`` tuple when that lists the
        container's arrays (``return p["W1"], p["b1"], ...``), else ``layout``."""
        order = tuple_order(container, [returned_names(function)]) if function is not None else None
        return TupleLayout(order) if order is not None else self.layout(container, function)

    def layout(self, container: str, function: types.FunctionType | None = None) -> Layout:
        """How ``function`` bundles ``container``, from the most specific evidence to the least:

        a layout seen in a value the target returned (its init's list of layers), the
        function's own string keys, its own ``return`` or unpacking (``W1, b1, W2, b2 = params``),
        the target's string keys, the target's returned tuples, and else a dict with the
        canonical keys (code that loops over the keys shows none).
        """
        if container in self.known:
            return self.known[container]
        if function is not None:
            layout = dict_layout(container, string_constants(function))
            order = tuple_order(container, [returned_names(function), *unpacked_names(function)])
            if layout is not None or order is not None:
                return layout or TupleLayout(order)
            if reads_attributes(container, function):
                return AttributeLayout(CONTAINER_NAMES[container])
        layout = dict_layout(container, self.strings)
        if layout is not None:
            return layout
        if container in self.orders:
            return TupleLayout(self.orders[container])
        return DictLayout({name: name for name in CONTAINER_NAMES[container]}, guessed=True)


def _exact_keys(names: tuple[str, ...], strings: set[str]) -> dict[str, str] | None:
    """Keys spelled out in full (``"W1"`` or ``"w1"``); canonical spelling for the ones not seen."""
    by_key = {normalize(string): string for string in sorted(strings)}
    found = {name: by_key[normalize(name)] for name in names if normalize(name) in by_key}
    return {name: found.get(name, name) for name in names} if found else None


def _prefix_keys(names: tuple[str, ...], strings: set[str]) -> dict[str, str] | None:
    """Keys built in a loop from a prefix and the layer number: ``"W" + str(l)`` gives "W1" and "W2"."""
    by_prefix = {normalize(string): string for string in sorted(strings)}
    prefixes = {name: normalize(name.rstrip("12")) for name in names}
    if not any(prefix in by_prefix for prefix in prefixes.values()):
        return None
    return {name: by_prefix.get(prefix, name.rstrip("12")) + name[-1] for name, prefix in prefixes.items()}


def canonical_name(key: Any, names: tuple[str, ...], *, aliases: bool = True) -> str | None:
    """The canonical name among ``names`` that a target's key or attribute name stands for, if any.

    ``"w1"`` stands for W1; with ``aliases`` also ``"weights1"`` for W1, ``"output"`` for A2,
    and for gradients the bare parameter name for its gradient (``grads["W1"]`` is dW1).
    """
    if not isinstance(key, str):
        return None
    for name in names:
        if normalize(key) == normalize(name):
            return name
    roles = roles_for(key) if aliases else ()
    for name in names:
        if name in roles or (name.startswith("d") and name[1:] in roles):
            return name
    return None


def read_arrays(
    result: Any, names: tuple[str, ...], returned: tuple[str, ...] | None = None, lone: str | None = None
) -> dict[str, np.ndarray]:
    """The arrays among ``names`` that ``result`` holds, as ``{canonical name: np.asarray(value)}``.

    - a dict: by key (see ``read_mapping``);
    - a list of layers ``[(W1, b1), (W2, b2)]``, on its own or as an item of a tuple;
    - a tuple or list: dicts inside it by key, the other items by the names in the
      target's ``return`` statement (``returned``), else in canonical order when there
      are at least as many items as names (``W1, b1, W2, b2, history``);
    - a record (a dataclass, a SimpleNamespace, an instance): by attribute, as a dict by key;
    - anything else: ``{lone: result}`` when a lone array means something (A2 for forward).
    """
    if isinstance(result, Mapping):
        return read_mapping(result, names)
    if not isinstance(result, tuple | list):
        attributes = read_mapping(record_fields(result), names)
        if attributes:
            return attributes
        return {lone: np.asarray(result)} if lone is not None and result is not None else {}
    layers = read_layers(result, names)
    if layers is not None:
        return layers
    from_dicts: dict[str, np.ndarray] = {}
    for item in result:
        if isinstance(item, Mapping):
            from_dicts = {**read_mapping(item, names), **from_dicts}
        elif read_layers(item, names) is not None:
            from_dicts = {**read_layers(item, names), **from_dicts}
    items = [(index, item) for index, item in enumerate(result) if not isinstance(item, Mapping)]
    by_name = {}
    if returned is not None and len(returned) == len(result):
        by_name = {canonical_name(returned[index], names): item for index, item in items}
        by_name.pop(None, None)
    if len(by_name) < len(items) and len(items) >= len(names) and not from_dicts:
        by_name = dict(zip(names, (item for _, item in items), strict=False))
    return {**{name: np.asarray(item) for name, item in by_name.items()}, **from_dicts}


def read_loss(result: Any, returned: tuple[str, ...] | None) -> Any:
    """The loss in what a loss function returned: the value itself, or from a tuple such as
    ``(loss, grads)`` the item its ``return`` statement names like a loss, else its only number."""
    if not isinstance(result, tuple | list):
        return result
    if returned is not None and len(returned) == len(result):
        named = [item for name, item in zip(returned, result, strict=True) if _names_a_loss(name)]
        if len(named) == 1:
            return named[0]
    numbers = [item for item in result if _is_number(item)]
    return numbers[0] if len(numbers) == 1 else result


def _names_a_loss(name: str | None) -> bool:
    key = normalize(name or "")
    return "loss" in key or "cost" in key


def _is_number(value: Any) -> bool:
    """A real number: a Python or NumPy scalar, or a 0-d array of one (not a bool)."""
    array = np.asarray(value) if isinstance(value, int | float | np.generic | np.ndarray) else None
    return array is not None and array.ndim == 0 and array.dtype.kind in "iuf"


def read_forward(result: Any, returned: tuple[str, ...] | None) -> dict[str, np.ndarray]:
    """Z1, A1, Z2, A2 from what a forward pass returned (see ``read_arrays``).

    A lone array is A2 (probabilities), or Z2 (logits) when the name it is returned under says
    so (``return logits``) or, unless that name is A2 itself, when it has a negative entry,
    which probabilities never have.
    """
    if isinstance(result, Mapping | tuple | list) or result is None:
        arrays = read_arrays(result, ACTIVATION_NAMES, returned, lone="A2")
        outputs = [item for item in result if _is_output(item)] if isinstance(result, tuple | list) else []
        if arrays or len(outputs) != 1:
            return arrays
        return read_forward(outputs[0], None)  # (probabilities, hidden list, ...): the one output array
    named = returned[0] if returned and len(returned) == 1 else ""
    if normalize(named) == "a2":
        return {"A2": np.asarray(result)}
    logits = canonical_name(named, ACTIVATION_NAMES) == "Z2" or _has_negative(result)
    return {"Z2" if logits else "A2": np.asarray(result)}


def _is_output(item: Any) -> bool:
    """True for a 2-D array with a side of 10: the network's output in either layout."""
    return isinstance(item, np.ndarray) and item.ndim == 2 and N_CLASSES in item.shape


def _has_negative(value: Any) -> bool:
    """True when ``value`` is numbers and one of them is below zero."""
    try:
        return bool(np.any(np.asarray(value, dtype=np.float64) < 0))
    except (TypeError, ValueError):
        return False


def record_fields(value: Any) -> dict[str, Any]:
    """The attributes of a record (``vars`` of an instance of a Python class), {} for anything else."""
    if isinstance(value, np.ndarray | np.generic | type | types.ModuleType | types.FunctionType):
        return {}
    return dict(getattr(value, "__dict__", None) or {})


def read_mapping(
    mapping: Mapping[Any, Any], names: tuple[str, ...], *, nested: bool = True, aliases: bool = True
) -> dict[str, np.ndarray]:
    """The arrays a dict (or an instance's ``vars``) holds by key.

    Exact keys (up to case and underscores) win over aliases, which ``aliases=False`` turns
    off; with ``nested``, dict values are read too (``{"cache": {...}}``, ``self.params``).
    """
    arrays = {key: value for key, value in mapping.items() if not isinstance(value, Mapping)}
    found: dict[str, np.ndarray] = {}
    for use_aliases in dict.fromkeys((False, aliases)):
        for key, value in arrays.items():
            name = canonical_name(key, names, aliases=use_aliases)
            if name is not None and name not in found:
                found[name] = np.asarray(value)
    if nested:
        for value in mapping.values():
            if isinstance(value, Mapping):
                found = {**read_mapping(value, names, nested=False, aliases=aliases), **found}
    return found


def cache_of(forward_result: Any) -> Any:
    """The cache in what a forward pass returned: the dict itself, else the last dict (or list of
    per-layer caches: dicts or tuples) in a returned tuple; None when it returned no such thing."""
    if isinstance(forward_result, Mapping):
        return forward_result
    if not isinstance(forward_result, tuple | list):
        return None
    caches = [item for item in forward_result if isinstance(item, Mapping) or _is_layer_list(item)]
    return caches[-1] if caches else None


def _is_layer_list(value: Any) -> bool:
    """True for a non-empty list of per-layer caches: dicts, or tuples such as ((A_prev, W, b), Z)."""
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping | tuple | list) for item in value)
    )


def activation_of(result: Any) -> np.ndarray:
    """What relu or softmax returned, as an array: the first item of an ``(A, cache)`` pair."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], np.ndarray):
        return result[0]
    return np.asarray(result)
