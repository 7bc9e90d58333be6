"""Rewrite of github.com/paradox048/MNIST-nn-from-scratch, nn.py.

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2; softmax(Z); forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2
    (the ReLU is written inline, no ReLU function); one_hot(Y) -> (Y.max() + 1, m); deriv_ReLU(Z);
    back_prop(Z1, A1, Z2, A2, W2, X, Y) -> dW1, db1, dW2, db2;
    update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha) -> W1, b1, W2, b2; get_predictions(A2);
    get_accuracy(predictions, Y); gradient_descent(X, Y, iterations, alpha) -> W1, b1, W2, b2;
    make_predictions(X, W1, b1, W2, b2); test_predictions(index, W1, b1, W2, b2); main()
Known bugs: back_prop sums db1 and db2 over the whole matrix (np.sum without axis): scalar bias
    gradients; one_hot has Y.max() + 1 rows. The batch size is taken from Y (right); the CSV's row
    count is named `row`, so no global m is involved. softmax has no max shift: it overflows on large logits (NaN).

Expected:
    init: pass
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

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt

data = pd.read_csv("train.csv")
data = np.array(data)
row, col = data.shape
np.random.shuffle(data)

# first 1000 examples for testing, labels in row 0 after the transpose
data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:col] / 255.0

data_train = data[1000:row].T
Y_train = data_train[0]
X_train = data_train[1:col] / 255.0
_, m_train = X_train.shape


def main():
    W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 1000, 0.1)
    for index in range(4):
        test_predictions(index, W1, b1, W2, b2)


def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def softmax(Z):
    return np.exp(Z) / sum(np.exp(Z))


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = np.maximum(Z1, 0)  # the ReLU, inline
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def one_hot(Y):
    # one row per class seen, then flipped so each example is a column
    table = np.zeros((Y.size, Y.max() + 1))
    table[np.arange(Y.size), Y] = 1
    return table.T


def deriv_ReLU(Z):
    return Z > 0


def back_prop(Z1, A1, Z2, A2, W2, X, Y):
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)

    dZ1 = W2.T.dot(dZ2) * deriv_ReLU(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)

    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    print(predictions, Y)
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, iterations, alpha):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = back_prop(Z1, A1, Z2, A2, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 100 == 0:
            print("Iteration: ", i)
            print(get_accuracy(get_predictions(A2), Y))
    return W1, b1, W2, b2


def make_predictions(X, W1, b1, W2, b2):
    _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
    return get_predictions(A2)


def test_predictions(index, W1, b1, W2, b2):
    current_image = X_train[:, index, None]
    prediction = make_predictions(X_train[:, index, None], W1, b1, W2, b2)
    print("Prediction: ", prediction)
    print("Label: ", Y_train[index])

    plt.gray()
    plt.imshow(current_image.reshape((28, 28)) * 255, interpolation="nearest")
    plt.show()


if __name__ == "__main__":
    main()
