"""Where a network instance keeps W1, b1, W2, b2 when they are not attributes of those names.

Each storage kind students write is one declared entry of ``STORAGE_KINDS``: the steps of the
path from the instance to an array (an attribute name, a list index), and which step names the
array's role (a weight, a bias, the gradient of one). The rest of the path says which layer the
array belongs to. For example:

- ``self.weights = [W1, W2]; self.biases = [b1, b2]`` (or ``self.W``/``self.b``): a list per role,
  indexed by layer;
- ``self.layer1 = Dense(784, h)`` holding ``.weights``/``.biases`` (or ``.W``/``.b``): a layer
  object per attribute, in the order the constructor assigns them;
- ``self.layers = [Dense(784, h), Dense(h, 10)]``: a list of layer objects.

``PathStorage.find`` walks a sample instance, reads every kind and keeps the one reading that
gives exactly two layers whose shapes are those of W1, b1, W2, b2 (in either layout); anything
else (no reading, several readings, three layers) is no reading at all, with the reason why: the
checker never guesses where the parameters are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters.introspect import class_functions, referenced_names
from conformance.adapters.names import ACTIVATION_NAMES, GRAD_NAMES, PARAM_NAMES, normalize

Step = str | int  # an attribute name or a list index
Path = tuple[Step, ...]

ROLE_STEP_NAMES: Mapping[str, frozenset[str]] = {
    "W": frozenset({"w", "weight", "weights"}),
    "b": frozenset({"b", "bias", "biases"}),
    "dW": frozenset({"dw", "dweight", "dweights", "gradw", "gradweight", "gradweights", "weightgrad"}),
    "db": frozenset({"db", "dbias", "dbiases", "gradb", "gradbias", "gradbiases", "biasgrad"}),
}
"""The names (normalized) a step has when it says what the array is: a weight, a bias, their gradients."""
CANONICAL = {"W": ("W1", "W2"), "b": ("b1", "b2"), "dW": ("dW1", "dW2"), "db": ("db1", "db2")}
"""The canonical names of each role, layer by layer."""
LAYER_OUTPUT_NAMES: Mapping[str, frozenset[str]] = {
    "Z": frozenset({"z", "preactivation", "pre", "net", "linear"}),
    "A": frozenset({"a", "output", "out", "activation", "act", "h"}),
}
"""The attribute names (normalized) of a layer object's pre-activation and output after its forward pass."""
MAX_LIST = 8
"""Lists longer than this are data (a loss history), not layers."""


@dataclass(frozen=True)
class StorageKind:
    """One way of keeping the parameters: the kinds of the path's steps and which of them names the role."""

    name: str
    steps: tuple[str, ...]  # "attr" or "index", from the instance down to the array
    role_at: int  # the position of the step whose name is the role ("weights", "b", "dweights")
    example: str

    def role_and_layer(self, path: Path) -> tuple[str, Path] | None:
        """(the role, the path of the layer: the other steps) when ``path`` fits this kind, else None."""
        if len(path) != len(self.steps):
            return None
        for step, kind in zip(path, self.steps, strict=True):
            if isinstance(step, int) != (kind == "index"):
                return None
        role = role_of(path[self.role_at])
        if role is None:
            return None
        return role, path[: self.role_at] + path[self.role_at + 1 :]


STORAGE_KINDS = (
    StorageKind("lists", ("attr", "index"), 0, "self.weights = [W1, W2]; self.biases = [b1, b2]"),
    StorageKind("layer objects", ("attr", "attr"), 1, "self.layer1 = Layer(784, h) with .weights, .biases"),
    StorageKind("list of layer objects", ("attr", "index", "attr"), 2, "self.layers = [Layer(), Layer()]"),
)  # fmt: skip
"""Every storage kind the checker reads, as data: a new kind seen in the wild is a new entry."""


def role_of(step: Step) -> str | None:
    """ "W", "b", "dW" or "db" when the step's name says so (``weights``, ``b``, ``dweights``), else None."""
    if not isinstance(step, str):
        return None
    key = normalize(step)
    return next((role for role, names in ROLE_STEP_NAMES.items() if key in names), None)


def walk(instance: Any, own_types: tuple[type, ...]) -> Iterator[tuple[Path, Any]]:
    """(path, value) for every array (or None, a slot not yet filled) reachable from the instance
    through its attributes, lists of up to MAX_LIST items, and objects of the target's own classes."""
    yield from _walk(instance, (), own_types, depth=3)


def _walk(value: Any, path: Path, own_types: tuple[type, ...], depth: int) -> Iterator[tuple[Path, Any]]:
    if path and (value is None or isinstance(value, np.ndarray)):
        yield path, value
        return
    if depth == 0:
        return
    if isinstance(value, list) and path and len(value) <= MAX_LIST:
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), own_types, depth - 1)
    elif (not path or isinstance(value, own_types)) and hasattr(value, "__dict__"):
        for name, item in vars(value).items():
            yield from _walk(item, (*path, name), own_types, depth - 1)


def get(instance: Any, path: Path) -> Any:
    """The value at ``path``; None when the path is gone (a list emptied, an attribute deleted)."""
    value = instance
    for step in path:
        try:
            value = value[step] if isinstance(step, int) else getattr(value, step)
        except (AttributeError, IndexError, KeyError, TypeError):
            return None
    return value


def put(instance: Any, path: Path, value: Any) -> None:
    """Store ``value`` at ``path`` (the path's owner must exist: a list, an object)."""
    owner = get(instance, path[:-1]) if len(path) > 1 else instance
    if isinstance(path[-1], int):
        owner[path[-1]] = value
    else:
        setattr(owner, path[-1], value)


def path_text(path: Path) -> str:
    """``self.weights[0]``, ``self.layer1.W``."""
    return "self" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


@dataclass(frozen=True)
class PathStorage:
    """Where an instance keeps each parameter (and, once seen, each gradient): a path per canonical name.

    Stands in for ``InstanceLayout`` (same methods); ``attributes`` keeps what the class's code
    shows for the cache (``self.Z1``...) and the learning rate.
    """

    kind: StorageKind
    params: Mapping[str, Path]  # "W1" -> ("weights", 0)
    layers: tuple[Path, Path]  # the layer paths of layer 1 and layer 2
    grad_steps: Mapping[str, Path]  # "dW1" -> where the checker writes it before an update
    cache: Any  # the InstanceLayout of the class's code, for the cache and the learning rate
    own_types: tuple[type, ...]

    @property
    def learning_rate(self) -> str | None:
        return self.cache.learning_rate

    @property
    def attributes(self) -> Mapping[str, str]:
        """Top-level attribute per parameter (``W1`` -> ``weights``), and the cache's attributes."""
        tops = {name: str(path[-1] if self.kind.role_at else path[0]) for name, path in self.params.items()}
        return {**self.cache.attributes, **tops}

    @classmethod
    def find(cls, instance: Any, cache: Any, own_types: tuple[type, ...]) -> PathStorage | str:
        """The one reading of the sample ``instance`` that gives W1, b1, W2, b2, else why there is none."""
        leaves = list(walk(instance, own_types))
        readings = []
        problems = []
        for kind in STORAGE_KINDS:
            reading = _read_kind(kind, leaves)
            if isinstance(reading, str):
                if reading:
                    problems.append(f"{kind.name}: {reading}")
                continue
            params, layers = reading
            grads = _grad_paths(kind, layers, leaves, instance, own_types)
            readings.append(cls(kind, params, layers, grads, cache, own_types))
        if len(readings) == 1:
            return readings[0]
        if len(readings) > 1:
            return "several readings fit (" + "; ".join(reading.text("params") for reading in readings) + ")"
        tried = ", ".join(kind.example for kind in STORAGE_KINDS)
        return "; ".join(problems) if problems else f"no arrays stored like {tried}"

    def flat_samples(self, instance: Any) -> bool:
        """True when the instance holds W1 as (h, 784) with a 1-D b1 (h,): ``W1 @ x + b1`` works on one flat
        sample x (784,) or on rows (``X @ W1.T + b1``), never on a batch of columns."""
        W1, b1 = get(instance, self.params["W1"]), get(instance, self.params["b1"])
        return W1.shape[1] == 784 and b1.ndim == 1

    def _layer_outputs(self, instance: Any) -> dict[str, np.ndarray]:
        """Z1, A1, Z2, A2 as layer objects keep them after a forward pass (``self.layers[0].z`` and ``.a``),
        read only from layers that keep both (a lone ``.output`` may be either)."""
        if self.kind.name == "lists":
            return {}
        found = {}
        for number, path in enumerate(self.layers, start=1):
            layer = get(instance, path)
            outputs = (
                {role: _layer_output(layer, role) for role in ("Z", "A")}
                if hasattr(layer, "__dict__")
                else {}
            )
            if outputs and all(value is not None for value in outputs.values()):
                found.update({f"{role}{number}": np.asarray(value) for role, value in outputs.items()})
        return found

    def locates(self, container: str) -> bool:
        return container == "params" or self.cache.locates(container)

    def holds_dicts(self, instance: Any) -> bool:
        return True

    def text(self, container: str) -> str:
        if container == "params":
            return ", ".join(path_text(self.params[name]) for name in PARAM_NAMES) + f" ({self.kind.name})"
        if container == "grads" and self.grad_steps:
            return ", ".join(
                path_text(self.grad_steps[name]) for name in GRAD_NAMES if name in self.grad_steps
            )
        return self.cache.text(container)

    def write(self, instance: Any, container: str, values: Mapping[str, Any]) -> None:
        """Store copies of the arrays: parameters and gradients at their paths, the cache as the class's code
        shows (attributes of its own names)."""
        if container == "cache":
            holder = self.cache.containers.get("cache", (None,))[0]
            if holder is None or isinstance(getattr(instance, holder, None), Mapping | None):
                self.cache.write(instance, container, values)  # never a dict over the instance's own list
            return
        paths = self.params if container == "params" else self.grad_steps
        for name, path in paths.items():
            if name in values and _owner_exists(instance, path):
                put(instance, path, np.array(values[name], copy=True))

    def read(self, instance: Any, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The arrays among ``names`` the instance holds: parameters at their paths, gradients where the
        instance keeps them now (``self.dW[0]``, ``self.layer1.dweights``), the cache by attribute name."""
        if names == ACTIVATION_NAMES:
            return self.cache.read(instance, names) or self._layer_outputs(instance)
        paths = self.params if names == PARAM_NAMES else _grads_now(self, instance)
        found = {name: get(instance, path) for name, path in paths.items() if name in names}
        return {name: np.asarray(value) for name, value in found.items() if isinstance(value, np.ndarray)}


def _layer_output(layer: Any, role: str) -> Any:
    """The layer object's attribute named like its pre-activation ("Z") or output ("A"), None if none."""
    found = [
        value
        for name, value in vars(layer).items()
        if normalize(name) in LAYER_OUTPUT_NAMES[role] and isinstance(value, np.ndarray)
    ]
    return found[0] if len(found) == 1 else None


def _owner_exists(instance: Any, path: Path) -> bool:
    """True when the object or list that holds ``path``'s last step is there (a list long enough)."""
    owner = get(instance, path[:-1]) if len(path) > 1 else instance
    if isinstance(path[-1], int):
        return isinstance(owner, list) and len(owner) > path[-1]
    return owner is not None


def _read_kind(
    kind: StorageKind, leaves: Iterable[tuple[Path, Any]]
) -> tuple[dict[str, Path], tuple[Path, Path]] | str:
    """(the paths of W1, b1, W2, b2, the two layer paths) as ``kind`` reads the leaves; a reason why not
    ("" when the kind does not occur at all)."""
    layers: dict[Path, dict[str, list[Path]]] = {}
    arrays = {}
    for path, value in leaves:
        fitted = kind.role_and_layer(path)
        if fitted is None or fitted[0] not in ("W", "b") or not isinstance(value, np.ndarray):
            continue
        role, layer = fitted
        layers.setdefault(layer, {}).setdefault(role, []).append(path)
        arrays[path] = value
    weighted = {layer: roles for layer, roles in layers.items() if "W" in roles}
    if not weighted:
        return ""
    if len(weighted) != 2:
        return f"{len(weighted)} layers with weights, the classic network has 2"
    if any(len(roles["W"]) != 1 or len(roles.get("b", ())) != 1 for roles in weighted.values()):
        return "not one weight and one bias per layer"
    (first, one), (second, two) = weighted.items()
    paths = [one["W"][0], one["b"][0], two["W"][0], two["b"][0]]
    if _fits(*(arrays[path] for path in paths)):
        return dict(zip(PARAM_NAMES, paths, strict=True)), (first, second)
    if _fits(*(arrays[path] for path in paths[2:] + paths[:2])):
        return dict(zip(PARAM_NAMES, paths[2:] + paths[:2], strict=True)), (second, first)
    shapes = ", ".join(str(arrays[path].shape) for path in paths)
    return f"shapes {shapes} are not those of W1, b1, W2, b2 (784 inputs, 10 outputs)"


def _fits(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> bool:
    """True when the four arrays have the shapes of W1, b1, W2, b2 of a 784-h-10 network, both weights in
    the same layout (column (h, 784), (10, h); row (784, h), (h, 10)), the biases (n,), (n, 1) or (1, n)."""
    if W1.ndim != 2 or W2.ndim != 2:
        return False
    if W1.shape[1] == 784 and W2.shape[1] == W1.shape[0] and W2.shape[0] == 10:
        hidden = W1.shape[0]
    elif W1.shape[0] == 784 and W2.shape[0] == W1.shape[1] and W2.shape[1] == 10:
        hidden = W1.shape[1]
    else:
        return False
    return _bias_of(b1, hidden) and _bias_of(b2, 10)


def _bias_of(value: np.ndarray, size: int) -> bool:
    """True for a bias of ``size`` units: (size,), (size, 1) or (1, size)."""
    return value.shape in ((size,), (size, 1), (1, size))


def _grad_paths(
    kind: StorageKind,
    layers: tuple[Path, Path],
    leaves: Iterable[tuple[Path, Any]],
    instance: Any,
    own_types: tuple[type, ...],
) -> dict[str, Path]:
    """Where to write dW1..db2 before an update: the gradient slots the sample instance already has
    (``self.dW = [None, None]``), else for layer objects the gradient attributes their class's code uses
    (``self.dweights``); {} when nothing shows them."""
    found: dict[str, Path] = {}
    for path, _ in leaves:
        fitted = kind.role_and_layer(path)
        if fitted is not None and fitted[0] in ("dW", "db") and fitted[1] in layers:
            name = CANONICAL[fitted[0]][layers.index(fitted[1])]
            found.setdefault(name, path)
    if len(found) == len(GRAD_NAMES) or kind.role_at != len(kind.steps) - 1:
        return found if len(found) == len(GRAD_NAMES) else {}
    for number, layer in enumerate(layers):
        owner = get(instance, layer)
        used = set().union(*map(referenced_names, class_functions(type(owner)).values())) if owner else set()
        for role in ("dW", "db"):
            names = sorted(name for name in used if role_of(name) == role)
            if len(names) == 1:
                found.setdefault(CANONICAL[role][number], (*layer, names[0]))
    return found if len(found) == len(GRAD_NAMES) else {}


def _grads_now(storage: PathStorage, instance: Any) -> dict[str, Path]:
    """The paths of the gradients the instance holds now (after a backward pass), layer by layer."""
    found: dict[str, Path] = {}
    for path, value in walk(instance, storage.own_types):
        fitted = storage.kind.role_and_layer(path)
        if fitted is None or fitted[0] not in ("dW", "db") or not isinstance(value, np.ndarray):
            continue
        role, layer = fitted
        if layer in storage.layers:
            name = CANONICAL[role][storage.layers.index(layer)]
            found[name] = path if name not in found else ()  # two candidates: read neither
    return {name: path for name, path in found.items() if path}
