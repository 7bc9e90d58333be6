"""Rewrite of github.com/robertColt/MNIST-Neural-Network-from-scratch, network.py, functions.py and trainer.py.

Style: class
Layout: column
Network: variant: sigmoid hidden layer, updates with momentum (beta 0.9)
API: functions sigmoid(z), softmax(z) (column-wise, no max-shift), loss_cross_entropy(Y, y_actual,
    examples); class NNOneHidden(hidden_layers=1) keeping lists self.W, self.b, self.Z, self.A,
    self.dW, self.db, self.V_dW, self.V_db (index 0 = hidden layer, 1 = output layer) and the data
    in self.X / self.y; the core methods take no data: feed_forward() reads self.X and fills
    self.Z / self.A, back_propagation(batch_size) reads self.A, self.y, self.X and fills self.dW /
    self.db, update(learning_rate, beta=0.9) applies momentum; init_weights(hidden_units,
    input_size, classes); classify(X) sets self.X and returns the output probabilities; fit(W, b)
    only sets the weights (it does not train); train(X, y, epochs, classes, learning_rate=1,
    hidden_units=64) and mini_batch_train(X, y, epochs, classes, batch_size, learning_rate=1,
    hidden_units=64), both with y one-hot columns, return (W, b, train_history).
Known bugs: mini_batch_train overwrites self.X / self.y with the current slice, so the next
    batch is sliced out of the previous batch (after the first batch every batch is empty and
    only the momentum keeps moving the weights); it also stops one sample short
    (min(first + batch_size, train_examples - 1)). train (full batch) is fine.

Expected:
    init: pass
    softmax: fail nonfinite
    forward: unchecked
    loss: pass
    dW1: unchecked
    db1: unchecked
    dW2: pass
    db2: pass
    update: unchecked
    train: fail
"""

import argparse

import matplotlib.pyplot as plot
import numpy as np
import utils


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    return np.exp(z) / np.sum(np.exp(z), axis=0)


def loss_cross_entropy(Y, y_actual, examples):
    return -(1. / examples) * np.sum(np.multiply(Y, np.log(y_actual)))


class NNOneHidden():
    def __init__(self, hidden_layers=1):
        n = hidden_layers + 1
        self.W, self.b = [None] * n, [None] * n
        self.Z, self.A = [None] * n, [None] * n
        self.dW, self.db = [None] * n, [None] * n
        self.V_dW, self.V_db = [None] * n, [None] * n  # running averages for momentum
        self.X = None
        self.y = None
        self.train_history = []

    def classify(self, X):
        self.X = X
        self.feed_forward()
        return self.A[1]

    def fit(self, W, b):
        self.W = W
        self.b = b

    def train(self, X, y, epochs, classes, learning_rate=1, hidden_units=64):
        self.X, self.y = X, y
        n_examples = X.shape[1]
        self.init_weights(hidden_units=hidden_units, input_size=X.shape[0], classes=classes)
        for epoch in range(epochs):
            self.feed_forward()
            self.back_propagation(batch_size=n_examples)
            self.update(learning_rate=learning_rate, beta=0.9)
            self.X = X
            cost = loss_cross_entropy(y, self.A[1], n_examples)
            self.train_history.append(cost)
            print("epoch {}: cost {}".format(epoch, cost))
        return self.W, self.b, self.train_history

    def mini_batch_train(self, X, y, epochs, classes, batch_size, learning_rate=1, hidden_units=64):
        self.X, self.y = X, y
        n_examples = X.shape[1]
        batches = -(-n_examples // batch_size)
        self.init_weights(hidden_units=hidden_units, input_size=X.shape[0], classes=classes)
        for epoch in range(epochs):
            order = np.random.permutation(n_examples)
            self.X = X[:, order]
            self.y = y[:, order]
            for batch in range(batches):
                first = batch * batch_size
                last = min(first + batch_size, n_examples - 1)
                this_size = last - first
                # the slice replaces self.X / self.y: the next batch is cut from this one
                self.X = self.X[:, first:last]
                self.y = self.y[:, first:last]
                self.feed_forward()
                self.back_propagation(batch_size=this_size)
                self.update(learning_rate=learning_rate, beta=0.9)
            self.X = X
            self.feed_forward()
            cost = loss_cross_entropy(y, self.A[1], n_examples)
            self.train_history.append(cost)
            print("epoch {}: cost {}".format(epoch, cost))
        return self.W, self.b, self.train_history

    def init_weights(self, hidden_units, input_size, classes):
        self.W[0] = np.random.randn(hidden_units, input_size) * np.sqrt(1. / input_size)
        self.b[0] = np.zeros((hidden_units, 1))
        self.W[1] = np.random.randn(classes, hidden_units) * np.sqrt(1. / hidden_units)
        self.b[1] = np.zeros((classes, 1))
        for i in range(2):
            self.V_dW[i] = np.zeros(self.W[i].shape)
            self.V_db[i] = np.zeros(self.b[i].shape)

    def feed_forward(self):
        self.Z[0] = self.W[0] @ self.X + self.b[0]
        self.A[0] = sigmoid(self.Z[0])
        self.Z[1] = self.W[1] @ self.A[0] + self.b[1]
        self.A[1] = softmax(self.Z[1])

    def back_propagation(self, batch_size):
        dZ2 = self.A[1] - self.y
        self.dW[1] = (1. / batch_size) * dZ2 @ self.A[0].T
        self.db[1] = (1. / batch_size) * np.sum(dZ2, axis=1, keepdims=True)
        s = sigmoid(self.Z[0])
        dZ1 = (self.W[1].T @ dZ2) * s * (1 - s)
        self.dW[0] = (1. / batch_size) * dZ1 @ self.X.T
        self.db[0] = (1. / batch_size) * np.sum(dZ1, axis=1, keepdims=True)

    def update(self, learning_rate, beta=0.9):
        for i in range(2):
            self.V_dW[i] = beta * self.V_dW[i] + (1. - beta) * self.dW[i]
            self.V_db[i] = beta * self.V_db[i] + (1. - beta) * self.db[i]
        self.W[1] = self.W[1] - learning_rate * self.V_dW[1]
        self.b[1] = self.b[1] - learning_rate * self.V_db[1]
        self.W[0] = self.W[0] - learning_rate * self.V_dW[0]
        self.b[0] = self.b[0] - learning_rate * self.V_db[0]


argParser = argparse.ArgumentParser()
argParser.add_argument("-d", "--train_data", required=True)
argParser.add_argument("-s", "--save", required=True)
argParser.add_argument("-b", "--batch", required=True)
args = vars(argParser.parse_args())
X_train, y_train = utils.loadDataFromFile(args["train_data"])
nnet = NNOneHidden()
epochs = 2500
if args["batch"] == "true":
    W, b, history = nnet.mini_batch_train(X_train, y_train, epochs=epochs, classes=10, batch_size=256,
                                          learning_rate=4, hidden_units=50)
else:
    W, b, history = nnet.train(X_train, y_train, epochs=epochs, classes=10, learning_rate=4, hidden_units=50)
utils.saveToFile(args["save"], (W, b))
plot.figure()
plot.plot(range(epochs), history)
plot.title("Training loss")
plot.savefig("{}_history.png".format(args["save"]))
