"""Rewrite of github.com/1Amay3/NumPy-neural-network, nn.ipynb (its code cells, as a script).

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, W2, b1, b2 (40 hidden units); ReLU(Z); softmax(z);
    forward_prop(W1, W2, b1, b2, X) -> Z1, Z2, A1, A2; deriv_ReLU(X); one_hot(Y) -> (Y.max() + 1, m);
    backward_prop(Z1, Z2, A1, A2, W1, W2, X, Y) -> dW1, dW2, db1, db2;
    update_params(dW1, dW2, db1, db2, W1, W2, b1, b2, lr) -> W1, W2, b1, b2 (gradients first);
    get_predictions(A2); get_accuracy(predictions, Y); gradient_descent(X, Y, lr, epochs) -> W1, W2, b1, b2
Known bugs: every tuple is ordered weights-then-biases (W1, W2, b1, b2), not layer by layer, and
    update_params takes the gradients before the parameters: unusual, but consistent, so not a bug.
    backward_prop sums db1 and db2 over the whole matrix (np.sum without axis): scalar bias
    gradients; one_hot has Y.max() + 1 rows. The "dev" rows are also in the training set
    (data[0:]). softmax has no max shift: it overflows on large logits (NaN).

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail nonfinite
    one_hot: fail shape_mismatch
    forward: pass
    dW1: pass
    db1: fail shape_mismatch
    dW2: pass
    db2: fail shape_mismatch
    update: pass
    predict: pass
    accuracy: pass
    train: fail
"""

# Kaggle's docker image ships numpy, pandas and matplotlib
import os

import numpy as np  # linear algebra
import pandas as pd  # CSV I/O
import matplotlib.pyplot as plt

data = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")

data.head()

data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:] / 255

data_train = data[0:].T
Y_train = data_train[0]
X_train = data_train[1:] / 255


def init_params():
    # 40 hidden units; weights and biases uniform in [-0.5, 0.5)
    W1 = np.random.rand(40, 784) - 0.5
    b1 = np.random.rand(40, 1) - 0.5
    W2 = np.random.rand(10, 40) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, W2, b1, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(z):
    powers = np.exp(z)
    return powers / sum(powers)


def forward_prop(W1, W2, b1, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, Z2, A1, A2


def deriv_ReLU(X):
    return X > 0


def one_hot(Y):
    targets = np.zeros((Y.size, Y.max() + 1))
    targets[np.arange(Y.size), Y] = 1
    return targets.T


def backward_prop(Z1, Z2, A1, A2, W1, W2, X, Y):
    one_hot_Y = one_hot(Y)
    m = X.shape[1]
    dZ2 = A2 - one_hot_Y
    dW2 = (1 / m) * dZ2.dot(A1.T)
    db2 = (1 / m) * np.sum(dZ2)

    dZ1 = W2.T.dot(dZ2) * deriv_ReLU(Z1)
    dW1 = (1 / m) * dZ1.dot(X.T)
    db1 = (1 / m) * np.sum(dZ1)

    return dW1, dW2, db1, db2


def update_params(dW1, dW2, db1, db2, W1, W2, b1, b2, lr):
    W1 = W1 - lr * dW1
    W2 = W2 - lr * dW2
    b1 = b1 - lr * db1
    b2 = b2 - lr * db2
    return W1, W2, b1, b2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    print(predictions, Y)
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, lr, epochs):
    W1, W2, b1, b2 = init_params()

    for i in range(epochs):
        Z1, Z2, A1, A2 = forward_prop(W1, W2, b1, b2, X)
        dW1, dW2, db1, db2 = backward_prop(Z1, Z2, A1, A2, W1, W2, X, Y)
        W1, W2, b1, b2 = update_params(dW1, dW2, db1, db2, W1, W2, b1, b2, lr)

        if i % 50 == 0:
            print("======Iteration :", i, "======= \n")
            print(get_accuracy(get_predictions(A2), Y))
    return W1, W2, b1, b2


W1, W2, b1, b2 = gradient_descent(X_train, Y_train, 0.1, 1500)
