"""Rewrite of github.com/Minjungh63/DeepLearning, two_layer_net/classifiers/neural_net.py.

Style: class
Layout: row
Network: classic
API: the CS231n assignment's TwoLayerNet(input_size, hidden_size, output_size, std=1e-4) with the
    parameters in the dict self.params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,);
    loss(X, y=None, reg=0.0) is forward, loss and backward in one: with y=None it returns the scores
    (N, C), with labels y (N,) the pair (loss, grads), the mean cross-entropy plus
    reg * (|W1|^2 + |W2|^2) and grads keyed like the parameters ('W1', 'b1', ...);
    train(X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95, reg=5e-6, num_iters=100,
    batch_size=200, verbose=False) samples a mini-batch with replacement each iteration, steps
    self.params in place, multiplies the learning rate by learning_rate_decay once an epoch, and
    returns a dict of histories; predict(X) -> argmax of the scores (N,).
Known bugs: none in the arithmetic for the classic network (reg=0, no decay). The loss shifts the
    scores by their largest entry over the whole batch, not per row: a row far below another
    underflows to all zeros (log 0) on extreme logits, which no check of a batch of normal inputs
    meets. There is no forward or backward function of its own: the forward pass is loss(X) with
    y=None, the backward pass loss(X, y) (its grads).

Expected:
    init: pass
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    predict: pass
    train: pass
"""

import numpy as np
import matplotlib.pyplot as plt


class TwoLayerNet(object):

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N, D = X.shape

        pre = np.dot(X, W1) + b1
        hid = np.maximum(pre, 0)
        scores = np.dot(hid, W2) + b2
        if y is None:
            return scores

        scores = scores - np.max(scores)
        exp_scores = np.exp(scores)
        row_sums = np.sum(exp_scores, axis=1)
        right = exp_scores[range(N), y]
        loss = np.sum(-np.log(right / row_sums)) / N + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        grads = {}
        dscores = np.divide(exp_scores, row_sums.reshape(N, 1))
        dscores[range(N), y] = -(row_sums - right) / row_sums
        dscores /= N
        dW2 = hid.T.dot(dscores)
        db2 = np.sum(dscores, axis=0)
        dhid = dscores.dot(W2.T)
        dhid[hid == 0] = 0
        dW1 = X.T.dot(dhid)
        db1 = np.sum(dhid, axis=0)
        grads['W2'] = dW2 + 2 * reg * W2
        grads['b2'] = db2
        grads['W1'] = dW1 + 2 * reg * W1
        grads['b1'] = db1
        return loss, grads

    def train(self, X, y, X_val, y_val,
              learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100,
              batch_size=200, verbose=False):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history = []
        train_acc_history = []
        val_acc_history = []

        for it in range(num_iters):
            picked = np.random.choice(num_train, batch_size)
            X_batch = X[picked]
            y_batch = y[picked]

            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)

            self.params['W2'] -= learning_rate * grads['W2']
            self.params['b2'] -= learning_rate * grads['b2']
            self.params['W1'] -= learning_rate * grads['W1']
            self.params['b1'] -= learning_rate * grads['b1']

            if verbose and it % 100 == 0:
                print('iteration %d / %d: loss %f' % (it, num_iters, loss))

            if it % iterations_per_epoch == 0:
                train_acc_history.append((self.predict(X_batch) == y_batch).mean())
                val_acc_history.append((self.predict(X_val) == y_val).mean())
                learning_rate *= learning_rate_decay

        return {
            'loss_history': loss_history,
            'train_acc_history': train_acc_history,
            'val_acc_history': val_acc_history,
        }

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)
