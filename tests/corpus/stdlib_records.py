"""A 2-layer MLP whose values travel in standard-library records: a NamedTuple cache, a dataclass of
gradients, an Enum naming the activation, logging instead of print, and a traceback printed when a
step goes wrong. Several of these read their caller's frame inside the standard library."""

import enum
import logging
import traceback
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class Activation(enum.Enum):
    RELU = "relu"
    SOFTMAX = "softmax"


class Cache(NamedTuple):
    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    A2: np.ndarray


@dataclass
class Gradients:
    dW1: np.ndarray
    db1: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray


def init_params(n_x, n_h, n_y):
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2.0 / n_x)
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(2.0 / n_h)
    return W1, np.zeros((n_h, 1)), W2, np.zeros((n_y, 1))


def activate(Z, kind):
    if kind is Activation.RELU:
        return np.maximum(Z, 0)
    shifted = np.exp(Z - Z.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def relu(Z):
    return activate(Z, Activation.RELU)


def relu_derivative(Z):
    return (Z > 0).astype(Z.dtype)


def softmax(Z):
    return activate(Z, Activation.SOFTMAX)


def one_hot(y):
    encoded = np.zeros((10, y.size))
    encoded[y, np.arange(y.size)] = 1
    return encoded


def forward(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    return Cache(Z1, A1, Z2, softmax(Z2))


def cross_entropy(A2, y):
    return -np.mean(np.log(np.clip(A2[y, np.arange(y.size)], 1e-12, None)))


def backward(cache, W2, X, y):
    m = X.shape[1]
    dZ2 = cache.A2 - one_hot(y)
    dZ1 = (W2.T @ dZ2) * relu_derivative(cache.Z1)
    return Gradients(
        dW1=dZ1 @ X.T / m,
        db1=dZ1.sum(axis=1, keepdims=True) / m,
        dW2=dZ2 @ cache.A1.T / m,
        db2=dZ2.sum(axis=1, keepdims=True) / m,
    )


def update(W1, b1, W2, b2, grads, lr):
    return W1 - lr * grads.dW1, b1 - lr * grads.db1, W2 - lr * grads.dW2, b2 - lr * grads.db2


def predict(W1, b1, W2, b2, X):
    return forward(W1, b1, W2, b2, X).A2.argmax(axis=0)


def accuracy(predictions, y):
    return np.mean(predictions == y)


def train(X, y, hidden=64, lr=0.1, epochs=100):
    W1, b1, W2, b2 = init_params(X.shape[0], hidden, 10)
    for epoch in range(epochs):
        cache = forward(W1, b1, W2, b2, X)
        try:
            grads = backward(cache, W2, X, y)
        except ValueError:
            traceback.print_exc()
            continue
        W1, b1, W2, b2 = update(W1, b1, W2, b2, grads, lr)
        if epoch % 10 == 0:
            logging.getLogger("mlp").warning("epoch %d: loss %.4f", epoch, cross_entropy(cache.A2, y))
    return W1, b1, W2, b2


logging.basicConfig(level=logging.INFO)
data = np.loadtxt("mnist_train.csv", delimiter=",", skiprows=1)
parameters = train(data[:, 1:].T / 255.0, data[:, 0].astype(int))
