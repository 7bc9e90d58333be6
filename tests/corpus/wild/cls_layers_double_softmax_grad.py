"""Rewrite of github.com/Master757/numpy_mnist_nn, nnnfromscratch.py.

Style: class
Layout: row
Network: classic
API: NeuralNetwork(input_size, hidden_size, output_size, learning_rate) built from layer objects
    self.layer1 / self.layer2 (Layer: weights (n_in, n_out), biases (1, n_out), forward(inputs)
    sets .output, backward(dvalues) sets .dweights/.dbiases/.dinputs), self.relu (ReLU),
    self.softmax (Softmax, row-wise), self.loss (CategoricalCrossEntropy(num_classes,
    label_smoothing=0.1): forward(y_pred, y_true) -> per-sample losses, backward(dvalues, y_true)
    sets .dinputs = (p - onehot) / n); forward(X) -> probabilities; backward(X, y_true) with
    integer labels, applies the update itself; train(X, y, epochs, batch_size=32);
    evaluate(X, y) -> accuracy. The layer forwards return nothing: results are in .output.
Known bugs: backward sends the loss gradient (p - onehot) / n, which is already the gradient with
    respect to the logits, through Softmax.backward's Jacobian a second time: dZ2 = J (p - y) / n
    instead of (p - y) / n, so every gradient is wrong (neither a scale nor a sign: a different
    direction per sample) and training follows the wrong steps. Label smoothing is only applied
    when labels are one-hot; the script passes integer labels, so the loss is plain cross-entropy
    (one value per sample; train takes the mean).

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: pass
    forward: pass
    loss: pass
    dW1: fail mismatch
    db1: fail mismatch
    dW2: fail mismatch
    db2: fail mismatch
    update: pass
    accuracy: pass
    train: fail
"""

import numpy as np
import tensorflow as tf

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.mnist.load_data()
X_train_full = X_train_full.reshape(X_train_full.shape[0], -1) / 255.0
X_test = X_test.reshape(X_test.shape[0], -1) / 255.0
train_size = int(0.8 * X_train_full.shape[0])
X_train, X_val = X_train_full[:train_size], X_train_full[train_size:]
y_train, y_val = y_train_full[:train_size], y_train_full[train_size:]


class ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Softmax:
    def forward(self, inputs):
        e = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = e / np.sum(e, axis=1, keepdims=True)

    def backward(self, dvalues):
        # full Jacobian of the softmax, one sample at a time
        self.dinputs = np.empty_like(dvalues)
        for i, (p, g) in enumerate(zip(self.output, dvalues)):
            p = p.reshape(-1, 1)
            jac = np.diagflat(p) - p @ p.T
            self.dinputs[i] = jac @ g


class Layer:
    def __init__(self, n_in, n_out):
        limit = np.sqrt(6 / (n_in + n_out))  # Glorot uniform
        self.weights = np.random.uniform(-limit, limit, (n_in, n_out))
        self.biases = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class CategoricalCrossEntropy:
    def __init__(self, num_classes, label_smoothing=0.0):
        self.num_classes = num_classes
        self.label_smoothing = label_smoothing

    def forward(self, y_pred, y_true):
        n = len(y_pred)
        p = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if len(y_true.shape) == 1:
            picked = p[range(n), y_true]
        else:
            if self.label_smoothing > 0.0:
                y_true = (1 - self.label_smoothing) * y_true + self.label_smoothing / y_true.shape[1]
            picked = np.sum(p * y_true, axis=1)
        return -np.log(picked)

    def backward(self, dvalues, y_true):
        n = len(dvalues)
        if len(y_true.shape) == 1:
            y_true = np.eye(self.num_classes)[y_true]
        # gradient of softmax + cross-entropy together, with respect to the logits
        self.dinputs = (dvalues - y_true) / n


class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, learning_rate):
        self.layer1 = Layer(input_size, hidden_size)
        self.relu = ReLU()
        self.layer2 = Layer(hidden_size, output_size)
        self.softmax = Softmax()
        self.loss = CategoricalCrossEntropy(num_classes=output_size, label_smoothing=0.1)
        self.learning_rate = learning_rate

    def forward(self, X):
        self.layer1.forward(X)
        self.relu.forward(self.layer1.output)
        self.layer2.forward(self.relu.output)
        self.softmax.forward(self.layer2.output)
        return self.softmax.output

    def backward(self, X, y_true):
        self.loss.backward(self.softmax.output, y_true)
        self.softmax.backward(self.loss.dinputs)
        self.layer2.backward(self.softmax.dinputs)
        self.relu.backward(self.layer2.dinputs)
        self.layer1.backward(self.relu.dinputs)
        lr = self.learning_rate
        self.layer2.weights -= lr * self.layer2.dweights
        self.layer2.biases -= lr * self.layer2.dbiases
        self.layer1.weights -= lr * self.layer1.dweights
        self.layer1.biases -= lr * self.layer1.dbiases

    def train(self, X, y, epochs, batch_size=32):
        for epoch in range(epochs):
            idx = np.arange(X.shape[0])
            np.random.shuffle(idx)
            Xs, ys = X[idx], y[idx]
            for start in range(0, X.shape[0], batch_size):
                xb, yb = Xs[start:start + batch_size], ys[start:start + batch_size]
                probs = self.forward(xb)
                loss = np.mean(self.loss.forward(probs, yb))
                self.backward(xb, yb)

    def evaluate(self, X, y):
        probs = self.forward(X)
        return np.mean(np.argmax(probs, axis=1) == y)


input_size = X_train.shape[1]
hidden_size = 128
output_size = len(np.unique(y_train))
nn = NeuralNetwork(input_size, hidden_size, output_size, learning_rate=0.01)
nn.train(X_train, y_train, epochs=10, batch_size=32)
print(f"Validation Accuracy: {nn.evaluate(X_val, y_val) * 100:.2f}%")
print(f"Test Accuracy: {nn.evaluate(X_test, y_test) * 100:.2f}%")
