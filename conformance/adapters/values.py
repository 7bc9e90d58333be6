"""The values an operation offers the target, keyed by role (see signatures.Operation.supplies).

Arrays are passed on as they are, never copied (except where a training loop must own
its parameters): the sandbox compares the caller's arrays before and after each call
to tell whether the target modified its inputs in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from conformance.adapters.labels import one_hot_columns
from conformance.adapters.names import ACTIVATION_NAMES

DEFAULT_CLASSES = 10


def param_values(params: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """W1, b1, W2, b2 each on its own and bundled as ``params`` (canonical dict)."""
    return {**params, "params": dict(params)}


def grad_values(grads: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """dW1, db1, dW2, db2 each on its own and bundled as ``grads``."""
    return {**grads, "grads": dict(grads)}


def cache_values(cache: Any) -> dict[str, Any]:
    """Z1, A1, Z2, A2 on their own and bundled as ``cache``; ``cache`` is a dict or a ForwardCache."""
    activations = dict(cache) if isinstance(cache, Mapping) else cache._asdict()
    return {**activations, "cache": activations}


def batch_values(
    X: np.ndarray | None, y: Any, n_out: int = DEFAULT_CLASSES, l2: float = 0.0
) -> dict[str, Any]:
    """X, the labels ``Y`` (m,), the same as ``Y_onehot`` (n_out, m) in X's float dtype, m, and the
    training options a function may take: the L2 strength ``l2`` of the network checked (0 for the
    classic one) and no decay of the learning rate (``learning_rate_decay=1``, the factor it is
    multiplied by)."""
    dtype = X.dtype if X is not None and np.issubdtype(X.dtype, np.floating) else np.dtype(np.float64)
    m = X.shape[1] if X is not None and X.ndim == 2 else np.size(y)
    return {"X": X, "Y": y, "Y_onehot": one_hot_columns(y, n_out, dtype), "m": m, "l2": l2, "lr_decay": 1.0}


def class_count(params: Mapping[str, np.ndarray]) -> int:
    """The number of classes the parameters produce: rows of W2."""
    W2 = params.get("W2")
    return W2.shape[0] if isinstance(W2, np.ndarray) and W2.ndim == 2 else DEFAULT_CLASSES


def reference_cache(params: Mapping[str, np.ndarray], X: np.ndarray) -> dict[str, np.ndarray]:
    """Z1, A1, Z2, A2 of the reference forward pass, for components checked on their own (loss, predict).

    Computed here as mnist_ref.network does, not with it: the reference is never loaded in the
    target's process, so that no target can call it.
    """
    Z1 = params["W1"] @ X + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = params["W2"] @ A1 + params["b2"]
    exps = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    return dict(zip(ACTIVATION_NAMES, (Z1, A1, Z2, exps / exps.sum(axis=0, keepdims=True)), strict=True))


def copied(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fresh copies, for a training loop or an instance that will own (and may modify) them."""
    return {name: np.array(value, copy=True) for name, value in params.items()}
