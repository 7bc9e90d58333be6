"""Rewrite of github.com/Peppebalzanoo/mnist-neural-network-from-scratch, network.py, error.py and main.py.

Style: class
Layout: hybrid
Network: classic
API: Network(input_neurons, hiddens_neurons: list, output_neurons, sigma=0.001,
    activation_function=None); weights and biases in the lists self._weights (W (n_out, n_in)) and
    self._biases ((n_out, 1)); samples are rows: R = X @ W.T + b.T. The output layer is the identity:
    forward_propagation(X) returns the logits (m, 10); the softmax lives inside the error function
    cross_entropy(Z_label, Y_label, derivative=False) (mean loss, or softmax(Z) - Y with
    derivative=True), via _soft_max(Z). Activations take a derivative= flag (relu(x, derivative)).
    _forward_prop_train(X) -> (activations, derivatives); _back_propagation(X_train, Y_train,
    error_function, eta) computes the summed partials and calls _gradient_descent(der_partials,
    delta_values, eta), which divides by the batch size; fit(X_train, Y_train, X_valid, Y_valid,
    error_function, epoch_number=10, eta=0.1, patience=5) is full-batch gradient descent with early
    stopping; get_accuracy(Z, Y) with one-hot Y; predict_single(X_sample) -> int.
Known bugs: none found. activation.py is not in the stored copy; its functions are written here
    with the derivative= flag the network calls. The run is one cell of the original grid in
    config.py (hidden [100], relu, eta 0.5).

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
from loader import DataLoader


def identity(x, derivative=False):
    return np.ones_like(x) if derivative else x


def relu(x, derivative=False):
    if derivative:
        return np.where(x > 0, 1.0, 0.0)
    return np.maximum(0, x)


def sigmoid(x, derivative=False):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s) if derivative else s


def tanh(x, derivative=False):
    return 1 - np.tanh(x) ** 2 if derivative else np.tanh(x)


def _soft_max(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(Z_label, Y_label, derivative=False):
    # Z_label are logits: the softmax is taken here, not in the network
    Z = np.clip(_soft_max(Z_label), 1e-15, 1 - 1e-15)
    if not derivative:
        return -(Y_label * np.log(Z)).sum() / Y_label.shape[0]
    return Z - Y_label


class Network:
    def __init__(self, input_neurons, hiddens_neurons, output_neurons, sigma=0.001, activation_function=None):
        if input_neurons is None or output_neurons is None:
            raise ValueError("Input and output neurons must be specified.")
        if not isinstance(hiddens_neurons, list) or len(hiddens_neurons) == 0:
            raise ValueError("Hidden neurons must be a non-empty list.")
        self._input_neurons = input_neurons
        self._hidden_neurons = hiddens_neurons
        self._output_neurons = output_neurons
        self._sigma = sigma
        self._biases, self._weights, self._act_functions = [], [], []
        self._activation_function = activation_function if activation_function is not None else sigmoid
        self._init_params()

    def _init_params(self):
        prev = self._input_neurons
        for size in self._hidden_neurons:
            self._biases.append(self._sigma * np.random.normal(size=[size, 1]))
            self._weights.append(self._sigma * np.random.normal(size=[size, prev]))
            self._act_functions.append(self._activation_function)
            prev = size
        self._biases.append(self._sigma * np.random.normal(size=[self._output_neurons, 1]))
        self._weights.append(self._sigma * np.random.normal(size=[self._output_neurons, prev]))
        self._act_functions.append(identity)  # softmax is applied by the error function
        self._depth = len(self._weights)

    def get_accuracy(self, Z, Y):
        return np.sum(np.argmax(Z, axis=1) == np.argmax(Y, axis=1)) / Y.shape[0]

    def predict_single(self, X_sample):
        return int(np.argmax(self.forward_propagation(X_sample)))

    def forward_propagation(self, X):
        for layer in range(self._depth):
            R = np.matmul(X, self._weights[layer].T) + self._biases[layer].T
            X = self._act_functions[layer](R)
        return X

    def _forward_prop_train(self, X):
        values, derivatives = [X], []
        for layer in range(self._depth):
            R = np.matmul(values[layer], self._weights[layer].T) + self._biases[layer].T
            values.append(self._act_functions[layer](R))
            derivatives.append(self._act_functions[layer](R, derivative=True))
        return values, derivatives

    def _back_propagation(self, X_train, Y_train, error_function, eta):
        values, derivatives = self._forward_prop_train(X_train)
        deltas = []
        for layer in range(self._depth, 0, -1):
            if layer == self._depth:
                deltas.append(error_function(values[layer], Y_train, derivative=True) * derivatives[layer - 1])
            else:
                deltas.insert(0, np.matmul(deltas[0], self._weights[layer]) * derivatives[layer - 1])
        # summed over the batch here; _gradient_descent divides by the number of samples
        der_partials = [np.matmul(deltas[layer].T, values[layer]) for layer in range(self._depth)]
        self._gradient_descent(der_partials, deltas, eta)

    def _gradient_descent(self, der_partials, delta_values, eta):
        n = delta_values[0].shape[0]
        for layer in range(self._depth):
            self._weights[layer] -= (eta / n) * der_partials[layer]
            self._biases[layer] -= (eta / n) * np.sum(delta_values[layer], axis=0, keepdims=True).T

    def fit(self, X_train, Y_train, X_valid, Y_valid, error_function, epoch_number=10, eta=0.1, patience=5):
        best, waited, epoch = float("inf"), 0, 0
        while epoch < epoch_number:
            self._back_propagation(X_train, Y_train, error_function, eta)
            Z_train = self.forward_propagation(X_train)
            Z_valid = self.forward_propagation(X_valid)
            error_valid = error_function(Z_valid, Y_valid)
            print(f"Epoca: {epoch}, Train error: {error_function(Z_train, Y_train):.6f}, "
                  f"Accuracy Validation: {self.get_accuracy(Z_valid, Y_valid):.4f}")
            epoch += 1
            if error_valid < best:
                best, waited = error_valid, 0
            else:
                waited += 1
                if waited >= patience:
                    print(f"Early stopping at epoch {epoch}")
                    break
        return {"epochs_trained": epoch, "best_valid_error": float(best)}


if __name__ == "__main__":
    loader = DataLoader("./MNIST")
    X_train, Y_train, X_test, Y_test = loader.get_train_test_data()
    X_tr, Y_tr, X_valid, Y_valid = loader.split_data(0.8)
    network = Network(X_train.shape[1], [100], Y_train.shape[1], activation_function=relu)
    network.fit(X_tr, Y_tr, X_valid, Y_valid, error_function=cross_entropy,
                epoch_number=1000, eta=0.5, patience=10)
    Z_test = network.forward_propagation(X_test)
    print("Test accuracy:", network.get_accuracy(Z_test, Y_test))
    print("Test loss:", cross_entropy(Z_test, Y_test))
