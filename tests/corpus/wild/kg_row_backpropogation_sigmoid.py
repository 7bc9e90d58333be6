"""Rewrite of github.com/noahdavis05/MNIST-Neural-Network-from-Scratch, network1.py.

Style: misspelled
Layout: row
Network: variant: sigmoid hidden layer (784 -> sigmoid 128 -> softmax 10)
API: one_hot_encode(y, num_classes) -> (m, 10); sigmoid(z); softmax(z) (row-wise);
    forward_propogation(x, w1, b1, w2, b2) -> a1, y_hat; cross_entropy_loss(y, y_hat);
    backPropogation(x, y, a1, y_hat, w1, b1, w2, b2, learning_rate=0.01) -> w1, b1, w2, b2
    (computes the gradients and applies the step, in place, in one function);
    train(x_train, y_train, x_test, y_test, w1, b1, w2, b2, epochs=2000, learning_rate=0.01)
    -> w1, b1, w2, b2. Weights are created at module level (w1 (784, 128), b1 (1, 128), w2 (128, 10), b2 (1, 10)).
Known bugs: none found. The hidden layer is a sigmoid, so forward, dW1, db1 and train follow another
    network (unchecked here); the output-layer gradients and the step inside backPropogation are the
    classic ones. The loss adds 1e-8 inside the log (a negligible change).

Expected:
    softmax: pass
    one_hot: pass
    forward: unchecked
    loss: pass
    dW1: unchecked
    db1: unchecked
    dW2: pass
    db2: pass
    update: pass
    train: unchecked
"""

import numpy as np

# MNIST saved earlier as .npy arrays
x_train = np.load("./mnist/x_train.npy")
y_train = np.load("./mnist/y_train.npy")
x_test = np.load("./mnist/x_test.npy")
y_test = np.load("./mnist/y_test.npy")

# flatten 28x28 -> 784, one image per row, pixels scaled to [0, 1]
x_train = x_train.reshape(-1, 28 * 28)
x_test = x_test.reshape(-1, 28 * 28)
x_train = x_train / 255.0
x_test = x_test / 255.0


def one_hot_encode(y, num_classes):
    return np.eye(num_classes)[y]


num_classes = 10
y_train_one_hot = one_hot_encode(y_train, num_classes)
y_test_one_hot = one_hot_encode(y_test, num_classes)

input_size = 784
hidden_size = 128
output_size = 10

# small random weights break the symmetry between hidden units
np.random.seed(42)
w1 = np.random.randn(input_size, hidden_size) * 0.01
b1 = np.zeros((1, hidden_size))
w2 = np.random.randn(hidden_size, output_size) * 0.01
b2 = np.zeros((1, output_size))

print(f"W1 shape: {w1.shape}, b1 shape: {b1.shape}")
print(f"W2 shape: {w2.shape}, b2 shape: {b2.shape}")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    # one row per example: shift each row by its own maximum
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def forward_propogation(x, w1, b1, w2, b2):
    z1 = np.dot(x, w1) + b1
    a1 = sigmoid(z1)
    z2 = np.dot(a1, w2) + b2
    y_hat = softmax(z2)
    return a1, y_hat


def cross_entropy_loss(y, y_hat):
    m = y.shape[0]
    return -np.sum(y * np.log(y_hat + 1e-8)) / m


def backPropogation(x, y, a1, y_hat, w1, b1, w2, b2, learning_rate=0.01):
    m = x.shape[0]

    # output layer
    dz2 = y_hat - y
    dw2 = np.dot(a1.T, dz2) / m
    db2 = np.sum(dz2, axis=0, keepdims=True) / m

    # hidden layer, through the sigmoid's slope a1 * (1 - a1)
    da1 = np.dot(dz2, w2.T)
    dz1 = da1 * (a1 * (1 - a1))
    dw1 = np.dot(x.T, dz1) / m
    db1 = np.sum(dz1, axis=0, keepdims=True) / m

    # step downhill, in place
    w1 -= learning_rate * dw1
    b1 -= learning_rate * db1
    w2 -= learning_rate * dw2
    b2 -= learning_rate * db2

    return w1, b1, w2, b2


def train(x_train, y_train, x_test, y_test, w1, b1, w2, b2, epochs=2000, learning_rate=0.01):
    for epoch in range(epochs):
        a1, y_hat = forward_propogation(x_train, w1, b1, w2, b2)
        loss = cross_entropy_loss(y_train, y_hat)
        w1, b1, w2, b2 = backPropogation(x_train, y_train, a1, y_hat, w1, b1, w2, b2, learning_rate)

        if epoch % 100 == 0:
            print(f"Epoch {epoch}, Loss: {loss}")
            with open("Results.txt", "w") as file:
                for array in (w1, b1, w2, b2):
                    file.write(str(array))

    a1_test, y_hat_test = forward_propogation(x_test, w1, b1, w2, b2)
    test_loss = cross_entropy_loss(y_test, y_hat_test)
    accuracy = np.mean(np.argmax(y_hat_test, axis=1) == np.argmax(y_test, axis=1))
    print(f"Test Loss: {test_loss}")
    print(f"Test Accuracy: {accuracy}")

    return w1, b1, w2, b2


w1, b1, w2, b2 = train(x_train, y_train_one_hot, x_test, y_test_one_hot, w1, b1, w2, b2)
