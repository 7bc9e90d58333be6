"""The network written in PyTorch (float64), differentiated by autograd: an oracle independent of mnist_ref.

torch is an optional extra (``pip install 'mnist-ref[torch]'``): it is imported only
when these functions are called, never when this module is imported.
"""

from __future__ import annotations

import numpy as np

PARAMS = ("W1", "b1", "W2", "b2")


def available() -> bool:
    """True when torch can be imported; never raises."""
    try:
        import torch  # noqa: F401
    except Exception:  # a broken install can raise more than ImportError
        return False
    return True


def _forward_loss(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray):
    """The tensors of ``params`` (requiring grad) and the mean cross-entropy of X (n_in, m), labels y (m,)."""
    import torch

    tensors = {
        name: torch.tensor(np.asarray(params[name], dtype=np.float64), requires_grad=True) for name in PARAMS
    }
    Z1 = tensors["W1"] @ torch.from_numpy(np.asarray(X, dtype=np.float64)) + tensors["b1"]
    Z2 = tensors["W2"] @ torch.relu(Z1) + tensors["b2"]
    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    return tensors, torch.nn.functional.cross_entropy(Z2.T, labels)  # rows = samples, mean over them


def loss(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the network on X (n_in, m) with labels y (m,), by torch in float64."""
    return float(_forward_loss(params, X, y)[1].item())


def gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """dW1, db1, dW2, db2 of the mean cross-entropy by autograd: float64, each its parameter's shape."""
    tensors, value = _forward_loss(params, X, y)
    value.backward()
    return {f"d{name}": tensor.grad.numpy() for name, tensor in tensors.items()}
