"""A two-layer ReLU network with L2 weight decay, trained with Adam, in the style of the deep learning course.

Style: dl_course
Spec: --l2 0.01 --optimizer adam
API: initialize_parameters(n_x, n_h, n_y) -> parameters; forward_propagation(X, parameters) -> A2, cache;
    compute_cost_with_regularization(A2, Y, parameters, lambd); backward_propagation_with_regularization(X, Y,
    cache, parameters, lambd) -> grads; initialize_adam(parameters) -> v, s; update_parameters_with_adam(parameters,
    grads, v, s, t, learning_rate, beta1, beta2, epsilon) -> parameters, v, s.
Known bugs: none.

Expected:
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
"""

import numpy as np

def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}

def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    e = np.exp(Z2 - Z2.max(axis=0))
    A2 = e / e.sum(axis=0)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}

def compute_cost_with_regularization(A2, Y, parameters, lambd):
    m = Y.shape[1]
    ce = -np.sum(Y * np.log(A2)) / m
    return ce + lambd / (2 * m) * (np.sum(parameters["W1"] ** 2) + np.sum(parameters["W2"] ** 2))

def backward_propagation_with_regularization(X, Y, cache, parameters, lambd):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dW2 = dZ2 @ cache["A1"].T / m + lambd / m * parameters["W2"]
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * (cache["Z1"] > 0)
    dW1 = dZ1 @ X.T / m + lambd / m * parameters["W1"]
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}

def initialize_adam(parameters):
    v, s = {}, {}
    for l in range(1, len(parameters) // 2 + 1):
        for p in ("W", "b"):
            v[f"d{p}{l}"] = np.zeros_like(parameters[f"{p}{l}"])
            s[f"d{p}{l}"] = np.zeros_like(parameters[f"{p}{l}"])
    return v, s

def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            k = f"d{p}{l}"
            v[k] = beta1 * v[k] + (1 - beta1) * grads[k]
            s[k] = beta2 * s[k] + (1 - beta2) * grads[k] ** 2
            vc = v[k] / (1 - beta1 ** t)
            sc = s[k] / (1 - beta2 ** t)
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * vc / (np.sqrt(sc) + epsilon)
    return parameters, v, s
