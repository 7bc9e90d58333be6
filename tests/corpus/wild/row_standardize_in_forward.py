"""Rewrite of github.com/zaycev/mnist-numpy, main.py.

Style: row
Layout: row
Network: classic
API: relu(x); relu_grad(x); softmax(x) (row-wise); cross_entropy_loss(y_true, logits) and
    cross_entropy_loss_grad(y_true, logits) take one-hot rows and LOGITS (softmax inside; the grad
    is (p - y) / m); NNModel(input_size, hidden_size, output_size): W1 (784, h), b1 (1, h),
    W2 (h, 10), b2 (1, 10), He init; forward(X) -> (Z2, A2) and keeps Z1, A1, Z2, A2 on self;
    backward(X, y, logits, learning_rate=0.01, clip_value=1.0) returns nothing: it computes the
    gradients, clips them to [-clip_value, clip_value] and applies the step itself;
    compute_accuracy(logits, y_true) with one-hot y_true. Labels are one-hot rows (np.eye(10)[y]).
    Training is full-batch at module level (1000 epochs, lr 0.1).
Known bugs: forward and backward standardize X with the statistics of the batch they are given
    ((X - mean(X, axis=0)) / (std(X, axis=0) + 1e-8)) before the first layer, so the network is
    not W1 applied to X: Z1 and everything after it differ from the classic forward, a single
    sample is mapped to an all-zero input (its own mean), and predictions depend on the rest of the
    batch. backward recomputes that standardized X, so dW1 = Xs.T @ dZ1 is not the gradient with
    respect to the given X; dW2, db2 and db1 only use the cached A1 / dZ and are right given the
    cache. Gradient clipping at +-1 is a deliberate choice, not counted as a bug (it only changes
    entries larger than 1). relu_grad is applied to A1 instead of Z1, which is equivalent.
    The training loop is module-level code (no function to call), so train is unchecked.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: pass
    forward: fail mismatch
    loss: pass
    dW1: fail mismatch
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    accuracy: pass
    train: unchecked
"""

import os

import numpy as np
from mnist import MNIST

mnist_loader = MNIST(os.path.join(os.getcwd(), "data"))
X_train, y_train = mnist_loader.load_training()
X_test, y_test = mnist_loader.load_testing()

# python-mnist gives lists of 784 ints per image: make float rows in [0, 1]
X_train = np.array([np.array(img, dtype=np.float32) / 255.0 for img in X_train])
X_test = np.array([np.array(img, dtype=np.float32) / 255.0 for img in X_test])
y_train = np.array(y_train, dtype=np.int32)
y_test = np.array(y_test, dtype=np.int32)

labels = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
num_classes = 10
# one row per sample, one column per class
y_train = np.eye(num_classes)[y_train]
y_test = np.eye(num_classes)[y_test]


def relu(x):
    return np.maximum(x, 0)


def relu_grad(x):
    return np.where(x > 0, 1, 0)


def softmax(x):
    # subtract each row's max so exp cannot overflow
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def cross_entropy_loss(y_true, logits):
    m = y_true.shape[0]
    probs = softmax(logits)
    picked = probs[range(m), np.argmax(y_true, axis=1)]
    return np.sum(-np.log(picked + 1e-8)) / m


def cross_entropy_loss_grad(y_true, logits):
    # softmax followed by cross-entropy: the gradient on the logits is p - y, averaged
    probs = softmax(logits)
    return (probs - y_true) / y_true.shape[0]


INPUT_SIZE = 28 * 28
HIDDEN_SIZE = 80
OUTPUT_SIZE = 10

np.random.seed(0)


class NNModel:

    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(input_size, hidden_size) * np.sqrt(2 / input_size)
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * np.sqrt(2 / hidden_size)
        self.b2 = np.zeros((1, output_size))

        self.Z1 = None
        self.A1 = None
        self.Z2 = None
        self.A2 = None

    def forward(self, X):
        # normalise every feature with this batch's own mean and spread
        X = (X - np.mean(X, axis=0, keepdims=True)) / (np.std(X, axis=0, keepdims=True) + 1e-8)

        self.Z1 = np.dot(X, self.W1) + self.b1
        self.A1 = relu(self.Z1)
        self.Z2 = np.dot(self.A1, self.W2) + self.b2
        self.A2 = softmax(self.Z2)
        return self.Z2, self.A2

    def backward(self, X, y, logits, learning_rate=0.01, clip_value=1.0):
        X = (X - np.mean(X, axis=0, keepdims=True)) / (np.std(X, axis=0, keepdims=True) + 1e-8)

        dZ2 = cross_entropy_loss_grad(y, logits)
        dW2 = np.dot(self.A1.T, dZ2)
        db2 = np.sum(dZ2, axis=0, keepdims=True)

        dA1 = np.dot(dZ2, self.W2.T)
        dZ1 = dA1 * relu_grad(self.A1)
        dW1 = np.dot(X.T, dZ1)
        db1 = np.sum(dZ1, axis=0, keepdims=True)

        # keep every step entry inside [-clip_value, clip_value]
        dW1 = np.clip(dW1, -clip_value, clip_value)
        db1 = np.clip(db1, -clip_value, clip_value)
        dW2 = np.clip(dW2, -clip_value, clip_value)
        db2 = np.clip(db2, -clip_value, clip_value)

        self.W1 -= learning_rate * dW1
        self.b1 -= learning_rate * db1
        self.W2 -= learning_rate * dW2
        self.b2 -= learning_rate * db2


model = NNModel(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)


def compute_accuracy(logits, y_true):
    predicted = np.argmax(logits, axis=1)
    actual = np.argmax(y_true, axis=1)
    return np.mean(predicted == actual)


EPOCHS = 1000
for epoch in range(EPOCHS):
    train_logits, y_pred = model.forward(X_train)
    model.backward(X_train, y_train, train_logits, learning_rate=0.1)

    if epoch % 100 == 0:
        loss = cross_entropy_loss(y_train, train_logits)
        test_logits, _ = model.forward(X_test)
        train_accuracy = compute_accuracy(train_logits, y_train)
        test_accuracy = compute_accuracy(test_logits, y_test)
        print(f"Epoch {epoch}, Loss: {loss}, Train Acc: {train_accuracy:.2f}, Test Acc: {test_accuracy:.2f}")
