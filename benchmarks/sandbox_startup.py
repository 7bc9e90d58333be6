"""Start-up latency of the sandbox: from Sandbox.start() to describe() returning, for a small target.

    python benchmarks/sandbox_startup.py [--runs 7] [--target FILE] [--adapter MODULE:FUNCTION]

Each run happens in a fresh Python process, as in `mnist-ref check`. Prints a table of milliseconds
(median, min, max) for:

- ``start()``: how long start() blocks the parent;
- ``start() -> describe()``: the parent does nothing meanwhile;
- ``... importing torch``: the parent imports torch between the two, as the runner does;
- ``torch import alone``: for comparison, in a process without a sandbox.

The default target is the corpus's classic notebook-style network (tests/corpus/classic.py, top-level
training included); the default adapter
is the trivial forwarding one of tests/sandbox_targets.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

DEFAULT_TARGET = TESTS / "corpus" / "classic.py"
"""The classic notebook-style network of the test corpus, top-level training included."""


def one_run(case: str, target: str, adapter: str) -> dict[str, float]:
    """Seconds of one measurement, in this (fresh) process."""
    if case == "torch_alone":
        started = time.perf_counter()
        import torch

        return {"total": time.perf_counter() - started}
    from conformance.sandbox import Sandbox

    with Sandbox(target, adapter=adapter) as sandbox:
        started = time.perf_counter()
        sandbox.start()
        started_returned = time.perf_counter()
        if case == "with_torch":
            import torch  # noqa: F401
        sandbox.describe()
        described = time.perf_counter()
    return {"start": started_returned - started, "total": described - started}


def measure(case: str, target: str, adapter: str, runs: int) -> list[dict[str, float]]:
    """``runs`` measurements of ``case``, each in a new Python process."""
    command = [sys.executable, __file__, "--one", case, "--target", target, "--adapter", adapter]
    python_path = os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
    environment = {**os.environ, "PYTHONPATH": python_path}
    return [json.loads(subprocess.check_output(command, env=environment)) for _ in range(runs)]


def row(label: str, seconds: list[float]) -> str:
    milliseconds = [1000 * s for s in seconds]
    median, low, high = statistics.median(milliseconds), min(milliseconds), max(milliseconds)
    return f"{label:<36} {median:>8.0f} {low:>8.0f} {high:>8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--target", help="a .py file (default: tests/corpus/classic.py)")
    parser.add_argument("--adapter", default="sandbox_targets:forwarding_adapter")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.target, args.adapter)))
        return
    target = args.target or str(DEFAULT_TARGET)
    idle = measure("idle", target, args.adapter, args.runs)
    with_torch = measure("with_torch", target, args.adapter, args.runs)
    torch_alone = measure("torch_alone", target, args.adapter, args.runs)
    print(f"{args.runs} runs, milliseconds{'':<14} {'median':>8} {'min':>8} {'max':>8}")
    print(row("start()", [run["start"] for run in idle + with_torch]))
    print(row("start() -> describe()", [run["total"] for run in idle]))
    print(row("start() -> describe(), importing torch", [run["total"] for run in with_torch]))
    print(row("torch import alone", [run["total"] for run in torch_alone]))


if __name__ == "__main__":
    main()
