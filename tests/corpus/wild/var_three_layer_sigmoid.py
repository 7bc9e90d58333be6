"""Rewrite of github.com/cliedl/neural_network_MNIST_numpy, src/model.py (with src/model_functions.py, src/data.py and main.py).

Style: variant
Layout: row
Network: variant: three layers 784-128-64-10, sigmoid hidden layers, softmax output, gradients summed (not averaged) over the batch
API: sigmoid(x, derivative=False) (the flag is ignored); softmax(x) (over the last axis, max-shifted);
    one_hot_enc(y, num_labels=10) -> (m, 10) rows; data_loader(); process_data(X_train, y_train, X_test, y_test);
    class NN(input_size=784, hidden1_size=128, hidden2_size=64, output_size=10) with initialize_wb() -> W1, W2, W3,
    b1, b2, b3 (W (n_in, n_out), b (1, n_out)); forward_pass(x_batch, y_batch, gradient=True) -> output (and, when
    gradient is True, stores self.dW1..self.db3); update_weights(learning_rate=0.1) applies the stored gradients.
Known bugs: none in the components. Notes: the gradients are those of the summed cross-entropy (no division by the
    batch size), consistent with the training loop's lr; np.random.seed(42) runs after the weights are drawn, so the
    seed does not make runs reproducible. init, forward, the gradients, update and train are those of a
    three-layer sigmoid network: unchecked.

Expected:
    init: unchecked
    softmax: pass
    one_hot: pass
    forward: unchecked
    dW1: unchecked
    db1: unchecked
    dW2: unchecked
    db2: unchecked
    update: unchecked
    train: unchecked
"""

import numpy as np
import mnist


def sigmoid(x, derivative=False):
    """Logistic function of x; the derivative flag is accepted but never used."""
    return 1 / (1 + np.exp(-x))


def softmax(x):
    """Probabilities along the last axis (each row of a batch), shifted by the row max first."""
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def one_hot_enc(y, num_labels=10):
    """Integer labels (m,) -> one-hot rows (m, num_labels), by indexing an identity matrix."""
    return np.eye(num_labels)[y]


def data_loader():
    """The four MNIST arrays from the `mnist` package (images (m, 28, 28), labels (m,))."""
    return mnist.train_images(), mnist.train_labels(), mnist.test_images(), mnist.test_labels()


def process_data(X_train, y_train, X_test, y_test):
    """Scale the pixels to [0, 1], flatten each image to 784 values, one-hot the training labels."""
    X_train = (X_train / 255.).reshape((X_train.shape[0], -1))
    X_test = (X_test / 255.).reshape((X_test.shape[0], -1))
    y_train_onehot = one_hot_enc(y_train, 10)
    return X_train, y_train, X_test, y_test, y_train_onehot


class NN:
    """Three weight layers: input -> sigmoid -> sigmoid -> softmax, samples as rows."""

    def __init__(self, input_size=784, hidden1_size=128, hidden2_size=64, output_size=10):
        self.input_size = input_size
        self.hidden1_size = hidden1_size
        self.hidden2_size = hidden2_size
        self.output_size = output_size
        self.W1, self.W2, self.W3, self.b1, self.b2, self.b3 = self.initialize_wb()
        np.random.seed(42)  # too late: the weights above are already drawn

    def initialize_wb(self):
        # unscaled standard-normal weights, zero bias rows
        W1 = np.random.randn(self.input_size, self.hidden1_size)
        W2 = np.random.randn(self.hidden1_size, self.hidden2_size)
        W3 = np.random.randn(self.hidden2_size, self.output_size)
        b1 = np.zeros((1, self.hidden1_size))
        b2 = np.zeros((1, self.hidden2_size))
        b3 = np.zeros((1, self.output_size))
        return W1, W2, W3, b1, b2, b3

    def forward_pass(self, x_batch, y_batch, gradient=True):
        a1 = sigmoid(x_batch @ self.W1 + self.b1)
        a2 = sigmoid(a1 @ self.W2 + self.b2)
        output = softmax(a2 @ self.W3 + self.b3)
        if gradient:
            # error at the softmax logits, then back through each sigmoid; sums over the batch
            err = output - y_batch
            self.dW3 = a2.T @ err
            self.db3 = err.sum(axis=0, keepdims=True)
            err = (err @ self.W3.T) * a2 * (1 - a2)
            self.dW2 = a1.T @ err
            self.db2 = err.sum(axis=0, keepdims=True)
            err = (err @ self.W2.T) * a1 * (1 - a1)
            self.dW1 = x_batch.T @ err
            self.db1 = err.sum(axis=0, keepdims=True)
        return output

    def update_weights(self, learning_rate=0.1):
        # one plain gradient step per parameter, in place
        self.W1 -= learning_rate * self.dW1
        self.b1 -= learning_rate * self.db1
        self.W2 -= learning_rate * self.dW2
        self.b2 -= learning_rate * self.db2
        self.W3 -= learning_rate * self.dW3
        self.b3 -= learning_rate * self.db3


X_train, y_train, X_test, y_test = data_loader()
X_train, y_train, X_test, y_test, y_train_onehot = process_data(X_train, y_train, X_test, y_test)

model = NN()
learning_rate = 0.1
epochs = 10
batch_size = 64
train_accuracy_list, test_accuracy_list = [], []

for epoch in range(epochs):
    for i in range(0, len(X_train), batch_size):
        model.forward_pass(X_train[i:i + batch_size], y_train_onehot[i:i + batch_size])
        model.update_weights(learning_rate)
    out = model.forward_pass(X_train, y_train, gradient=False)
    train_accuracy_list.append(np.mean(np.argmax(out, axis=1) == y_train))
    out = model.forward_pass(X_test, y_test, gradient=False)
    test_accuracy_list.append(np.mean(np.argmax(out, axis=1) == y_test))
    print(f"Epoch {epoch + 1: >2}/{epochs}, train {train_accuracy_list[-1]:.4f}, test {test_accuracy_list[-1]:.4f}")
