"""What a mapping file chose (see conformance.mapping for the file itself): plain data the adapters follow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mnist_ref.spec import NetworkSpec

KEEP = "_"
"""In ``args``: the parameter keeps its default value. In ``returns``: an item the checker ignores."""
RETURNABLE = {
    "init": ("W1", "b1", "W2", "b2", "params"),
    "forward": ("Z1", "A1", "Z2", "A2", "cache"),
    "backward": ("dW1", "db1", "dW2", "db2", "grads"),
    "update": ("W1", "b1", "W2", "b2", "params"),
    "train": ("W1", "b1", "W2", "b2", "params"),
}
"""What the items of each component's returned tuple can be named in ``returns``."""


@dataclass(frozen=True)
class ComponentChoice:
    """Which function is a component, and optionally the role of each parameter and returned item."""

    function: str | None  # "name", "ClassName.method", "ClassName" (its constructor); None: not checked
    args: tuple[str, ...] | None = None
    returns: tuple[str, ...] | None = None

    @property
    def roles(self) -> tuple[str | None, ...] | None:
        """``args`` with None for a parameter that keeps its default."""
        return None if self.args is None else tuple(None if role == KEEP else role for role in self.args)

    @property
    def class_name(self) -> str | None:
        """The class a "ClassName.method" names: "MLP" for "MLP.forward"; None for a plain name."""
        return self.function.partition(".")[0] if self.function and "." in self.function else None

    @property
    def method(self) -> str:
        """The method a "ClassName.method" names: "forward" for "MLP.forward"; else the name itself."""
        return (self.function or "").rpartition(".")[2]


@dataclass(frozen=True)
class TargetMapping:
    """A parsed mapping file; every field is optional (the default mapping fixes nothing)."""

    source: str = ""  # the file's name, for messages
    layout: str | None = None
    components: Mapping[str, ComponentChoice] = field(default_factory=dict)
    network_class: str | None = None
    learning_rate_attribute: str | None = None
    required: tuple[str, ...] | None = None  # the components a PASS needs, when the file says
    network: NetworkSpec | None = None  # the network to check against, when the file has a [network] table
    allowed_imports: tuple[str, ...] = ()  # packages the target may import besides the stdlib and numpy

    def class_named(self) -> str | None:
        """The network class the file names: ``[class] name``, or the class of a "ClassName.method"."""
        named = [choice.class_name for choice in self.components.values() if choice.class_name]
        return self.network_class or next(iter(named), None)


NO_MAPPING = TargetMapping()
"""The mapping of a target checked without a mapping file: everything is found by name."""
