"""Rewrite of github.com/Pyrotechnix/neuralNetwork2, neural_network.py (and main.py).

Style: class
Layout: hybrid
Network: classic
API: module helpers matrixMultiply(a, b), matrixAdd(a, b), matrixBroadcast(m, broadcastLen),
    activationFunction(n) (ReLU); class neuralNetwork(layerInformation) with the weights in the
    list self._weightMatrix (W (n_out, n_in)) and the biases in self._biasMatrix ((n_out, 1));
    setTrainingData(trainingData, trainingLabels); interpretCatagories(labels) -> dict of one-hot
    columns; feedForward(inputs) takes samples as rows and returns the softmax output as columns
    (k, m), keeping self._currentOutput and self._activationValues; calculateLoss(expected) with
    expected a stack of (k, 1) one-hot columns; backpropagate(expected) reads the cache on self
    and applies the update itself with a learning rate of 0.001 fixed inside the method;
    formalCalculatingLossAndStuff(sampleCount) does one forward/loss/backward step.
Known bugs: interpretCatagories numbers the classes in the order they first appear in the labels
    (MNIST's first training label is 5, so digit 5 gets row 0) and counts only the classes present,
    so the "one-hot" of digit d is not row d and the output rows are permuted digits. The original
    file ends with an empty `def testAccuracy(self):` (a syntax error); the rewrite gives it an
    empty body. main.py of that commit builds [784, 5, 5, 10]; the README states one hidden layer
    of 100, which the run below uses. The weights are drawn from an unscaled standard normal
    (large first logits, a poor but not a wrong choice).

Expected:
    init: pass
    relu: pass
    one_hot: fail mismatch
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
"""

import numpy as np
import idx2numpy


def matrixMultiply(a, b):
    if len(a[0]) != len(b):
        print("Invalid!")
        return None
    return a @ b


def matrixAdd(a, b):
    if len(a) != len(b):
        print("Invalid!")
        return None
    return a + b


def matrixBroadcast(m, broadcastLen):
    # repeat each bias (one per row) across broadcastLen columns
    out = np.zeros((len(m), broadcastLen))
    for i in range(len(m)):
        out[i] = np.full(broadcastLen, m[i][0])
    return out


def activationFunction(n):
    return np.maximum(0, n)


class neuralNetwork:
    inputCount = None
    outputCount = None
    _weightMatrix = None
    _biasMatrix = None
    _trainingData = None
    _trainingLabels = None
    _currentOutput = None
    _activationValues = None
    _catagoryDict = None

    def __init__(self, layerInformation):
        if len(layerInformation) < 3:
            print("Invalid, no hidden layer")
            return
        self.inputCount = layerInformation[0]
        self.outputCount = layerInformation[-1]
        self._weightMatrix = []
        self._biasMatrix = []
        self._activationValues = []
        for i in range(1, len(layerInformation)):
            self._weightMatrix.append(np.random.randn(layerInformation[i], layerInformation[i - 1]))
        for i in range(1, len(layerInformation)):
            self._biasMatrix.append(np.random.randn(layerInformation[i]).reshape(-1, 1))
        for size in layerInformation:
            self._activationValues.append(np.zeros(size).reshape(-1, 1))

    def setTrainingData(self, trainingData, trainingLabels):
        flat = np.zeros([len(trainingData), len(trainingData[0].flatten())])
        for i in range(len(flat)):
            flat[i] = trainingData[i].flatten()
        self._trainingData = flat / flat.max()
        self.interpretCatagories(trainingLabels)
        self._trainingLabels = np.zeros([len(trainingData), len(self._catagoryDict), 1])
        for i in range(len(trainingLabels)):
            self._trainingLabels[i] = self._catagoryDict[str(trainingLabels[i])]

    def interpretCatagories(self, labels):
        # one output neuron per distinct label, numbered in order of first appearance
        seen = []
        for label in labels:
            if label not in seen:
                seen.append(label)
        names = [str(c) for c in seen]
        self._catagoryDict = {}
        for i, name in enumerate(names):
            column = np.zeros((1, len(names)))
            column[0][i] = 1
            self._catagoryDict[name] = column.T
        return self._catagoryDict

    def setValues(self, weights, biases):
        self._weightMatrix = weights
        self._biasMatrix = biases

    def feedForward(self, inputs):
        if len(inputs[0]) != self.inputCount:
            print('invalid operation, number of inputs does not match')
            return None
        layer = np.array(inputs).T
        self._activationValues[0] = layer
        for i in range(len(self._weightMatrix) - 1):
            layer = matrixMultiply(self._weightMatrix[i], layer)
            layer = matrixAdd(matrixBroadcast(self._biasMatrix[i], len(layer[0])), layer)
            layer = activationFunction(layer)
            self._activationValues[i + 1] = layer
        layer = matrixMultiply(self._weightMatrix[-1], layer)
        layer = matrixAdd(matrixBroadcast(self._biasMatrix[-1], len(layer[0])), layer)
        shifted = layer - np.max(layer, axis=0, keepdims=True)  # per-sample shift
        layer = np.exp(shifted) / np.sum(np.exp(shifted), axis=0, keepdims=True)
        self._currentOutput = layer
        self._activationValues[-1] = layer
        return layer

    def calculateLoss(self, expected):
        losses = np.hstack(expected) * np.log(self._currentOutput)
        print("Total loss:", np.sum(losses))
        return -np.sum(losses) / len(losses[0])

    def backpropagate(self, expected):
        learningRate = 0.001
        weightChanges, biasChanges = [], []
        # (output - target) / batch size: the averaging is done once, here
        delta = (self._currentOutput - np.hstack(expected)) / len(self._currentOutput[0])
        weightChanges.append(delta @ self._activationValues[-2].T)
        biasChanges.append(np.sum(delta, axis=1, keepdims=True))
        for i in range(1, len(self._weightMatrix)):
            delta = (self._weightMatrix[-i].T @ delta) * (self._activationValues[-i - 1] > 0).astype(float)
            weightChanges.append(delta @ self._activationValues[-i - 2].T)
            biasChanges.append(np.sum(delta, axis=1, keepdims=True))
        for i in range(len(self._weightMatrix)):
            self._weightMatrix[i] -= weightChanges[-1 - i] * learningRate
        for i in range(len(self._biasMatrix)):
            self._biasMatrix[i] -= biasChanges[-1 - i] * learningRate

    def formalCalculatingLossAndStuff(self, sampleCount):
        self.feedForward(self._trainingData[:sampleCount])
        self.calculateLoss(self._trainingLabels[:sampleCount])
        print('loss derivatives')
        self.backpropagate(self._trainingLabels[:sampleCount])

    def testAccuracy(self):
        pass


def main():
    trainingData = idx2numpy.convert_from_file('mnist_data/train-images.idx3-ubyte')
    trainingLabels = idx2numpy.convert_from_file('mnist_data/train-labels.idx1-ubyte')
    nn = neuralNetwork([784, 100, 10])
    nn.setTrainingData(trainingData, trainingLabels)
    for _ in range(200):
        nn.formalCalculatingLossAndStuff(1000)


main()
