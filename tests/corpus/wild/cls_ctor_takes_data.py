"""Rewrite of github.com/thanushpatlolla/MNIST-NN, nn.py (the single-file version, before the repo moved to AdamW/CIFAR-10).

Style: class
Layout: hybrid
Network: variant: two hidden ReLU layers (784 -> 128 -> 64 -> 10), mini-batch SGD
API: activation objects ReLU() / GeLU() with act(x) and dact(x); softmax(xs) (row-wise);
    NN(training_set, test_data, input_dim, hidden_dims, output_dim, act=ReLU(),
    learning_rate=0.01, batch_size=32): the constructor takes the data ((x_train, y_train) and
    (x_test, y_test), samples as rows, integer labels) and splits the test set into validation and
    test halves; initialize() builds the lists self.weights (W (n_out, n_in)), self.biases
    ((n_out,)), self.activations, self.preactivations and is only called by train;
    forward_pass(input) fills self.activations / self.preactivations and returns nothing;
    backwards_pass(y_batch) reads them and returns (weightgrads, biasgrads);
    optimize_step(x_batch, y_batch) = forward, backward and the SGD update; evaluate(input) ->
    probabilities; loss(x_data, y_data) -> mean cross-entropy; train(epochs); plot(x_batch, y_batch).
Known bugs: none found (GeLU.dact is an unfinished stub returning None, unused with ReLU). The
    last layer's weights are float64 while the others are float32.

Expected:
    init: unchecked
    relu: pass
    relu_grad: pass
    softmax: pass
    forward: unchecked
    loss: unchecked
    dW1: unchecked
    db1: unchecked
    dW2: unchecked
    db2: unchecked
    update: unchecked
    train: unchecked
"""

import struct
from os.path import join

import matplotlib.pyplot as plt
import numpy as np


class ReLU():
    def act(self, x):
        return np.maximum(0, x)

    def dact(self, x):
        return (x > 0).astype(x.dtype)


class GeLU():
    def act(self, x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))

    def dact(self, x):
        return  # not written yet


def softmax(xs):
    e = np.exp(xs - np.max(xs, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


class NN:
    def __init__(self, training_set, test_data, input_dim, hidden_dims, output_dim, act=ReLU(),
                 learning_rate=0.01, batch_size=32):
        self.x_train, self.y_train = training_set
        self.input_dim, self.hidden_dims, self.output_dim = input_dim, hidden_dims, output_dim
        self.act = act
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.dims = [input_dim] + list(hidden_dims) + [output_dim]
        x_test_data, y_test_data = test_data
        order = np.arange(len(x_test_data))
        np.random.shuffle(order)
        half = len(order) // 2
        self.x_val, self.y_val = x_test_data[order[:half]], y_test_data[order[:half]]
        self.x_test, self.y_test = x_test_data[order[half:]], y_test_data[order[half:]]
        self.fig = self.ax = None
        self.step = 0

    def initialize(self):
        self.weights, self.biases, self.preactivations = [], [], []
        self.activations = [np.zeros(self.dims[0], dtype=np.float32)]
        for i in range(len(self.dims) - 1):
            # He initialisation, rows = neurons of the next layer
            self.weights.append(np.random.normal(0.0, np.sqrt(2 / self.dims[i]),
                                                 (self.dims[i + 1], self.dims[i])).astype(np.float32))
            self.biases.append(np.zeros(self.dims[i + 1]).astype(np.float32))
            self.activations.append(np.zeros(self.dims[i + 1]).astype(np.float32))
            self.preactivations.append(np.zeros(self.dims[i + 1]).astype(np.float32))
        # Glorot for the output layer
        self.weights[-1] = np.random.normal(0.0, np.sqrt(2 / (self.dims[-1] + self.dims[-2])),
                                            (self.dims[-1], self.dims[-2]))

    def forward_pass(self, input):
        self.activations[0] = input
        last = len(self.dims) - 2
        for i in range(last):
            self.preactivations[i] = self.activations[i] @ self.weights[i].T + self.biases[i]
            self.activations[i + 1] = self.act.act(self.preactivations[i])
        self.preactivations[last] = self.activations[last] @ self.weights[last].T + self.biases[last]
        self.activations[last + 1] = softmax(self.preactivations[last])

    def backwards_pass(self, y_batch):
        B = y_batch.shape[0]
        weightgrads, biasgrads = [], []
        y = np.eye(self.output_dim)[y_batch]
        derivs = [self.activations[-1] - y]  # dL/dz of the output layer
        for i in reversed(range(1, len(self.dims) - 1)):
            biasgrads.append(derivs[-1].sum(axis=0) / B)
            weightgrads.append(derivs[-1].T @ self.activations[i] / B)
            derivs.append((derivs[-1] @ self.weights[i]) * self.act.dact(self.preactivations[i - 1]))
        biasgrads.append(derivs[-1].sum(axis=0) / B)
        weightgrads.append(derivs[-1].T @ self.activations[0] / B)
        weightgrads.reverse()
        biasgrads.reverse()
        return weightgrads, biasgrads

    def evaluate(self, input):
        out = input
        for i in range(len(self.dims) - 2):
            out = self.act.act(out @ self.weights[i].T + self.biases[i])
        return softmax(out @ self.weights[-1].T + self.biases[-1])

    def loss(self, x_data, y_data):
        probs = self.evaluate(x_data)
        y = np.eye(self.output_dim)[y_data]
        return -np.mean(np.sum(y * np.log(probs + 1e-12), axis=1))

    def plot(self, x_batch, y_batch):
        if self.ax is None:
            self.fig, self.ax = plt.subplots()
        self.train_losses.append(self.loss(x_batch, y_batch))
        self.val_losses.append(self.loss(self.x_val, self.y_val))
        self.ax.clear()
        self.ax.plot(self.train_losses, label="train loss")
        self.ax.plot(self.val_losses, label="val loss")
        self.ax.legend()
        plt.pause(0.0001)

    def optimize_step(self, x_batch, y_batch):
        self.forward_pass(x_batch)
        wgrads, bgrads = self.backwards_pass(y_batch)
        for i in range(len(self.dims) - 1):
            self.weights[i] -= self.learning_rate * wgrads[i]
            self.biases[i] -= self.learning_rate * bgrads[i]
        self.step += 1
        if self.step % 100 == 0:
            self.plot(x_batch, y_batch)

    def train(self, epochs):
        self.train_losses, self.val_losses = [], []
        plt.ion()
        self.initialize()
        for _ in range(epochs):
            order = np.arange(len(self.x_train))
            np.random.shuffle(order)
            for i in range(0, len(self.x_train), self.batch_size):
                batch = order[i:i + self.batch_size]
                self.optimize_step(self.x_train[batch], self.y_train[batch])
        plt.ioff()
        plt.show()


class MnistDataloader(object):
    def __init__(self, training_images_filepath, training_labels_filepath, test_images_filepath, test_labels_filepath):
        self.paths = (training_images_filepath, training_labels_filepath, test_images_filepath, test_labels_filepath)

    def read_images_labels(self, images_filepath, labels_filepath):
        with open(labels_filepath, 'rb') as f:
            struct.unpack(">II", f.read(8))
            labels = np.frombuffer(f.read(), dtype=np.uint8)
        with open(images_filepath, 'rb') as f:
            _, size, rows, cols = struct.unpack(">IIII", f.read(16))
            images = np.frombuffer(f.read(), dtype=np.uint8).reshape(size, rows * cols).astype(np.float32) / 255.0
        return images, labels

    def load_data(self):
        train = self.read_images_labels(self.paths[0], self.paths[1])
        test = self.read_images_labels(self.paths[2], self.paths[3])
        return train, test


input_path = 'input'
mnist_dataloader = MnistDataloader(join(input_path, 'train-images-idx3-ubyte/train-images-idx3-ubyte'),
                                   join(input_path, 'train-labels-idx1-ubyte/train-labels-idx1-ubyte'),
                                   join(input_path, 't10k-images-idx3-ubyte/t10k-images-idx3-ubyte'),
                                   join(input_path, 't10k-labels-idx1-ubyte/t10k-labels-idx1-ubyte'))
training_set, test_data = mnist_dataloader.load_data()
MNIST_solver = NN(training_set, test_data, len(training_set[0][0]), [128, 64], 10)
MNIST_solver.train(30)
