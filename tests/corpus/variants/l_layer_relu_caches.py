"""An L-layer ReLU network built from per-layer caches, in the style of the well-known deep learning course.

Style: dl_course
Spec: --layers 784,64,32,16,10
API: initialize_parameters_deep(layer_dims) -> parameters {"W1".., "b1"..}; linear_forward(A, W, b) -> Z, (A, W, b);
    relu(Z) / softmax(Z) -> A, Z; linear_activation_forward(A_prev, W, b, activation) -> A, (linear_cache, Z);
    L_model_forward(X, parameters) -> AL, caches; compute_cost(AL, Y) (Y one-hot columns);
    linear_backward(dZ, cache) -> dA_prev, dW, db; relu_backward(dA, cache); L_model_backward(AL, Y, caches) ->
    grads {"dA<l>", "dW<l>", "db<l>"}; update_parameters(parameters, grads, learning_rate) -> parameters.
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
    dW4: pass
    db4: pass
    update: pass
"""

import numpy as np

layers_dims = [784, 64, 32, 16, 10]

def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)

def relu(Z):
    return np.maximum(0, Z), Z

def softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True), Z

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z) if activation == "relu" else softmax(Z)
    return A, (linear_cache, activation_cache)

def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "softmax")
    caches.append(cache)
    return AL, caches

def compute_cost(AL, Y):
    m = Y.shape[1]
    return -np.sum(Y * np.log(AL)) / m

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db

def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ

def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    linear_cache, _ = caches[L - 1]
    dZ = AL - Y
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(dZ, linear_cache)
    for l in reversed(range(L - 1)):
        linear_cache, activation_cache = caches[l]
        dZ = relu_backward(grads["dA" + str(l + 1)], activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
        grads["dA" + str(l)] = dA_prev
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads

def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters
