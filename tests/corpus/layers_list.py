"""A network as a list of layers [(W, b), ...], built from layer_sizes; forward returns logits.

Column layout (one sample per column). The loss works on logits with log-sum-exp, backward
recomputes the forward pass and returns one (dW, db) pair per layer.
"""

import numpy as np
import pandas as pd

LAYER_SIZES = [784, 32, 10]


def init_network(layer_sizes):
    layers = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = np.random.randn(n_out, n_in) * np.sqrt(2.0 / n_in)
        b = np.zeros((n_out, 1))
        layers.append((W, b))
    return layers


def relu(Z):
    return np.maximum(Z, 0)


def relu_derivative(Z):
    return (Z > 0) * 1.0


def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def one_hot(labels, num_classes=10):
    return np.eye(num_classes)[:, labels]


def forward(layers, X):
    (W1, b1), (W2, b2) = layers
    hidden = relu(W1 @ X + b1)
    logits = W2 @ hidden + b2
    return logits


def cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return -log_probs[labels, np.arange(labels.size)].mean()


def backward(layers, X, labels):
    (W1, b1), (W2, b2) = layers
    m = X.shape[1]
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    dZ2 = (softmax(W2 @ A1 + b2) - one_hot(labels)) / m
    dZ1 = W2.T @ dZ2 * relu_derivative(Z1)
    return [(dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True)), (dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True))]


def sgd_step(layers, grads, lr):
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]


def predict(layers, X):
    return np.argmax(forward(layers, X), axis=0)


def accuracy(predictions, labels):
    return np.mean(predictions == labels)


def train(X, labels, lr=0.1, epochs=100):
    layers = init_network([X.shape[0], *LAYER_SIZES[1:]])
    for epoch in range(epochs):
        layers = sgd_step(layers, backward(layers, X, labels), lr)
        if epoch % 10 == 0:
            print(epoch, cross_entropy(forward(layers, X), labels))
    return layers


train_df = pd.read_csv("mnist_train.csv")
X = train_df.iloc[:, 1:].to_numpy().T / 255.0
labels = train_df.iloc[:, 0].to_numpy()
network = train(X, labels)
print("train accuracy", accuracy(predict(network, X), labels))
