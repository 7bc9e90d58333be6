"""Rewrite of github.com/hsusul/mnist-numpy-neural-net, src/model.py (with src/layers.py, src/losses.py, src/utils.py, src/train.py and the loading part of src/data.py folded in).

Style: layers
Layout: row
Network: classic
API: Dense(in_dim, out_dim, seed=None): W (in_dim, out_dim) He init, b (out_dim,) 1-D, both
    float32; forward(X) -> X @ W + b (caches X); backward(dZ) sets .dW, .db and returns dZ @ W.T.
    ReLU(): forward(Z) caches Z; backward(dA) -> dA * (Z > 0). softmax(logits) (row-wise);
    cross_entropy(probs, y) with integer labels -> mean loss; softmax_cross_entropy_with_logits(
    logits, y) -> (loss, dlogits) with dlogits = (p - onehot) / batch.
    TwoLayerNet(input_dim=784, hidden_dim=128, num_classes=10, seed=0): .dense1, .relu, .dense2;
    forward(X) -> LOGITS (no softmax); predict(X) -> labels; train_step(Xb, yb, lr) -> loss, runs
    forward, backward and the SGD step itself. accuracy(y_pred, y_true) on labels;
    batch_iterator(X, y, batch_size, shuffle=True, seed=42). main() loads the data itself
    (get_data(), no arguments) and runs 5 epochs of minibatch SGD.
Known bugs: none found. Every layer casts its inputs to float32 (astype(np.float32)), so a float64
    batch is computed in float32: values are right to float32 precision only (not counted as a
    bug). train is unchecked: the loop lives in main(), which takes no data and reads it from disk.

Expected:
    init: pass
    relu: pass
    relu_grad: pass
    softmax: pass
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    update: pass
    predict: pass
    accuracy: pass
    train: unchecked
"""

import numpy as np

PROCESSED_NPZ_PATH = "data/processed/mnist_processed.npz"


class Dense:
    """Fully connected layer on row batches: Z = X @ W + b."""

    def __init__(self, in_dim: int, out_dim: int, seed: int | None = None):
        rng = np.random.default_rng(seed)
        # He scaling suits the ReLU that follows
        self.W = (rng.standard_normal((in_dim, out_dim)) * np.sqrt(2.0 / in_dim)).astype(np.float32)
        self.b = np.zeros((out_dim,), dtype=np.float32)
        self.X = None
        self.dW = None
        self.db = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = X.astype(np.float32, copy=False)
        self.X = X
        return X @ self.W + self.b

    def backward(self, dZ: np.ndarray) -> np.ndarray:
        dZ = dZ.astype(np.float32, copy=False)
        self.dW = self.X.T @ dZ
        self.db = dZ.sum(axis=0)
        return dZ @ self.W.T


class ReLU:
    def __init__(self):
        self.Z = None

    def forward(self, Z: np.ndarray) -> np.ndarray:
        Z = Z.astype(np.float32, copy=False)
        self.Z = Z
        return np.maximum(0.0, Z)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        dA = dA.astype(np.float32, copy=False)
        return dA * (self.Z > 0)


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits.astype(np.float32, copy=False)
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    probs = probs.astype(np.float32, copy=False)
    y = y.astype(np.int64, copy=False)
    p_true = probs[np.arange(y.shape[0]), y]
    return float(-np.mean(np.log(p_true + 1e-12)))


def softmax_cross_entropy_with_logits(logits: np.ndarray, y: np.ndarray):
    y = y.astype(np.int64, copy=False)
    probs = softmax(logits)
    loss = cross_entropy(probs, y)
    # d(mean loss)/d(logits): probabilities minus one-hot, over the batch size
    dlogits = probs.copy()
    dlogits[np.arange(y.shape[0]), y] -= 1.0
    dlogits /= y.shape[0]
    return loss, dlogits


class TwoLayerNet:
    def __init__(self, input_dim=784, hidden_dim=128, num_classes=10, seed=0):
        self.dense1 = Dense(input_dim, hidden_dim, seed=seed)
        self.relu = ReLU()
        self.dense2 = Dense(hidden_dim, num_classes, seed=seed + 1)

    def forward(self, X: np.ndarray) -> np.ndarray:
        h = self.relu.forward(self.dense1.forward(X))
        return self.dense2.forward(h)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.argmax(softmax(self.forward(X)), axis=1)

    def train_step(self, Xb: np.ndarray, yb: np.ndarray, lr: float) -> float:
        logits = self.forward(Xb)
        loss, dlogits = softmax_cross_entropy_with_logits(logits, yb)

        da1 = self.dense2.backward(dlogits)
        dz1 = self.relu.backward(da1)
        _ = self.dense1.backward(dz1)

        self.dense2.W -= lr * self.dense2.dW
        self.dense2.b -= lr * self.dense2.db
        self.dense1.W -= lr * self.dense1.dW
        self.dense1.b -= lr * self.dense1.db
        return loss


def accuracy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    return float((y_pred.astype(np.int64, copy=False) == y_true.astype(np.int64, copy=False)).mean())


def batch_iterator(X, y, batch_size: int, shuffle: bool = True, seed: int = 42):
    order = np.arange(X.shape[0])
    if shuffle:
        np.random.default_rng(seed).shuffle(order)
    for start in range(0, X.shape[0], batch_size):
        pick = order[start:start + batch_size]
        yield X[pick], y[pick]


def get_data(processed_path: str = PROCESSED_NPZ_PATH):
    d = np.load(processed_path)
    return d["X_train"], d["y_train"], d["X_test"], d["y_test"]


def main():
    X_train, y_train, X_test, y_test = get_data()

    epochs, batch_size, lr, hidden_dim = 5, 128, 0.1, 128
    model = TwoLayerNet(input_dim=784, hidden_dim=hidden_dim, num_classes=10, seed=0)

    for epoch in range(1, epochs + 1):
        losses = []
        for Xb, yb in batch_iterator(X_train, y_train, batch_size=batch_size, shuffle=True, seed=epoch):
            losses.append(model.train_step(Xb, yb, lr=lr))

        train_acc = accuracy(model.predict(X_train[:5000]), y_train[:5000])
        test_acc = accuracy(model.predict(X_test), y_test)
        print(f"Epoch {epoch}/{epochs} | loss={np.mean(losses):.4f} | train_acc~={train_acc:.4f} | test_acc={test_acc:.4f}")


if __name__ == "__main__":
    main()
