"""The two-layer MLP for MNIST, as pure NumPy functions in column layout.

Shapes, with ``n_in`` inputs (784), ``h`` hidden units, ``k`` classes (10) and a
batch of ``m`` samples::

    X  (n_in, m)   one sample per column
    W1 (h, n_in)   b1 (h, 1)
    W2 (k, h)      b2 (k, 1)
    Z1 = W1 @ X + b1          (h, m)
    A1 = relu(Z1)             (h, m)
    Z2 = W2 @ A1 + b2         (k, m)
    A2 = softmax(Z2)          (k, m)   each column sums to 1
    loss = mean over columns of -log A2[y_j, j]

Every function keeps the dtype of its floating-point inputs (float32 or float64)
and validates what it is given, so a wrong shape fails loudly instead of
broadcasting silently. The functions a training step calls take
``validate=False`` too: the training loop checks its data once per run, not at
every step (on a batch of 128 the checks would cost as much as the arithmetic).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mnist_ref.validation import (
    check_features,
    check_grads,
    check_labels,
    check_params,
    float_dtype,
)

Params = dict[str, np.ndarray]
"""``{"W1": (h, n_in), "b1": (h, 1), "W2": (k, h), "b2": (k, 1)}``."""

Grads = dict[str, np.ndarray]
"""``{"dW1", "db1", "dW2", "db2"}``, each with its parameter's shape and dtype."""

PARAM_NAMES = ("W1", "b1", "W2", "b2")
GRAD_NAMES = ("dW1", "db1", "dW2", "db2")
INIT_SCHEMES = ("he", "uniform")


class ForwardCache(NamedTuple):
    """What the forward pass computes: Z1, A1 (h, m), Z2, A2 (k, m)."""

    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    A2: np.ndarray


def init_params(
    n_in: int = 784,
    hidden: int = 128,
    n_out: int = 10,
    *,
    seed: int | np.random.Generator = 0,
    scheme: str = "he",
    dtype: np.dtype | type = np.float64,
) -> Params:
    """Random weights and zero biases: W1 (hidden, n_in), b1 (hidden, 1), W2 (n_out, hidden), b2 (n_out, 1).

    ``scheme="he"`` draws W ~ N(0, 2 / fan_in), the right scale for ReLU.
    ``scheme="uniform"`` is the classic notebooks' uniform(-0.5, 0.5) for weights
    and biases alike.
    """
    for name, size in (("n_in", n_in), ("hidden", hidden), ("n_out", n_out)):
        if int(size) != size or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(seed)
    if scheme == "he":
        params = {
            "W1": rng.standard_normal((hidden, n_in)) * np.sqrt(2.0 / n_in),
            "b1": np.zeros((hidden, 1)),
            "W2": rng.standard_normal((n_out, hidden)) * np.sqrt(2.0 / hidden),
            "b2": np.zeros((n_out, 1)),
        }
    elif scheme == "uniform":
        params = {
            "W1": rng.uniform(-0.5, 0.5, (hidden, n_in)),
            "b1": rng.uniform(-0.5, 0.5, (hidden, 1)),
            "W2": rng.uniform(-0.5, 0.5, (n_out, hidden)),
            "b2": rng.uniform(-0.5, 0.5, (n_out, 1)),
        }
    else:
        raise ValueError(f"scheme must be one of {INIT_SCHEMES}, got {scheme!r}")
    return {name: value.astype(dtype) for name, value in params.items()}


def relu(Z: np.ndarray) -> np.ndarray:
    """max(Z, 0), elementwise; same shape and dtype as Z."""
    return np.maximum(Z, 0)


def relu_grad(Z: np.ndarray) -> np.ndarray:
    """d relu / dZ: 1 where Z > 0, else 0 (the subgradient 0 at the kink); Z's shape and dtype."""
    return (Z > 0).astype(float_dtype(Z.dtype))


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """log of the column-wise softmax of logits Z (k, m), computed without overflow."""
    shifted = Z - Z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax of logits Z (k, m): each column is a probability vector.

    The max of each column is subtracted first, so logits of any size stay finite.
    """
    exps = np.exp(Z - Z.max(axis=0, keepdims=True))
    exps /= exps.sum(axis=0, keepdims=True)
    return exps


def one_hot(
    y: np.ndarray, num_classes: int = 10, dtype: np.dtype | type = np.float64, *, validate: bool = True
) -> np.ndarray:
    """Labels y (m,) in [0, num_classes) -> one-hot columns (num_classes, m).

    The number of rows is ``num_classes``, never ``y.max() + 1``, so a batch
    without the largest class still has all its rows. ``validate=False`` skips
    the checks of y, for integer labels already checked.
    """
    if validate:
        y = check_labels(y, num_classes)
    Y = np.zeros((num_classes, y.size), dtype=float_dtype(dtype))
    Y[y, np.arange(y.size)] = 1
    return Y


def from_one_hot(Y: np.ndarray) -> np.ndarray:
    """One-hot (or probability) columns (k, m) -> labels (m,): the row of each column's maximum."""
    if Y.ndim != 2:
        raise ValueError(f"expected one-hot columns of shape (k, m), got shape {Y.shape}")
    return Y.argmax(axis=0)


def forward(params: Params, X: np.ndarray, *, validate: bool = True) -> ForwardCache:
    """Forward pass of X (n_in, m): returns Z1, A1 (h, m) and Z2, A2 (k, m).

    ``validate=False`` skips the checks of params and X, for inputs already checked.
    """
    if validate:
        check_params(params)
        check_features(X, params["W1"].shape[1], params["W1"].dtype)
    Z1 = params["W1"] @ X
    Z1 += params["b1"]  # in place into the product's new array: one (h, m) array, not two
    A1 = relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return ForwardCache(Z1, A1, Z2, softmax(Z2))


def cross_entropy(Z2: np.ndarray, y: np.ndarray, *, validate: bool = True) -> float:
    """Mean cross-entropy of logits Z2 (k, m) against labels y (m,), from log_softmax (no log(0)).

    ``validate=False`` skips the checks of y, for labels already checked.
    """
    if validate:
        y = check_labels(y, Z2.shape[0])
        if y.size != Z2.shape[1]:
            raise ValueError(f"{y.size} labels for {Z2.shape[1]} columns of logits")
    return float(-log_softmax(Z2)[y, np.arange(y.size)].sum() / y.size)


def loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the network on X (n_in, m) with labels y (m,)."""
    return cross_entropy(forward(params, X).Z2, y)


def backward(
    params: Params,
    cache: ForwardCache,
    X: np.ndarray,
    y: np.ndarray,
    *,
    validate: bool = True,
    scale: float = 1.0,
) -> Grads:
    """Gradients of the mean cross-entropy; each has exactly its parameter's shape and dtype.

    dZ2 = (A2 - onehot(y)) / m          (k, m)
    dW2 = dZ2 @ A1.T                    (k, h)     db2 = row sums of dZ2  (k, 1)
    dZ1 = (W2.T @ dZ2) * relu'(Z1)      (h, m)
    dW1 = dZ1 @ X.T                     (h, n_in)  db1 = row sums of dZ1  (h, 1)

    ``scale`` multiplies every gradient, for the price of multiplying dZ2 alone:
    the training loop passes -lr and gets the gradient-descent steps -lr * d_theta.
    ``validate=False`` skips the checks of params, X and the number of labels, for inputs already checked.
    """
    dtype = params["W1"].dtype
    m = X.shape[1]
    if validate:
        check_params(params)
        check_features(X, params["W1"].shape[1], dtype)
        if np.size(y) != m:
            raise ValueError(f"{np.size(y)} labels for {m} columns of X")
    dZ2 = cache.A2 - one_hot(y, cache.A2.shape[0], dtype, validate=validate)
    dZ2 *= dtype.type(scale / m)
    dZ1 = params["W2"].T @ dZ2
    dZ1 *= relu_grad(cache.Z1)  # in place, like Z1 += b1 in forward
    return {
        "dW1": dZ1 @ X.T,
        "db1": row_sums(dZ1),
        "dW2": dZ2 @ cache.A1.T,
        "db2": row_sums(dZ2),
    }


def row_sums(A: np.ndarray) -> np.ndarray:
    """The sum of each row of A (r, c), as a column (r, 1).

    Computed as A @ ones (c, 1): a matrix product, which on a batch of 128 is
    about three times faster than ``A.sum(axis=1, keepdims=True)``.
    """
    return A @ np.ones((A.shape[1], 1), A.dtype)


def sgd_update(params: Params, grads: Grads, lr: float, *, validate: bool = True) -> Params:
    """One gradient-descent step, theta - lr * d_theta; returns new arrays, inputs untouched.

    ``validate=False`` skips the checks of params and of the gradients' shapes and dtypes.
    """
    if validate:
        check_params(params)
        check_grads(grads, params)
    steps = {name: grad * grad.dtype.type(-lr) for name, grad in grads.items()}
    return take_steps(params, steps)


def take_steps(params: Params, steps: Grads) -> Params:
    """theta + step for every parameter, written into the arrays of ``steps`` (``{"dW1": ...}``).

    For steps nobody else holds: the -lr * d_theta of ``sgd_update``, or the
    gradients of ``backward(..., scale=-lr)`` in the training loop.
    """
    updated = {}
    for name in PARAM_NAMES:
        step = steps["d" + name]
        step += params[name]
        updated[name] = step
    return updated


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """Predicted labels (m,) for X (n_in, m): the class with the largest logit."""
    return forward(params, X).Z2.argmax(axis=0)


def accuracy(predictions: np.ndarray, y: np.ndarray) -> float:
    """Fraction of predictions (m,) equal to labels y (m,)."""
    predictions, y = np.asarray(predictions), np.asarray(y)
    if predictions.shape != y.shape:
        raise ValueError(f"predictions have shape {predictions.shape}, labels {y.shape}")
    return float((predictions == y).mean())
