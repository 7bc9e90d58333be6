"""Rewrite of github.com/Francis2002/DeepLearning_HW1, hw1-q1.py.

Style: per_sample
Layout: hybrid
Network: classic
API: IST Deep Learning homework 1 skeleton (the data are OCTMNIST: 28x28 = 784 features, read by
    utils.load_oct_data; the model is built for n_classes = np.unique(train_y).size).
    MLP(n_classes, n_features, hidden_size): W1 (h, n_features), b1 (h, 1), W2 (k, h), b2 (k, 1);
    forward_prop(X) takes COLUMNS X (n_features, m) -> Z1, A1, Z2, A2; softmax(Z) column-wise;
    one_hot(Y) -> (k, m), or (k, 1) for a scalar label; derivative_ReLu(Z) -> bool mask;
    back_prop(Z1, A1, A2, W2, X, Y) -> dW1, db1, dW2, db2 (no 1/m: it is only ever called on one
    sample); predict(X) and evaluate(X, y) take ROWS (n_examples, n_features) and transpose;
    train_epoch(X, y, learning_rate=0.001) is per-sample SGD: each row becomes a (784, 1) column,
    forward_prop, back_prop, step; it returns the mean cross-entropy over X after the epoch.
    The file's LinearModel / Perceptron / LogisticRegression classes (the other questions of the
    homework, selected by main()'s model argument) are left out here.
Known bugs: back_prop sums db2 and db1 over every entry (np.sum(dZ2), np.sum(dZ1), no axis): the
    bias gradients are scalars, so every bias of a layer gets the same step and train_epoch
    trains wrong. Not counted as bugs: weights and biases are drawn from N(0.1, 0.01**2) (the
    comment says N(0.1, 0.1**2); std 0.01 instead of 0.1, random biases), and the dW's are sums over
    the batch, which is the gradient for the single sample back_prop is always given.

Expected:
    init: pass
    relu_grad: pass
    softmax: pass
    one_hot: pass
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

import argparse

import numpy as np
import matplotlib.pyplot as plt

import utils


class MLP(object):
    def __init__(self, n_classes, n_features, hidden_size):
        self.W1 = np.random.normal(0.1, 0.1**2, (hidden_size, n_features))
        self.W2 = np.random.normal(0.1, 0.1**2, (n_classes, hidden_size))
        self.b1 = np.random.normal(0.1, 0.1**2, (hidden_size, 1))
        self.b2 = np.random.normal(0.1, 0.1**2, (n_classes, 1))

    def predict(self, X):
        _, _, _, A2 = self.forward_prop(X.T)
        return A2.argmax(axis=0)

    def softmax(self, Z):
        Z_ = Z - np.max(Z, axis=0)
        e_Z = np.exp(Z_)
        return e_Z / e_Z.sum(axis=0)

    def forward_prop(self, X):
        Z1 = self.W1.dot(X) + self.b1
        A1 = np.maximum(0, Z1)
        Z2 = self.W2.dot(A1) + self.b2
        A2 = self.softmax(Z2)
        return Z1, A1, Z2, A2

    def one_hot(self, Y):
        if Y.shape:
            one_hot_y = np.zeros((self.W2.shape[0], Y.shape[0]))
            for i in range(Y.shape[0]):
                one_hot_y[Y[i]][i] = 1
        else:
            one_hot_y = np.zeros((self.W2.shape[0], 1))
            one_hot_y[Y] = 1
        return one_hot_y

    def derivative_ReLu(self, Z):
        return Z > 0

    def back_prop(self, Z1, A1, A2, W2, X, Y):
        one_hot_y = self.one_hot(Y)
        dZ2 = A2 - one_hot_y
        dW2 = dZ2.dot(A1.T)
        db2 = np.sum(dZ2)
        dZ1 = W2.T.dot(dZ2) * self.derivative_ReLu(Z1)
        dW1 = dZ1.dot(X.T)
        db1 = np.sum(dZ1)
        return dW1, db1, dW2, db2

    def evaluate(self, X, y):
        y_hat = self.predict(X)
        return (y == y_hat).sum() / y.shape[0]

    def train_epoch(self, X, y, learning_rate=0.001):
        index = 0
        for x_i, y_i in zip(X, y):
            x_i = np.expand_dims(x_i, axis=1)  # (n_features, 1)
            Z1, A1, Z2, A2 = self.forward_prop(x_i)
            dW1, db1, dW2, db2 = self.back_prop(Z1, A1, A2, self.W2, x_i, y_i)

            self.W1 -= learning_rate * dW1
            self.W2 -= learning_rate * dW2
            self.b1 -= learning_rate * db1
            self.b2 -= learning_rate * db2

            if index % 5000 == 0:
                print("Iteration: ", index)
                print("Accuracy: ", self.evaluate(X, y), "Probabilities: ", A2)
            index += 1

        _, _, _, A2 = self.forward_prop(X.T)
        one_hot_y = self.one_hot(y)
        return -np.sum(one_hot_y * np.log(A2)) / X.shape[0]


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
