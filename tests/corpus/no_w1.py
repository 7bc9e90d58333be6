import numpy as np
from tqdm import tqdm

# Load MNIST from the CSV export: first column is the label, then 784 pixel values.
train = np.loadtxt("mnist_train.csv", delimiter=",", skiprows=1)
X = train[:, 1:].T / 255.0
Y = train[:, 0].astype(int)


def init_params(input_size=784, hidden_size=128, output_size=10):
    # He initialisation: variance 2 / fan_in suits ReLU layers
    W1 = np.random.randn(hidden_size, input_size) * np.sqrt(2 / input_size)
    b1 = np.zeros((hidden_size, 1))
    W2 = np.random.randn(output_size, hidden_size) * np.sqrt(2 / hidden_size)
    b2 = np.zeros((output_size, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(Z, 0)


def deriv_ReLU(Z):
    return (Z >= 0).astype(Z.dtype)


def softmax(Z):
    exp = np.exp(Z - np.max(Z, axis=0))
    return exp / np.sum(exp, axis=0)


def one_hot(Y, num_classes=10):
    return np.eye(num_classes)[Y].T


def forward_propagation(X, W1, b1, W2, b2):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def cross_entropy(A2, Y):
    m = Y.size
    return -np.mean(np.log(A2[Y, np.arange(m)]))


def back_prop(Z1, A1, Z2, A2, W2, X, Y):
    m = Y.size
    dZ2 = A2 - one_hot(Y)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1).reshape(-1, 1) / m
    dZ1 = W2.T @ dZ2 * deriv_ReLU(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1).reshape(-1, 1) / m
    return dW1, db1, dW2, db2


def update(W1, b1, W2, b2, dW1, db1, dW2, db2, lr):
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
    return W1, b1, W2, b2


def predict(X, W1, b1, W2, b2):
    _, _, _, A2 = forward_propagation(X, W1, b1, W2, b2)
    return np.argmax(A2, axis=0)


def accuracy(predictions, Y):
    return np.mean(predictions == Y)


def grad_descent(X, Y, iterations, lr):
    W1, b1, W2, b2 = init_params()
    for i in tqdm(range(iterations)):
        Z1, A1, Z2, A2 = forward_propagation(X, W1, b1, W2, b2)
        dW1, db1, dW2, db2 = back_prop(Z1, A1, Z2, A2, W2, X, Y)
        W1, b1, W2, b2 = update(W1, b1, W2, b2, dW1, db1, dW2, db2, lr)
        if i % 50 == 0:
            print(f"step {i}: loss {cross_entropy(A2, Y):.3f}, accuracy {accuracy(np.argmax(A2, 0), Y):.3f}")
    return W1, b1, W2, b2


W1, b1, W2, b2 = grad_descent(X, Y, 1000, 0.1)
print("final training accuracy:", accuracy(predict(X, W1, b1, W2, b2), Y))
