"""Rewrite of github.com/pratyakshagarwal/Neural_Network, NN_from_scatch_mnsit_datasey/function.py (with data.py and train.py of the same folder folded in).

Style: kaggle
Layout: column
Network: classic
API: init_params() -> W1, b1, W2, b2; ReLU(Z); softmax(Z); forward(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2;
    ReLU_deriv(Z); onehot(Y) -> (Y.max() + 1, m); backward(Z1, A1, Z2, A2, W1, W2, X, Y) -> dW1, db1, dW2, db2;
    update_params(W1, B1, W2, B2, dW1, db1, dW2, db2, alpha) -> W1, B1, W2, B2; get_predictions(A2);
    get_accuracy(predictions, Y); gradient_descent(X, Y, alpha, iteration) -> W1, B1, W2, B2
Known bugs: gradient_descent calls forward(W1, B1, W2, B1, X): the hidden bias B1 is passed as the
    output bias, so B2 is updated but never used (it only runs because both layers have 10 units);
    backward sums db1 and db2 over the whole matrix (np.sum without axis): scalar bias gradients;
    onehot has Y.max() + 1 rows. softmax has no max shift: it overflows on large logits (NaN).

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

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

# ---- data.py ----
data = pd.read_csv(r"NN_from_scatch_mnsit_datasey\train.csv")

data = np.array(data)
m, n = data.shape
np.random.shuffle(data)  # mix the rows before cutting off a dev set

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n]
X_dev = X_dev / 255.0

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n]
X_train = X_train / 255.0
_, m_train = X_train.shape


# ---- function.py ----
def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(0, Z)


def softmax(Z):
    e = np.exp(Z)
    return e / sum(e)


def forward(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def ReLU_deriv(Z):
    return Z > 0


def onehot(Y):
    encoded = np.zeros((Y.size, Y.max() + 1))
    encoded[np.arange(Y.size), Y] = 1
    return encoded.T


def backward(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    onehot_y = onehot(Y)
    dZ2 = A2 - onehot_y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)
    return dW1, db1, dW2, db2


def update_params(W1, B1, W2, B2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    B1 = B1 - alpha * db1
    W2 = W2 - alpha * dW2
    B2 = B2 - alpha * db2
    return W1, B1, W2, B2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, alpha, iteration):
    W1, B1, W2, B2 = init_params()
    for i in range(iteration):
        Z1, A1, Z2, A2 = forward(W1, B1, W2, B1, X)
        dW1, db1, dW2, db2 = backward(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, B1, W2, B2 = update_params(W1, B1, W2, B2, dW1, db1, dW2, db2, alpha)
        accuracy = get_accuracy(get_predictions(A2), Y)
        if i % 10 == 0:
            print("i : {} accuracy {}".format(i, accuracy))
    return W1, B1, W2, B2


def make_predictions(X, W1, b1, W2, b2):
    _, _, _, A2 = forward(W1, b1, W2, b2, X)
    return get_predictions(A2)


def test_prediction(index, X, Y, W1, b1, W2, b2):
    current_image = X[:, index, None]
    prediction = make_predictions(X[:, index, None], W1, b1, W2, b2)
    print("Prediction: ", prediction)
    print("Label: ", Y[index])
    plt.gray()
    plt.imshow(current_image.reshape((28, 28)) * 255, interpolation="nearest")
    plt.show()


# ---- train.py ----
if __name__ == "__main__":
    W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.10, 500)
    for k in range(4):
        test_prediction(k, X_train, Y_train, W1, b1, W2, b2)
    dev_predictions = make_predictions(X_dev, W1, b1, W2, b2)
    get_accuracy(dev_predictions, Y_dev)
