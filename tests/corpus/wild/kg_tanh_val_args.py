"""Rewrite of github.com/jaydennair/mnist-nn-from-scratch, mnist_classifier_numpy.py.

Style: variant
Layout: column
Network: variant: tanh hidden layer (784 -> tanh 10 -> softmax 10)
API: initialise_parameters() -> W1, B1, W2, B2; softmax(z); tanh(x); tanh_derivative(x);
    forward_pass(W1, B1, W2, B2, X) -> Z1, A1, Z2, A2;
    backward_pass(W1, B1, W2, B2, Z1, A1, Z2, A2, X, Y) -> dW1, dB1, dW2, dB2 (Y one-hot columns);
    update_parameters(W1, B1, W2, B2, dW1, dB1, dW2, dB2, learning_rate) -> W1, B1, W2, B2;
    one_hot_converter(y_train, y_val) -> (one-hot of y_train, one-hot of y_val), 10 rows each;
    gradient_descent(X, Y, learning_rate, iterations, x_val=None, y_val=None, log_interval=50)
    -> W1, B1, W2, B2, val_acc_history; predict(X, W1, B1, W2, B2); accuracy(predictions, y_val)
Known bugs: none in the arithmetic. The validation-logging block in gradient_descent sits after the
    loop instead of inside it, so at most one (final) accuracy is logged. forward, dW1, db1, predict
    and train follow the tanh network (right for it, unchecked here); dW2 and db2 do not depend on the
    hidden activation (they use the A1 they are given).

Expected:
    init: pass
    softmax: pass
    one_hot: pass
    forward: unchecked
    dW1: unchecked
    db1: unchecked
    dW2: pass
    db2: pass
    update: pass
    predict: unchecked
    accuracy: pass
    train: unchecked
"""

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

data = pd.read_csv("train.csv")
data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

# 80% to train on, 20% held out
train_data = data[0 : int(0.8 * m), :]
val_data = data[int(0.8 * m) : m, :]

x_train = train_data[:, 1:].T / 255.0
y_train = train_data[:, 0]
x_val = val_data[:, 1:].T / 255.0
y_val = val_data[:, 0]



def softmax(z):
    # column-wise, shifted by each column's largest logit
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def tanh(x):
    return np.tanh(x)


def initialise_parameters():
    W1 = np.random.rand(10, 784) - 0.5
    B1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    B2 = np.random.rand(10, 1) - 0.5
    return W1, B1, W2, B2


def forward_pass(W1, B1, W2, B2, X):
    Z1 = W1 @ X + B1
    A1 = tanh(Z1)
    Z2 = W2 @ A1 + B2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def tanh_derivative(x):
    return 1 - np.tanh(x) ** 2


def backward_pass(W1, B1, W2, B2, Z1, A1, Z2, A2, X, Y):
    m = X.shape[1]
    slope = tanh_derivative(Z1)
    dZ2 = A2 - Y
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * slope
    dW1 = (1 / m) * dZ1 @ X.T
    dB1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    dW2 = (1 / m) * (dZ2 @ A1.T)
    dB2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    return dW1, dB1, dW2, dB2


def update_parameters(W1, B1, W2, B2, dW1, dB1, dW2, dB2, learning_rate):
    W1 = W1 - learning_rate * dW1
    B1 = B1 - learning_rate * dB1
    W2 = W2 - learning_rate * dW2
    B2 = B2 - learning_rate * dB2
    return W1, B1, W2, B2


def one_hot_converter(y_train, y_val):
    # both label sets at once, one column per example, 10 rows
    one_hot_y_val = np.zeros((10, len(y_val)))
    one_hot_y_train = np.zeros((10, len(y_train)))
    for i in range(len(y_train)):
        one_hot_y_train[y_train[i], i] = 1
    for i in range(len(y_val)):
        one_hot_y_val[y_val[i], i] = 1
    return one_hot_y_train, one_hot_y_val


def gradient_descent(X, Y, learning_rate, iterations, x_val=None, y_val=None, log_interval=50):
    W1, B1, W2, B2 = initialise_parameters()
    val_acc_history = []
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_pass(W1, B1, W2, B2, X)
        dW1, dB1, dW2, dB2 = backward_pass(W1, B1, W2, B2, Z1, A1, Z2, A2, X, Y)
        W1, B1, W2, B2 = update_parameters(W1, B1, W2, B2, dW1, dB1, dW2, dB2, learning_rate)

    if x_val is not None and y_val is not None and i % log_interval == 0:
        val_preds = predict(x_val, W1, B1, W2, B2)
        acc = accuracy(val_preds, y_val)
        val_acc_history.append((i, acc))
        print(f"Iteration {i}: Validation Accuracy = {acc * 100:.2f}%")

    return W1, B1, W2, B2, val_acc_history


def predict(X, W1, B1, W2, B2):
    _, _, _, A2 = forward_pass(W1, B1, W2, B2, X)
    return np.argmax(A2, axis=0)


def accuracy(predictions, y_val):
    return np.sum(predictions == y_val) / len(y_val)


def main():
    learning_rate = 0.1
    iterations = 3000
    log_interval = 50

    print(f"Using learning rate = {learning_rate}, iterations = {iterations}")
    one_hot_y_train, one_hot_y_val = one_hot_converter(y_train, y_val)

    W1, B1, W2, B2, acc_history = gradient_descent(
        x_train, one_hot_y_train, learning_rate=learning_rate, iterations=iterations,
        x_val=x_val, y_val=y_val, log_interval=log_interval,
    )

    val_predictions = predict(x_val, W1, B1, W2, B2)
    print(f"Validation Accuracy: {accuracy(val_predictions, y_val) * 100:.2f}%")

    if acc_history:
        iters, accs = zip(*acc_history)
        plt.plot(iters, [a * 100 for a in accs])
        plt.ylabel("Validation Accuracy (%)")
        plt.show()


if __name__ == "__main__":
    main()
