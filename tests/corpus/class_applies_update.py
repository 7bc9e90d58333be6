"""An MLP class in row layout (X is (m, 784), biases (1, h)) whose backward pass applies the update itself.

There is no separate update step and no gradient is kept: backward moves the weights by eta times
the gradient. The constructor takes the layer sizes as a list.
"""

import matplotlib.pyplot as plt
import numpy as np


class MLP:
    def __init__(self, layer_sizes=(784, 128, 10), eta=0.1, seed=0):
        rng = np.random.default_rng(seed)
        n_in, n_hidden, n_out = layer_sizes
        self.eta = eta
        self.W1 = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_hidden))
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.normal(0.0, np.sqrt(2.0 / n_hidden), (n_hidden, n_out))
        self.b2 = np.zeros((1, n_out))

    @staticmethod
    def relu(z):
        return np.maximum(z, 0.0)

    @staticmethod
    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, X):
        self.Z1 = X @ self.W1 + self.b1
        self.A1 = self.relu(self.Z1)
        self.Z2 = self.A1 @ self.W2 + self.b2
        self.A2 = self.softmax(self.Z2)
        return self.A2

    def loss(self, y):
        return -np.log(self.A2[np.arange(len(y)), y]).mean()

    def backward(self, X, y):
        m = X.shape[0]
        dZ2 = self.A2.copy()
        dZ2[np.arange(m), y] -= 1.0
        dZ2 /= m
        dW2 = self.A1.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dZ1 = (dZ2 @ self.W2.T) * (self.Z1 > 0)
        dW1 = X.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)
        self.W1 -= self.eta * dW1
        self.b1 -= self.eta * db1
        self.W2 -= self.eta * dW2
        self.b2 -= self.eta * db2

    def predict(self, X):
        return self.forward(X).argmax(axis=1)

    def accuracy(self, predictions, y):
        return float(np.mean(predictions == y))

    def fit(self, X, y, epochs=10):
        for _ in range(epochs):
            self.forward(X)
            self.backward(X, y)


data = np.load("mnist.npz")
model = MLP([784, 128, 10], eta=0.5)
model.fit(data["x_train"].reshape(-1, 784) / 255.0, data["y_train"], epochs=30)
print("test accuracy:", model.accuracy(model.predict(data["x_test"].reshape(-1, 784) / 255.0), data["y_test"]))
plt.imshow(model.W1[:, 0].reshape(28, 28))
