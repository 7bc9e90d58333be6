"""Handwritten digit classification with a neural network built from scratch (NumPy only).

Architecture: input (784) -> hidden layer (ReLU) -> output layer (10, softmax).
"""

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt


class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.1):
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.learning_rate = learning_rate

        # Xavier-style initialisation keeps the activations in a sensible range
        self.W1 = np.random.randn(hidden_size, input_size) * np.sqrt(1. / input_size)
        self.b1 = np.zeros((hidden_size, 1))
        self.W2 = np.random.randn(output_size, hidden_size) * np.sqrt(1. / hidden_size)
        self.b2 = np.zeros((output_size, 1))

    def relu(self, Z):
        return np.maximum(0, Z)

    def relu_derivative(self, Z):
        return np.where(Z > 0, 1.0, 0.0)

    def softmax(self, Z):
        exp_Z = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return exp_Z / np.sum(exp_Z, axis=0, keepdims=True)

    def one_hot(self, y):
        one_hot_y = np.zeros((self.output_size, y.size))
        one_hot_y[y, np.arange(y.size)] = 1
        return one_hot_y

    def forward_propagation(self, X):
        self.Z1 = np.dot(self.W1, X) + self.b1
        self.A1 = self.relu(self.Z1)
        self.Z2 = np.dot(self.W2, self.A1) + self.b2
        self.A2 = self.softmax(self.Z2)
        return self.A2

    def compute_loss(self, y):
        m = y.size
        log_likelihood = -np.log(self.A2[y, np.arange(m)])
        return np.sum(log_likelihood) / m

    def backward_propagation(self, X, y):
        m = X.shape[1]
        one_hot_y = self.one_hot(y)

        dZ2 = self.A2 - one_hot_y
        self.dW2 = (1 / m) * np.dot(dZ2, self.A1.T)
        self.db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)

        dZ1 = np.dot(self.W2.T, dZ2) * self.relu_derivative(self.Z1)
        self.dW1 = (1 / m) * np.dot(dZ1, X.T)
        self.db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)

    def update_parameters(self):
        self.W1 -= self.learning_rate * self.dW1
        self.b1 -= self.learning_rate * self.db1
        self.W2 -= self.learning_rate * self.dW2
        self.b2 -= self.learning_rate * self.db2

    def predict(self, X):
        A2 = self.forward_propagation(X)
        return np.argmax(A2, axis=0)

    def accuracy(self, predictions, y):
        return np.mean(predictions == y)

    def train(self, X, y, iterations=500, print_every=10):
        losses = []
        for i in range(iterations):
            self.forward_propagation(X)
            loss = self.compute_loss(y)
            self.backward_propagation(X, y)
            self.update_parameters()
            losses.append(loss)
            if i % print_every == 0:
                acc = self.accuracy(self.predict(X), y)
                print(f"Iteration {i}: loss = {loss:.4f}, accuracy = {acc:.4f}")
        return losses


data = pd.read_csv("train.csv").to_numpy()
np.random.shuffle(data)
X_train = data[1000:, 1:].T / 255.0
y_train = data[1000:, 0]
X_val = data[:1000, 1:].T / 255.0
y_val = data[:1000, 0]

nn = NeuralNetwork(input_size=784, hidden_size=64, output_size=10, learning_rate=0.1)
losses = nn.train(X_train, y_train, iterations=500)

plt.plot(losses)
plt.xlabel("iteration")
plt.ylabel("loss")
plt.show()

print("Validation accuracy:", nn.accuracy(nn.predict(X_val), y_val))
