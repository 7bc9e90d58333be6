"""A three-layer leaky-ReLU network trained with heavy-ball momentum.

Style: functions
Spec: --layers 784,64,32,10 --activation leaky_relu --optimizer momentum
API: initialize_parameters(layer_dims); forward_propagation(X, parameters) -> AL, caches [(A_prev, Z), ...];
    compute_cost(AL, Y); backward_propagation(AL, Y, caches, parameters) -> grads; initialize_velocity(parameters) -> v;
    update_parameters_with_momentum(parameters, grads, v, beta, learning_rate) -> parameters, v (v = beta v - lr g;
    W = W + v).
Known bugs: none.

Expected:
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    dW3: pass
    db3: pass
    update: pass
"""

import numpy as np

LAYER_DIMS = [784, 64, 32, 10]

def initialize_parameters(layer_dims):
    rng = np.random.default_rng(1)
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * 0.05
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return p

def leaky(Z):
    return np.where(Z > 0, Z, 0.01 * Z)

def forward_propagation(X, parameters):
    L = len(parameters) // 2
    caches, A = [], X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        caches.append((A, Z))
        if l < L:
            A = leaky(Z)
        else:
            e = np.exp(Z - Z.max(axis=0, keepdims=True))
            A = e / e.sum(axis=0, keepdims=True)
    return A, caches

def compute_cost(AL, Y):
    return -np.sum(Y * np.log(AL)) / Y.shape[1]

def backward_propagation(AL, Y, caches, parameters):
    L = len(caches)
    m = Y.shape[1]
    grads = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, Z = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            Zp = caches[l - 2][1]
            dZ = (parameters[f"W{l}"].T @ dZ) * np.where(Zp > 0, 1.0, 0.01)
    return grads

def initialize_velocity(parameters):
    return {"d" + k: np.zeros_like(v) for k, v in parameters.items()}

def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    for k in parameters:
        v["d" + k] = beta * v["d" + k] - learning_rate * grads["d" + k]
        parameters[k] = parameters[k] + v["d" + k]
    return parameters, v
