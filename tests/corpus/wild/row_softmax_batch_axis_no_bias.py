"""Rewrite of github.com/zenpk/mnist-numpy, main.py.

Style: row
Layout: row
Network: variant: no biases, and the loss is the mean squared error between the softmax output and the one-hot target
API: module-level script after geohot's mnist_from_scratch notebook. fetch(url) -> uint8 array
    (read from ./data/<md5 of url>; the original downloads the file when it is missing, left out
    here); init(x, y) -> uniform(-1, 1, (x, y)) / sqrt(x * y) as float32; d_sigmoid(x);
    softmax(x) and d_softmax(x) normalise along axis 0; forward_backward_pass(x, y, w1, w2) with
    x (batch, 784) rows and integer labels y -> (out, update_w1, update_w2): one-hot targets
    built inside, x_w1 = x @ w1 (w1 (784, 64)), x_relu = relu(x_w1), out = softmax(x_relu @ w2)
    (w2 (64, 10)), then the updates. Training (50000 steps of 32 random samples, lr 0.0005, SGD
    written inline as w = w - lr * update) and the tests run at module level.
Known bugs: softmax and d_softmax sum along axis 0, which for row batches is the BATCH axis: each
    class column is normalised over the samples instead of each sample over the classes (a batch
    of one gives all ones). The hidden layer is a ReLU but its backward multiplies by d_sigmoid(x_w1),
    the sigmoid's derivative. The output error uses only the diagonal of the softmax Jacobian
    (out * (1 - out)), which is not the gradient of the squared error through a softmax. So the
    forward pass and both updates are wrong even for this bias-free MSE network. The reported
    "loss" is the mean squared difference of predicted and true label indices.

Expected:
    init: unchecked
    softmax: fail mismatch
    forward: fail mismatch
    dW1: fail mismatch
    dW2: fail mismatch
    train: unchecked
"""

import gzip
import hashlib
import os

import numpy as np

path = "./data"


def fetch(url):
    # cached copies are stored under the md5 of their URL
    fp = os.path.join(path, hashlib.md5(url.encode("utf-8")).hexdigest())
    with open(fp, "rb") as f:
        data = f.read()
    return np.frombuffer(gzip.decompress(data), dtype=np.uint8).copy()


X = fetch("http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz")[0x10:].reshape((-1, 28, 28))
Y = fetch("http://yann.lecun.com/exdb/mnist/train-labels-idx1-ubyte.gz")[8:]
X_test = fetch("http://yann.lecun.com/exdb/mnist/t10k-images-idx3-ubyte.gz")[0x10:].reshape((-1, 28, 28))
Y_test = fetch("http://yann.lecun.com/exdb/mnist/t10k-labels-idx1-ubyte.gz")[8:]

# hold out the last 10000 of a random permutation for validation
rand = np.arange(60000)
np.random.shuffle(rand)
train_no = rand[:50000]
test_no = np.setdiff1d(rand, train_no)
X_train, X_test = X[train_no, :, :], X[test_no, :, :]
Y_train, Y_test = Y[train_no], Y[test_no]


def init(x, y):
    layer = np.random.uniform(-1., 1., size=(x, y)) / np.sqrt(x * y)
    return layer.astype(np.float32)


def d_sigmoid(x):
    return (np.exp(-x)) / ((np.exp(-x) + 1) ** 2)


def softmax(x):
    return np.exp(x) / np.sum(np.exp(x), axis=0)


def d_softmax(x):
    e = np.exp(x - x.max())
    return e / np.sum(e, axis=0) * (1 - e / np.sum(e, axis=0))


def forward_backward_pass(x, y, w1, w2):
    targets = np.zeros((len(y), 10), np.float32)
    targets[range(targets.shape[0]), y] = 1

    x_w1 = x.dot(w1)
    x_relu = np.maximum(x_w1, 0)
    x_w2 = x_relu.dot(w2)
    out = softmax(x_w2)

    # squared-error gradient pushed back through the output and the hidden layer
    error = 2 * (out - targets) / out.shape[0] * d_softmax(x_w2)
    update_w2 = x_relu.T @ error
    error = (w2.dot(error.T)).T * d_sigmoid(x_w1)
    update_w1 = x.T @ error
    return out, update_w1, update_w2


hidden = 64
input_size = 28 * 28
seed = 666
batch = 32
epochs = 50000
test_interval = 1000
test_size = 10
lr = 0.0005
max_val = 255

np.random.seed(seed)
w1 = init(input_size, hidden)
w2 = init(hidden, 10)

losses, train_accuracy = [], []
for i in range(epochs):
    sample = np.random.randint(0, X_train.shape[0], size=batch)
    x = X_train[sample].reshape((-1, input_size)) / max_val
    y = Y_train[sample]

    out, update_w1, update_w2 = forward_backward_pass(x, y, w1, w2)
    train_out = np.argmax(out, axis=1)
    train_accuracy.append((train_out == y).mean().item())
    losses.append(((train_out - y) ** 2).mean().item())

    w1 = w1 - lr * update_w1
    w2 = w2 - lr * update_w2

    if (i + 1) % test_interval == 0:
        x = X_test.reshape((-1, input_size)) / max_val
        y = Y_test
        out, update_w1, update_w2 = forward_backward_pass(x, y, w1, w2)
        test_accuracy = (np.argmax(out, axis=1) == y).mean()
        print(f"Epoch {i + 1}/{epochs}: train accuracy: {np.mean(train_accuracy):.3f}, test accuracy: {test_accuracy:.3f}")
        losses, train_accuracy = [], []

print("Random test:")
sample = np.random.randint(0, X_test.shape[0], size=test_size)
x = X_test[sample].reshape((-1, input_size)) / max_val
y = Y_test[sample]
out, update_w1, update_w2 = forward_backward_pass(x, y, w1, w2)
test_out = np.argmax(out, axis=1)
print(f"Testing label {y}, result: {test_out}, accuracy: {(test_out == y).mean():.1f}")
