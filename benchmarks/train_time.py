"""Wall time and test accuracy of README's first command, `mnist-ref train` on the embedded digits.

    python benchmarks/train_time.py [--seeds 0 1 2] [--json FILE]

Each seed is one `mnist-ref train --seed S` with every other option at its default, in a fresh
process, so the time includes Python start-up, imports and loading the data. Prints a table: seed,
wall seconds, training seconds (as the command reports them), test accuracy and epochs, then the
lowest and mean accuracy and the median times over the seeds.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mnist_ref.model_io import load_model

TEST_ACCURACY = re.compile(r"^test accuracy: ([\d.]+)%", re.MULTILINE)
TRAINING_SECONDS = re.compile(r"^trained in ([\d.]+) s", re.MULTILINE)


def time_train(seed: int, directory: Path) -> dict:
    """Run `mnist-ref train --seed SEED` once; its wall time, reported numbers and epochs trained."""
    model = directory / f"model-seed{seed}.npz"
    command = [
        sys.executable,
        "-m",
        "mnist_ref_cli.commands",
        "train",
        "--seed",
        str(seed),
        "--out",
        str(model),
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"mnist-ref train --seed {seed} exited with {completed.returncode}:\n{completed.stderr}")
    return {
        "seed": seed,
        "wall_s": wall,
        "training_s": float(reported(TRAINING_SECONDS, completed.stdout)),
        "test_accuracy": float(reported(TEST_ACCURACY, completed.stdout)) / 100,
        "epochs": load_model(model).history.epochs,
    }


def reported(pattern: re.Pattern[str], output: str) -> str:
    """The number that ``pattern`` captures in the command's output; exits if the line is missing."""
    match = pattern.search(output)
    if match is None:
        sys.exit(f"no line matching {pattern.pattern!r} in the output of mnist-ref train:\n{output}")
    return match.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds to train with (default: 0)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        rows = [time_train(seed, Path(directory)) for seed in args.seeds]
    print(f"{'seed':>4} {'wall s':>7} {'training s':>10} {'test accuracy':>13} {'epochs':>6}")
    for row in rows:
        print(
            f"{row['seed']:>4} {row['wall_s']:>7.2f} {row['training_s']:>10.1f} "
            f"{row['test_accuracy']:>13.2%} {row['epochs']:>6}"
        )
    accuracies = [row["test_accuracy"] for row in rows]
    print(f"lowest test accuracy: {min(accuracies):.2%}")
    print(f"mean test accuracy: {statistics.fmean(accuracies):.2%}")
    print(f"median wall s: {statistics.median(row['wall_s'] for row in rows):.2f}")
    print(f"median training s: {statistics.median(row['training_s'] for row in rows):.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
