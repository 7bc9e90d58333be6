"""The ``mnist-ref`` command line: ``train`` a network, ``evaluate`` a saved one.

Bad arguments, unreadable data and unusable model files end the command with a
one-line error and exit status 2, never a traceback. matplotlib is imported only
when ``--plots`` is given, so ``mnist-ref --help`` starts quickly; the data loaders,
model files, tqdm and rich tables when a command that uses them runs, so that `mnist-ref check`
(which needs none of them) starts its child processes sooner.

The program is ``entry_point``; ``main``, the click group, is what tests run in-process.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from conformance.cli import check_command
from conformance.grading.commands import grade_command, grade_merge_command
from mnist_ref import __version__
from mnist_ref.network import INIT_SCHEMES
from mnist_ref.spec import CLASSIC, NetworkSpec
from mnist_ref.training import History, TrainConfig, TrainingDiverged, train
from mnist_ref_cli.network_options import checking_a_network, network_options

if TYPE_CHECKING:
    from rich.table import Table

    from mnist_ref.evaluation import Evaluation

DEFAULTS = TrainConfig()
DEV_FRACTION = 0.1
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "show_default": True, "max_content_width": 100}


class CommandError(click.ClickException):
    """A one-line error about the user's input (a data or model file); exit status 2 like a usage error."""

    exit_code = 2


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="mnist-ref")
def main() -> None:
    """Train and evaluate the NumPy reference of the two-layer MNIST network
    (784 pixels -> ReLU hidden layer -> 10-way softmax), and check someone else's.

    \b
    Examples:
      mnist-ref train                              # the 5,000 digits shipped with mnist-ref
      mnist-ref train --data train.csv --plots plots/
      mnist-ref evaluate --model model.npz
      mnist-ref check homework.py                  # right or wrong, component by component, and why
      mnist-ref grade submissions/ --out graded/   # a whole class: gradebook, feedback, summary

    Run `mnist-ref COMMAND --help` for a command's options.
    """


data_option = click.option(
    "--data",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="MNIST file or directory: Kaggle CSV, IDX files or Keras mnist.npz."
    " [default: the 5,000 embedded digits]",
)
plots_option = click.option(
    "--plots",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to write PNG plots into: learning curves, confusion matrix, sample predictions.",
)


@main.command("train")
@data_option
@click.option(
    "--hidden",
    type=click.IntRange(min=1),
    help=f"Hidden-layer units of the classic network (--layers 784,H,10). [default: {DEFAULTS.hidden}]",
)
@network_options
@click.option(
    "--init",
    type=click.Choice(INIT_SCHEMES),
    default=DEFAULTS.init,
    help="Initial weights: he N(0, 2/fan_in), xavier N(0, 2/(fan_in+fan_out)) with zero biases, or the"
    " classic notebooks' uniform(-0.5, 0.5) for weights and biases.",
)
@click.option("--epochs", type=click.IntRange(min=1), default=DEFAULTS.epochs, help="Passes over the data.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=0),
    default=DEFAULTS.batch_size,
    help="Samples per gradient step, shuffled every epoch; 0 = full-batch gradient descent.",
)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS.lr, help="Learning rate.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULTS.seed,
    help="Seed for choosing the test and dev digits, the initial weights and the shuffling:"
    " same seed, same model.",
)
@click.option(
    "--standardize",
    is_flag=True,
    help="Scale each pixel to zero mean and unit variance with the training set's statistics"
    " (otherwise pixels are divided by 255). Use it with a smaller --lr, such as 0.05.",
)
@click.option(
    "--dtype", type=click.Choice(["float32", "float64"]), default="float32", help="Floating-point type."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("model.npz"),
    help="Where to save the trained model (.npz).",
)
@plots_option
@click.option(
    "--no-progress", is_flag=True, help="Hide the progress bar (it is hidden anyway when not on a terminal)."
)
def train_command(
    data: Path | None,
    hidden: int | None,
    spec: NetworkSpec | None,
    init: str,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    standardize: bool,
    dtype: str,
    out: Path,
    plots: Path | None,
    no_progress: bool,
) -> None:
    """Train a network, save it and report its test accuracy.

    The training digits are split into train and dev (10%, scored after every
    epoch); the test digits are never seen in training. Without --data the
    embedded 5,000 real MNIST digits are used: 4,000 to train, 1,000 to test.

    \b
    Examples:
      mnist-ref train --plots plots/
      mnist-ref train --data mnist/ --standardize --lr 0.05 --out big.npz
      mnist-ref train --layers 784,256,128,10 --activation tanh --optimizer adam --lr 0.001
      mnist-ref train --spec course.toml                # its [network] table: layers = [784, 30, 10], ...
    """
    from tqdm import tqdm

    from mnist_ref.data import load_mnist, make_splits, to_columns
    from mnist_ref.evaluation import evaluate
    from mnist_ref.model_io import TrainedModel, save_model

    spec = mnist_spec(spec, hidden)
    config = TrainConfig(
        hidden=spec.layers[1], epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, init=init
    )
    ensure_writable_folder(out.parent, f"the model to {out}")
    if plots is not None:
        ensure_writable_folder(plots, "plots")
    with one_line_errors():
        mnist = load_mnist(data, seed=seed)
        splits = make_splits(
            mnist, dev_fraction=DEV_FRACTION, seed=seed, standardize=standardize, dtype=np.dtype(dtype)
        )
    click.echo(f"data: {splits.source}")
    click.echo(f"{splits.y_train.size} train, {splits.y_dev.size} dev and {splits.y_test.size} test digits")
    click.echo(f"network: {spec.describe()}")
    if splits.y_dev.size == 0:
        click.echo(no_dev_set_note(splits.y_train.size))
    started = time.perf_counter()
    with one_line_errors():
        params, history = train(
            splits.X_train,
            splits.y_train,
            config,
            spec=spec,
            X_dev=splits.X_dev,
            y_dev=splits.y_dev,
            progress=False if no_progress else None,
            on_epoch=lambda so_far: tqdm.write(epoch_line(so_far, config.epochs)),
        )
    click.echo(f"trained in {time.perf_counter() - started:.1f} s")
    evaluation = evaluate(params, splits.X_test, splits.y_test, spec)
    click.echo(f"test accuracy: {accuracy_summary(evaluation)}")
    model = TrainedModel(params, config, splits.source, DEV_FRACTION, splits.mean, splits.std, history, spec)
    try:
        saved = save_model(model, out)
    except OSError as error:
        raise CommandError(f"cannot write the model to {out}: {error.strerror or error}") from error
    click.echo(f"model saved to {saved}")
    if plots is not None:
        write_plots(plots, history, evaluation, to_columns(mnist.test_images))


def mnist_spec(spec: NetworkSpec | None, hidden: int | None) -> NetworkSpec:
    """The network to train: the spec of the network options, or the classic one of ``hidden`` units.

    CommandError when both are given, or when the layers do not go from the 784 pixels to the 10 classes.
    """
    from mnist_ref.data import NUM_CLASSES, PIXELS

    if spec is not None and hidden is not None:
        raise CommandError("--hidden is the classic network's width; with other network options use --layers")
    if spec is None:
        return replace(CLASSIC, layers=(PIXELS, hidden or DEFAULTS.hidden, NUM_CLASSES))
    if (spec.layers[0], spec.layers[-1]) != (PIXELS, NUM_CLASSES):
        widths = ",".join(map(str, spec.layers))
        raise CommandError(
            f"--layers {widths}: MNIST needs {PIXELS} inputs first, {NUM_CLASSES} classes last"
        )
    return spec


@main.command("download")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to keep the files in. [default: $MNIST_REF_CACHE or ~/.cache/mnist-ref]",
)
def download_command(cache_dir: Path | None) -> None:
    """Download the full MNIST data set (the four IDX files, 11 MB) and verify their SHA-256.

    Mirrors are tried in turn; files already in the cache with the right digest are kept.
    Then train on it with `mnist-ref train --data DIR`.

    \b
    Example:
      mnist-ref download && mnist-ref train --data ~/.cache/mnist-ref --batch-size 128 --epochs 5
    """
    from mnist_ref.data import download_mnist

    with one_line_errors():
        directory = download_mnist(cache_dir)
    click.echo(f"MNIST is in {directory}: train with  mnist-ref train --data {directory}")


@main.command("evaluate")
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Model file written by `mnist-ref train`.",
)
@data_option
@plots_option
def evaluate_command(model_path: Path, data: Path | None, plots: Path | None) -> None:
    """Score a saved model on held-out test digits.

    Prints the accuracy, the accuracy per digit and the confusion matrix. The
    test digits are chosen with the model's own seed and scaled with its own
    statistics, so evaluating on the data it was trained on reproduces the test
    accuracy that `mnist-ref train` printed.

    \b
    Example:
      mnist-ref evaluate --model model.npz --plots plots/
    """
    from rich.console import Console

    from mnist_ref.data import NUM_CLASSES, PIXELS, load_mnist, to_columns
    from mnist_ref.evaluation import evaluate
    from mnist_ref.model_io import load_model

    if plots is not None:
        ensure_writable_folder(plots, "plots")
    with one_line_errors():
        model = load_model(model_path)
        mnist = load_mnist(data, seed=model.config.seed)
    layers = model.spec.layers
    n_in, n_out = layers[0], layers[-1]
    if (n_in, n_out) != (PIXELS, NUM_CLASSES):
        raise CommandError(
            f"{model_path} maps {n_in} inputs to {n_out} classes; "
            f"MNIST needs {PIXELS} inputs and {NUM_CLASSES} classes"
        )
    dtype = model.params["W1"].dtype
    X_test = to_columns(mnist.test_images, mean=model.mean, std=model.std, dtype=dtype)
    evaluation = evaluate(model.params, X_test, mnist.test_labels, model.spec)
    click.echo(f"model: {model_path} ({'-'.join(map(str, layers))}, {dtype}, {model.history.epochs} epochs)")
    click.echo(f"network: {model.spec.describe()}")
    click.echo(f"trained on: {model.data_source}")
    click.echo(f"evaluated on: {mnist.source}")
    click.echo(f"test accuracy: {accuracy_summary(evaluation)}")
    console = Console()
    console.print(per_class_table(evaluation))
    console.print(confusion_table(evaluation))
    if plots is not None:
        write_plots(plots, model.history, evaluation, to_columns(mnist.test_images))


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a DataError, ModelFileError or TrainingDiverged (each already one line) into a CommandError."""
    from mnist_ref.data import DataError
    from mnist_ref.model_io import ModelFileError

    try:
        yield
    except (DataError, ModelFileError, TrainingDiverged) as error:
        raise CommandError(str(error)) from error


def ensure_writable_folder(directory: Path, what: str) -> None:
    """Create ``directory`` if missing and write a scratch file in it, so that a folder that cannot
    take ``what`` is a one-line CommandError naming the folder before any training runs."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise CommandError(
            f"cannot write {what}: the folder {directory} is not writable ({error.strerror or error})"
        ) from error


def write_plots(directory: Path, history: History, evaluation: Evaluation, images: np.ndarray) -> None:
    """Write the PNG plots into ``directory`` and say where they went."""
    from mnist_ref import plots  # matplotlib is slow to import: only when plots are asked for

    try:
        paths = plots.write_plots(directory, history, evaluation, images)
    except OSError as error:
        raise CommandError(f"cannot write plots to {directory}: {error.strerror or error}") from error
    click.echo(f"plots written to {directory}: {', '.join(path.name for path in paths)}")


def no_dev_set_note(train_rows: int) -> str:
    """Why training goes on without a dev set: too few rows for DEV_FRACTION of them to be one."""
    needed = math.ceil(0.5 / DEV_FRACTION)
    return (
        f"no dev set: {train_rows} training digits are too few to hold out {DEV_FRACTION:.0%} of them "
        f"as a dev set (that needs at least {needed}); training without dev accuracy"
    )


def epoch_line(history: History, epochs: int) -> str:
    """One line of progress: the latest epoch's loss, train accuracy and dev accuracy."""
    epoch = history.epochs
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {history.loss[-1]:.4f}"
    line += f"  train {history.train_accuracy[-1]:.2%}"
    if history.dev_accuracy:
        line += f"  dev {history.dev_accuracy[-1]:.2%}"
    return line


def accuracy_summary(evaluation: Evaluation) -> str:
    """E.g. "95.30% (953 of 1000 held-out digits)"."""
    correct, total = int(np.trace(evaluation.confusion)), int(evaluation.confusion.sum())
    return f"{evaluation.accuracy:.2%} ({correct} of {total} held-out digits)"


def per_class_table(evaluation: Evaluation) -> Table:
    """A rich table with one row per digit: its test count, how many were right, and the accuracy."""
    from rich.table import Table

    table = Table(title="Accuracy per digit")
    for header in ("digit", "test digits", "correct", "accuracy"):
        table.add_column(header, justify="right")
    counts = evaluation.confusion.sum(axis=1)
    for digit, (count, right, share) in enumerate(
        zip(counts, np.diag(evaluation.confusion), evaluation.per_class_accuracy, strict=True)
    ):
        table.add_row(str(digit), str(count), str(right), "-" if count == 0 else f"{share:.1%}")
    return table


def confusion_table(evaluation: Evaluation) -> Table:
    """A rich table of the confusion matrix: rows are true digits, columns predicted digits."""
    from rich.table import Table

    confusion = evaluation.confusion
    table = Table(title="Confusion matrix (rows: true digit, columns: predicted)")
    table.add_column("true", justify="right", style="bold")
    for predicted in range(confusion.shape[1]):
        table.add_column(str(predicted), justify="right")
    for true_digit, row in enumerate(confusion):
        cells = [confusion_cell(count, predicted == true_digit) for predicted, count in enumerate(row)]
        table.add_row(str(true_digit), *cells)
    return table


def confusion_cell(count: int, on_diagonal: bool) -> str:
    """Rich markup for one count: correct predictions in green, zeros dimmed."""
    if on_diagonal:
        return f"[green]{count}[/green]"
    return str(count) if count else "[dim]0[/dim]"


main.add_command(checking_a_network(check_command))
main.add_command(checking_a_network(grade_command))
main.add_command(grade_merge_command)


def entry_point() -> None:
    """The `mnist-ref` program: run the command line, then end the process without tearing it down.

    Python would free every module and object on the way out, ~60 ms after a check (which has
    imported numpy, hypothesis and the harness) for nothing: by then the command has closed its
    files and stopped its child processes. Standard output and error are flushed, then the process
    ends at once with the status the command exited with.
    """
    status = 0
    try:
        main()  # click ends it with SystemExit
    except SystemExit as end:
        status = exit_status(end.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. a reader that closed the pipe: Python reports it on its way out, as usual
        sys.exit(status)
    os._exit(status)


def exit_status(code: object) -> int:
    """The status Python gives ``SystemExit(code)``: 0 for None, an int itself, else 1 (the code printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    entry_point()
