"""Rewrite of github.com/rahqueu/deep-learning-hw1-2023-2024, hw1-q1.py.

Style: per_sample
Layout: hybrid
Network: classic
API: IST Deep Learning homework 1 (OCTMNIST, 784 features, utils.load_oct_data; n_classes =
    np.unique(train_y).size). MLP(n_classes, n_features, hidden_size) keeps LISTS:
    self.W = [W1 (h, n_features), W2 (k, h)] ~ N(0.1, 0.1**2), self.b = [b1 (h,), b2 (k,)] zeros.
    One flat sample x (784,) at a time: forward(x) -> (z, hiddens), z the output LOGITS (k,),
    hiddens = [relu(z1)]; relu(x); relu_derivative(x); softmax(x) (one vector);
    compute_loss(output, y) with logits and one-hot y; backward(x, y, output, hiddens) with
    one-hot y -> (grad_weights, grad_biases) lists; predict(X) loops over rows; evaluate(X, y) ->
    accuracy; train_epoch(X, y, learning_rate=0.001): per-sample SGD, returns the summed loss.
    The Perceptron / LogisticRegression classes of the file (other questions) are left out.
Known bugs: none found. backward takes relu_derivative of the layer's input h (relu(z1) for the
    output layer's input), which equals relu'(z1); at i == 0 it also computes an unused gradient
    for x. The epoch loss is a sum over the examples (only printed and plotted).

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: pass
    forward: pass
    loss: pass
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
        self.W = [np.random.normal(0.1, 0.1, (hidden_size, n_features)),
                  np.random.normal(0.1, 0.1, (n_classes, hidden_size))]
        self.b = [np.zeros(hidden_size), np.zeros(n_classes)]

    def relu(self, x):
        return np.maximum(0, x)

    def relu_derivative(self, x):
        return np.where(x > 0, 1, 0)

    def softmax(self, x):
        x = x - np.max(x)
        return np.exp(x) / np.sum(np.exp(x))

    def forward(self, x):
        hiddens = []
        num_layers = len(self.W)
        for i in range(num_layers):
            h = x if i == 0 else hiddens[i - 1]
            z = self.W[i].dot(h) + self.b[i]
            if i < num_layers - 1:
                hiddens.append(self.relu(z))
        return z, hiddens

    def compute_loss(self, output, y):
        neg_log_likelihood = np.dot(-y.T, output)
        half_max = np.max(output) * 0.5
        log_sum_exp = np.log(np.sum(np.exp(output - half_max))) + np.log(np.exp(half_max))
        return neg_log_likelihood + log_sum_exp

    def backward(self, x, y, output, hiddens):
        num_layers = len(self.W)
        grad_z = self.softmax(output) - y

        grad_weights, grad_biases = [], []
        for i in range(num_layers - 1, -1, -1):
            h = x if i == 0 else hiddens[i - 1]
            grad_weights.append(np.dot(grad_z[:, None], h[:, None].T))
            grad_biases.append(grad_z)
            # push the gradient through W and then through the ReLU of the layer below
            grad_h = self.W[i].T.dot(grad_z)
            grad_z = grad_h * self.relu_derivative(h)

        return grad_weights[::-1], grad_biases[::-1]

    def predict(self, X):
        predicted_labels = []
        for i in range(X.shape[0]):
            output, _ = self.forward(X[i])
            predicted_labels.append(np.argmax(output))
        return np.array(predicted_labels)

    def evaluate(self, X, y):
        y_hat = self.predict(X)
        return (y == y_hat).sum() / y.shape[0]

    def train_epoch(self, X, y, learning_rate=0.001):
        num_layers = len(self.W)
        total_loss = 0
        for x_i, y_i in zip(X, y):
            output, hiddens = self.forward(x_i)
            y_one_hot = np.zeros(output.shape)
            y_one_hot[y_i] = 1
            total_loss += self.compute_loss(output, y_one_hot)
            grad_weights, grad_biases = self.backward(x_i, y_one_hot, output, hiddens)
            for i in range(num_layers):
                self.W[i] -= learning_rate * grad_weights[i]
                self.b[i] -= learning_rate * grad_biases[i]
        return total_loss


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
