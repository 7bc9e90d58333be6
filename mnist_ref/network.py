"""The MNIST networks of the reference, as pure NumPy functions in column layout.

The family (any spec of :mod:`mnist_ref.spec`): with L = spec.depth weight layers, widths n_0 (inputs)
to n_L (classes) and a batch of m samples::

    X = A_0 (n_0, m)   W_l (n_l, n_{l-1})   b_l (n_l, 1)
    Z_l = W_l @ A_{l-1} + b_l   (n_l, m)
    A_l = activation(Z_l) for l < L, output(Z_L) for l = L

``draw_layers``, ``forward_layers``, ``output_loss``, ``network_loss`` and ``backward_layers`` compute
it; the layer widths are read off the parameters, the spec gives the depth and the functions. The
optimizers that use the gradients are in :mod:`mnist_ref.optimizers`.

The classic network is the member 784 -> ReLU hidden -> softmax, cross-entropy; its functions
(``init_params``, ``forward``, ``loss``, ``backward``, ``sgd_update``...) are the public API for it
and call the family's with the classic spec. Its shapes, with ``n_in`` inputs (784), ``h`` hidden units,
``k`` classes (10) and a batch of ``m`` samples::

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

from itertools import pairwise
from typing import NamedTuple

import numpy as np

from mnist_ref.spec import CLASSIC, NetworkSpec  # CLASSIC: the spec of the classic functions below
from mnist_ref.validation import (
    check_features,
    check_grads,
    check_labels,
    check_layer_params,
    check_params,
    float_dtype,
    layer_names,
)

Params = dict[str, np.ndarray]
"""``{"W1": (h, n_in), "b1": (h, 1), "W2": (k, h), "b2": (k, 1)}``; ``W1, b1, ..., WL, bL`` in the family."""

Grads = dict[str, np.ndarray]
"""``{"dW1", "db1", "dW2", "db2"}`` (to ``dWL, dbL``), each with its parameter's shape and dtype."""

PARAM_NAMES = ("W1", "b1", "W2", "b2")
GRAD_NAMES = ("dW1", "db1", "dW2", "db2")
INIT_SCHEMES = ("he", "xavier", "uniform")


class ForwardCache(NamedTuple):
    """What the forward pass computes: Z1, A1 (h, m), Z2, A2 (k, m)."""

    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    A2: np.ndarray


class LayerCache(NamedTuple):
    """What the family's forward pass computes: Z = (Z_1, ..., Z_L) and A = (A_1, ..., A_L), each (n_l, m)."""

    Z: tuple[np.ndarray, ...]
    A: tuple[np.ndarray, ...]


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
    and biases alike; ``"xavier"`` is in ``draw_layers``, which this calls.
    """
    for name, size in (("n_in", n_in), ("hidden", hidden), ("n_out", n_out)):
        if int(size) != size or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    return draw_layers((n_in, hidden, n_out), seed=seed, scheme=scheme, dtype=dtype)


def draw_layers(
    layers: tuple[int, ...],
    *,
    seed: int | np.random.Generator = 0,
    scheme: str = "he",
    dtype: np.dtype | type = np.float64,
) -> Params:
    """Parameters for the widths ``layers`` (n_0, ..., n_L): W_l (n_l, n_{l-1}) and b_l (n_l, 1), l = 1..L.

    ``"he"``: W ~ N(0, 2 / n_{l-1}), zero biases (for ReLU). ``"xavier"``: W ~ N(0, 2 / (n_{l-1} + n_l)),
    zero biases (Glorot's normal, for sigmoid and tanh). ``"uniform"``: weights and biases alike
    ~ uniform(-0.5, 0.5), the classic notebooks'. Drawn layer by layer, weights before biases.
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"scheme must be one of {INIT_SCHEMES}, got {scheme!r}")
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(seed)
    params = {}
    for layer, (fan_in, fan_out) in enumerate(pairwise(layers), start=1):
        if scheme == "uniform":
            W = rng.uniform(-0.5, 0.5, (fan_out, fan_in))
            b = rng.uniform(-0.5, 0.5, (fan_out, 1))
        else:
            variance = 2.0 / (fan_in if scheme == "he" else fan_in + fan_out)
            W, b = rng.standard_normal((fan_out, fan_in)) * np.sqrt(variance), np.zeros((fan_out, 1))
        params[f"W{layer}"], params[f"b{layer}"] = W.astype(dtype), b.astype(dtype)
    return params


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


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z)), elementwise; same shape and dtype as Z.

    exp is taken of -|Z| only, so it never overflows: exp(-|Z|) / (1 + exp(-|Z|)) where Z < 0.
    """
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + E), E / (1 + E))


def hidden_activation(spec: NetworkSpec, Z: np.ndarray) -> np.ndarray:
    """The spec's hidden activation of Z (n_l, m): relu, leaky_relu, sigmoid or tanh; Z's shape and dtype."""
    if spec.activation == "relu":
        return relu(Z)
    if spec.activation == "leaky_relu":
        return np.where(Z > 0, Z, Z * Z.dtype.type(spec.leaky_slope))
    return sigmoid(Z) if spec.activation == "sigmoid" else np.tanh(Z)


def hidden_activation_grad(spec: NetworkSpec, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dA/dZ of the hidden activation, from Z and A = activation(Z), both (n_l, m).

    relu: 1 where Z > 0 else 0; leaky_relu: 1 where Z > 0 else the slope (the kink takes the left
    side); sigmoid: A (1 - A); tanh: 1 - A**2.
    """
    if spec.activation == "relu":
        return relu_grad(Z)
    if spec.activation == "leaky_relu":
        return np.where(Z > 0, Z.dtype.type(1), Z.dtype.type(spec.leaky_slope))
    return A * (1 - A) if spec.activation == "sigmoid" else 1 - A * A


def output_activation(spec: NetworkSpec, Z: np.ndarray) -> np.ndarray:
    """The outputs (k, m) of the logits Z (k, m): column-wise softmax, or sigmoid of each entry."""
    return softmax(Z) if spec.output == "softmax" else sigmoid(Z)


def forward_layers(spec: NetworkSpec, params: Params, X: np.ndarray, *, validate: bool = True) -> LayerCache:
    """Forward pass of X (n_0, m) through the spec's L layers: Z_l and A_l (n_l, m) for l = 1..L.

    ``validate=False`` skips the checks of params (W1..WL, b1..bL, chained) and X, for inputs already checked.
    """
    if validate:
        check_layer_params(params, spec.depth)
        check_features(X, params["W1"].shape[1], params["W1"].dtype)
    Z_all, A_all, A = [], [], X
    for layer in range(1, spec.depth + 1):
        Z = params[f"W{layer}"] @ A
        Z += params[f"b{layer}"]  # in place into the product's new array: one (n_l, m) array, not two
        A = hidden_activation(spec, Z) if layer < spec.depth else output_activation(spec, Z)
        Z_all.append(Z)
        A_all.append(A)
    return LayerCache(tuple(Z_all), tuple(A_all))


def output_loss(spec: NetworkSpec, Z: np.ndarray, y: np.ndarray, *, validate: bool = True) -> float:
    """The spec's mean loss of the logits Z (k, m) against labels y (m,), without the L2 term.

    cross_entropy: mean over the m columns of -log softmax(Z)[y]. mse: mean over all k * m entries of
    (output(Z) - onehot(y))**2. binary_cross_entropy: mean over all k * m entries of
    -[Y log sigmoid(Z) + (1 - Y) log(1 - sigmoid(Z))], computed from Z so that it never takes log(0).
    ``validate=False`` skips the checks of y, for labels already checked.
    """
    if validate:
        y = check_labels(y, Z.shape[0])
        if y.size != Z.shape[1]:
            raise ValueError(f"{y.size} labels for {Z.shape[1]} columns of logits")
    if spec.loss == "cross_entropy":
        return cross_entropy(Z, y, validate=False)
    Y = one_hot(y, Z.shape[0], Z.dtype, validate=False)
    if spec.loss == "mse":
        return float(np.mean((output_activation(spec, Z) - Y) ** 2))
    return float(np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))))


def l2_penalty(spec: NetworkSpec, params: Params, m: int) -> float:
    """lambda / (2 m) * the sum of the squares of every weight W1..WL (not the biases); 0 when lambda = 0."""
    if not spec.l2:
        return 0.0
    weights = (params[f"W{layer}"] for layer in range(1, spec.depth + 1))
    return spec.l2 / (2 * m) * sum(float(np.vdot(W, W)) for W in weights)


def network_loss(spec: NetworkSpec, params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """The spec's loss of the network on X (n_0, m) with labels y (m,): output_loss + l2_penalty."""
    Z = forward_layers(spec, params, X).Z[-1]
    return output_loss(spec, Z, y) + l2_penalty(spec, params, X.shape[1])


def output_delta(spec: NetworkSpec, A: np.ndarray, Y: np.ndarray, scale: np.floating) -> np.ndarray:
    """``scale`` times d(output_loss)/dZ_L (k, m), from the outputs A and the one-hot labels Y (k, m).

    cross_entropy: (A - Y) / m. binary_cross_entropy: (A - Y) / (k m). mse: dA = 2 (A - Y) / (k m),
    then times A (1 - A) for sigmoid outputs, or A * (dA - column sums of A * dA) for softmax.
    """
    k, m = A.shape
    dZ = A - Y
    if spec.loss == "cross_entropy":
        dZ *= scale / m
    elif spec.loss == "binary_cross_entropy":
        dZ *= scale / (k * m)
    else:
        dZ *= 2 * scale / (k * m)
        if spec.output == "sigmoid":
            dZ *= A * (1 - A)
        else:
            dZ -= (A * dZ).sum(axis=0, keepdims=True)
            dZ *= A
    return dZ


def backward_layers(
    spec: NetworkSpec,
    params: Params,
    cache: LayerCache,
    X: np.ndarray,
    y: np.ndarray,
    *,
    validate: bool = True,
    scale: float = 1.0,
) -> Grads:
    """Gradients of network_loss: dW_l (n_l, n_{l-1}) and db_l (n_l, 1), each its parameter's shape and dtype.

    dZ_L = output_delta                          (n_L, m)
    dW_l = dZ_l @ A_{l-1}.T + (lambda / m) W_l   db_l = row sums of dZ_l
    dZ_{l-1} = (W_l.T @ dZ_l) * activation'(Z_{l-1})

    ``scale`` multiplies every gradient (the training loop passes -lr, for the steps -lr * d_theta).
    ``validate=False`` skips the checks of params, X and the number of labels, for inputs already checked.
    """
    dtype = params["W1"].dtype
    m = X.shape[1]
    if validate:
        check_layer_params(params, spec.depth)
        check_features(X, params["W1"].shape[1], dtype)
        if np.size(y) != m:
            raise ValueError(f"{np.size(y)} labels for {m} columns of X")
    Y = one_hot(y, cache.A[-1].shape[0], dtype, validate=validate)
    dZ = output_delta(spec, cache.A[-1], Y, dtype.type(scale))
    grads = {}
    for layer in range(spec.depth, 0, -1):
        A_in = X if layer == 1 else cache.A[layer - 2]
        grads[f"dW{layer}"] = dZ @ A_in.T
        if spec.l2:
            grads[f"dW{layer}"] += dtype.type(scale * spec.l2 / m) * params[f"W{layer}"]
        grads[f"db{layer}"] = row_sums(dZ)
        if layer > 1:
            W = params[f"W{layer}"]
            dZ = W.T @ dZ
            dZ *= hidden_activation_grad(spec, cache.Z[layer - 2], cache.A[layer - 2])  # in place
    return {"d" + name: grads["d" + name] for name in layer_names(spec.depth)}


def predict_layers(spec: NetworkSpec, params: Params, X: np.ndarray) -> np.ndarray:
    """Predicted labels (m,) for X (n_0, m): the class with the largest logit (and so the largest output)."""
    return forward_layers(spec, params, X).Z[-1].argmax(axis=0)


def forward(params: Params, X: np.ndarray, *, validate: bool = True) -> ForwardCache:
    """Forward pass of X (n_in, m): returns Z1, A1 (h, m) and Z2, A2 (k, m).

    ``validate=False`` skips the checks of params and X, for inputs already checked.
    """
    (Z1, Z2), (A1, A2) = forward_layers(CLASSIC, params, X, validate=validate)
    return ForwardCache(Z1, A1, Z2, A2)


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
    return network_loss(CLASSIC, params, X, y)


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
    layers = LayerCache((cache.Z1, cache.Z2), (cache.A1, cache.A2))
    return backward_layers(CLASSIC, params, layers, X, y, validate=validate, scale=scale)


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
    for name in params:
        step = steps["d" + name]
        step += params[name]
        updated[name] = step
    return updated


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """Predicted labels (m,) for X (n_in, m): the class with the largest logit."""
    return predict_layers(CLASSIC, params, X)


def accuracy(predictions: np.ndarray, y: np.ndarray) -> float:
    """Fraction of predictions (m,) equal to labels y (m,)."""
    predictions, y = np.asarray(predictions), np.asarray(y)
    if predictions.shape != y.shape:
        raise ValueError(f"predictions have shape {predictions.shape}, labels {y.shape}")
    return float((predictions == y).mean())
