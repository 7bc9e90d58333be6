"""Training a network of the family: full-batch gradient descent or shuffled mini-batches.

One epoch visits every training sample once. With ``batch_size=0`` it is a
single gradient step on the whole training set (what the classic notebooks do);
otherwise the samples are shuffled, one permutation per epoch, and cut into
consecutive batches of ``batch_size`` columns, one step each.

The network is a NetworkSpec (the classic one of ``config.hidden`` units unless one is given); its
forward pass and gradients are those of :mod:`mnist_ref.network`, its update step that of
:mod:`mnist_ref.optimizers`. This module only orders the work and keeps score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
from threadpoolctl import threadpool_limits

from mnist_ref.network import (
    INIT_SCHEMES,
    Params,
    accuracy,
    backward_layers,
    draw_layers,
    forward_layers,
    output_loss,
    predict_layers,
    take_steps,
)
from mnist_ref.optimizers import Optimizer
from mnist_ref.spec import CLASSIC, NetworkSpec
from mnist_ref.validation import check_features, check_labels, float_dtype

NUM_CLASSES = 10
BLAS_THREADS = 1
"""Threads the matrix products may use while training. A batch's products are too small to gain from
more, and on a busy machine BLAS threads that wait for each other make training several times slower."""


@dataclass(frozen=True)
class TrainConfig:
    """How to train: network width, epochs, batch size (0 = full batch), learning rate, seed, init scheme.

    ``hidden`` is the width of the classic network, trained when ``train`` is given no spec.

    The defaults are the ``mnist-ref train`` defaults, chosen by trying batch
    sizes, learning rates and epochs: on the embedded digits (3,600 train, 400 dev)
    they reach 93.7-96.0% test accuracy over seeds 0-29, in about half a second.
    """

    hidden: int = 128
    epochs: int = 20
    batch_size: int = 32
    lr: float = 0.5
    seed: int = 0
    init: str = "he"

    def __post_init__(self) -> None:
        for name, smallest in (("hidden", 1), ("epochs", 1), ("batch_size", 0), ("seed", 0)):
            value = getattr(self, name)
            if int(value) != value or value < smallest:
                raise ValueError(f"{name} must be an integer >= {smallest}, got {value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if self.init not in INIT_SCHEMES:
            raise ValueError(f"init must be one of {INIT_SCHEMES}, got {self.init!r}")


class TrainingDiverged(ArithmeticError):
    """The weights overflowed during training: the learning rate is too large for the data's scale."""


@dataclass
class History:
    """Scores per epoch, one entry each: ``loss[e]`` is the mean training loss of epoch e (the spec's
    loss, cross-entropy for the classic network, without the L2 term).

    ``loss`` and ``train_accuracy`` are averaged over the epoch's samples, each
    scored with the parameters just before its batch's update (the usual running score).
    ``dev_accuracy`` is measured on the held-out dev set after the epoch; it is
    empty when training had no dev set.
    """

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    dev_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)

    def record(self, loss: float, train_accuracy: float, dev_accuracy: float | None) -> None:
        """Append one epoch's scores; ``dev_accuracy`` is None when there is no dev set."""
        self.loss.append(loss)
        self.train_accuracy.append(train_accuracy)
        if dev_accuracy is not None:
            self.dev_accuracy.append(dev_accuracy)


def minibatches(
    X: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of batches from X (n_in, m) and y (m,): (X_batch (n_in, b), y_batch (b,)) pairs.

    ``batch_size=0`` (or any size >= m) yields the whole set once, unshuffled.
    Otherwise one permutation of the columns is drawn from ``rng`` and cut into
    consecutive batches (the last one may be smaller); each batch copies its own
    columns out of X, so the whole set is never copied. X should be Fortran-ordered,
    so that each column is one contiguous block of memory.
    """
    m = X.shape[1]
    if batch_size == 0 or batch_size >= m:
        yield X, y
        return
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        batch = order[start : start + batch_size]
        yield X[:, batch], y[batch]


def train_step(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    spec: NetworkSpec = CLASSIC,
    optimizer: Optimizer | None = None,
) -> tuple[Params, np.ndarray]:
    """One update step on the batch X (n_in, b), y (b,), by ``optimizer`` or, when None, plain SGD.

    Returns the updated parameters and the batch's logits Z_L (k, b), computed with
    the parameters before the update, from which the epoch is scored. Nothing is
    validated here: ``train`` checks the whole training set once, before the first step.
    """
    cache = forward_layers(spec, params, X, validate=False)
    if optimizer is None:
        steps = backward_layers(spec, params, cache, X, y, validate=False, scale=-lr)  # -lr * d_theta, fresh
        return take_steps(params, steps), cache.Z[-1]
    grads = backward_layers(spec, params, cache, X, y, validate=False)
    return optimizer.update(params, grads, lr), cache.Z[-1]


def train_epoch(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    config: TrainConfig,
    rng: np.random.Generator,
    spec: NetworkSpec = CLASSIC,
    optimizer: Optimizer | None = None,
) -> tuple[Params, float, float]:
    """One pass over X (n_in, m), y (m,): returns new parameters, the mean loss and the training accuracy.

    The loss and accuracy are scored once, at the end, from every batch's logits:
    one (k, m) array, cheaper than scoring each batch on its own.
    """
    batch_logits, batch_labels = [], []
    for X_batch, y_batch in minibatches(X, y, config.batch_size, rng):
        params, logits = train_step(params, X_batch, y_batch, config.lr, spec, optimizer)
        batch_logits.append(logits)
        batch_labels.append(y_batch)
    logits, labels = np.hstack(batch_logits), np.concatenate(batch_labels)
    epoch_loss = output_loss(spec, logits, labels, validate=False)
    return params, epoch_loss, accuracy(logits.argmax(axis=0), labels)


def train(
    X_train: np.ndarray,
    y_train: np.ndarray,
    config: TrainConfig,
    *,
    spec: NetworkSpec | None = None,
    X_dev: np.ndarray | None = None,
    y_dev: np.ndarray | None = None,
    progress: bool | None = None,
    on_epoch: Callable[[History], None] | None = None,
) -> tuple[Params, History]:
    """Train a fresh network on X_train (n_in, m), y_train (m,); return its parameters and History.

    The network is ``spec``, whose layers must start with n_in and end with the 10 classes; without
    one, the classic network of ``config.hidden`` units.

    The parameters have X_train's dtype (float32 stays float32; other dtypes
    compute in float64). ``config.seed`` seeds one generator that draws the
    initial weights and then every epoch's shuffle, so the same seed and data give
    the same result. If X_dev (n_in, m_dev), y_dev (m_dev,) are given and not
    empty, the dev accuracy is recorded after each epoch (an empty dev set is no dev set).

    ``progress`` shows a tqdm bar over the epochs on stderr: True always, False
    never, None (default) only when stderr is a terminal. ``on_epoch`` is called
    with the History after every epoch (the CLI prints a line with it).

    Raises ValueError for malformed data and TrainingDiverged when an overflow
    shows that the learning rate is too large.
    """
    from tqdm import tqdm  # here, not at the top: `mnist-ref check` imports this module and needs no bar

    check_training_data(X_train, y_train, X_dev, y_dev)
    spec = replace(CLASSIC, layers=(X_train.shape[0], config.hidden, NUM_CLASSES)) if spec is None else spec
    check_spec_fits(spec, X_train.shape[0])
    dtype = float_dtype(X_train.dtype)
    X = np.asfortranarray(X_train, dtype=dtype)
    y = np.asarray(y_train, dtype=np.int64)
    X_dev = None if X_dev is None or y_dev is None or len(y_dev) == 0 else np.asarray(X_dev, dtype=dtype)
    rng = np.random.default_rng(config.seed)
    params = draw_layers(spec.layers, seed=rng, scheme=config.init, dtype=dtype)
    optimizer = None if spec.optimizer == "sgd" else Optimizer(spec)
    history = History()
    hide_bar = None if progress is None else not progress
    bar = tqdm(range(1, config.epochs + 1), desc="training", unit="epoch", disable=hide_bar)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"), np.errstate(over="raise", invalid="raise"):
        for epoch in bar:
            try:
                params, epoch_loss, train_accuracy = train_epoch(params, X, y, config, rng, spec, optimizer)
                dev_accuracy = None if X_dev is None else accuracy(predict_layers(spec, params, X_dev), y_dev)
            except FloatingPointError as error:
                raise TrainingDiverged(
                    f"training diverged in epoch {epoch} ({error}); try a learning rate below {config.lr}"
                ) from error
            history.record(epoch_loss, train_accuracy, dev_accuracy)
            bar.set_postfix(loss=f"{epoch_loss:.4f}", train=f"{train_accuracy:.1%}")
            if on_epoch is not None:
                on_epoch(history)
    return params, history


def check_training_data(
    X_train: np.ndarray, y_train: np.ndarray, X_dev: np.ndarray | None, y_dev: np.ndarray | None
) -> None:
    """X_train (n_in, m) finite with labels y_train (m,) in 0..9; X_dev and y_dev both given or both None."""
    check_features(X_train, X_train.shape[0])
    y_train = check_labels(y_train, NUM_CLASSES)
    if y_train.size != X_train.shape[1]:
        raise ValueError(f"{y_train.size} training labels for {X_train.shape[1]} training columns")
    if y_train.size == 0:
        raise ValueError("no training samples: X_train has no columns")
    if (X_dev is None) != (y_dev is None):
        raise ValueError("give both X_dev and y_dev, or neither")


def check_spec_fits(spec: NetworkSpec, n_in: int) -> None:
    """The spec's layers must take the data's n_in inputs and give the NUM_CLASSES classes."""
    if spec.layers[0] != n_in or spec.layers[-1] != NUM_CLASSES:
        raise ValueError(
            f"layers {'-'.join(map(str, spec.layers))} do not fit the data: "
            f"the first must be its {n_in} inputs and the last its {NUM_CLASSES} classes"
        )
