"""Rewrite of github.com/DeepMoonkiZz/Number-recognition, vanilla_code/build_weight_and_bias.py (with load_save_weight_and_bias.py, gradient_descent.py and main.py of vanilla_code/ folded in).

Style: kaggle
Layout: column
Network: classic
API: init_params(type='init') -> W1, b1, W2, b2 (any other type loads saved CSVs); load_params(); save_params(...);
    ReLU(Z); ReLU_derivative(Z); softmax(Z); one_hot(Y) -> (Y.max() + 1, m);
    forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2; backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y) -> dW1, db1, dW2, db2;
    update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha); gradient_descent(X, Y, alpha, iterations, type='init')
Known bugs: backward_prop sums db1 and db2 over the whole matrix (np.sum without axis): scalar bias
    gradients, which training then adds to every bias; one_hot has Y.max() + 1 rows. The batch size is
    read from A1's shape (right). softmax has no max shift: it overflows on large logits (NaN).

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
    train: fail
"""

import numpy as np
import pandas as pd

WEIGHTS_DIR = "/home/segal/Documents/Projets_perso/Number-recognition/weight_and_bias/"


# ---- load_save_weight_and_bias.py ----
def init_params(type="init"):
    if type == "init":
        W1 = np.random.rand(10, 784) - 0.5
        b1 = np.random.rand(10, 1) - 0.5
        W2 = np.random.rand(10, 10) - 0.5
        b2 = np.random.rand(10, 1) - 0.5
    else:
        # carry on from the weights saved by an earlier run
        W1, b1, W2, b2 = load_params()
    return W1, b1, W2, b2


def load_params():
    W1 = np.genfromtxt(WEIGHTS_DIR + "W1.csv", delimiter=",")
    b1 = np.genfromtxt(WEIGHTS_DIR + "b1.csv", delimiter=",")
    W2 = np.genfromtxt(WEIGHTS_DIR + "W2.csv", delimiter=",")
    b2 = np.genfromtxt(WEIGHTS_DIR + "b2.csv", delimiter=",")
    return W1, b1.reshape(-1, 1), W2, b2.reshape(-1, 1)


def save_params(W1, b1, W2, b2):
    for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        np.savetxt(WEIGHTS_DIR + name + ".csv", value, delimiter=",")


# ---- build_weight_and_bias.py ----
def ReLU(Z):
    return np.maximum(Z, 0)


def ReLU_derivative(Z):
    return Z > 0


def softmax(Z):
    return np.exp(Z) / sum(np.exp(Z))


def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, Y.max() + 1))
    one_hot_Y[np.arange(Y.size), Y] = 1
    return one_hot_Y.T


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    _, m = np.shape(A1)  # examples are the columns
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * ReLU_derivative(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


# ---- gradient_descent.py ----
def gradient_descent(X, Y, alpha, iterations, type="init"):
    W1, b1, W2, b2 = init_params(type)
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if int(i + 1) % 10 == 0 or i == 0:
            print("Iteration: ", i + 1)
    return W1, b1, W2, b2


# ---- main.py ----
data = pd.read_csv("/home/segal/Documents/Projets_perso/Number-recognition/dataset/train.csv")

data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n] / 255.0

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n] / 255.0
_, m_train = X_train.shape
