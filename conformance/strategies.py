"""Hypothesis strategies for the checks: network sizes and batches, and the inputs built from them.

Values are not drawn by hypothesis element by element: a problem is a few integers
(hidden size, batch size, seed) and the arrays come from a NumPy generator seeded
with it. Shrinking then makes a problem smaller (hidden=1, batch=1), never makes its
values collapse onto 0, so ReLU inputs stay off the kink.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import mnist_ref

N_IN = 784
N_OUT = 10


@dataclass(frozen=True)
class Problem:
    """A network of ``hidden`` units and a batch of ``batch`` samples, with values from ``seed``."""

    hidden: int
    batch: int
    seed: int


@dataclass(frozen=True)
class Inputs:
    """Reference inputs for one problem: params, X (784, m), labels y (m,) and the reference forward pass."""

    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray
    cache: mnist_ref.ForwardCache


def problems(max_hidden: int = 12, min_batch: int = 1, max_batch: int = 8) -> st.SearchStrategy[Problem]:
    """Small networks and batches, shrinking towards hidden=1, batch=min_batch."""
    return st.builds(
        Problem,
        hidden=st.integers(1, max_hidden),
        batch=st.integers(min_batch, max_batch),
        seed=st.integers(0, 2**16),
    )


def mnist_like(rng: np.random.Generator, batch: int, dtype: np.dtype) -> np.ndarray:
    """(784, batch) pixels in [0, 1], about 80% exactly zero, as in real MNIST."""
    pixels = rng.uniform(0.0, 1.0, (N_IN, batch))
    pixels[rng.random((N_IN, batch)) < 0.8] = 0.0
    return pixels.astype(dtype)


def make_inputs(problem: Problem, dtype: np.dtype, *, labels: np.ndarray | None = None) -> Inputs:
    """He-initialised params with small random (nonzero) biases, MNIST-like X and labels for ``problem``.

    The biases are nonzero so that no hidden unit sits exactly on the ReLU kink. Unless ``labels``
    are given, the largest class is always among them: a one-hot of y.max() + 1 rows built inside
    another component then fails only the one_hot checks, which test batches without it.
    """
    rng = np.random.default_rng(problem.seed)
    params = mnist_ref.init_params(N_IN, problem.hidden, N_OUT, seed=rng, dtype=dtype)
    params["b1"] = rng.uniform(-0.1, 0.1, params["b1"].shape).astype(dtype)
    params["b2"] = rng.uniform(-0.1, 0.1, params["b2"].shape).astype(dtype)
    X = mnist_like(rng, problem.batch, dtype)
    if labels is None:
        labels = rng.integers(0, N_OUT, problem.batch)
        labels[rng.integers(problem.batch)] = N_OUT - 1
    return Inputs(params, X, labels, mnist_ref.forward(params, X))


def logits(
    rng: np.random.Generator, shape: tuple[int, int], dtype: np.dtype, scale: float = 3.0
) -> np.ndarray:
    """Normal logits of the given (k, m) shape."""
    return (rng.standard_normal(shape) * scale).astype(dtype)
