"""Rewrite of github.com/dimaheve/simple-mnist, mnist_nn.py.

Style: class
Layout: row
Network: variant: two hidden ReLU layers (784 -> 128 -> 64 -> 10)
API: module helpers read_images, read_labels, one_hot_encode(y, num_classes=10) -> (m, 10),
    save_model_weights(model, filename), load_model_weights(model, filename),
    calculate_accuracy(model, X_test, Y_test) (one-hot Y), train_model(learning_rate, epochs,
    batch_size, n_batches, model, train_mnist, train_mnist_labels, filename); class
    MNIST_NN(layers, loss_function="cross_entropy_loss") built from a list of dicts
    {"input_dim", "output_dim", "activation"}; parameters in the dict self.params ("W1" (n_in,
    n_out), "b1" (1, n_out), ...); relu(Z, derivative=False), softmax(Z, derivative=False) (the
    derivative returns 1), cross_entropy_loss(Y_pred, Y_true, derivative=False),
    compute_loss(Y_pred, Y_true); forward_propagation(X, return_activations=False);
    backward_propagation(X, Y) -> grads dict (runs its own forward pass); update_params(grads,
    learning_rate).
Known bugs: cross_entropy_loss is the binary cross-entropy summed over the ten outputs
    (-sum(y log p + (1 - y) log(1 - p)) / m), not the categorical cross-entropy that the
    gradient (output - Y, from init_dA) belongs to, so the reported loss is wrong. Training is
    commented out in the original: the script loads saved weights and only evaluates.

Expected:
    init: unchecked
    relu: pass
    relu_grad: pass
    softmax: pass
    one_hot: pass
    forward: unchecked
    loss: fail mismatch
    dW1: unchecked
    db1: unchecked
    dW2: unchecked
    db2: unchecked
    update: unchecked
    accuracy: unchecked
    train: unchecked
"""

import struct

import numpy as np


def read_images(filename):
    with open(filename, 'rb') as f:
        _, num, rows, cols = struct.unpack(">IIII", f.read(16))
        return np.fromfile(f, dtype=np.uint8).reshape(num, rows, cols)


def read_labels(filename):
    with open(filename, 'rb') as f:
        struct.unpack(">II", f.read(8))
        return np.fromfile(f, dtype=np.uint8)


def one_hot_encode(y, num_classes=10):
    return np.eye(num_classes)[y]


def save_model_weights(model, filename="./data/model_weights.npz"):
    np.savez(filename, **model.params)


def load_model_weights(model, filename="./data/model_weights.npz"):
    with np.load(filename) as data:
        model.params = {key: data[key] for key in data.files}


def calculate_accuracy(model, X_test, Y_test):
    predictions = model.forward_propagation(X_test)
    return np.mean(np.argmax(predictions, axis=1) == np.argmax(Y_test, axis=1))


def train_model(learning_rate, epochs, batch_size, n_batches, model, train_mnist, train_mnist_labels, filename):
    for epoch in range(epochs):
        for i in range(n_batches):
            X = train_mnist[i * batch_size:(i + 1) * batch_size]
            Y = train_mnist_labels[i * batch_size:(i + 1) * batch_size]
            model.update_params(model.backward_propagation(X, Y), learning_rate)
        loss = model.compute_loss(model.forward_propagation(train_mnist), train_mnist_labels)
        print(f"Epoch {epoch + 1}/{epochs} - Loss: {loss}")
    save_model_weights(model, filename)


train_mnist = read_images('./data/train_mnist')
train_mnist = train_mnist.reshape(train_mnist.shape[0], -1).astype(np.float32) / 255.0
train_mnist_labels = one_hot_encode(read_labels('./data/train_mnist_labels'))
test_mnist = read_images('./data/test_mnist')
test_mnist = test_mnist.reshape(test_mnist.shape[0], -1).astype(np.float32) / 255.0
test_mnist_labels = one_hot_encode(read_labels('./data/test_mnist_labels'))


class MNIST_NN:
    def relu(self, Z, derivative=False):
        if not derivative:
            return np.maximum(0, Z)
        return np.where(Z > 0, 1, 0)

    def softmax(self, Z, derivative=False):
        e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
        out = e / np.sum(e, axis=1, keepdims=True)
        return out if not derivative else 1

    def cross_entropy_loss(self, Y_pred, Y_true, derivative=False):
        m = Y_true.shape[0]
        Y_pred = np.clip(Y_pred, 1e-12, 1 - 1e-12)
        if not derivative:
            return -np.sum(Y_true * np.log(Y_pred) + (1 - Y_true) * np.log(1 - Y_pred)) / m
        return -(Y_true / Y_pred - (1 - Y_true) / (1 - Y_pred))

    def compute_loss(self, Y_pred, Y_true, derivative=False):
        return self.loss_function(Y_pred, Y_true, derivative)

    def init_dA(self, Y, output):
        if self.loss_function == self.cross_entropy_loss and self.layers[-1]["activation"] == self.softmax:
            return output - Y
        raise ValueError("Unknown combination of loss function and output activation function.")

    def initialize_activations(self):
        for layer in self.layers:
            try:
                layer["activation"] = getattr(self, layer["activation"])
            except AttributeError:
                raise ValueError(f"Unknown activation function: {layer['activation']}")

    def initialize_params(self):
        self.params = {}
        for i, layer in enumerate(self.layers):
            scale = np.sqrt(2. / layer["input_dim"]) if layer["activation"] == self.relu else np.sqrt(1. / layer["input_dim"])
            self.params[f"W{i + 1}"] = np.random.randn(layer["input_dim"], layer["output_dim"]) * scale
            self.params[f"b{i + 1}"] = np.zeros((1, layer["output_dim"]))

    def __init__(self, layers, loss_function="cross_entropy_loss") -> None:
        self.layers = layers
        self.loss_function = getattr(self, loss_function)
        self.initialize_activations()
        self.initialize_params()

    def forward_propagation(self, X, return_activations=False):
        A = X
        cache = {"A0": A, "Z0": "X"}
        for i, layer in enumerate(self.layers):
            Z = A @ self.params[f"W{i + 1}"] + self.params[f"b{i + 1}"]
            A = layer["activation"](Z)
            if return_activations:
                cache[f"Z{i + 1}"], cache[f"A{i + 1}"] = Z, A
        return (A, cache) if return_activations else A

    def backward_propagation(self, X, Y):
        grads = {}
        A, cache = self.forward_propagation(X, return_activations=True)
        m = X.shape[0]
        dA = self.init_dA(Y, A)
        for i in reversed(range(len(self.layers))):
            dZ = dA * self.layers[i]["activation"](cache[f"Z{i + 1}"], derivative=True)
            grads[f"dW{i + 1}"] = cache[f"A{i}"].T @ dZ / m
            grads[f"db{i + 1}"] = np.sum(dZ, axis=0, keepdims=True) / m
            dA = dZ @ self.params[f"W{i + 1}"].T
        return grads

    def update_params(self, grads, learning_rate):
        for i in range(1, len(self.layers) + 1):
            self.params[f"W{i}"] -= learning_rate * grads[f"dW{i}"]
            self.params[f"b{i}"] -= learning_rate * grads[f"db{i}"]


model = MNIST_NN([
    {"input_dim": 28 * 28, "output_dim": 128, "activation": "relu"},
    {"input_dim": 128, "output_dim": 64, "activation": "relu"},
    {"input_dim": 64, "output_dim": 10, "activation": "softmax"},
])
load_model_weights(model, "./data/model_weights_:).npz")
learning_rate, epochs, batch_size = 0.01, 20, 64
n_batches = train_mnist.shape[0] // batch_size
# train_model(learning_rate, epochs, batch_size, n_batches, model, train_mnist, train_mnist_labels, "./data/model_weights_:).npz")
print(f"Test Accuracy: {calculate_accuracy(model, test_mnist, test_mnist_labels) * 100}%")
