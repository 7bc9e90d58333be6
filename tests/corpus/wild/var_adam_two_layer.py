"""Rewrite of github.com/QianQing26/My-first-DNN, network.py (with Layers.py, function.py, GDoptimizer.py and main.py).

Style: variant
Layout: row
Network: variant: the classic 784 -> ReLU -> softmax 10 network trained with Adam (layer objects, samples as rows)
API: softmax(x) (row-wise for a batch); cross_entropy_error(y, t); layers Relu, sigmoid, Affine(W, b), SoftmaxWithLoss
    with forward/backward; optimizers SGD(learning_rate), Momentum(lr, momentum), Adam(lr=0.001, beta1, beta2) with
    update(params, grads) in place; TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.01) with
    params {'W1' (784, h), 'b1' (h,), 'W2' (h, 10), 'b2' (10,)}; predict(x) -> logits (the forward pass);
    loss(x, t); accuracy(x, t); gradient(x, t) -> {'W1', 'b1', 'W2', 'b2'}; train(x_train, t_train, x_test, t_test,
    num_iter, batch_size, lr, optimizer=Adam()). Labels t are one-hot rows.
Known bugs: SoftmaxWithLoss.forward calls cross_entropy_error(self.t, self.y) but the function is
    cross_entropy_error(y, t): labels and probabilities are swapped, so loss() returns
    mean(sum(p * -log(onehot + 1e-7))) = 16.1 * (1 - p_true), not the cross-entropy (the gradients do not use it).
    train's lr argument is never used (the optimizer keeps its own lr, and the default Adam() instance is shared
    between calls); train is an Adam loop anyway, unchecked like the Adam update.

Expected:
    init: pass
    relu: pass
    softmax: pass
    forward: pass
    loss: fail mismatch
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: unchecked
    accuracy: pass
    train: unchecked
"""

from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np
from tqdm import tqdm

from dataset.mnist import load_mnist


# ---- function.py ----

def cross_entropy_error(y, t):
    """Batch-mean cross-entropy of probabilities y against one-hot t (1-D inputs become one row)."""
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]


def softmax(x):
    if x.ndim == 2:
        # work on columns of the transpose, i.e. on each sample's row
        x = x.T - np.max(x.T, axis=0)
        return (np.exp(x) / np.sum(np.exp(x), axis=0)).T
    x = x - np.max(x)  # guard against overflow
    return np.exp(x) / np.sum(np.exp(x))


# ---- Layers.py ----

class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # zeroes the incoming gradient in place
        return dout


class sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.t, self.y)  # arguments in the wrong order
        return self.loss

    def backward(self, dout=1):
        # softmax + cross-entropy: (p - t), averaged over the batch rows
        return (self.y - self.t) / self.t.shape[0]


# ---- GDoptimizer.py (the original also has AdaGrad, RMSprop, Nesterov, AdaMax, Adadelta, Adafactor, AMSGrad, RAdam) ----

class SGD:
    def __init__(self, learning_rate=0.01):
        self.lr = learning_rate

    def update(self, params, grad):
        for key in params.keys():
            params[key] -= self.lr * grad[key]


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads):
        self.t += 1
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1 ** self.t)  # bias-corrected moments
            v_hat = self.v[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)


# ---- network.py ----

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size),
            'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size),
            'b2': np.zeros(output_size),
        }
        # the layers share the arrays of self.params, so in-place optimizer steps reach them
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)  # forward pass, caching every layer's input
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {
            'W1': self.layers['Affine1'].dW, 'b1': self.layers['Affine1'].db,
            'W2': self.layers['Affine2'].dW, 'b2': self.layers['Affine2'].db,
        }

    def train(self, x_train, t_train, x_test, t_test, num_iter=5000, batch_size=16, lr=0.01, optimizer=Adam()):
        train_loss_list, train_acc_list, test_acc_list = [], [], []
        train_size = x_train.shape[0]
        iter_per_epoch = max(train_size / batch_size, 1)
        for i in tqdm(range(num_iter)):
            batch_mask = np.random.choice(train_size, batch_size)
            x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
            grad = self.gradient(x_batch, t_batch)
            optimizer.update(self.params, grad)  # lr is never passed on
            loss = self.loss(x_batch, t_batch)
            train_loss_list.append(loss)
            if i % iter_per_epoch == 0:
                train_acc_list.append(self.accuracy(x_train, t_train))
                test_acc_list.append(self.accuracy(x_test, t_test))
                print("\nEpochs:%d/%d    Loss:%.6f" % (i // iter_per_epoch, num_iter // iter_per_epoch, loss))
        plt.plot(range(num_iter), train_loss_list)
        plt.title('Training Loss')
        plt.show()
        x = np.arange(len(train_acc_list))
        plt.plot(x, train_acc_list, label='train acc')
        plt.plot(x, test_acc_list, label='test acc', linestyle='--')
        plt.ylim(0, 1.0)
        plt.legend(loc='lower right')
        plt.show()


# ---- main.py ----

if __name__ == '__main__':
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
    print(x_train.shape)
    network = TwoLayerNet(784, 81, 10)
    network.train(x_train, t_train, x_test, t_test, num_iter=5000, batch_size=32, lr=0.01, optimizer=Adam())
