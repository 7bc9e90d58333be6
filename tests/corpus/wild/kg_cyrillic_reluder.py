"""Rewrite of github.com/UFOjw/Pet-projects, Digit-classifier/model.py (the training lines of train_and_eval.py added under a main guard).

Style: misspelled
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2; forward(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2; ReLU(Z); softmax(Z);
    backward(Z1, A1, Z2, A2, W1, W2, X, Y) -> dW1, db1, dW2, db2; ReLUВDer(Z) (a Cyrillic "В" in the name);
    actual(Y) -> one-hot (Y.max() + 1, m); update(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate);
    get_accuracy(predictions, Y); gradient_descent(X, Y, learning_rate, iterations) -> W1, b1, W2, b2
Known bugs: the relu derivative is defined as `ReLUВDer` (Cyrillic "В") but backward calls `ReLUDer`:
    every call of backward raises NameError, so no gradient is ever returned and training cannot run.
    Behind it: backward divides by the constant 60000 (MNIST's training-set size) instead of the batch
    size, and sums db1 and db2 over the whole matrix (scalars); actual() has Y.max() + 1 rows.
    ReLUВDer itself is a correct relu derivative. softmax has no max shift: it overflows on large logits (NaN).

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail nonfinite
    one_hot: fail shape_mismatch
    forward: pass
    dW1: fail exception
    db1: fail exception
    dW2: fail exception
    db2: fail exception
    update: pass
    accuracy: pass
    train: fail exception
"""

import numpy as np


def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def forward(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    exps = np.exp(Z)
    return exps / sum(exps)


def backward(Z1, A1, Z2, A2, W1, W2, X, Y):
    actualY = actual(Y)
    dZ2 = A2 - actualY
    dW2 = 1 / 60000 * dZ2.dot(A1.T)
    db2 = 1 / 60000 * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * ReLUDer(Z1)  # noqa: F821 (the definition below is spelled with a Cyrillic letter)
    dW1 = 1 / 60000 * dZ1.dot(X.T)
    db1 = 1 / 60000 * np.sum(dZ1)
    return dW1, db1, dW2, db2


def ReLUВDer(Z):
    return Z > 0


def actual(Y):
    # labels down the rows, one column per example
    actualY = np.zeros((Y.max() + 1, Y.size))
    actualY[Y, np.arange(Y.size)] = 1
    return actualY


def update(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    return W1, b1, W2, b2


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, learning_rate, iterations):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
        if i % 25 == 0:
            print("Iteration: ", i)
            pred = np.argmax(A2, 0)
            print(get_accuracy(pred, Y))
    return W1, b1, W2, b2


if __name__ == "__main__":
    from keras.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = np.reshape(x_train, (60000, 784)).T / 255
    x_test = np.reshape(x_test, (10000, 784)).T / 255

    W1, b1, W2, b2 = gradient_descent(x_train, y_train, 0.10, 500)
    _, _, _, A2_test = forward(W1, b1, W2, b2, x_test)
    print(get_accuracy(np.argmax(A2_test, 0), y_test))
