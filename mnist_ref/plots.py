"""PNG figures of a training run: learning curves, confusion matrix and a grid of predicted test digits.

Figures are drawn with matplotlib's object-oriented API on the Agg canvas, so
nothing here opens a window or changes pyplot's global backend. This is the
only module of mnist_ref that imports matplotlib; the CLI imports it only when
``--plots`` is given.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mnist_ref.evaluation import Evaluation
from mnist_ref.training import History

WRONG_COLOR = "tab:red"
PLOT_FILE_NAMES = ("learning_curves.png", "confusion_matrix.png", "sample_predictions.png")


def write_plots(
    directory: str | os.PathLike[str], history: History, evaluation: Evaluation, images: np.ndarray
) -> list[Path]:
    """Write the three figures into ``directory`` (created if missing) and return their paths.

    ``images`` (n_in, m) are the evaluated digits, unstandardized, one per column,
    in the order of ``evaluation.labels``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    curves, confusion, samples = (directory / name for name in PLOT_FILE_NAMES)
    return [
        plot_learning_curves(history, curves),
        plot_confusion_matrix(evaluation.confusion, confusion),
        plot_sample_predictions(images, evaluation.labels, evaluation.predictions, samples),
    ]


def plot_learning_curves(history: History, path: str | os.PathLike[str]) -> Path:
    """Loss (left) and train/dev accuracy (right) against the epoch number, saved as a PNG."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = np.arange(1, history.epochs + 1)
    loss_axes.plot(epochs, history.loss, marker="o")
    loss_axes.set(title="Training loss", xlabel="epoch", ylabel="mean cross-entropy")
    accuracy_axes.plot(epochs, 100 * np.asarray(history.train_accuracy), marker="o", label="train")
    if history.dev_accuracy:
        accuracy_axes.plot(epochs, 100 * np.asarray(history.dev_accuracy), marker="o", label="dev")
    accuracy_axes.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    accuracy_axes.legend()
    for axes in (loss_axes, accuracy_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
    return save_png(figure, path)


def plot_confusion_matrix(confusion: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Confusion matrix (k, k) as a heat map with the count written in every cell, saved as a PNG."""
    k = confusion.shape[0]
    figure = Figure(figsize=(7, 6), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(confusion, cmap="Blues")
    figure.colorbar(image, ax=axes, label="test digits")
    dark_cell = confusion.max() / 2
    for true_class in range(k):
        for predicted in range(k):
            count = confusion[true_class, predicted]
            color = "white" if count > dark_cell else "black"
            axes.text(predicted, true_class, str(count), ha="center", va="center", color=color, fontsize=9)
    axes.set(
        title=f"Confusion matrix: {np.trace(confusion)} of {confusion.sum()} correct",
        xlabel="predicted digit",
        ylabel="true digit",
        xticks=range(k),
        yticks=range(k),
    )
    return save_png(figure, path)


def plot_sample_predictions(
    images: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    path: str | os.PathLike[str],
    count: int = 24,
    seed: int = 0,
) -> Path:
    """A grid of ``count`` digits from images (n_in, m), titled with the prediction; mistakes in red.

    A correct digit is titled with its predicted label; a wrong one is titled
    "predicted p, true t" in red inside a red frame. See :func:`choose_samples`
    for which digits are shown, and :func:`sample_grid_title` for the figure's title,
    which says when mistakes are over-represented.
    """
    figure = sample_predictions_figure(images, labels, predictions, count, seed)
    return save_png(figure, path)


def sample_predictions_figure(
    images: np.ndarray, labels: np.ndarray, predictions: np.ndarray, count: int = 24, seed: int = 0
) -> Figure:
    """The figure that :func:`plot_sample_predictions` saves."""
    chosen = choose_samples(labels, predictions, count, seed)
    side = math.isqrt(images.shape[0])
    columns = 6
    rows = max(1, math.ceil(chosen.size / columns))
    figure = Figure(figsize=(1.6 * columns, 1.8 * rows + 0.8), layout="constrained")
    figure.suptitle(sample_grid_title(labels, predictions, chosen), fontsize=10)
    grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for axes in grid[chosen.size :]:
        axes.set_axis_off()
    for axes, index in zip(grid, chosen, strict=False):
        axes.set(xticks=[], yticks=[])
        axes.imshow(images[:, index].reshape(side, side), cmap="gray_r")
        predicted, true = predictions[index], labels[index]
        if predicted == true:
            axes.set_title(f"{predicted}", fontsize=10)
        else:
            axes.set_title(f"predicted {predicted}, true {true}", fontsize=9, color=WRONG_COLOR)
            for spine in axes.spines.values():
                spine.set(color=WRONG_COLOR, linewidth=3)
    return figure


def sample_grid_title(labels: np.ndarray, predictions: np.ndarray, chosen: np.ndarray) -> str:
    """The sample grid's title: what the frames mean, and whether mistakes were picked on purpose.

    :func:`choose_samples` shows up to a quarter mistakes, far more than a good model makes, so
    when the grid's share of mistakes is above the whole set's, the title says so and gives the
    true error rate.
    """
    legend = "Test digits: predicted label (red frame: wrong, with the true label)"
    total, wrong = labels.size, int(np.count_nonzero(labels != predictions))
    shown_wrong = int(np.count_nonzero(labels[chosen] != predictions[chosen]))
    overall = f"{wrong} of {total} test digits ({wrong / max(total, 1):.1%}) are wrong"
    if shown_wrong * total > wrong * chosen.size:
        return (
            f"{legend}\nMistakes over-sampled on purpose: {shown_wrong} of these {chosen.size} are wrong, "
            f"but only {overall}"
        )
    return f"{legend}\n{shown_wrong} of these {chosen.size} are wrong; {overall}"


def choose_samples(labels: np.ndarray, predictions: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of ``count`` samples (or all, if fewer) to show: some mistakes, mostly correct ones.

    Up to a quarter are mistakes (more only when too few predictions are right),
    so mistakes are shown whenever there are any. Drawn at random with ``seed``:
    the same predictions always give the same grid.
    """
    rng = np.random.default_rng(seed)
    wrong = np.flatnonzero(labels != predictions)
    right = np.flatnonzero(labels == predictions)
    n_wrong = min(wrong.size, count // 4)
    n_right = min(right.size, count - n_wrong)
    n_wrong = min(wrong.size, count - n_right)  # more mistakes when too few digits are right
    picked = [rng.choice(wrong, n_wrong, replace=False), rng.choice(right, n_right, replace=False)]
    return np.sort(np.concatenate(picked))


def save_png(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Render ``figure`` with the Agg canvas into the PNG file ``path`` and return the path."""
    path = Path(path)
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=110)
    return path
