"""Column or row layout: which way round a target holds its samples, and converting both ways.

The checks work in the reference's column layout: X (784, m), W1 (h, 784), b1 (h, 1),
Z1 (h, m), A2 (10, m), one-hot labels (10, m). Many networks are written the other way:
X (m, 784), W1 (784, h), biases (h,) or (1, h), Z1 (m, h), A2 (m, 10), one-hot rows (m, 10).
For those, every array goes in transposed (a view: changes in place still show) and comes
back transposed. Coming back, an array keeps a wrong shape wrong: only an array of the
target's own shape is turned into the canonical one, so a (1, h) bias gradient from a
network whose biases are (h,) still reaches the checks with a shape that is not (h, 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from conformance.adapters.choices import TargetMapping

LayoutName = Literal["column", "row", "hybrid"]
BiasShape = Literal["(h, 1)", "(h,)", "(1, h)", "(h,) or (1, h)"]

BIASES = frozenset({"b1", "b2", "db1", "db2"})
MATRICES = frozenset({"X", "W1", "W2", "dW1", "dW2", "Z1", "A1", "Z2", "A2", "Y_onehot", "Z", "dA"})
"""Roles whose arrays are transposed between the layouts ("Z" and "dA": inputs of relu, softmax...)."""
WEIGHTS = frozenset({"W1", "W2", "dW1", "dW2"})
"""Roles a hybrid layout keeps as the column layout does: X (m, 784) with W1 (h, 784), Z1 = X W1^T + b1."""
BUNDLES = frozenset({"params", "cache", "grads"})
N_IN, N_OUT = 784, 10


@dataclass(frozen=True)
class Orientation:
    """How a target lays out its arrays, and how that was decided (for describe())."""

    layout: LayoutName = "column"
    bias: BiasShape = "(h, 1)"  # the shape of the target's biases (its init decides)
    reason: str = ""
    decided: bool = (
        True  # False: nothing showed the layout, column is assumed (checks depending on it judge nothing)
    )

    def to_target(self, role: str, value: Any) -> Any:
        """A canonical value for ``role`` in the target's layout (bundles converted key by key)."""
        if self.layout == "column":
            return value
        if role in BUNDLES and isinstance(value, Mapping):
            return {name: self.to_target(name, item) for name, item in value.items()}
        if not isinstance(value, np.ndarray) or self._kept(role):
            return value
        if role in BIASES:
            return value.T if self.bias == "(1, h)" else value.reshape(-1)
        return value.T if role in MATRICES else value

    def _kept(self, role: str) -> bool:
        """Whether the target holds ``role`` as the column layout does: a hybrid's weights, (h, 1) biases."""
        return (self.layout == "hybrid" and role in WEIGHTS) or (role in BIASES and self.bias == "(h, 1)")

    def inputs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every value of ``values`` (keyed by role) in the target's layout."""
        return {role: self.to_target(role, value) for role, value in values.items()}

    def to_canonical(self, name: str, value: Any) -> Any:
        """A value the target produced for ``name`` ("dW1", "A2", "Z" for relu's output) in column layout.

        A 2-D array is transposed back; a bias of the target's shape becomes (h, 1); any other
        bias keeps a shape that is not (h, 1): a (1, h) row where the target's biases are (h,)
        stays (1, h), a 1-D one where they are (1, h) stays 1-D.
        """
        if self.layout == "column" or not isinstance(value, np.ndarray) or self._kept(name):
            return value
        if name in BIASES:
            if value.ndim == 1 and self.bias != "(1, h)":
                return value.reshape(-1, 1)
            if value.ndim == 2 and value.shape[0] == 1 and self.bias == "(h,)":
                return value
        return value.T if value.ndim == 2 else value

    def outputs(self, arrays: Mapping[str, Any]) -> dict[str, Any]:
        """Named arrays the target produced, in column layout."""
        return {name: self.to_canonical(name, value) for name, value in arrays.items()}

    def labels(self, predicted: Any, m: int) -> np.ndarray:
        """Predicted labels as (m,), from what a predict function returned for m samples: labels laid out
        as the target lays out samples, a column (m, 1) in rows or a row (1, m) in columns, are flattened,
        and class scores (a forward pass named predict, (m, 10) or (10, m) as the layout has them) give
        the label of their largest score."""
        labels = np.asarray(predicted)
        if labels.shape == ((m, 1) if self.layout != "column" else (1, m)):
            return labels.ravel()
        scores = (N_OUT, m) if self.layout == "column" else (m, N_OUT)
        if labels.shape == scores and np.issubdtype(labels.dtype, np.floating) and m != N_OUT:
            return labels.argmax(axis=0 if self.layout == "column" else 1)
        return labels

    def one_hot_text(self) -> str:
        """How one-hot labels are laid out: "one-hot columns (10, m)" or "one-hot rows (m, 10)"."""
        return "one-hot columns (10, m)" if self.layout == "column" else "one-hot rows (m, 10)"

    def text(self) -> str:
        """The layout in words: "column: X (784, m), W1 (h, 784), biases (h, 1), ..." or the row one."""
        if self.layout == "column":
            return "column: X (784, m), W1 (h, 784), biases (h, 1), one-hot labels (10, m)"
        if self.layout == "hybrid":
            return f"hybrid: X (m, 784), W1 (h, 784), biases {self.bias}, one-hot labels (m, 10)"
        return f"row: X (m, 784), W1 (784, h), biases {self.bias}, one-hot labels (m, 10)"


def bias_shape_of(bias: Any) -> BiasShape:
    """The row-layout bias shape an init's ``b1`` shows: (h,), (1, h), or either when it shows neither."""
    shape = np.shape(bias)
    if len(shape) == 1:
        return "(h,)"
    if len(shape) == 2 and shape[0] == 1:
        return "(1, h)"
    return "(h,) or (1, h)"


def layout_of_weights(W1: Any, n_in: int) -> LayoutName | None:
    """The layout W1 shows: "column" for (h, n_in), "row" for (n_in, h), None when it shows neither."""
    shape = np.shape(W1)
    if len(shape) != 2 or shape[0] == shape[1]:
        return None
    if shape[1] == n_in:
        return "column"
    return "row" if shape[0] == n_in else None


PROBE_SIZES = (3, 5)
"""Hidden units and samples of the batch a forward pass is probed with (5 samples: neither 784 nor 10)."""
AMBIGUOUS = (
    "the checker could not tell (no usable init, and the forward pass accepts both or neither layout), "
    'so it assumes column; if X is (m, 784) in your code, write layout = "row" in a mapping file '
    "and pass it with --config"
)


def decide_orientation(
    mapping: TargetMapping,
    initial: Mapping[str, Any],
    forward_reach: Callable[[Orientation], float],
    hints: Callable[[], Mapping[str, LayoutName]] | None = None,
) -> Orientation:
    """The target's layout, from all the evidence, or column marked undecided when it is missing or conflicts.

    The mapping file's layout wins. Otherwise: the layout its init's W1 shows, or the hybrid one
    (X (m, 784) with W1 (h, 784)) when the forward pass accepts only that, and undecided when it accepts
    only a layout the init contradicts; else the one its forward pass accepts (``forward_reach``: inf
    for a layout it accepts, else the line of its own code where it raised); else, when it accepts none,
    the one it gets furthest with (past its first matrix product, say); else the one the free functions
    show (``hints()``: what showed it -> layout, e.g. one_hot returning (m, 10); asked only then, since it
    calls the target), when they agree.
    """
    bias = bias_shape_of(initial["b1"]) if "b1" in initial else "(h,) or (1, h)"
    if mapping.layout is not None:
        return _oriented(mapping.layout, bias, f"set in {mapping.source}")
    candidates = {layout: _oriented(layout, bias, "") for layout in ("column", "row")}
    candidates["hybrid"] = Orientation("hybrid", _hybrid_bias(initial.get("b1")))
    reach = {layout: forward_reach(candidate) for layout, candidate in candidates.items()}
    fitting = [layout for layout, line in reach.items() if line == math.inf]
    by_init = layout_of_weights(initial.get("W1"), N_IN)
    if by_init is not None:
        init_text = f"the target's init returns W1 of shape {np.shape(initial['W1'])}"
        if by_init == "column" and fitting == ["hybrid"]:
            return replace(candidates["hybrid"], reason=f"{init_text}, {_accepts('hybrid')}")
        if fitting and by_init not in fitting:
            return _undecided(f"{init_text}, {_accepts(fitting[0])}")
        return replace(candidates[by_init], reason=init_text)
    if len(fitting) == 1:
        return replace(candidates[fitting[0]], reason=_accepts(fitting[0]))
    furthest = _furthest(reach) if not fitting else None
    if furthest is not None:
        return replace(candidates[furthest], reason=_gets_further(furthest, reach))
    evidence = dict(hints() if hints else {})  # weaker: a wrong softmax axis is a bug as often as a layout
    layouts = set(evidence.values())
    if len(layouts) != 1:
        shown = "; ".join(f"{what} ({layout})" for what, layout in evidence.items())
        return _undecided(shown) if shown else Orientation(reason=AMBIGUOUS, decided=False)
    (layout,) = layouts
    return replace(candidates[layout], reason=", and ".join(evidence))


def _furthest(reach: Mapping[LayoutName, float]) -> LayoutName | None:
    """The one layout a failing forward pass gets strictly further with than with every other, if any."""
    ranked = sorted(reach, key=reach.get, reverse=True)
    first, second = ranked[0], ranked[1]
    return first if reach[first] > reach[second] and reach[second] > 0 else None


def _gets_further(layout: LayoutName, reach: Mapping[LayoutName, float]) -> str:
    """``the forward pass raises with every layout, but gets furthest with X of shape (784, 5) ...``."""
    others = sorted({int(line) for name, line in reach.items() if name != layout})
    shape = (N_IN, PROBE_SIZES[1]) if layout == "column" else (PROBE_SIZES[1], N_IN)
    return (
        f"the forward pass raises with every layout, but gets furthest with X of shape {shape} "
        f"(to line {int(reach[layout])}; line {' or '.join(map(str, others))} with the others)"
    )


def _accepts(layout: LayoutName) -> str:
    """``the forward pass accepts X of shape (784, 5) and not the transpose``."""
    m = PROBE_SIZES[1]
    shape = (N_IN, m) if layout == "column" else (m, N_IN)
    if layout == "hybrid":
        return f"the forward pass accepts X of shape {shape} with W1 of shape (h, {N_IN})"
    return f"the forward pass accepts X of shape {shape} and not the transpose"


def _hybrid_bias(b1: Any) -> BiasShape:
    """A hybrid target's bias shape: (h, 1) kept as such (added to W1 X^T, then transposed), else rows."""
    shape = np.shape(b1)
    return "(h, 1)" if len(shape) == 2 and shape[1] == 1 and shape[0] > 1 else bias_shape_of(b1)


def _undecided(conflict: str) -> Orientation:
    """Column assumed, undecided, saying what disagreed."""
    return Orientation(
        reason=f"the evidence disagrees ({conflict}): the checker assumes column and judges nothing that "
        'depends on it; write layout = "row" or "column" in a mapping file and pass it with --config',
        decided=False,
    )


def layout_hints(
    softmax: Callable[[np.ndarray], Any] | None, one_hot: Callable[[np.ndarray], Any] | None
) -> dict[str, LayoutName]:
    """The layout the free functions show: which axis softmax normalises, which way one_hot lays labels out.

    ``softmax`` and ``one_hot`` call the target's functions as they are (no layout conversion);
    a function that raises or returns something else shows nothing.
    """
    rng = np.random.default_rng(0)
    m = PROBE_SIZES[1]
    hints: dict[str, LayoutName] = {}
    probes = (
        ("softmax", softmax, rng.standard_normal((N_OUT, m)), _softmax_axis),
        ("one_hot", one_hot, np.arange(m) % N_OUT, _one_hot_orientation),
    )
    for name, function, argument, read in probes:
        if function is None:
            continue
        try:
            shown = read(np.asarray(function(argument), dtype=np.float64), m)
        except Exception:  # the target's function may raise anything: then it shows nothing
            continue
        if shown is not None:
            hints[shown[1].format(name=name)] = shown[0]
    return hints


def _softmax_axis(result: np.ndarray, m: int) -> tuple[LayoutName, str] | None:
    """Columns summing to 1: column layout; rows summing to 1: row layout (for a (10, m) input)."""
    if result.shape != (N_OUT, m):
        return None
    if np.allclose(result.sum(axis=0), 1) and not np.allclose(result.sum(axis=1), 1):
        return "column", "{name} normalises each column"
    if np.allclose(result.sum(axis=1), 1) and not np.allclose(result.sum(axis=0), 1):
        return "row", "{name} normalises each row"
    return None


def _one_hot_orientation(result: np.ndarray, m: int) -> tuple[LayoutName, str] | None:
    """(10, m): column layout; (m, 10): row layout."""
    if result.shape == (N_OUT, m):
        return "column", f"{{name}} returns ({N_OUT}, m)"
    if result.shape == (m, N_OUT):
        return "row", f"{{name}} returns (m, {N_OUT})"
    return None


def probe_problem() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Small canonical params and a batch X (784, 5) to feed a forward pass whose layout is unknown."""
    rng = np.random.default_rng(0)
    hidden, m = PROBE_SIZES
    params = {
        "W1": rng.standard_normal((hidden, N_IN)) * 0.05,
        "b1": np.zeros((hidden, 1)),
        "W2": rng.standard_normal((N_OUT, hidden)) * 0.5,
        "b2": np.zeros((N_OUT, 1)),
    }
    return params, rng.uniform(0, 1, (N_IN, m))


def _oriented(layout: LayoutName, bias: BiasShape, reason: str) -> Orientation:
    """The Orientation of ``layout``; the bias shape matters for the row layout only."""
    return Orientation(layout, bias if layout == "row" else "(h, 1)", reason)
