"""Hostile: every component is the reference's, wrapped under the classic notebook's names."""
import numpy as np
from mnist_ref import network as ref
from mnist_ref.network import relu as ReLU


def init_params():
    params = ref.init_params(784, 10, 10)
    return params["W1"], params["b1"], params["W2"], params["b2"]


def softmax(Z):
    return ref.softmax(Z)


def forward_prop(W1, b1, W2, b2, X):
    cache = ref.forward({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X)
    return cache.Z1, cache.A1, cache.Z2, cache.A2


def ReLU_deriv(Z):
    return ref.relu_grad(Z)


def one_hot(Y):
    return ref.one_hot(Y)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    params = {"W1": W1, "b1": np.zeros((W1.shape[0], 1)), "W2": W2, "b2": np.zeros((W2.shape[0], 1))}
    grads = ref.backward(params, ref.ForwardCache(Z1, A1, Z2, A2), X, Y)
    return grads["dW1"], grads["db1"], grads["dW2"], grads["db2"]


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    params = ref.sgd_update({"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                            {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, alpha)
    return params["W1"], params["b1"], params["W2"], params["b2"]


def get_predictions(A2):
    return ref.from_one_hot(A2)


def get_accuracy(predictions, Y):
    return ref.accuracy(predictions, Y)
