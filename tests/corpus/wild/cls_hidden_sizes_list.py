"""Rewrite of github.com/sam4922/mnist-neural-network-from-scratch, classes/neural_network.py (and training/train.py).

Style: class
Layout: row
Network: classic
API: NeuralNetwork(input_size=784, hidden_sizes=[128, 64], output_size=10, learning_rate=0.001,
    activation='relu'); weights and biases in the lists self.weights / self.biases, W (n_in, n_out),
    b (1, n_out); _activation_function(z, derivative=False); _softmax(z) (row-wise);
    forward(X) -> output (keeps self.activations, self.z_values); backward(X, y, output) with y
    one-hot rows, applies the update itself; compute_loss(y_true, y_pred);
    compute_accuracy(y_true, y_pred) (both one-hot / probabilities); train(X_train, y_train, X_val,
    y_val, epochs, batch_size, verbose); predict(X) -> labels; predict_proba(X).
Known bugs: none found. Note: the constructor's default is two hidden layers ([128, 64]); the run
    below is the original's "Small Network" configuration, hidden_sizes=[64], the classic network.

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

import numpy as np
import matplotlib.pyplot as plt


class NeuralNetwork:
    def __init__(self, input_size=784, hidden_sizes=[128, 64], output_size=10,
                 learning_rate=0.001, activation='relu'):
        self.input_size = input_size
        self.hidden_sizes = hidden_sizes
        self.output_size = output_size
        self.learning_rate = learning_rate
        self.activation = activation
        self.weights = []
        self.biases = []
        sizes = [input_size] + hidden_sizes + [output_size]
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            # scaled normal draw, one matrix per pair of consecutive layers
            self.weights.append(np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in))
            self.biases.append(np.zeros((1, fan_out)))
        self.activations = []
        self.z_values = []
        self.train_losses, self.train_accuracies = [], []
        self.val_losses, self.val_accuracies = [], []

    def _activation_function(self, z, derivative=False):
        if self.activation == 'relu':
            if derivative:
                return (z > 0).astype(float)
            return np.maximum(0, z)
        if self.activation == 'sigmoid':
            s = 1 / (1 + np.exp(-np.clip(z, -500, 500)))
            return s * (1 - s) if derivative else s
        if self.activation == 'tanh':
            return 1 - np.tanh(z) ** 2 if derivative else np.tanh(z)
        raise ValueError(f"Unsupported activation function: {self.activation}")

    def _softmax(self, z):
        shifted = np.exp(z - np.max(z, axis=1, keepdims=True))
        return shifted / np.sum(shifted, axis=1, keepdims=True)

    def forward(self, X):
        self.activations = [X]
        self.z_values = []
        a = X
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            z = a @ W + b
            self.z_values.append(z)
            a = self._activation_function(z)
            self.activations.append(a)
        z_out = a @ self.weights[-1] + self.biases[-1]
        self.z_values.append(z_out)
        output = self._softmax(z_out)
        self.activations.append(output)
        return output

    def backward(self, X, y, output):
        m = X.shape[0]
        grads_w, grads_b = [], []
        delta = output - y  # softmax followed by cross-entropy
        grads_w.insert(0, self.activations[-2].T @ delta / m)
        grads_b.insert(0, np.mean(delta, axis=0, keepdims=True))
        for i in range(len(self.weights) - 2, -1, -1):
            delta = (delta @ self.weights[i + 1].T) * self._activation_function(self.z_values[i], derivative=True)
            grads_w.insert(0, self.activations[i].T @ delta / m)
            grads_b.insert(0, np.mean(delta, axis=0, keepdims=True))
        for i in range(len(self.weights)):
            self.weights[i] -= self.learning_rate * grads_w[i]
            self.biases[i] -= self.learning_rate * grads_b[i]

    def compute_loss(self, y_true, y_pred):
        p = np.clip(y_pred, 1e-15, 1 - 1e-15)
        return -np.mean(np.sum(y_true * np.log(p), axis=1))

    def compute_accuracy(self, y_true, y_pred):
        return np.mean(np.argmax(y_pred, axis=1) == np.argmax(y_true, axis=1))

    def train(self, X_train, y_train, X_val=None, y_val=None, epochs=100, batch_size=32, verbose=True):
        n = X_train.shape[0]
        n_batches = n // batch_size
        for epoch in range(epochs):
            order = np.random.permutation(n)
            Xs, ys = X_train[order], y_train[order]
            total_loss = total_acc = 0
            for k in range(n_batches):
                xb = Xs[k * batch_size:(k + 1) * batch_size]
                yb = ys[k * batch_size:(k + 1) * batch_size]
                out = self.forward(xb)
                self.backward(xb, yb, out)
                total_loss += self.compute_loss(yb, out)
                total_acc += self.compute_accuracy(yb, out)
            self.train_losses.append(total_loss / n_batches)
            self.train_accuracies.append(total_acc / n_batches)
            if X_val is not None and y_val is not None:
                val_out = self.forward(X_val)
                self.val_losses.append(self.compute_loss(y_val, val_out))
                self.val_accuracies.append(self.compute_accuracy(y_val, val_out))
            if verbose and (epoch + 1) % 10 == 0:
                print(f"Epoch {epoch + 1}/{epochs} - loss {self.train_losses[-1]:.4f}")

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)

    def predict_proba(self, X):
        return self.forward(X)


if __name__ == "__main__":
    data = np.load("data/mnist_onehot.npz")
    X_train, y_train = data["X_train"] / 255.0, data["y_train"]
    X_val, y_val = X_train[-6000:], y_train[-6000:]
    X_train, y_train = X_train[:-6000], y_train[:-6000]
    model = NeuralNetwork(input_size=784, hidden_sizes=[64], output_size=10,
                          learning_rate=0.001, activation='relu')
    model.train(X_train, y_train, X_val, y_val, epochs=50, batch_size=128, verbose=False)
    test_pred = model.predict_proba(data["X_test"] / 255.0)
    print("Test accuracy:", model.compute_accuracy(data["y_test"], test_pred))
    plt.plot(model.train_losses, label="train")
    plt.plot(model.val_losses, label="validation")
    plt.legend()
    plt.show()
