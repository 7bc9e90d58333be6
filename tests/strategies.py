"""Hypothesis strategies for the reference network, and the tolerance rules its tests compare with.

A drawn ``Network`` is small (at most 12 inputs, 8 hidden units, 10 classes, 8 samples; hidden = 1 and
batch = 1 included) and is built from a drawn seed, so a failure report names sizes, dtype and seed.
Its biases are random and nonzero, so ReLU kinks sit at random places instead of at Z1 = 0 for X = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mnist_ref import Params, init_params
from mnist_ref.network import draw_layers
from mnist_ref.spec import ACTIVATIONS, LOSSES_FOR_OUTPUT, OPTIMIZERS, NetworkSpec

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
TOLERANCE_SAFETY = 4
"""How far above the rounding estimate a result may be off; measured errors stay below a tenth of it."""

float_dtypes = st.sampled_from(FLOAT_DTYPES)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@dataclass(frozen=True)
class Sizes:
    """n_in inputs, hidden units, n_out classes and a batch of m samples."""

    n_in: int
    hidden: int
    n_out: int
    m: int

    @property
    def reduction_terms(self) -> int:
        """How many terms the forward and backward passes sum over, along any one path."""
        return self.n_in + self.hidden + self.n_out + self.m


@dataclass(frozen=True)
class Network:
    """Parameters, a batch X (n_in, m) and labels y (m,) in [0, n_out), all reproducible from the seed."""

    sizes: Sizes
    dtype: np.dtype
    seed: int
    params: Params = field(repr=False)
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


def make_network(sizes: Sizes, dtype: np.dtype, seed: int) -> Network:
    """He-initialised weights, biases ~ N(0, 0.25), X ~ N(0, 1) of shape (n_in, m), uniform labels (m,)."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes.n_in, sizes.hidden, sizes.n_out, seed=rng, dtype=dtype)
    params["b1"] = (0.5 * rng.standard_normal((sizes.hidden, 1))).astype(dtype)
    params["b2"] = (0.5 * rng.standard_normal((sizes.n_out, 1))).astype(dtype)
    X = rng.standard_normal((sizes.n_in, sizes.m)).astype(dtype)
    y = rng.integers(0, sizes.n_out, sizes.m)
    return Network(sizes, np.dtype(dtype), seed, params, X, y)


def sizes() -> st.SearchStrategy[Sizes]:
    """Small network sizes: 1-12 inputs, 1-8 hidden units, 2-10 classes, batches of 1-8 samples."""
    return st.builds(Sizes, st.integers(1, 12), st.integers(1, 8), st.integers(2, 10), st.integers(1, 8))


def networks(dtypes: st.SearchStrategy[np.dtype] = float_dtypes) -> st.SearchStrategy[Network]:
    """Random small networks with a batch, in a drawn dtype (float32 or float64 unless told)."""
    return st.builds(make_network, sizes(), dtypes, seeds)


def float_matrices(
    elements: st.SearchStrategy[float], max_rows: int = 10, max_columns: int = 8
) -> st.SearchStrategy[np.ndarray]:
    """Matrices (rows, columns), each side from 1 up, float32 or float64, with entries from ``elements``."""
    shapes = st.tuples(st.integers(1, max_rows), st.integers(1, max_columns))
    return float_dtypes.flatmap(lambda dtype: arrays(dtype, shapes, elements=elements))


def value_scale(network: Network, A1: np.ndarray) -> float:
    """Square of the largest |value| among X, the hidden activations A1 and the parameters, at least 1.

    Every gradient entry is a sum of products of two such values, so this bounds the size of its terms.
    """
    largest = max(float(np.abs(array).max()) for array in (network.X, A1, *network.params.values()))
    return max(1.0, largest) ** 2


def rounding_tolerance(dtype: np.dtype, magnitude: float, n_terms: int = 1) -> float:
    """Absolute error allowed in a ``dtype`` sum of ``n_terms`` terms of size up to ``magnitude``.

    Each rounding costs at most eps(dtype) relative to the terms, and the errors of a sum add up
    at most linearly, so the bound scales with the terms, not with the (possibly cancelled) result.
    """
    return TOLERANCE_SAFETY * n_terms * float(np.finfo(dtype).eps) * magnitude


def finite_difference_step() -> float:
    """Step of a float64 central difference, eps ** (1/3): balances truncation (step**2) against rounding."""
    return float(np.finfo(np.float64).eps) ** (1 / 3)


def finite_difference_tolerance(magnitude: float) -> float:
    """Absolute error of a float64 central difference along a unit direction: ~ eps ** (2/3) * magnitude."""
    return TOLERANCE_SAFETY * float(np.finfo(np.float64).eps) ** (2 / 3) * magnitude


# the family: specs of any depth, activation, output and loss, L2 and optimizer


def output_and_loss() -> st.SearchStrategy[tuple[str, str]]:
    """Every possible (output, loss) pair."""
    pairs = [(output, loss) for output, losses in LOSSES_FOR_OUTPUT.items() for loss in losses]
    return st.sampled_from(pairs)


@st.composite
def specs(draw: st.DrawFn, max_width: int = 6) -> NetworkSpec:
    """Specs of 1-4 hidden layers, inputs and hidden widths of 1-``max_width``, 2-6 classes, any activation,
    output and loss, L2 of 0 to 1, and any optimizer with drawn hyperparameters."""
    hidden_layers = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, max_width), min_size=hidden_layers + 1, max_size=hidden_layers + 1))
    output, loss = draw(output_and_loss())
    activation, optimizer = draw(st.sampled_from(ACTIVATIONS)), draw(st.sampled_from(OPTIMIZERS))
    hyperparameters = {}
    if activation == "leaky_relu":
        hyperparameters["leaky_slope"] = draw(st.floats(0.01, 0.5))
    if optimizer == "momentum":
        hyperparameters["momentum"] = draw(st.floats(0.0, 0.99))
    if optimizer == "adam":
        hyperparameters["beta1"] = draw(st.floats(0.0, 0.99))
        hyperparameters["beta2"] = draw(st.floats(0.5, 0.999))
        hyperparameters["epsilon"] = draw(st.sampled_from([1e-8, 1e-3]))
    return NetworkSpec(
        layers=(*widths, draw(st.integers(2, 6))),
        activation=activation,
        output=output,
        loss=loss,
        l2=draw(st.sampled_from([0.0, 0.1, 1.0])),
        optimizer=optimizer,
        **hyperparameters,
    )


@dataclass(frozen=True)
class FamilyNetwork:
    """A spec's parameters, a batch X (n_0, m) and labels y (m,), all reproducible from the seed."""

    spec: NetworkSpec
    dtype: np.dtype
    seed: int
    params: Params = field(repr=False)
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


def make_family_network(spec: NetworkSpec, dtype: np.dtype, seed: int, m: int) -> FamilyNetwork:
    """Xavier weights, biases ~ N(0, 0.25), X ~ N(0, 1) of shape (n_0, m), uniform labels (m,)."""
    rng = np.random.default_rng(seed)
    params = draw_layers(spec.layers, seed=rng, scheme="xavier", dtype=dtype)
    for layer, width in enumerate(spec.layers[1:], start=1):
        params[f"b{layer}"] = (0.5 * rng.standard_normal((width, 1))).astype(dtype)
    X = rng.standard_normal((spec.layers[0], m)).astype(dtype)
    y = rng.integers(0, spec.layers[-1], m)
    return FamilyNetwork(spec, np.dtype(dtype), seed, params, X, y)


def family_networks(dtypes: st.SearchStrategy[np.dtype] = float_dtypes) -> st.SearchStrategy[FamilyNetwork]:
    """Random small networks of drawn specs with a batch of 1-6 samples, in a drawn dtype."""
    return st.builds(make_family_network, specs(), dtypes, seeds, st.integers(1, 6))
