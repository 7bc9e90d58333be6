"""Scoring a trained network on labelled digits: accuracy, per-class accuracy and the confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_ref.network import Params, predict_layers
from mnist_ref.spec import CLASSIC, NetworkSpec
from mnist_ref.validation import check_labels


@dataclass(frozen=True)
class Evaluation:
    """Labels (m,), predictions (m,) and their confusion matrix (k, k): rows true class, columns predicted."""

    labels: np.ndarray
    predictions: np.ndarray
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        """Fraction of all samples predicted correctly."""
        return float(np.trace(self.confusion) / self.confusion.sum())

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """(k,) fraction of each true class predicted correctly; NaN for a class with no samples."""
        counts = self.confusion.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.confusion) / counts


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """(num_classes, num_classes) int64 counts: entry [t, p] counts samples of class t predicted as p."""
    labels = check_labels(labels, num_classes)
    predictions = check_labels(predictions, num_classes)
    if labels.shape != predictions.shape:
        raise ValueError(f"{labels.size} labels for {predictions.size} predictions")
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    return confusion


def evaluate(params: Params, X: np.ndarray, y: np.ndarray, spec: NetworkSpec = CLASSIC) -> Evaluation:
    """Predict X (n_in, m) with the network of ``spec`` (the classic one unless told) and score the
    predictions against labels y (m,)."""
    num_classes = params[f"W{spec.depth}"].shape[0]
    labels = check_labels(y, num_classes)
    predictions = predict_layers(spec, params, X)
    return Evaluation(labels, predictions, confusion_matrix(labels, predictions, num_classes))
