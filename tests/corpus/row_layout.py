"""Digit classifier, rows are samples: X is (m, 784), as in most deep-learning code.

Weights (n_in, n_out), 1-D biases, one-hot labels as rows, gradients in a dict keyed like the parameters.
"""

import matplotlib.pyplot as plt
import numpy as np

N_CLASSES = 10


def init_params(n_in=784, n_hidden=64, n_out=N_CLASSES):
    return {
        "W1": np.random.randn(n_in, n_hidden) * np.sqrt(2.0 / n_in),
        "b1": np.zeros(n_hidden),
        "W2": np.random.randn(n_hidden, n_out) * np.sqrt(2.0 / n_hidden),
        "b2": np.zeros(n_out),
    }


def relu(z):
    return np.maximum(z, 0)


def relu_grad(z):
    return (z > 0).astype(z.dtype)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def one_hot(y, k=N_CLASSES):
    out = np.zeros((y.shape[0], k))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = relu(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    return {"Z1": z1, "A1": a1, "Z2": z2, "A2": softmax(z2)}


def loss(probs, Y):
    return -np.mean(np.log(np.sum(probs * Y, axis=1)))


def backward(params, cache, X, Y):
    m = X.shape[0]
    dz2 = (cache["A2"] - Y) / m
    grads = {"W2": cache["A1"].T @ dz2, "b2": dz2.sum(axis=0)}
    dz1 = dz2 @ params["W2"].T * relu_grad(cache["Z1"])
    grads["W1"] = X.T @ dz1
    grads["b1"] = dz1.sum(axis=0)
    return grads


def update(params, grads, lr):
    return {key: params[key] - lr * grads[key] for key in params}


def predict(params, X):
    return forward(params, X)["A2"].argmax(axis=1)


def accuracy(pred, y):
    return np.mean(pred == y)


def train(X, y, lr=0.5, epochs=20, hidden=64):
    params = init_params(X.shape[1], hidden, N_CLASSES)
    Y = one_hot(y)
    for epoch in range(epochs):
        cache = forward(params, X)
        params = update(params, backward(params, cache, X, Y), lr)
        print(f"epoch {epoch}: loss {loss(cache['A2'], Y):.3f}")
    return params


data = np.loadtxt("mnist_train.csv", delimiter=",", skiprows=1)
X_train, y_train = data[:, 1:] / 255.0, data[:, 0].astype(int)
params = train(X_train, y_train)
print("accuracy:", accuracy(predict(params, X_train), y_train))
plt.imshow(params["W1"][:, 0].reshape(28, 28))
plt.show()
