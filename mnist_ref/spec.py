"""Which network: a NetworkSpec, its one-line validation errors, and reading it from options or TOML.

The reference is a small family of fully connected networks in column layout. A spec names one::

    layers        widths from input to output, at least one hidden layer: (784, 128, 10), (784, 256, 128, 10)
    activation    of the hidden layers: relu, leaky_relu (slope ``leaky_slope`` for Z < 0), sigmoid, tanh
    output        softmax (columns sum to 1) or sigmoid (each class on its own)
    loss          cross_entropy (softmax outputs), mse or binary_cross_entropy (sigmoid outputs)
    l2            lambda of the weight decay lambda/(2m) * sum of every W**2 (biases are not decayed),
                  m the batch size; it is in the loss and, as (lambda/m) * W, in the gradient
    optimizer     sgd, momentum (heavy-ball with ``momentum`` beta) or adam (``beta1``, ``beta2``,
                  ``epsilon``, with bias correction)

The default spec is the classic network: 784 -> 128 ReLU -> softmax 10, cross-entropy, plain SGD.
mse and binary_cross_entropy are means over all k * m entries, as PyTorch's MSELoss and BCELoss are.

A TOML spec file holds a ``[network]`` table with the same keys; the command line has an option for each.
A key that the rest of the spec makes meaningless (``momentum`` with ``optimizer = "adam"``) is an error,
so that a course's assignment says what it means.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from numbers import Integral
from pathlib import Path

from mnist_ref.validation import layer_names

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh")
OUTPUTS = ("softmax", "sigmoid")
LOSSES = ("cross_entropy", "mse", "binary_cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "adam")
LOSSES_FOR_OUTPUT = {"softmax": ("cross_entropy", "mse"), "sigmoid": ("mse", "binary_cross_entropy")}
"""The losses each output layer can be trained with."""
USED_ONLY_WITH = {
    "leaky_slope": ("activation", "leaky_relu"),
    "momentum": ("optimizer", "momentum"),
    "beta1": ("optimizer", "adam"),
    "beta2": ("optimizer", "adam"),
    "epsilon": ("optimizer", "adam"),
}
"""Keys that mean something only for one choice of another key."""


class SpecError(ValueError):
    """A network spec that cannot be built: one line saying what is wrong and what would be right."""


@dataclass(frozen=True)
class NetworkSpec:
    """One network of the family and how its update step works (see the module docstring for each key)."""

    layers: tuple[int, ...] = (784, 128, 10)
    activation: str = "relu"
    leaky_slope: float = 0.01
    output: str = "softmax"
    loss: str = "cross_entropy"
    l2: float = 0.0
    optimizer: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        problems = spec_problems(self)
        if problems:
            raise SpecError(problems[0])

    @property
    def depth(self) -> int:
        """The number of weight layers L: one more than the number of hidden layers."""
        return len(self.layers) - 1

    @property
    def param_names(self) -> tuple[str, ...]:
        """("W1", "b1", ..., "WL", "bL")."""
        return layer_names(self.depth)

    def describe(self) -> str:
        """E.g. "784-128-64-10, tanh hidden, softmax outputs, cross_entropy, adam"."""
        activation = self.activation
        if activation == "leaky_relu":
            activation += f" (slope {self.leaky_slope:g})"
        text = f"{'-'.join(map(str, self.layers))}, {activation} hidden, {self.output} outputs, {self.loss}"
        if self.l2:
            text += f", l2 {self.l2:g}"
        return f"{text}, {self.optimizer}"

    def to_table(self) -> dict[str, object]:
        """The keys of a ``[network]`` table that this spec needs; spec_from_table gives the spec back."""
        table = asdict(self)
        table["layers"] = [int(width) for width in self.layers]
        return {key: value for key, value in table.items() if applies(key, table)}


def applies(key: str, table: Mapping[str, object]) -> bool:
    """Whether ``key`` means something in a spec with the choices of ``table`` (defaults where absent)."""
    if key not in USED_ONLY_WITH:
        return True
    other, choice = USED_ONLY_WITH[key]
    return table.get(other, DEFAULTS[other]) == choice


def spec_problems(spec: NetworkSpec) -> list[str]:
    """What is wrong with ``spec``, one line each (empty when it is a network of the family)."""
    problems = []
    if len(spec.layers) < 3 or any(not is_width(width) for width in spec.layers):
        problems.append(
            f"layers must be at least 3 positive widths (input, hidden..., output), got {spec.layers!r}"
        )
    for key, choices in (
        ("activation", ACTIVATIONS),
        ("output", OUTPUTS),
        ("loss", LOSSES),
        ("optimizer", OPTIMIZERS),
    ):
        if getattr(spec, key) not in choices:
            problems.append(f"{key} must be one of {', '.join(choices)}; got {getattr(spec, key)!r}")
    if spec.output in OUTPUTS and spec.loss in LOSSES and spec.loss not in LOSSES_FOR_OUTPUT[spec.output]:
        problems.append(impossible_pairing(spec.output, spec.loss))
    values = asdict(spec)
    changed = [key for key in USED_ONLY_WITH if values[key] != DEFAULTS[key]]
    problems += [inapplicable(key) for key in changed if not applies(key, values)]
    problems += [
        f"{key} must be in {interval}, got {getattr(spec, key)!r}"
        for key, interval, inside in (
            ("leaky_slope", "(0, 1)", lambda value: 0 < value < 1),
            ("l2", "[0, inf)", lambda value: value >= 0),
            ("momentum", "[0, 1)", lambda value: 0 <= value < 1),
            ("beta1", "[0, 1)", lambda value: 0 <= value < 1),
            ("beta2", "[0, 1)", lambda value: 0 <= value < 1),
            ("epsilon", "(0, inf)", lambda value: value > 0),
        )
        if not (is_number(getattr(spec, key)) and inside(getattr(spec, key)))
    ]
    return problems


def impossible_pairing(output: str, loss: str) -> str:
    """Why ``loss`` cannot train ``output`` outputs, and what can."""
    why = {
        ("softmax", "binary_cross_entropy"): "scores each class as its own yes/no, which softmax outputs"
        " (tied to sum to 1) are not",
        ("sigmoid", "cross_entropy"): "only raises the true class's output, and sigmoid outputs"
        " (not tied to sum to 1) would all drift to 1",
    }[output, loss]
    allowed = " or ".join(LOSSES_FOR_OUTPUT[output])
    return f"loss {loss} with {output} outputs is impossible: it {why}; use {allowed}"


def inapplicable(key: str) -> str:
    """E.g. "momentum applies only to optimizer momentum"."""
    other, choice = USED_ONLY_WITH[key]
    return f"{key} applies only to {other} {choice}"


def is_width(value: object) -> bool:
    """A positive integer, NumPy's included, not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


def is_number(value: object) -> bool:
    """An int or float, not a bool (TOML's true would otherwise pass as 1)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


DEFAULTS = {field.name: field.default for field in fields(NetworkSpec)}
KEYS = tuple(DEFAULTS)
CLASSIC = NetworkSpec()
"""784 -> 128 ReLU -> softmax 10, cross-entropy, SGD: the classic network (the widths of its
functions in mnist_ref.network are read off their parameters)."""


def parse_layers(text: str) -> tuple[int, ...]:
    """ "784,256,128,10" -> (784, 256, 128, 10); SpecError for anything else."""
    try:
        return tuple(int(width) for width in text.split(","))
    except ValueError:
        raise SpecError(f"layers must be widths separated by commas, like 784,128,10; got {text!r}") from None


def spec_from_table(table: Mapping[str, object], source: str = "the network options") -> NetworkSpec:
    """The spec of a ``[network]`` table (or of the options given); keys left out keep their defaults.

    ``layers`` may be a list of ints or a "784,128,10" string. SpecError, naming ``source``, for an
    unknown key, a key the table's other choices make meaningless, or an impossible network.
    """
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise SpecError(f"{source}: unknown key {unknown[0]!r}; the keys are {', '.join(KEYS)}")
    for key in table:
        if not applies(key, table):
            raise SpecError(f"{source}: {inapplicable(key)}")
    values = dict(table)
    if isinstance(values.get("layers"), str):
        values["layers"] = parse_layers(values["layers"])
    if "layers" in values and not isinstance(values["layers"], list | tuple):
        raise SpecError(f"{source}: layers must be a list of widths, like [784, 128, 10]")
    try:
        return NetworkSpec(**values)
    except SpecError as error:
        raise SpecError(f"{source}: {error}") from None


def read_spec_file(path: Path) -> dict[str, object]:
    """The ``[network]`` table of a TOML file; SpecError when the file cannot be read or has none."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"cannot read the spec file {path}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SpecError(f"{path} is not valid TOML: {error}") from None
    table = document.get("network")
    if not isinstance(table, dict):
        raise SpecError(f'{path} has no [network] table (layers = [784, 128, 10], activation = "relu", ...)')
    return table


def load_spec(path: Path | None, options: Mapping[str, object | None]) -> NetworkSpec:
    """The spec of a file's ``[network]`` table (when ``path`` is given) with the options given on top.

    ``options`` maps keys to a command line's values, None for an option left out.
    """
    given = {key: value for key, value in options.items() if value is not None}
    if path is None:
        return spec_from_table(given)
    source = f"{path} with the options given" if given else str(path)
    return spec_from_table(read_spec_file(path) | given, source)
