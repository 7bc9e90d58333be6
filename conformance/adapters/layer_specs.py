"""Layers written one entry each: how a constructor may take the network's layers besides a list of sizes.

``DeepNeuralNetwork([(784, "relu"), (h, "relu"), (10, "softmax")])`` and
``MNIST_NN([{"input_dim": 784, "output_dim": h, "activation": "relu"}, {...}])`` take the classic
network as one entry per layer. The keys and the activation names are the code's own: read from
its string literals and method names, never invented. Each form is a function of the three sizes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from conformance.adapters.names import normalize

LayerSpec = Callable[[int, int, int], list[Any]]
LayerAdder = Callable[[Any, int, int, int], None]

INPUT_KEYS = (
    "inputdim", "indim", "inputsize", "nin", "insize", "fanin", "ninputs", "input", "inputs", "in",
)  # fmt: skip
OUTPUT_KEYS = (
    "outputdim", "outdim", "outputsize", "nout", "outsize", "fanout", "noutputs", "units", "neurons",
    "output",
    "outputs", "out",
)  # fmt: skip
ACTIVATION_KEYS = ("activation", "activationfunction", "act", "actfn", "nonlinearity", "function", "func")
"""Dictionary keys of one layer entry (normalised), most usual first."""


def layer_spec_forms(names: Iterable[str]) -> list[tuple[str, LayerSpec]]:
    """The ways to write 784 -> h ReLU -> 10 softmax one entry per layer that the code's ``names`` (its
    string literals and method names) allow, as (description, sizes -> layers); [] when it names no
    ReLU and softmax activations."""
    names = set(names)
    relu, softmax = _named(names, ("relu",)), _named(names, ("softmax",))
    if relu is None or softmax is None:
        return []
    forms: list[tuple[str, LayerSpec]] = [
        (
            f'(size, activation) pairs: [(784, "{relu}"), (h, "{relu}"), (10, "{softmax}")]',
            lambda n_in, hidden, n_out: [(n_in, relu), (hidden, relu), (n_out, softmax)],
        )
    ]
    keys = (_named(names, INPUT_KEYS), _named(names, OUTPUT_KEYS), _named(names, ACTIVATION_KEYS))
    if None not in keys:
        given, made, activation = keys
        forms.append(
            (
                f'one dict per layer: [{{"{given}": 784, "{made}": h, "{activation}": "{relu}"}}, ...]',
                lambda n_in, hidden, n_out: [
                    {given: n_in, made: hidden, activation: relu},
                    {given: hidden, made: n_out, activation: softmax},
                ],
            )
        )
    return forms


ADD_LAYER_NAMES = ("addlayer", "add", "adddense", "appendlayer", "addhiddenlayer", "newlayer", "addlayers")
"""Methods that add one layer to a network built empty (normalised)."""


def layer_adder(
    methods: Mapping[str, Callable[..., Any]], names: Iterable[str]
) -> tuple[str, LayerAdder] | None:
    """A method that adds one layer to an instance built with no sizes (``add_layer(n_in, n_out,
    activation)``, its parameters named so), as (description, a function adding 784 -> h ReLU -> 10
    softmax to an instance); None when the class has none or the code names no ReLU and softmax."""
    names = set(names)
    relu, softmax = _named(names, ("relu",)), _named(names, ("softmax",))
    adders = [title for title in methods if normalize(title) in ADD_LAYER_NAMES]
    keyed = [(title, _adder_keys(methods[title])) for title in adders]
    found = [(title, keys) for title, keys in keyed if keys is not None]
    if not found or relu is None or softmax is None:
        return None
    title, keys = found[0]

    def add(instance: Any, n_in: int, hidden: int, n_out: int) -> None:
        for layer in ((n_in, hidden, relu), (hidden, n_out, softmax)):
            getattr(instance, title)(**dict(zip(keys, layer, strict=True)))

    given, made, activation = keys
    return f'{title}({given}, {made}, {activation}) per layer: (784, h, "{relu}"), (h, 10, "{softmax}")', add


def _adder_keys(method: Callable[..., Any]) -> tuple[str, str, str] | None:
    """The (input size, output size, activation) parameters of a method taking exactly those, else None."""
    parameters = list(inspect.signature(method).parameters)[1:]  # after self
    keys = tuple(_named(set(parameters), wanted) for wanted in (INPUT_KEYS, OUTPUT_KEYS, ACTIVATION_KEYS))
    return keys if None not in keys and len(parameters) == 3 else None


def _named(names: set[str], wanted: tuple[str, ...]) -> str | None:
    """The first name (in ``wanted``'s order) that normalises to one of ``wanted``, as the code spells it."""
    for key in wanted:
        spelled = sorted(name for name in names if normalize(name) == key)
        if spelled:
            return spelled[0]
    return None
