"""Rewrite of github.com/OmarAied/Neural_Network, main.py.

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2 (He init, zero biases); Relu(Z); softmax(Z);
    forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2; one_hot(Y) -> (Y.max() + 1, m); deriv_relu(Z);
    back_prop(Z1, A1, Z2, A2, W2, X, Y) -> dW1, db1, dW2, db2;
    update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate) -> W1, b1, W2, b2 (in place);
    get_predictions(A2); get_accuracy(predictions, Y); gradient_descent(X, Y, iterations, learning_rate)
Known bugs: softmax shifts the numerator by the column max but not the denominator
    (exp(Z - max) / sum(exp(Z))): each column is the true softmax times exp(-max), so the columns do
    not sum to 1 (and the denominator still overflows); forward_prop and training inherit it (argmax,
    hence accuracy, is unaffected). one_hot has Y.max() + 1 rows. update_params subtracts in place
    (W1 -= ...) and returns the same arrays: harmless here, not counted as a bug.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail
    one_hot: fail shape_mismatch
    forward: fail
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    predict: pass
    accuracy: pass
    train: fail
"""

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

# MNIST as CSV: the label, then 784 pixels per row
data = pd.read_csv("mnist_train.csv")
data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

# 1000 examples kept apart for development, the rest to train on (columns are examples)
data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n] / 255.0

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n] / 255.0


# He-scaled normal weights, biases start at zero
def init_params():
    W1 = np.random.randn(10, 784) * np.sqrt(2.0 / 784)
    b1 = np.zeros((10, 1))
    W2 = np.random.randn(10, 10) * np.sqrt(2.0 / 10)
    b2 = np.zeros((10, 1))
    return W1, b1, W2, b2


def Relu(Z):
    return np.maximum(0, Z)


def softmax(Z):
    shifted = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return shifted / np.sum(np.exp(Z), axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = Relu(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def one_hot(Y):
    encoded = np.zeros((Y.size, Y.max() + 1))
    encoded[np.arange(Y.size), Y] = 1
    return encoded.T


def deriv_relu(Z):
    return Z > 0


def back_prop(Z1, A1, Z2, A2, W2, X, Y):
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = (1 / Y.size) * dZ2.dot(A1.T)
    db2 = (1 / Y.size) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * deriv_relu(Z1)
    dW1 = (1 / Y.size) * dZ1.dot(X.T)
    db1 = (1 / Y.size) * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    W1 -= learning_rate * dW1
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, iterations, learning_rate):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = back_prop(Z1, A1, Z2, A2, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
        if i % 50 == 0:
            print("Iteration: ", i)
            print("Accuracy: ", get_accuracy(get_predictions(A2), Y))
    return W1, b1, W2, b2


print("Training the model...")
W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 500, 0.1)

print("Evaluating on development set...")
Z1_dev, A1_dev, Z2_dev, A2_dev = forward_prop(W1, b1, W2, b2, X_dev)
dev_accuracy = get_accuracy(get_predictions(A2_dev), Y_dev)
print("Development set accuracy: ", dev_accuracy)
