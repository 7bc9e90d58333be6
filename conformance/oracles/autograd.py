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


def network_gradients(
    table: dict, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """(the loss, dW1..dWL, db1..dbL) of the network of a spec's ``[network]`` table (mnist_ref.spec),
    L2 term included, by torch autograd in float64 on X (n_0, m) with labels y (m,). The losses are
    PyTorch's own (CrossEntropyLoss, MSELoss, BCELoss, mean reduction), written independently of mnist_ref.
    """
    import torch

    depth = len(table["layers"]) - 1
    leaves = {
        name: torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=True)
        for name, value in params.items()
    }
    A = torch.tensor(np.asarray(X, dtype=np.float64))
    for layer in range(1, depth):
        A = _hidden(table, leaves[f"W{layer}"] @ A + leaves[f"b{layer}"])
    Z = leaves[f"W{depth}"] @ A + leaves[f"b{depth}"]
    weights = sum((leaves[f"W{layer}"] ** 2).sum() for layer in range(1, depth + 1))
    total = _data_loss(table, Z, y) + table.get("l2", 0.0) / (2 * X.shape[1]) * weights
    total.backward()
    return float(total.item()), {"d" + name: leaf.grad.numpy() for name, leaf in leaves.items()}


def _hidden(table: dict, Z):
    """The table's hidden activation of Z, in PyTorch."""
    import torch

    activation = table.get("activation", "relu")
    if activation == "leaky_relu":
        return torch.nn.functional.leaky_relu(Z, table.get("leaky_slope", 0.01))
    return {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation](Z)


def _data_loss(table: dict, Z, y: np.ndarray):
    """PyTorch's own loss of the logits Z (k, m) against labels y (m,)."""
    import torch

    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loss = table.get("loss", "cross_entropy")
    if loss == "cross_entropy":
        return torch.nn.functional.cross_entropy(Z.T, labels)
    Y = torch.nn.functional.one_hot(labels, Z.shape[0]).T.to(torch.float64)
    if loss == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy(torch.sigmoid(Z), Y)
    outputs = torch.softmax(Z, dim=0) if table.get("output", "softmax") == "softmax" else torch.sigmoid(Z)
    return torch.nn.functional.mse_loss(outputs, Y)
