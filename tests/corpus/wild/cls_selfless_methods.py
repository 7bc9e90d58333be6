"""Rewrite of github.com/KasperiBlomberg/tiralabra, src/models/neural_network.py and src/utils/*.py (commit 3af47c5).

Style: class
Layout: column
Network: classic
API: ReLU(Z), ReLU_deriv(Z), softmax(Z) (column-wise through the builtin sum), one_hot(Y);
    class NeuralNetwork(W1, b1, W2, b2) storing the four arrays, whose methods were written without
    `self`: forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2, get_predictions(A2),
    get_accuracy(predictions, Y); module functions init_params() -> W1 (10, 784), b1, W2, b2;
    backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y) -> dW1, db1, dW2, db2; update_params(W1, b1, W2,
    b2, dW1, db1, dW2, db2, alpha); gradient_descent(X, Y, alpha, iterations).
Known bugs: the class methods have no `self`, so nn.forward_prop(...), nn.get_predictions(...) and
    nn.get_accuracy(...) raise TypeError on an instance (they only work called on the class);
    gradient_descent calls forward_prop, get_predictions and get_accuracy as module functions,
    which do not exist outside the class (NameError on the first iteration); db1 and db2 are
    summed to scalars (np.sum without axis); one_hot has Y.max() + 1 rows, too few for a batch
    without the largest label. This commit is the middle of a refactor (the working script of the
    same commit, src/main.py, still has the free functions); the dataset is Fashion-MNIST.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail nonfinite
    one_hot: fail shape_mismatch
    forward: fail exception
    dW1: pass
    db1: fail shape_mismatch
    dW2: pass
    db2: fail shape_mismatch
    update: pass
    predict: fail exception
    accuracy: fail exception
    train: fail exception
"""

import os

import numpy as np
from src.utils import mnist_reader


def ReLU(Z):
    return np.maximum(Z, 0)


def ReLU_deriv(Z):
    return Z > 0


def softmax(Z):
    return np.exp(Z) / sum(np.exp(Z))


def load_train_data(sample_size):
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    X_train, y_train = mnist_reader.load_mnist(os.path.join(base, 'data/fashion'), kind='train')
    X_train, y_train = X_train[:sample_size].T, y_train[:sample_size].T
    return X_train / 255, y_train


def one_hot(Y):
    encoded = np.zeros((Y.size, Y.max() + 1))
    encoded[np.arange(Y.size), Y] = 1
    return encoded.T


class NeuralNetwork:
    def __init__(self, W1, b1, W2, b2):
        self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2

    def forward_prop(W1, b1, W2, b2, X):
        Z1 = W1.dot(X) + b1
        A1 = ReLU(Z1)
        Z2 = W2.dot(A1) + b2
        A2 = softmax(Z2)
        return Z1, A1, Z2, A2

    def get_predictions(A2):
        return np.argmax(A2, 0)

    def get_accuracy(predictions, Y):
        return np.sum(predictions == Y) / Y.size


def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    one_hot_Y = one_hot(Y)
    m = Y.size
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def gradient_descent(X, Y, alpha, iterations):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration: ", i)
            print(get_accuracy(get_predictions(A2), Y))
    return W1, b1, W2, b2


X_train, Y_train = load_train_data(10000)
W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.10, 500)
nn = NeuralNetwork(W1, b1, W2, b2)
