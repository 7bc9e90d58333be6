"""Rewrite of github.com/AvrahamOhana/Neural-Network-From-Scratch, layers.py (with activation.py, loss.py and optimizers.py folded in).

Style: layers
Layout: row
Network: classic
API: nnfs-book layer objects, nothing else. Dense(inputs, neurons): weights (inputs, neurons) =
    0.10 * randn, biases (1, neurons); forward(inputs) sets .output; backward(dvalues) sets
    .dinputs, .dweights, .dbiases. ReLU: forward(inputs) sets .output, backward(dvalues) sets
    .dinputs. Softmax: forward(inputs) sets .output (row-wise, no backward). Loss.calculate(output,
    y) -> mean of forward(); CategoricalCrossentropy.forward(y_pred, y_true) -> per-sample losses,
    backward(dvalues, y_true) -> .dinputs = -y / p / n. Softmax_Loss_CategoricalCrossentropy():
    forward(inputs, y_true) -> mean loss (sets .output), backward(dvalues, y_true) sets
    .dinputs = (p - onehot) / n (accepts integer or one-hot labels). SGD(learning_rate=1.0):
    update_params(layer) does W += -lr * dW, b += -lr * db. No method returns a value except the
    losses. The repository has no training script (its README lists "MNIST train example" as
    not done), so no network is assembled and there is no top-level code.
Known bugs: CategoricalCrossentropy.forward only handles integer labels: with one-hot labels
    (y_true 2-D) correct_confidences is never assigned and it raises UnboundLocalError, so
    Softmax_Loss_CategoricalCrossentropy.forward fails on one-hot labels while its backward accepts
    them. With integer labels the loss is right.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: pass
    loss: fail exception
    update: pass
"""

import numpy as np


class Dense():
    def __init__(self, inputs, neurons):
        self.weights = 0.10 * np.random.randn(inputs, neurons)
        self.biases = np.zeros((1, neurons))

    def forward(self, inputs):
        # keep the inputs: the weight gradient needs them
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dinputs = np.dot(dvalues, self.weights.T)
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)


class ReLU():
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        # no gradient flows where the unit was off
        self.dinputs[self.inputs <= 0] = 0


class Softmax():
    def forward(self, inputs):
        shifted = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = shifted / np.sum(shifted, axis=1, keepdims=True)


class Loss():
    def calculate(self, output, y):
        return np.mean(self.forward(output, y))


class CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        samples = len(y_pred)
        # keep log() away from 0
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)

        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[range(samples), y_true]

        return -np.log(correct_confidences)

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        labels = len(dvalues[0])
        if len(y_true.shape) == 1:
            y_true = np.eye(labels)[y_true]
        self.dinputs = -y_true / dvalues
        self.dinputs = self.dinputs / samples


class Softmax_Loss_CategoricalCrossentropy():
    def __init__(self):
        self.activation = Softmax()
        self.loss = CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.activation.forward(inputs)
        self.output = self.activation.output
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        # one-hot rows -> class indices
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class SGD():
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update_params(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases
