"""The mnist_ref network as an oracle: its loss and gradients, always computed in float64."""

from __future__ import annotations

import numpy as np

from mnist_ref import network


def as_float64(params: network.Params, X: np.ndarray) -> tuple[network.Params, np.ndarray]:
    """Copies of ``params`` and ``X`` (n_in, m) in float64, whatever dtype they came in."""
    params64 = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    return params64, np.asarray(X, dtype=np.float64)


def loss(params: network.Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the network on X (n_in, m) with labels y (m,), in float64."""
    params, X = as_float64(params, X)
    return network.loss(params, X, y)


def gradients(params: network.Params, X: np.ndarray, y: np.ndarray) -> network.Grads:
    """dW1, db1, dW2, db2 of the mean cross-entropy, in float64, each with its parameter's shape."""
    params, X = as_float64(params, X)
    return network.backward(params, network.forward(params, X), X, y)


def kink_distance(params: network.Params, X: np.ndarray) -> float:
    """The smallest |Z1| (Z1 = W1 @ X + b1, (h, m)): how close the batch is to a ReLU kink.

    At 0 the ReLU has no derivative; a gradient there is a convention (the reference uses
    0), so inputs meant to test gradients should keep this well above 0.
    """
    params, X = as_float64(params, X)
    return float(np.abs(network.forward(params, X).Z1).min(initial=np.inf))
