"""Rewrite of github.com/TheEvergreenStateCollege/upper-division-cs-23-24, ai-24sp/prototypes/prototype-03/network.py (with train.py and mnist_loader.py).

Style: variant
Layout: column
Spec: --layers 784,100,10 --activation sigmoid --output sigmoid --loss mse
Network: variant: sigmoid hidden and sigmoid output units, quadratic (MSE) cost, per-sample backprop summed over mini-batches (Nielsen's network.py)
API: class Network(sizes) with sizes = [784, 100, 10]; self.biases / self.weights lists, b (y, 1), W (y, x);
    feedforward(a) -> output column; SGD(training_data, epochs, mini_batch_size, eta, test_data=None);
    update_mini_batch(mini_batch, eta) applies the step; backprop(x, y) -> (nabla_b, nabla_w) for one sample (x (784, 1),
    y one-hot (10, 1)); evaluate(test_data) -> number correct; single(test_image) -> label; cost_derivative(output, y);
    saveToPBJSON(filename) / fromPBJSON(filename); sigmoid(z), sigmoid_prime(z); vectorized_result(j) -> (10, 1).
Known bugs: none found in the network. Notes: checked as the network it is (its Spec line): the weights and
    biases are read and written as its lists, backprop is called one sample at a time (as update_mini_batch does),
    and cost_derivative (output - y) says its cost is 1/2 |a - y|^2, so the gradients are judged at that scale;
    the update is part of update_mini_batch, which computes its own gradients: unchecked. There is no loss
    function and no one-hot function (vectorized_result takes one label). train.py imports a `loader` module that
    is not in this prototype's folder.

Expected:
    forward: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: unchecked
"""

import random

import numpy as np
import pbjson


class Network(object):
    def __init__(self, sizes):
        """sizes lists the width of every layer, input first; no biases for the input layer."""
        self.num_layers = len(sizes)
        self.sizes = sizes
        # Gaussian N(0, 1) draws for every bias column and weight matrix
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def saveToPBJSON(self, filename):
        model = {"weights": self.weights, "biases": self.biases, "sizes": self.sizes, "num_layers": self.num_layers}
        with open(filename, "wb") as f:
            pbjson.dump(model, f)

    @staticmethod
    def fromPBJSON(filename):
        with open(filename, "rb") as f:
            model = pbjson.load(f)
            n = Network(model["sizes"])
            n.num_layers = model["num_layers"]
            n.weights = model["weights"]
            n.biases = model["biases"]
            return n

    def feedforward(self, a):
        """The network's output column for the input column a."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        """Mini-batch stochastic gradient descent over a list of (x, y) pairs."""
        training_data = list(training_data)
        n = len(training_data)
        if test_data:
            test_data = list(test_data)
            n_test = len(test_data)
        for j in range(epochs):
            random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)
            if test_data:
                print("Epoch {} : {} / {}".format(j, self.evaluate(test_data), n_test))
            else:
                print("Epoch {} complete".format(j))

    def update_mini_batch(self, mini_batch, eta):
        """Add up the per-sample gradients of the batch, then step by eta / batch size."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        step = eta / len(mini_batch)
        self.weights = [w - step * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - step * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """(nabla_b, nabla_w) of the cost of the single sample (x, y), layer by layer."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]  # every layer's output, input included
        zs = []  # every layer's weighted input
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = delta @ activations[-2].T
        # walk back from the second-to-last layer (negative indices count from the output)
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = delta @ activations[-l - 1].T
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        """How many test pairs get their label from the most active output unit."""
        results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in results)

    def single(self, test_image):
        """The label predicted for one image column."""
        return np.argmax(self.feedforward(test_image))

    def cost_derivative(self, output_activations, y):
        """d(quadratic cost)/d(output) for one sample."""
        return output_activations - y


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def vectorized_result(j):
    """A (10, 1) column with 1.0 in row j."""
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e


from loader import load_all_training_images, load_all_training_labels, load_all_test_images, load_all_test_labels

(original_training_images, width, height) = load_all_training_images()  # (60000, 784, 1)
training_labels = load_all_training_labels()  # (60000, 10)
training_data = list(zip(original_training_images, training_labels))
(test_images, width, height) = load_all_test_images()
test_labels = load_all_test_labels()
test_data = list(zip(test_images, test_labels))

nn = Network([784, 100, 10])
nn.SGD(training_data=training_data, epochs=30, mini_batch_size=10, eta=0.5, test_data=test_data)
nn.saveToPBJSON("model.pbjson")
