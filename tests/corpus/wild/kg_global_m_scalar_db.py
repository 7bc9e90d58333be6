"""Rewrite of github.com/Code4Wyatt/NeuralNetwork, neuralnetwork.py.

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2; ReLU(Z); softmax(Z); forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2;
    ReLU_deriv(Z); one_hot(Y) -> (Y.max() + 1, m); backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y) -> dW1, db1, dW2, db2;
    update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha) -> W1, b1, W2, b2; get_predictions(A2);
    get_accuracy(predictions, Y); gradient_descent(X, Y, alpha, iterations) -> W1, b1, W2, b2
Known bugs: backward_prop divides by the module-level m (`m, n = data.shape`, the whole CSV's row count,
    not the batch size) and sums db1 and db2 over the whole matrix (np.sum without axis): scalar bias
    gradients; one_hot has Y.max() + 1 rows, so a batch without a 9 loses rows. The dev set is never
    divided by 255. softmax has no max shift: it overflows for logits above ~709 (NaN).

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail nonfinite
    one_hot: fail shape_mismatch
    forward: pass
    dW1: fail depends_on_global_state
    db1: fail
    dW2: fail depends_on_global_state
    db2: fail
    update: pass
    predict: pass
    accuracy: pass
    train: fail
"""

import os

import numpy as np  # linear algebra
import pandas as pd  # CSV reading
from matplotlib import pyplot as plt

# list what the Kaggle input folder holds
for dirname, _, filenames in os.walk("/kaggle/input"):
    for filename in filenames:
        print(os.path.join(dirname, filename))

data = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")

data.head()

data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

# first 1000 rows held out, one example per column
data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n]

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n]
X_train = X_train / 255.0
_, m_train = X_train.shape

Y_train


def init_params():
    # every weight and bias drawn from [-0.5, 0.5)
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    expZ = np.exp(Z)
    return expZ / sum(expZ)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def ReLU_deriv(Z):
    # slope 1 on the positive side, 0 elsewhere
    return Z > 0


def one_hot(Y):
    table = np.zeros((Y.size, Y.max() + 1))
    table[np.arange(Y.size), Y] = 1
    return table.T


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    one_hot_Y = one_hot(Y)
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


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    print(predictions, Y)
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, alpha, iterations):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration: ", i)
            predictions = get_predictions(A2)
            print(get_accuracy(predictions, Y))
    return W1, b1, W2, b2


W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.10, 500)


def make_predictions(X, W1, b1, W2, b2):
    _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
    return get_predictions(A2)


def test_prediction(index, W1, b1, W2, b2):
    current_image = X_train[:, index, None]
    prediction = make_predictions(X_train[:, index, None], W1, b1, W2, b2)
    print("Prediction: ", prediction)
    print("Label: ", Y_train[index])

    plt.gray()
    plt.imshow(current_image.reshape((28, 28)) * 255, interpolation="nearest")
    plt.show()
