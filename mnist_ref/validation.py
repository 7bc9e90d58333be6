"""Input checks shared by the reference: clear errors instead of silent broadcasting."""

from __future__ import annotations

from functools import cache

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype: np.dtype | type | str) -> np.dtype:
    """The floating dtype to compute in: float32 stays float32, anything else is float64."""
    dtype = np.dtype(dtype)
    return dtype if dtype in FLOAT_DTYPES else np.dtype(np.float64)


def check_labels(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Labels as a 1-D integer array with every value in [0, num_classes)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D of shape (m,), got shape {y.shape}")
    if np.issubdtype(y.dtype, np.floating):
        not_whole = ~np.isfinite(y) | (y != np.round(y))
        if not_whole.any():
            where = int(np.flatnonzero(not_whole)[0])
            raise ValueError(f"labels must be whole numbers, got {y[where]} at position {where}")
    elif not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        where = int(np.flatnonzero((y < 0) | (y >= num_classes))[0])
        raise ValueError(f"label {y[where]} at position {where} is outside [0, {num_classes})")
    return y.astype(np.int64)


def check_features(X: np.ndarray, n_in: int, dtype: np.dtype | None = None) -> None:
    """X must be (n_in, m), one sample per column, finite, and of ``dtype`` when one is given."""
    if X.ndim != 2 or X.shape[0] != n_in:
        hint = " (samples as rows? pass X.T)" if X.ndim == 2 and X.shape[1] == n_in else ""
        raise ValueError(f"X must have shape ({n_in}, m), got {X.shape}{hint}")
    if dtype is not None and X.dtype != dtype:
        raise ValueError(f"X has dtype {X.dtype} but the parameters are {dtype}: pass X.astype(np.{dtype})")
    if not all_finite(X):
        raise ValueError("X contains NaN or infinite values")


def check_params(params: dict[str, np.ndarray]) -> None:
    """W1 (h, n_in), b1 (h, 1), W2 (k, h), b2 (k, 1), all finite, one floating dtype."""
    check_layer_params(params, 2)


def check_layer_params(params: dict[str, np.ndarray], depth: int) -> None:
    """W1 (n_1, n_0), b1 (n_1, 1), ..., W{depth} (n_L, n_{L-1}), b{depth} (n_L, 1): each layer's input is
    the previous layer's output; all finite, one floating dtype."""
    names = layer_names(depth)
    missing = set(names) - params.keys()
    if missing:
        raise ValueError(f"parameters missing: {sorted(missing)}")
    weights = [params[name] for name in names[0::2]]
    if any(W.ndim != 2 for W in weights):
        shapes = " and ".join(str(W.shape) for W in weights)
        raise ValueError(f"{' and '.join(names[0::2])} must be 2-D, got shapes {shapes}")
    for layer, W in enumerate(weights, start=1):
        expected = {f"b{layer}": (W.shape[0], 1)}
        if layer < depth:
            expected[f"W{layer + 1}"] = (weights[layer].shape[0], W.shape[0])
        for name, shape in expected.items():
            if params[name].shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {params[name].shape}")
    dtypes = {params[name].dtype for name in names}
    if len(dtypes) != 1 or dtypes.pop() not in FLOAT_DTYPES:
        raise ValueError("parameters must all be float32 or all be float64")
    for name in names:
        if not all_finite(params[name]):
            raise ValueError(f"{name} contains NaN or infinite values")


def check_grads(grads: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> None:
    """Each gradient d{name} (dW1, db1, ...) must have the shape and dtype of its parameter {name}."""
    for name, param in params.items():
        grad = grads["d" + name]
        if grad.shape != param.shape:
            raise ValueError(f"d{name} has shape {grad.shape}, expected {param.shape} like {name}")
        if grad.dtype != param.dtype:
            raise ValueError(f"d{name} has dtype {grad.dtype}, expected {param.dtype} like {name}")


@cache
def layer_names(depth: int) -> tuple[str, ...]:
    """("W1", "b1", ..., "W{depth}", "b{depth}"): the parameters of a network of ``depth`` weight layers.

    Cached: the checks of every forward and backward pass ask for it.
    """
    return tuple(f"{kind}{layer}" for layer in range(1, depth + 1) for kind in ("W", "b"))


def all_finite(values: np.ndarray) -> bool:
    """True when no entry is NaN or infinite.

    The minimum and maximum are NaN as soon as one entry is, and infinite as soon as one
    entry is: two passes over the array and no boolean copy of it (a training set is large).
    """
    return values.size == 0 or bool(np.isfinite(values.min()) and np.isfinite(values.max()))
