"""Epochs a variant needs to reach a test accuracy on the embedded digits, with SGD and with Adam.

    python benchmarks/variant_epochs.py [--seeds 0 1 2 3 4] [--target 0.92] [--max-epochs 20] [--json FILE]

The variant is `mnist-ref train --layers 784,256,128,10 --activation tanh`, trained as that command
trains it (same split, batch size 32, seed, float32), once with its defaults (SGD, --lr 0.5) and once
with `--optimizer adam --lr 0.001`. Training is seeded, so the first N epochs of a longer run are the
run of `--epochs N`: for N = 1, 2, ... each optimizer trains N epochs afresh and is scored on the test
digits, until it reaches the target. Prints, per seed and optimizer, the first such N and its accuracy
("-" when --max-epochs did not reach it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from common import Column, print_report, write_json

from mnist_ref.data import load_mnist, make_splits
from mnist_ref.data.prepare import Splits
from mnist_ref.evaluation import evaluate
from mnist_ref.spec import NetworkSpec
from mnist_ref.training import TrainConfig, train

VARIANT = NetworkSpec(layers=(784, 256, 128, 10), activation="tanh")
OPTIMIZERS = {"sgd": ("sgd", TrainConfig().lr), "adam": ("adam", 0.001)}
"""Each run's name: its optimizer and learning rate."""
DEV_FRACTION = 0.1  # as `mnist-ref train`

COLUMNS = (
    Column("seed", "seed"),
    Column("optimizer", "optimizer"),
    Column("lr", "lr", "g"),
    Column("epochs", "epochs to target"),
    Column("test_accuracy", "test accuracy then", ".1%"),
)


def test_accuracy(splits: Splits, spec: NetworkSpec, config: TrainConfig) -> float:
    """Train ``spec`` on the split's training digits as ``config`` says; its accuracy on the test digits."""
    params, _ = train(splits.X_train, splits.y_train, config, spec=spec, progress=False)
    return evaluate(params, splits.X_test, splits.y_test, spec).accuracy


def epochs_to_target(seed: int, name: str, target: float, max_epochs: int) -> dict:
    """The first number of epochs whose model reaches ``target`` test accuracy, and that accuracy."""
    optimizer, lr = OPTIMIZERS[name]
    spec = NetworkSpec(layers=VARIANT.layers, activation=VARIANT.activation, optimizer=optimizer)
    splits = make_splits(load_mnist(None, seed=seed), dev_fraction=DEV_FRACTION, seed=seed, dtype=np.float32)
    row = {"seed": seed, "optimizer": name, "lr": lr, "epochs": None, "test_accuracy": None}
    for epochs in range(1, max_epochs + 1):
        accuracy = test_accuracy(splits, spec, TrainConfig(epochs=epochs, lr=lr, seed=seed))
        if accuracy >= target:
            return {**row, "epochs": epochs, "test_accuracy": accuracy}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="default: 0 to 4")
    parser.add_argument("--target", type=float, default=0.92, help="test accuracy to reach (default 0.92)")
    parser.add_argument("--max-epochs", type=int, default=20, help="give up after this many (default 20)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    rows = [
        epochs_to_target(seed, name, args.target, args.max_epochs)
        for seed in args.seeds
        for name in OPTIMIZERS
    ]
    title = f"epochs of {VARIANT.describe()} to {args.target:.0%} test accuracy on the embedded digits"
    print_report(title, COLUMNS, rows, notes=())
    write_json(args.json, "variant_epochs", rows)


if __name__ == "__main__":
    main()
