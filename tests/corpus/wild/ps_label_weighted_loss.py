"""Rewrite of github.com/goncalo-aroeira/ap-hw1, hw1-q1.py (with softmax, configure_seed and load_oct_data of utils.py folded in; the torch Dataset class of utils.py and the Perceptron / LogisticRegression classes of hw1-q1.py are left out).

Style: per_sample
Layout: hybrid
Network: classic
API: IST Deep Learning homework 1 (OCTMNIST, 784 features; n_classes = np.unique(train_y).size).
    softmax(z) on COLUMNS (k, n), shifted by the max of the whole matrix. MLP(n_classes,
    n_features, hidden_size, n_layers=1): lists self.W = [W1 (h, n_features), W2 (k, h)] ~
    N(0.1, 0.1**2), self.b = [b1 (h, 1), b2 (k, 1)] zeros; relu(x); relu_prime(x); output(h) ->
    argmax over axis 0; predict(X) takes ROWS, works on X.T; evaluate(X, y) -> accuracy;
    forward(x) takes ONE flat sample (784,) -> (probabilities (k, 1), hiddens [x, relu(z1)],
    g_primes [relu'(z1)]); backward(x, y, grad_z_l, hiddens, g_primes, learning_rate) gets
    p - onehot and applies the SGD step itself; compute_loss(output, y, X);
    train_epoch(X, y, learning_rate=0.001): per-sample SGD, returns [total_loss].
Known bugs: compute_loss multiplies the log-probabilities by the integer LABEL instead of a
    one-hot vector (-sum(y * log(p)) / len(X) is y_i times the sum of all log-probabilities, 0 for
    class 0): every reported loss is wrong. Training does not use it (train_epoch turns p into
    p - onehot in place, grad_z_l[y_i] -= 1) and its steps are right. softmax shifts by one max for
    the whole matrix, not per column: a column 900 below the max underflows to 0 / 0 = NaN. The two
    plot functions are merged here.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: fail nonfinite
    forward: pass
    loss: fail mismatch
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    predict: pass
    accuracy: pass
    train: pass
"""

import argparse
import os
import random

import numpy as np
import matplotlib.pyplot as plt


def configure_seed(seed):
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)


def load_oct_data(bias=False, root="."):
    data = np.load(os.path.join(root, "octmnist.npz"))
    split = {}
    for name, key in (("train", "train"), ("dev", "val"), ("test", "test")):
        X = data[key + "_images"].reshape([data[key + "_images"].shape[0], -1]) / 256
        if bias:
            X = np.hstack((X, np.ones((X.shape[0], 1))))
        split[name] = (X, np.asarray(data[key + "_labels"]).squeeze())
    return split


def softmax(z):
    tmp = z - np.max(z)
    return np.exp(tmp) / np.sum(np.exp(tmp), axis=0)


class MLP(object):
    def __init__(self, n_classes, n_features, hidden_size, n_layers=1):
        self.n_layers = n_layers
        self.W = [np.random.normal(loc=0.1, scale=0.1, size=(hidden_size, n_features)),
                  np.random.normal(loc=0.1, scale=0.1, size=(n_classes, hidden_size))]
        self.b = [np.zeros((hidden_size, 1)), np.zeros((n_classes, 1))]
        self.hidden_size, self.n_classes, self.n_features = hidden_size, n_classes, n_features

    def relu(self, x):
        res = np.array(x, copy=True)
        res[res < 0] = 0  # negatives to zero
        return res

    def relu_prime(self, x):
        res = np.array(x, copy=True)
        res[res < 0] = 0
        res[res > 0] = 1
        return res

    def output(self, h):  # (n_class x n_points) -> best label per point
        return np.argmax(h, axis=0)

    def predict(self, X):
        h = X.T
        for i in range(self.n_layers):
            h = self.relu(np.dot(self.W[i], h) + self.b[i])
        return self.output(np.dot(self.W[-1], h) + self.b[-1])

    def evaluate(self, X, y):
        return (y == self.predict(X)).sum() / y.shape[0]

    def train_epoch(self, X, y, learning_rate=0.001):
        total_loss = 0
        for (x_i, y_i) in zip(X, y):
            grad_z_l, hidden, g_primes = self.forward(x_i)
            total_loss += self.compute_loss(grad_z_l, y_i, X)
            grad_z_l[y_i] -= 1
            self.backward(x_i, y_i, grad_z_l, hidden, g_primes, learning_rate)
        print("len X", len(X))
        return [total_loss]

    def forward(self, x):
        h = x.reshape((len(x), 1))
        hiddens, g_primes = [h], []
        for i in range(self.n_layers):
            z = self.W[i].dot(h) + self.b[i]
            h = self.relu(z)
            hiddens.append(h)
            g_primes.append(self.relu_prime(z))
        return softmax(np.dot(self.W[-1], h) + self.b[-1]), hiddens, g_primes

    def backward(self, x, y, grad_z_l, hiddens, g_primes, learning_rate):
        for l in range(self.n_layers, -1, -1):
            grad_W_l = np.dot(grad_z_l, hiddens[l].T)
            grad_b_l = grad_z_l
            if l > 0:
                grad_h_l = np.dot(self.W[l].T, grad_z_l)
                grad_z_l = grad_h_l * g_primes[l - 1]
            self.W[l] -= learning_rate * grad_W_l
            self.b[l] -= learning_rate * grad_b_l

    def compute_loss(self, output, y, X):
        return -np.sum(y * np.log(output + 1e-10)) / len(X)


def plot(epochs, values, ylabel, path):
    plt.xlabel('Epoch')
    plt.ylabel(ylabel)
    plt.plot(epochs, values, label='train')
    plt.legend()
    plt.show()
    plt.savefig(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', choices=['perceptron', 'logistic_regression', 'mlp'])
    for flag, kind, default in (('-epochs', int, 20), ('-hidden_size', int, 200), ('-learning_rate', float, 0.001)):
        parser.add_argument(flag, type=kind, default=default)
    opt = parser.parse_args()

    configure_seed(seed=42)
    data = load_oct_data(bias=opt.model != "mlp")
    (train_X, train_y), (dev_X, dev_y), (test_X, test_y) = data["train"], data["dev"], data["test"]
    model = MLP(np.unique(train_y).size, train_X.shape[1], opt.hidden_size)

    epochs, train_loss, valid_accs, train_accs = np.arange(1, opt.epochs + 1), [], [], []
    for i in epochs:
        print('Training epoch {}'.format(i))
        order = np.random.permutation(train_X.shape[0])
        train_X, train_y = train_X[order], train_y[order]
        loss = model.train_epoch(train_X, train_y, learning_rate=opt.learning_rate)
        train_accs.append(model.evaluate(train_X, train_y))
        valid_accs.append(model.evaluate(dev_X, dev_y))
        print('loss: {:.4f} | train acc: {:.4f} | val acc: {:.4f}'.format(loss[-1], train_accs[-1], valid_accs[-1]))
        train_loss.append(loss)
    print('Final test acc: {:.4f}'.format(model.evaluate(test_X, test_y)))
    plot(epochs, train_accs, 'Accuracy', 'images/q1_2b_accs.png')
    plot(epochs, train_loss, 'Loss', 'images/q1_2b_loss.png')


if __name__ == '__main__':
    main()
