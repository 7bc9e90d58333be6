"""Hostile: its own NumPy forward pass, but the gradients come from torch autograd."""
import numpy as np
import torch


def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    Z_shift = Z - np.max(Z, axis=0, keepdims=True)
    expZ = np.exp(Z_shift)
    return expZ / np.sum(expZ, axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def ReLU_deriv(Z):
    return (Z > 0).astype(float)


def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, 10))
    one_hot_Y[np.arange(Y.size), Y] = 1
    return one_hot_Y.T


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    W1_t = torch.tensor(W1, requires_grad=True)
    W2_t = torch.tensor(W2, requires_grad=True)
    b1_t = torch.zeros((W1.shape[0], 1), dtype=torch.float64, requires_grad=True)
    b2_t = torch.zeros((W2.shape[0], 1), dtype=torch.float64, requires_grad=True)
    logits = W2_t @ torch.relu(W1_t @ torch.tensor(X) + b1_t) + b2_t
    loss = torch.nn.functional.cross_entropy(logits.T, torch.tensor(Y))
    loss.backward()
    return W1_t.grad.numpy(), b1_t.grad.numpy(), W2_t.grad.numpy(), b2_t.grad.numpy()


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size
