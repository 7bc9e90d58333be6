"""Rewrite of github.com/souravgl0/NeuralNet, neural_net.py and MNIST.py.

Style: class
Layout: row
Network: classic
API: NeuralNet(input_size, hidden_size, output_size, std=1e-2) with the parameters in the dict
    self.params: W1 (n_in, h), b1 (h,), W2 (h, k), b2 (k,); process(X, Y, reg=0.0, gradients=True)
    is forward, loss and backward in one: with Y=None it returns the probabilities (N, k); with
    labels Y of shape (N, 1) it returns the mean cross-entropy (plus 0.5 * reg * |W|^2), and with
    gradients=True the pair (loss, grads) where grads has dW1, db1, dW2, db2; train(X, Y, reg=1e-4,
    num_iters=2000, batch_size=200, learning_rate=1, learning_decay=1, verbose=True,
    show_decision_boundary=False) samples a mini-batch with replacement each iteration and updates
    self.params in place, returning (loss_history, train_acc_history); predict(X) -> labels (N, 1).
Known bugs: none found (predict's softmax has no max-shift, harmless for argmax on normal inputs).
    The original is Python 2 (print statements, xrange) and imports logsumexp from scipy.misc,
    which SciPy has since removed; the rewrite uses Python 3 and scipy.special.logsumexp. The
    original's own __main__ demo (a 2-D spiral) is left out; MNIST.py's run is kept.

Expected:
    init: pass
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    predict: pass
    train: pass
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.special import logsumexp


class NeuralNet():

    def __init__(self, input_size, hidden_size, output_size, std=1e-2):
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def process(self, X, Y, reg=0.0, gradients=True):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N = X.shape[0]

        z2 = X @ W1 + b1
        a2 = np.maximum(z2, 0)
        z3 = a2 @ W2 + b2
        shifted = z3 - np.max(z3, axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs = probs / np.sum(probs, axis=1).reshape(N, 1)
        if Y is None:
            return probs

        # -log softmax of the right class, through logsumexp
        dataloss = -z3 + logsumexp(z3, axis=1, keepdims=True)
        dataloss = dataloss[range(N), Y.reshape(1, N)].reshape(N, 1)
        loss = np.mean(dataloss) + 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2)
        if not gradients:
            return loss

        delta3 = probs
        delta3[range(N), Y.reshape(1, N)] -= 1
        delta3 /= N
        db2 = np.sum(delta3, axis=0)
        dW2 = a2.T @ delta3
        delta2 = (delta3 @ W2.T) * (z2 > 0)
        dW1 = X.T @ delta2
        db1 = np.sum(delta2, axis=0)
        grads = {'dW1': dW1 + reg * W1, 'dW2': dW2 + reg * W2, 'db1': db1, 'db2': db2}
        return loss, grads

    def train(self, X, Y, reg=1e-4, num_iters=2000, batch_size=200, learning_rate=1,
              learning_decay=1, verbose=True, show_decision_boundary=False):
        N = X.shape[0]
        loss_history, train_acc_history = [], []
        for it in range(num_iters):
            inds = np.random.choice(N, batch_size)
            X_batch, Y_batch = X[inds, :], Y[inds, :]
            loss, grads = self.process(X_batch, Y_batch, reg=reg)
            self.params['W1'] -= learning_rate * grads['dW1']
            self.params['W2'] -= learning_rate * grads['dW2']
            self.params['b1'] -= learning_rate * grads['db1']
            self.params['b2'] -= learning_rate * grads['db2']
            if it % 100 == 0:
                train_acc = (self.predict(X) == Y).mean()
                loss_history.append(loss)
                train_acc_history.append(train_acc)
                learning_rate *= learning_decay
                if verbose:
                    print("Iteration: %d/%d loss: %f , Train Accuracy: %f" % (it, num_iters, loss, train_acc))
        return loss_history, train_acc_history

    def predict(self, X):
        N = X.shape[0]
        z2 = X @ self.params['W1'] + self.params['b1']
        a2 = np.maximum(z2, 0)
        z3 = a2 @ self.params['W2'] + self.params['b2']
        probs = np.exp(z3)
        probs = probs / np.sum(probs, axis=1).reshape(N, 1)
        return np.argmax(probs, axis=1).reshape(N, 1)


def getdata(size=1):
    train_df = pd.read_csv("MNIST_data/train_data.csv")
    cv_df = pd.read_csv("MNIST_data/cv_data.csv")
    size = size * train_df.shape[0]
    X_train = train_df.iloc[:size, 1:].astype('float32')
    Y_train = train_df.iloc[:size, 0:1]
    X_val = cv_df.iloc[:, 1:].astype('float32')
    Y_val = cv_df.iloc[:, 0:1]
    return X_train.to_numpy(), Y_train.to_numpy(), X_val.to_numpy(), Y_val.to_numpy()


def standardise(train_data, test_data):
    train_data /= 255
    test_data /= 255
    return train_data, test_data


X_train, Y_train, X_val, Y_val = getdata()
X_train, X_val = standardise(X_train, X_val)
model = NeuralNet(784, 1000, 10)
loss_history, train_acc_history = model.train(X_train, Y_train, reg=0, num_iters=2000,
                                              batch_size=32, learning_rate=0.1)
plt.subplot(2, 1, 1)
plt.plot(loss_history)
plt.title('Loss History')
plt.subplot(2, 1, 2)
plt.plot(train_acc_history)
plt.title('Train Accuracy History')
plt.show()
print("Train Accuracy:", (model.predict(X_train) == Y_train).mean())
print("Validation Accuracy:", (model.predict(X_val) == Y_val).mean())
