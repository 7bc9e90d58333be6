"""Rewrite of github.com/FerGem33/MNIST-Neural-Network, network.py, util/functions.py and NetworkRunner.py.

Style: class
Layout: row
Network: classic
API: module functions relu(z), softmax(z) (row-wise, epsilon in the denominator),
    cross_entropy(a, y) (mean over samples, y one-hot) gathered in the dict funcs; Layer(n_in,
    n_out, activation) with W (n_in, n_out), b (1, n_out), forward(x) keeping .z and .a;
    NeuralNetwork() takes no arguments: the layers are added with add_layer(n_in, n_out,
    activation_name) into the list self.l; forward(x) returns nothing (the output is
    self.l[-1].a); backward(x, y, lr, batch_size) accumulates the gradients, divides them by the
    batch_size argument and applies the update itself; train(X, Y, epochs, lr, batch_size=20);
    predict(X, Y, batch_size=20) prints the loss and accuracy and returns nothing;
    save_network(filename) / load_network(filename).
Known bugs: none in the network. The "average loss" train prints sums per-batch means and then
    divides by the number of samples, so it is batch_size times too small (reporting only).
    NetworkRunner builds the layers from interactive input(); the run below uses 784 -> 128 relu
    -> 10 softmax and the runner's learning rate 0.001.

Expected:
    init: pass
    relu: pass
    softmax: pass
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    predict: unchecked
    train: pass
"""

from time import time

import numpy as np
from pandas import read_csv

epsilon = 1e-8


def relu(z):
    return np.maximum(0, z)


def softmax(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / (np.sum(e, axis=1, keepdims=True) + epsilon)


def cross_entropy(a, y):
    a = np.clip(a, epsilon, 1 - epsilon)
    return -np.sum(y * np.log(a), axis=1).mean()


funcs = {"relu": relu, "softmax": softmax, "cross_entropy": cross_entropy}


class Layer:
    def __init__(self, n_in, n_out, activation):
        self.n = n_out
        self.W = np.random.randn(n_in, n_out) * np.sqrt(2 / n_in)
        self.b = np.zeros((1, n_out))
        self.activation = activation
        self.a = None
        self.z = None

    def forward(self, x):
        self.z = x @ self.W + self.b
        self.a = self.activation(self.z)
        return self.a


class NeuralNetwork:
    def __init__(self):
        self.l = []
        self.L = 0

    def add_layer(self, n_in, n_out, activation):
        self.l.append(Layer(n_in, n_out, funcs[activation]))
        self.L += 1

    def save_network(self, filename):
        params = {}
        for i, layer in enumerate(self.l):
            params[f'W{i}'] = layer.W
            params[f'b{i}'] = layer.b
        np.savez(f'models/{filename}.npz', **params)

    def load_network(self, filename):
        self.__init__()
        params = np.load(f'models/{filename}.npz')
        for i in range(len(params) // 2):
            W, b = params[f'W{i}'], params[f'b{i}']
            self.add_layer(W.shape[0], W.shape[1], "relu")
            self.l[i].W, self.l[i].b = W, b
        self.l[-1].activation = funcs["softmax"]

    def forward(self, x):
        a = x
        for layer in range(self.L):
            a = self.l[layer].forward(a)

    def backward(self, x, y, lr, batch_size):
        dW = [np.zeros_like(layer.W) for layer in self.l]
        db = [np.zeros_like(layer.b) for layer in self.l]
        delta = self.l[-1].a - y  # softmax + cross-entropy at the output
        for i in reversed(range(1, self.L)):
            dW[i] += self.l[i - 1].a.T @ delta
            db[i] += np.sum(delta, axis=0, keepdims=True)
            delta = (delta @ self.l[i].W.T) * (self.l[i - 1].z > 0)
        dW[0] += x.T @ delta
        db[0] += np.sum(delta, axis=0, keepdims=True)
        for i in range(self.L):
            self.l[i].W -= lr * (dW[i] / batch_size)
            self.l[i].b -= lr * (db[i] / batch_size)

    def train(self, X, Y, epochs, lr, batch_size=20):
        t = X.shape[0]
        batches = t // batch_size
        for epoch in range(epochs):
            order = np.random.permutation(t)
            x, y = X[order], Y[order]
            epoch_loss = 0
            t1 = time()
            for i in range(batches):
                x_i = x[i * batch_size:(i + 1) * batch_size]
                y_i = y[i * batch_size:(i + 1) * batch_size]
                self.forward(x_i)
                self.backward(x_i, y_i, lr, batch_size)
                epoch_loss += funcs["cross_entropy"](self.l[-1].a, y_i)
            epoch_loss /= t
            print(f' epoch: {epoch}, average loss: {epoch_loss:.6f}, time: {time() - t1:.3f}s')

    def predict(self, X, Y, batch_size=20):
        t = X.shape[0]
        loss, predicted = 0, 0
        for i in range(t // batch_size):
            x_i = X[i * batch_size:(i + 1) * batch_size]
            y_i = Y[i * batch_size:(i + 1) * batch_size]
            self.forward(x_i)
            loss += funcs["cross_entropy"](self.l[-1].a, y_i) * batch_size
            predicted += np.sum(np.argmax(self.l[-1].a, axis=1) == np.argmax(y_i, axis=1))
        print(f'average loss: {loss / t:.6f}, predicted: {predicted}, Accuracy: {predicted / t:.5f}')


data = np.array(read_csv('data/mnist/train.csv'))
data_labels = np.array(read_csv('data/mnist/train_labels.csv'))
test = np.array(read_csv('data/mnist/test.csv'))
test_labels = np.array(read_csv('data/mnist/test_labels.csv'))

nn = NeuralNetwork()
nn.add_layer(784, 128, "relu")
nn.add_layer(128, 10, "softmax")
nn.train(data, data_labels, 10, 0.001)
nn.predict(test, test_labels)
nn.save_network("mnist")
