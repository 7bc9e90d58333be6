"""Peak memory of training on 60,000 samples, as a multiple of the training data's own size.

    python benchmarks/training_memory.py [--samples 60000] [--hidden 128] [--batch-size 128] [--json FILE]

Each case runs in a fresh process, which generates the data (X (784, m) uniform in [0, 1), labels
0..9; no download), then trains one epoch with mnist_ref.training.train. It reports its peak
resident memory (ru_maxrss, the whole process: interpreter, libraries, data and training), the
resident memory before the data existed, and the peak of the memory numpy and Python allocated
during training alone (tracemalloc, started after the data was made). The multiples divide by the
data's own size, 784 * m * 4 bytes in float32.

Cases: float32 in Fortran order (the layout mnist_ref.data.to_columns returns and train() computes on,
so it copies nothing), float32 in C order (train() makes one Fortran-ordered copy), float64,
and full-batch gradient descent (batch size 0), whose (h, m) activations are as large as the data.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from common import Column, print_report, write_json

MEBIBYTE = 2**20


@dataclass(frozen=True)
class Case:
    """One training run to measure: the data's dtype and memory order, and the batch size (0 = full batch)."""

    name: str
    dtype: str
    order: str
    full_batch: bool = False


CASES = (
    Case("float32, Fortran order", "float32", "F"),
    Case("float32, C order", "float32", "C"),
    Case("float64, Fortran order", "float64", "F"),
    Case("float32, Fortran order, full batch", "float32", "F", full_batch=True),
)


def resident_mebibytes() -> float:
    """This process's current resident memory, from /proc/self/statm."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / MEBIBYTE


def peak_resident_mebibytes() -> float:
    """This process's peak resident memory so far (ru_maxrss is in kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train_once(case: Case, samples: int, hidden: int, batch_size: int) -> dict[str, float]:
    """Generate the data, train one epoch, and measure memory; call it in a fresh process."""
    import numpy as np

    from mnist_ref.data import PIXELS
    from mnist_ref.training import TrainConfig, train

    before_data = resident_mebibytes()
    rng = np.random.default_rng(0)
    if case.order == "F":
        X = rng.random((samples, PIXELS), dtype=case.dtype).T  # each sample's pixels contiguous
    else:
        X = rng.random((PIXELS, samples), dtype=case.dtype)
    y = rng.integers(0, 10, samples)
    config = TrainConfig(hidden=hidden, epochs=1, batch_size=0 if case.full_batch else batch_size)
    tracemalloc.start()
    train(X, y, config, progress=False)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "data_mib": X.nbytes / MEBIBYTE,
        "before_data_mib": before_data,
        "peak_mib": peak_resident_mebibytes(),
        "training_allocations_mib": traced_peak / MEBIBYTE,
    }


def measure(case: Case, samples: int, hidden: int, batch_size: int) -> dict:
    """Run ``case`` in a fresh process; its row, the multiples relative to the float32 data's size."""
    command = [
        sys.executable,
        __file__,
        "--case",
        case.name,
        "--samples",
        str(samples),
        "--hidden",
        str(hidden),
    ]
    command += ["--batch-size", str(batch_size)]
    measured = json.loads(subprocess.check_output(command, text=True))
    float32_data = samples * 784 * 4 / MEBIBYTE
    return {
        "case": case.name,
        **measured,
        "peak_multiple": measured["peak_mib"] / float32_data,
        "training_multiple": measured["training_allocations_mib"] / float32_data,
    }


COLUMNS = (
    Column("case", "case"),
    Column("data_mib", "data MiB", ",.0f"),
    Column("before_data_mib", "RSS before data MiB", ",.0f"),
    Column("peak_mib", "peak RSS MiB", ",.0f"),
    Column("peak_multiple", "peak / float32 data", ".2f"),
    Column("training_allocations_mib", "allocated in train MiB", ",.1f"),
    Column("training_multiple", "/ float32 data", ".3f"),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=60_000, help="training samples (default 60000)")
    parser.add_argument("--hidden", type=int, default=128, help="hidden units (default 128)")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch size (default 128)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    parser.add_argument("--case", choices=[case.name for case in CASES], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        case = next(case for case in CASES if case.name == args.case)
        print(json.dumps(train_once(case, args.samples, args.hidden, args.batch_size)))
        return
    rows = [measure(case, args.samples, args.hidden, args.batch_size) for case in CASES]
    title = (
        f"Peak memory of one training epoch: {args.samples} samples, 784-{args.hidden}-10, "
        f"batch {args.batch_size}; float32 data = {args.samples * 784 * 4 / MEBIBYTE:,.0f} MiB"
    )
    notes = [
        "peak RSS is the whole process's (ru_maxrss); allocated in train: tracemalloc's peak during train()"
    ]
    print_report(title, COLUMNS, rows, notes)
    settings = {name: value for name, value in vars(args).items() if name not in ("json", "case")}
    write_json(args.json, "training_memory", rows, settings=settings)


if __name__ == "__main__":
    main()
