"""A network class with sigmoid hidden and output units trained on binary cross-entropy per class.

Style: class
Spec: --layers 784,32,10 --activation sigmoid --output sigmoid --loss binary_cross_entropy
API: MLP(layer_sizes, seed=0) keeping self.params {"W1".., "b1"..}; forward(X) -> AL (keeps self.cache);
    loss(AL, Y); backward(Y) -> grads; step(grads, lr) (updates self.params in place).
Known bugs: none.

Expected:
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
"""

import numpy as np

class MLP:
    def __init__(self, layer_sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.L = len(layer_sizes) - 1
        self.params = {}
        for l in range(1, self.L + 1):
            self.params[f"W{l}"] = rng.standard_normal((layer_sizes[l], layer_sizes[l - 1])) * 0.1
            self.params[f"b{l}"] = np.zeros((layer_sizes[l], 1))

    def forward(self, X):
        self.cache = {"A0": X}
        A = X
        for l in range(1, self.L + 1):
            Z = self.params[f"W{l}"] @ A + self.params[f"b{l}"]
            A = 1 / (1 + np.exp(-Z))
            self.cache[f"A{l}"] = A
        return A

    def loss(self, AL, Y):
        return -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))

    def backward(self, Y):
        k, m = Y.shape
        grads = {}
        dZ = (self.cache[f"A{self.L}"] - Y) / (k * m)
        for l in range(self.L, 0, -1):
            grads[f"dW{l}"] = dZ @ self.cache[f"A{l-1}"].T
            grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
            if l > 1:
                A = self.cache[f"A{l-1}"]
                dZ = (self.params[f"W{l}"].T @ dZ) * A * (1 - A)
        return grads

    def step(self, grads, lr):
        for k in self.params:
            self.params[k] -= lr * grads["d" + k]
