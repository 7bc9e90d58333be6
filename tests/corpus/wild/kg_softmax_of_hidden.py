"""Rewrite of github.com/LinuxDinoGitHub/MLNeuralNetworkNumber, main.py (the version with back_prop; no update or training loop yet).

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2; ReLU(Z); softMax(Z); forward(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2;
    one_hot(Y) -> (Y.max() + 1, m); deriv_ReLU(Z); back_prop(Z1, A1, Z2, A2, W2, X, Y) -> dW1, db1, dW2, db2
Known bugs: softMax divides by the sum over the whole matrix (np.sum without axis), so only a
    single column sums to 1; forward applies softMax to A1 (the hidden activations) instead of Z2,
    so Z2 is computed and thrown away; back_prop sums the bias gradients over axis 2 of a 2-D array
    (np.sum(dZ2, 2)): AxisError on every call, so it never returns; one_hot has Y.max() + 1 rows.
    The top-level split swaps the label row and the pixel rows (X_train = data_train[0]) and never
    scales the pixels. init_params draws randn - 0.5 (mean -0.5, std 1): large, but usable random
    weights, not counted as a bug.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail
    one_hot: fail shape_mismatch
    forward: fail
    dW1: fail exception
    db1: fail exception
    dW2: fail exception
    db2: fail exception
"""

import numpy as np
import pandas as pd

data = pd.read_csv("./mnist_train.csv/mnist_train.csv")

data.head()
data = np.array(data)

m, n = data.shape  # rows are images, columns the label plus 784 pixels
np.random.shuffle(data)

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n]

data_train = data[1000:m].T
X_train = data_train[0]
Y_train = data_train[1:n]

print(X_train[0].shape)


def init_params():
    W1 = np.random.randn(10, 784) - 0.5
    b1 = np.random.randn(10, 1) - 0.5
    W2 = np.random.randn(10, 10) - 0.5
    b2 = np.random.randn(10, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(0, Z)


def softMax(Z):
    return np.exp(Z) / np.sum(np.exp(Z))


def forward(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softMax(A1)
    return Z1, A1, Z2, A2


def one_hot(Y):
    coded = np.zeros((Y.size, Y.max() + 1))
    coded[np.arange(Y.size), Y] = 1
    return coded.T


def deriv_ReLU(Z):
    return Z > 0


def back_prop(Z1, A1, Z2, A2, W2, X, Y):
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, 2)
    dZ1 = W2.T.dot(dZ2) * deriv_ReLU(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, 2)
    return dW1, db1, dW2, db2
