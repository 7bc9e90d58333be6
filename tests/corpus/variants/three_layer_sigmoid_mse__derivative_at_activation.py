"""A three-layer network with sigmoid hidden layers and sigmoid outputs trained on the mean squared error.

Style: functions
Spec: --layers 784,64,32,10 --activation sigmoid --output sigmoid --loss mse
API: init_params(layer_sizes) -> params; forward_propagation(X, params) -> AL, cache {"A0", "Z1", "A1", ...};
    compute_loss(AL, Y) (mean over every entry of (AL - Y)**2, Y one-hot columns);
    backward_propagation(params, cache, Y) -> grads {"dW1".., "db1"..}; update_params(params, grads, learning_rate).
Known bugs: the hidden layers' sigmoid derivative is taken at the activation: s(A)(1 - s(A)).

Expected:
    forward: pass
    loss: pass
    dW1: fail derivative_at_activation
    db1: fail derivative_at_activation
    dW2: fail derivative_at_activation
    db2: fail derivative_at_activation
    dW3: pass
    db3: pass
    update: pass
"""

import numpy as np

LAYERS = [784, 64, 32, 10]

def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))

def init_params(layer_sizes):
    rng = np.random.default_rng(0)
    p = {}
    for l in range(1, len(layer_sizes)):
        p[f"W{l}"] = rng.standard_normal((layer_sizes[l], layer_sizes[l-1])) * 0.1
        p[f"b{l}"] = np.zeros((layer_sizes[l], 1))
    return p

def forward_propagation(X, params):
    L = len(params) // 2
    cache = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = sigmoid(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache

def compute_loss(AL, Y):
    return np.mean((AL - Y) ** 2)

def backward_propagation(params, cache, Y):
    L = len(params) // 2
    k, m = Y.shape
    AL = cache[f"A{L}"]
    dA = 2 * (AL - Y) / (k * m)
    grads = {}
    for l in range(L, 0, -1):
        A = cache[f"A{l}"]
        s = sigmoid(A) if l < L else A  # the hidden layers' derivative, taken at the activation
        dZ = dA * s * (1 - s)
        grads[f"dW{l}"] = dZ @ cache[f"A{l-1}"].T
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
        dA = params[f"W{l}"].T @ dZ
    return grads

def update_params(params, grads, learning_rate):
    return {k: v - learning_rate * grads["d" + k] for k, v in params.items()}
