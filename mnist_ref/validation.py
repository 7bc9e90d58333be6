"""Input checks shared by the reference: clear errors instead of silent broadcasting."""

from __future__ import annotations

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
    missing = {"W1", "b1", "W2", "b2"} - params.keys()
    if missing:
        raise ValueError(f"parameters missing: {sorted(missing)}")
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    if W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(f"W1 and W2 must be 2-D, got shapes {W1.shape} and {W2.shape}")
    h, k = W1.shape[0], W2.shape[0]
    expected = {"b1": (h, 1), "W2": (k, h), "b2": (k, 1)}
    for name, shape in expected.items():
        if params[name].shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {params[name].shape}")
    dtypes = {p.dtype for p in (W1, b1, W2, b2)}
    if len(dtypes) != 1 or dtypes.pop() not in FLOAT_DTYPES:
        raise ValueError("parameters must all be float32 or all be float64")
    for name in ("W1", "b1", "W2", "b2"):
        if not all_finite(params[name]):
            raise ValueError(f"{name} contains NaN or infinite values")


def check_grads(grads: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> None:
    """dW1, db1, dW2, db2 must each have the shape and dtype of their parameter W1, b1, W2, b2."""
    for name in ("W1", "b1", "W2", "b2"):
        param, grad = params[name], grads["d" + name]
        if grad.shape != param.shape:
            raise ValueError(f"d{name} has shape {grad.shape}, expected {param.shape} like {name}")
        if grad.dtype != param.dtype:
            raise ValueError(f"d{name} has dtype {grad.dtype}, expected {param.dtype} like {name}")


def all_finite(values: np.ndarray) -> bool:
    """True when no entry is NaN or infinite.

    The minimum and maximum are NaN as soon as one entry is, and infinite as soon as one
    entry is: two passes over the array and no boolean copy of it (a training set is large).
    """
    return values.size == 0 or bool(np.isfinite(values.min()) and np.isfinite(values.max()))
