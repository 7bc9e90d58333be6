"""MNIST with a 2-layer MLP written from scratch: parameters travel in a dict, everything is float32."""

import numpy as np
import pandas as pd

np.random.seed(42)

DTYPE = np.float32
INPUT_SIZE = 784
HIDDEN_SIZE = 64
NUM_CLASSES = 10


def init_params(n_x, n_h, n_y):
    """He initialisation for the weights, zeros for the biases."""
    params = {
        "W1": (np.random.randn(n_h, n_x) * np.sqrt(2.0 / n_x)).astype(DTYPE),
        "b1": np.zeros((n_h, 1), dtype=DTYPE),
        "W2": (np.random.randn(n_y, n_h) * np.sqrt(2.0 / n_h)).astype(DTYPE),
        "b2": np.zeros((n_y, 1), dtype=DTYPE),
    }
    return params


def relu(Z):
    return np.maximum(0, Z)


def relu_backward(dA, Z):
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def softmax(Z):
    Z = Z - Z.max(axis=0, keepdims=True)  # for numerical stability
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


def one_hot(y, num_classes=NUM_CLASSES):
    Y = np.zeros((num_classes, y.shape[0]), dtype=DTYPE)
    Y[y, np.arange(y.shape[0])] = 1.0
    return Y


def forward(params, X):
    Z1 = params["W1"] @ X + params["b1"]
    A1 = relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    A2 = softmax(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_loss(A2, Y):
    m = Y.shape[0]
    log_probs = np.log(np.clip(A2[Y, np.arange(m)], 1e-12, None))
    return -np.sum(log_probs) / m


def backprop(params, cache, X, Y):
    m = X.shape[1]
    Y_onehot = one_hot(Y)
    grads = {}

    dZ2 = cache["A2"] - Y_onehot
    grads["dW2"] = dZ2 @ cache["A1"].T / m
    grads["db2"] = np.sum(dZ2, axis=1, keepdims=True) / m

    dA1 = params["W2"].T @ dZ2
    dZ1 = relu_backward(dA1, cache["Z1"])
    grads["dW1"] = dZ1 @ X.T / m
    grads["db1"] = np.sum(dZ1, axis=1, keepdims=True) / m
    return grads


def sgd_step(params, grads, lr):
    return {key: params[key] - lr * grads["d" + key] for key in params}


def predict(params, X):
    A2, _ = forward(params, X)
    return np.argmax(A2, axis=0)


def accuracy(y_pred, y_true):
    return np.mean(y_pred == y_true)


def train(X, Y, lr=0.1, epochs=200, print_every=10):
    params = init_params(X.shape[0], HIDDEN_SIZE, NUM_CLASSES)
    history = []
    for epoch in range(epochs):
        A2, cache = forward(params, X)
        grads = backprop(params, cache, X, Y)
        params = sgd_step(params, grads, lr)
        if epoch % print_every == 0:
            loss = compute_loss(A2, Y)
            acc = accuracy(predict(params, X), Y)
            history.append(loss)
            print(f"epoch {epoch:4d}  loss {loss:.4f}  acc {acc:.3f}")
    return params, history


train_df = pd.read_csv("data/mnist_train.csv")
X_train = (train_df.drop(columns="label").to_numpy(dtype=DTYPE) / 255.0).T
y_train = train_df["label"].to_numpy()

params, history = train(X_train, y_train, lr=0.1, epochs=300)
print("train accuracy:", accuracy(predict(params, X_train), y_train))

test_df = pd.read_csv("data/mnist_test.csv")
X_test = (test_df.drop(columns="label").to_numpy(dtype=DTYPE) / 255.0).T
y_test = test_df["label"].to_numpy()
print("test accuracy:", accuracy(predict(params, X_test), y_test))
