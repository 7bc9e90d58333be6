"""Rewrite of github.com/claragrpereira/Medical-Image-Classification, hw1-q1.py.

Style: hybrid
Layout: hybrid
Network: classic
API: IST Deep Learning homework 1 (OCTMNIST, 784 features, read by utils.load_oct_data; the
    model is built for n_classes = np.unique(train_y).size). MLP(n_classes, n_features,
    hidden_size): W1 (h, n_features) and W2 (k, h) ~ N(0.1, 0.1**2), b1 (h, 1) and b2 (k, 1)
    zeros. Samples are ROWS but the weights are (out, in): forwardPropagation(X) with X
    (n_data, n_feat) computes z1 = (W1 @ X.T + b1).T and returns z1, h1, z2, scores, all
    (n_data, .) with a row-wise softmax written inline; predict(X) -> labels; evaluate(X, y) ->
    accuracy; train_epoch(X, y, learning_rate=0.001) is per-sample SGD (each row reshaped to
    (1, n_feat)), gradients and steps written inline, returning the summed cross-entropy of the
    whole set after the epoch. main() parses the command line and loads the data itself. The
    file's Perceptron / LogisticRegression classes (other questions, chosen by main()'s model
    argument) are left out here.
Known bugs: none found. The gradients (dz2 = scores - onehot, dW2 = dz2.T @ h1, db2 = dz2.T,
    dz1 = (W2.T @ dz2.T).T * heaviside(z1, 0), dW1 = dz1.T @ x, db1 = dz1.T) only exist inside
    train_epoch; on a one-sample epoch they are the parameter change divided by the learning rate.
    The epoch loss is a sum over the examples, not a mean (only printed and plotted). The softmax
    is inline in forwardPropagation (no function of its own).

Expected:
    init: pass
    forward: pass
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

import numpy as np
import matplotlib.pyplot as plt

import utils


class MLP(object):
    def __init__(self, n_classes, n_features, hidden_size):
        self.W1 = np.random.normal(0.1, 0.1, (hidden_size, n_features))
        self.b1 = np.zeros((hidden_size, 1))
        self.W2 = np.random.normal(0.1, 0.1, (n_classes, hidden_size))
        self.b2 = np.zeros((n_classes, 1))
        self.n_classes = n_classes

    def forwardPropagation(self, X):
        # X: (n_data, n_feat); the weights are stored (out, in), so go through X.T and back
        z1 = (np.dot(self.W1, X.T) + self.b1).T
        h1 = np.maximum(0, z1)
        z2 = (np.dot(self.W2, h1.T) + self.b2).T

        # softmax over each row, shifted by the row max
        exp = np.exp(z2.T - np.max(z2, axis=1).T).T
        Z = np.sum(exp, axis=1)
        scores = (exp.T / Z.T).T
        return z1, h1, z2, scores

    def predict(self, X):
        z1, h1, z2, scores = self.forwardPropagation(X)
        return scores.argmax(axis=1)

    def evaluate(self, X, y):
        """
        X (n_examples x n_features)
        y (n_examples): gold labels
        """
        y_hat = self.predict(X)
        return (y == y_hat).sum() / y.shape[0]

    def train_epoch(self, X, y, learning_rate=0.001):
        def crossEntropyLoss(score, oneHot):
            return -np.sum(np.multiply(np.log(score), oneHot))

        oneHot = np.zeros((y.size, self.n_classes))
        oneHot[np.arange(y.size), y] = 1

        for i in range(len(y)):
            x = X[i].reshape(1, len(X[i]))
            z1, h1, z2, scores = self.forwardPropagation(x)

            dz2 = scores - oneHot[i]
            dW2 = np.dot(dz2.T, h1)
            db2 = dz2.T

            dh1 = np.dot(self.W2.T, dz2.T).T
            dz1 = np.multiply(dh1, np.heaviside(z1, 0))
            dW1 = np.dot(dz1.T, x)
            db1 = dz1.T

            self.W2 -= learning_rate * dW2
            self.b2 -= learning_rate * db2
            self.W1 -= learning_rate * dW1
            self.b1 -= learning_rate * db1

        return crossEntropyLoss(self.forwardPropagation(X)[3], oneHot)


def plot(epochs, train_accs, val_accs):
    plt.xlabel('Epoch')
    plt.ylabel('Accuracy')
    plt.plot(epochs, train_accs, label='train')
    plt.plot(epochs, val_accs, label='validation')
    plt.legend()
    plt.show()


def plot_loss(epochs, loss):
    plt.xlabel('Epoch')
    plt.ylabel('Loss')
    plt.plot(epochs, loss, label='train')
    plt.legend()
    plt.show()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', choices=['perceptron', 'logistic_regression', 'mlp'])
    parser.add_argument('-epochs', default=20, type=int)
    parser.add_argument('-hidden_size', type=int, default=200)
    parser.add_argument('-learning_rate', type=float, default=0.001)
    opt = parser.parse_args()

    utils.configure_seed(seed=42)
    data = utils.load_oct_data(bias=opt.model != "mlp")
    train_X, train_y = data["train"]
    dev_X, dev_y = data["dev"]
    test_X, test_y = data["test"]
    n_classes = np.unique(train_y).size
    n_feats = train_X.shape[1]

    model = MLP(n_classes, n_feats, opt.hidden_size)
    epochs = np.arange(1, opt.epochs + 1)
    train_loss, valid_accs, train_accs = [], [], []
    for i in epochs:
        print('Training epoch {}'.format(i))
        order = np.random.permutation(train_X.shape[0])
        train_X, train_y = train_X[order], train_y[order]
        loss = model.train_epoch(train_X, train_y, learning_rate=opt.learning_rate)
        train_accs.append(model.evaluate(train_X, train_y))
        valid_accs.append(model.evaluate(dev_X, dev_y))
        print('loss: {:.4f} | train acc: {:.4f} | val acc: {:.4f}'.format(loss, train_accs[-1], valid_accs[-1]))
        train_loss.append(loss)
    print('Final test acc: {:.4f}'.format(model.evaluate(test_X, test_y)))

    plot(epochs, train_accs, valid_accs)
    plot_loss(epochs, train_loss)


if __name__ == '__main__':
    main()
