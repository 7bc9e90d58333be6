"""Training speed: the reference next to PyTorch on the CPU and next to what the matrix products allow.

    python benchmarks/training_speed.py [--samples 60000] [--hidden 128] [--batch-size 128]
                                        [--threads 1] [--repeats 5] [--json FILE]

On generated data of MNIST's size (X (784, m) uniform in [0, 1), Fortran-ordered as train() keeps
it; labels 0..9; no download), in one process, taking turns, in float32 and float64:

- reference epoch: mnist_ref.training.train_epoch, shuffled mini-batches, as train() runs it;
- PyTorch epoch: the same network written the usual way (nn.Linear, ReLU, nn.Linear, cross_entropy,
  torch.optim.SGD, batches drawn with randperm), differentiated by autograd, keeping the same running
  loss and accuracy;
- full-batch step: one gradient step on all m samples (train_epoch with batch size 0), both libraries;
- matrix products alone: the five products of every step (W1 @ X, W2 @ A1, W2.T @ dZ2, dZ1 @ X.T,
  dZ2 @ A1.T) with numpy, on arrays of the step's shapes and layouts. Their FLOPs over their time is the
  machine's matrix-multiply rate; the lower bound of a run is its FLOPs at that rate.

Each timed run follows an untimed one of the same contender, as one epoch follows another. Both
libraries get the same number of threads: BLAS through threadpoolctl, torch.set_num_threads. The
default is mnist_ref.training.BLAS_THREADS (1), what `mnist-ref train` uses.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from common import Column, Seconds, interleaved, medians, print_report, timed, write_json
from threadpoolctl import threadpool_limits

from mnist_ref.data import NUM_CLASSES, PIXELS
from mnist_ref.network import init_params
from mnist_ref.training import BLAS_THREADS, TrainConfig, train_epoch

LEARNING_RATE = 0.1
DTYPES = (np.float32, np.float64)


def generated_mnist(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (784, samples) float32, Fortran-ordered (each sample's pixels contiguous); labels y (samples,)."""
    rng = np.random.default_rng(seed)
    X = rng.random((samples, PIXELS), dtype=np.float32).T
    return X, rng.integers(0, NUM_CLASSES, samples)


def matmul_flops(samples: int, n_in: int, hidden: int, n_out: int) -> int:
    """Floating-point operations of the matrix products of one epoch (or one full-batch step) on ``samples``.

    Per sample: forward W1 @ x and W2 @ a1, backward dW2, W2.T @ dz2 and dW1; 2 operations per
    multiply-add. The input gradient W1.T @ dZ1 is never needed.
    """
    return samples * (4 * n_in * hidden + 6 * hidden * n_out)


def after_a_warm_up(run: Callable[[], object]) -> Seconds:
    """Time ``run()`` right after an untimed call, as one epoch follows another in training.

    The arrays the first call freed are reused by the second; a first call alone would also time
    the operating system handing out fresh pages (for the full batch, a third of the time).
    """
    run()
    return timed(run)


def reference_run(X: np.ndarray, y: np.ndarray, config: TrainConfig, threads: int) -> Callable[[], Seconds]:
    """One epoch of the reference's training loop on X (n_in, m), y (m,), from fresh parameters."""

    def run() -> Seconds:
        rng = np.random.default_rng(config.seed)
        params = init_params(X.shape[0], config.hidden, NUM_CLASSES, seed=rng, dtype=X.dtype)
        with threadpool_limits(limits=threads, user_api="blas"), np.errstate(over="raise", invalid="raise"):
            return after_a_warm_up(lambda: train_epoch(params, X, y, config, rng))

    return run


def torch_run(X: np.ndarray, y: np.ndarray, config: TrainConfig) -> Callable[[], Seconds]:
    """One epoch of the same network in PyTorch with autograd; its rows are X's columns (no copy)."""
    inputs, labels = torch.from_numpy(X.T), torch.from_numpy(y)
    samples = labels.numel()

    def epoch(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> tuple[float, float]:
        if config.batch_size == 0:
            batches = [torch.arange(samples)]
        else:
            batches = torch.randperm(samples).split(config.batch_size)
        loss_sum, correct = 0.0, 0
        for batch in batches:
            inputs_batch, labels_batch = inputs[batch], labels[batch]
            logits = model(inputs_batch)
            loss = torch.nn.functional.cross_entropy(logits, labels_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * batch.numel()
            correct += int((logits.argmax(dim=1) == labels_batch).sum())
        return loss_sum / samples, correct / samples

    def run() -> Seconds:
        torch.manual_seed(config.seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(X.shape[0], config.hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(config.hidden, NUM_CLASSES),
        ).to(inputs.dtype)
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
        return after_a_warm_up(lambda: epoch(model, optimizer))

    return run


def products_run(
    X: np.ndarray, hidden: int, batch_size: int, threads: int
) -> tuple[Callable[[], Seconds], int]:
    """The five matrix products of every whole batch of an epoch, alone; and the FLOPs they do.

    The batches are consecutive column slices of X, as Fortran-ordered as the shuffled batches of
    the training loop; the other operands are random arrays of the step's shapes.
    """
    n_in, samples = X.shape
    batch = samples if batch_size == 0 else batch_size
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((hidden, n_in)).astype(X.dtype)
    W2 = rng.standard_normal((NUM_CLASSES, hidden)).astype(X.dtype)
    A1, dZ1 = (rng.standard_normal((hidden, batch)).astype(X.dtype) for _ in range(2))
    dZ2 = rng.standard_normal((NUM_CLASSES, batch)).astype(X.dtype)
    starts = range(0, samples - batch + 1, batch)

    def step_products(X_batch: np.ndarray) -> list[np.ndarray]:
        return [W1 @ X_batch, W2 @ A1, W2.T @ dZ2, dZ1 @ X_batch.T, dZ2 @ A1.T]

    def products() -> None:
        for start in starts:
            step_products(X[:, start : start + batch])

    def run() -> Seconds:
        with threadpool_limits(limits=threads, user_api="blas"):
            return after_a_warm_up(products)

    return run, matmul_flops(len(starts) * batch, n_in, hidden, NUM_CLASSES)


def measure(samples: int, hidden: int, batch_size: int, threads: int, repeats: int) -> list[dict]:
    """Time every contender, taking turns; one row per contender, dtype and kind of run."""
    X32, y = generated_mnist(samples)
    data = {np.dtype(dtype): X32.astype(dtype, order="F") for dtype in DTYPES}
    kinds = {"epoch": batch_size, "full-batch step": 0}
    contenders, products_flops = {}, {}
    for kind, size in kinds.items():
        config = TrainConfig(hidden=hidden, batch_size=size, lr=LEARNING_RATE)
        for dtype, X in data.items():
            contenders[kind, "reference", dtype.name] = reference_run(X, y, config, threads)
            contenders[kind, "PyTorch", dtype.name] = torch_run(X, y, config)
            run, flops = products_run(X, hidden, size, threads)
            contenders[kind, "matrix products alone", dtype.name] = run
            products_flops[kind, dtype.name] = flops
    timings = interleaved(contenders, repeats, warmup=0)
    rows = []
    for (kind, contender, dtype), seconds in timings.items():
        median = medians(seconds)
        rate = products_flops[kind, dtype] / medians(timings[kind, "matrix products alone", dtype]).wall
        lower_bound = matmul_flops(samples, PIXELS, hidden, NUM_CLASSES) / rate
        rows.append(
            {
                "run": kind,
                "contender": contender,
                "dtype": dtype,
                "wall_s": median.wall,
                "cpu_s": median.cpu,
                "vs_pytorch": median.wall / medians(timings[kind, "PyTorch", dtype]).wall,
                "vs_lower_bound": median.wall / lower_bound,
                "matmul_rate_gflops": rate / 1e9 if contender == "matrix products alone" else None,
                "repeats": len(seconds),
            }
        )
    return rows


COLUMNS = (
    Column("run", "run"),
    Column("contender", "contender"),
    Column("dtype", "dtype"),
    Column("wall_s", "median s", ".3f"),
    Column("cpu_s", "CPU s", ".3f"),
    Column("vs_pytorch", "x PyTorch", ".2f"),
    Column("vs_lower_bound", "x bound", ".2f"),
    Column("matmul_rate_gflops", "GFLOP/s", ".1f"),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=60_000, help="training samples (default 60000)")
    parser.add_argument("--hidden", type=int, default=128, help="hidden units (default 128)")
    parser.add_argument(
        "--batch-size", type=int, default=128, help="mini-batch size of an epoch (default 128)"
    )
    parser.add_argument(
        "--threads", type=int, default=BLAS_THREADS, help=f"BLAS and torch threads (default {BLAS_THREADS})"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = measure(args.samples, args.hidden, args.batch_size, args.threads, args.repeats)
    title = (
        f"Training speed: {args.samples} samples, 784-{args.hidden}-10, batch {args.batch_size}, "
        f"{args.threads} thread(s) for numpy's BLAS and torch, median of {args.repeats} interleaved rounds"
    )
    notes = [
        f"torch {torch.__version__}; x bound = median s / lower bound, the run's matrix-product FLOPs at the "
        "rate of the products alone (GFLOP/s); its inverse is the fraction of that rate the run reaches",
    ]
    print_report(title, COLUMNS, rows, notes)
    settings = {name: value for name, value in vars(args).items() if name != "json"}
    write_json(args.json, "training_speed", rows, settings=settings)


if __name__ == "__main__":
    main()
