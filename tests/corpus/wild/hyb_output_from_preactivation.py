"""Rewrite of github.com/eliemada/ist_deep_learning_hw1, hw1-q1.py.

Style: hybrid
Layout: hybrid
Network: classic
API: IST Deep Learning homework 1, 2024 edition (data from utils.load_dataset(data_path=
    'intel_landscapes.npz'); the model is built for n_classes = np.unique(train_y).size and
    n_features = train_X.shape[1]). MLP(n_classes, n_features, hidden_size): W1 (h, n_features)
    and w_out (k, h) ~ N(0.1, 0.1**2), b1 (h, 1) and b_out (k, 1) zeros. Samples are rows; the
    layers work on columns: z1 = W1 @ X.T + b1. predict(X) -> labels (no forward function: the
    forward pass and an unshifted column softmax are written inside predict and train_epoch);
    evaluate(X, y) -> accuracy; train_epoch(X, y, learning_rate=0.001, **kwargs) does one SGD step
    and returns the loss. The file's Perceptron / LogisticRegression classes (other questions,
    chosen by main()'s model argument) and the l2 bookkeeping of main() are left out here.
Known bugs: the output layer is fed the hidden PRE-activation: out = w_out @ z1 + b_out, in both
    predict and train_epoch (h1 = relu(z1) is computed and not used there), so the network has no
    ReLU on its forward path and predict / evaluate give the predictions of another network. The
    step in train_epoch uses the classic formulas (der_w_out = grad_zc @ h1.T, der_b1 =
    (w_out.T @ grad_zc) * relu'(z1), der_W1 = der_b1 @ x) but at the logits of that ReLU-less
    forward, so the applied gradients are not the network's gradients. train_epoch trains on ONE
    randomly chosen example per call, i.e. one SGD step per epoch, and returns the constant 5 as
    the loss (the real loss is only printed).

Expected:
    init: pass
    dW1: fail mismatch
    db1: fail mismatch
    dW2: fail mismatch
    db2: fail mismatch
    update: pass
    predict: fail mismatch
    accuracy: fail mismatch
    train: fail
"""

import argparse
import time

import numpy as np
import matplotlib.pyplot as plt

import utils


class MLP(object):
    def __init__(self, n_classes, n_features, hidden_size):
        self.W1 = np.random.normal(loc=0.1, scale=0.1, size=(hidden_size, n_features))
        self.b1 = np.zeros(shape=(hidden_size, 1))
        self.w_out = np.random.normal(loc=0.1, scale=0.1, size=(n_classes, hidden_size))
        self.b_out = np.zeros(shape=(n_classes, 1))
        self.n_classes = n_classes
        self.hidden_size = hidden_size

    def predict(self, X):
        # rows in, columns inside
        z1 = np.dot(self.W1, X.T) + self.b1
        h1 = np.maximum(z1, 0)
        out = np.dot(self.w_out, z1) + self.b_out
        out = (1 / np.sum(np.exp(out), axis=0)) * np.exp(out)
        return out.argmax(axis=0)

    def evaluate(self, X, y):
        """
        X (n_examples x n_features)
        y (n_examples): gold labels
        """
        y_hat = self.predict(X)
        return (y == y_hat).sum() / y.shape[0]

    def train_epoch(self, X, y, learning_rate=0.001, **kwargs):
        random_sample_index = np.random.choice(X.shape[0])
        x = X[random_sample_index]
        x = x.reshape(1, np.size(x))
        y_c = y[random_sample_index]

        z1 = np.dot(self.W1, x.T) + self.b1
        h1 = np.maximum(z1, 0)
        zc = np.dot(self.w_out, z1) + self.b_out

        zc_stab = zc - np.max(zc)
        softmax_zc = np.exp(zc_stab) / np.sum(np.exp(zc_stab), axis=0)

        loss = 5
        print(f"loss = {-np.log(softmax_zc[y_c])}", f"softmax_zc[y_c] = {softmax_zc[y_c]}")

        one_hot_c = np.zeros((self.n_classes, 1))
        one_hot_c[y_c] = 1
        g_der = np.zeros(shape=(self.hidden_size, 1))
        g_der[z1 > 0] = 1  # relu'(z1)
        grad_zc = softmax_zc - one_hot_c

        der_W1 = ((self.w_out.T.dot(grad_zc)) * g_der).dot(x)
        der_b1 = (self.w_out.T.dot(grad_zc)) * g_der
        der_w_out = grad_zc.dot(h1.T)
        der_b_out = grad_zc

        self.W1 -= learning_rate * der_W1
        self.b1 -= (learning_rate * der_b1)
        self.w_out -= learning_rate * der_w_out
        self.b_out -= learning_rate * der_b_out
        return loss


def plot(epochs, train_accs, val_accs, filename=None):
    plt.xlabel('Epoch')
    plt.ylabel('Accuracy')
    plt.plot(epochs, train_accs, label='train')
    plt.plot(epochs, val_accs, label='validation')
    plt.legend()
    if filename:
        plt.savefig(filename, bbox_inches='tight')
    plt.show()


def plot_loss(epochs, loss, filename=None):
    plt.xlabel('Epoch')
    plt.ylabel('Loss')
    plt.plot(epochs, loss, label='train')
    plt.legend()
    if filename:
        plt.savefig(filename, bbox_inches='tight')
    plt.show()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', choices=['perceptron', 'logistic_regression', 'mlp'])
    parser.add_argument('-epochs', default=20, type=int)
    parser.add_argument('-hidden_size', type=int, default=100)
    parser.add_argument('-learning_rate', type=float, default=0.001)
    parser.add_argument('-l2_penalty', type=float, default=0.0)
    parser.add_argument('-data_path', type=str, default='intel_landscapes.npz')
    opt = parser.parse_args()

    utils.configure_seed(seed=42)
    data = utils.load_dataset(data_path=opt.data_path, bias=opt.model != "mlp")
    train_X, train_y = data["train"]
    dev_X, dev_y = data["dev"]
    test_X, test_y = data["test"]
    n_classes = np.unique(train_y).size
    n_feats = train_X.shape[1]

    model = MLP(n_classes, n_feats, opt.hidden_size)
    epochs = np.arange(1, opt.epochs + 1)
    train_loss, valid_accs, train_accs = [], [], []
    start = time.time()
    print('initial train acc: {:.4f} | initial val acc: {:.4f}'.format(
        model.evaluate(train_X, train_y), model.evaluate(dev_X, dev_y)))

    for i in epochs:
        print('Training epoch {}'.format(i))
        order = np.random.permutation(train_X.shape[0])
        train_X, train_y = train_X[order], train_y[order]
        loss = model.train_epoch(train_X, train_y, learning_rate=opt.learning_rate)
        train_accs.append(model.evaluate(train_X, train_y))
        valid_accs.append(model.evaluate(dev_X, dev_y))
        print('loss: {:.4f} | train acc: {:.4f} | val acc: {:.4f}'.format(loss, train_accs[-1], valid_accs[-1]))
        train_loss.append(loss)
    elapsed = time.time() - start
    print('Training took {} minutes and {} seconds'.format(int(elapsed // 60), int(elapsed % 60)))
    print('Final test acc: {:.4f}'.format(model.evaluate(test_X, test_y)))

    plot(epochs, train_accs, valid_accs, filename=f"Q1-{opt.model}-accs.pdf")
    plot_loss(epochs, train_loss, filename=f"Q1-{opt.model}-loss.pdf")
    with open(f"Q1-{opt.model}-results.txt", "w") as f:
        f.write(f"Final test acc: {model.evaluate(test_X, test_y)}\n")


if __name__ == '__main__':
    main()
