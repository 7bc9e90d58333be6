"""Where the wall time of `mnist-ref check` goes, on one target.

    python benchmarks/check_breakdown.py [TARGET] [--runs 5] [--json FILE]

Without a target it checks the test corpus's classic_correct. Each round, taking turns, in fresh
processes:

- the whole command, `python -m mnist_ref_cli.commands check TARGET --format json`, timed from outside;
- the same without PyTorch: a torch module that fails to import comes first on PYTHONPATH, so the
  autograd checks are skipped as when torch is not installed (what importing torch costs);
- `python -c pass`: starting the interpreter;
- a breakdown run, which does what the command does, in its order: imports what the command imports
  before it starts its two child processes (the target's sandbox and the torch helper), starts them,
  imports the rest of the harness meanwhile, then calls run_checks(TARGET) with them, and reports how
  long each step took: the imports, waiting for the target to be loaded and adapted (until the first
  check began), the checks of each component (Report.durations), building and rendering the JSON
  report, and closing (stopping the sandbox and the autograd helper process).

The checks of dW1 include waiting for torch, which a helper process imports meanwhile. Prints
median milliseconds; "not accounted for" is the whole command minus the sum of its parts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Column, median, print_report, write_json


def breakdown(target: str) -> dict[str, float]:
    """Seconds of each stage of checking ``target``, in this process (call it in a fresh one)."""
    started = time.perf_counter()
    import mnist_ref_cli.commands  # noqa: F401  (what the command imports before it parses its arguments)
    from conformance.oracles.background import BackgroundAutograd
    from conformance.sandbox import Sandbox

    imported = time.perf_counter()
    autograd, sandbox = BackgroundAutograd(), Sandbox(target)
    autograd.start()
    sandbox.start()
    from conformance.report import FORMATS
    from conformance.runner import run_checks

    harness_imported = time.perf_counter()
    finished_at: dict[str, float] = {}
    report = run_checks(
        target,
        on_result=lambda result: finished_at.setdefault(result.id, time.perf_counter()),
        autograd=autograd,
        sandbox=sandbox,
    )
    FORMATS["json"](report)
    rendered = time.perf_counter()
    sandbox.close()
    autograd.close()
    closed = time.perf_counter()
    # The checks run in another order than the report's (those needing torch last): the first to
    # start and the last to finish are found from the times, not from the report's order.
    first_started = min(finished_at[check_id] - report.durations[check_id] for check_id in finished_at)
    last_finished = max(finished_at.values())
    seconds = {
        "imports, until the child processes start": imported - started,
        "start the sandbox and torch helper, import the harness": harness_imported - imported,
        "wait for the target to load and adapt": first_started - harness_imported,
    }
    for result in report.checks:
        key = f"checks: {result.component}"
        seconds[key] = seconds.get(key, 0.0) + report.durations[result.id]
    seconds["build and render the JSON report"] = rendered - last_finished
    seconds["close sandbox and autograd helper"] = closed - rendered
    return seconds


def wall_seconds(command: list[str], environment: dict[str, str] | None = None) -> float:
    """Wall time of running ``command`` to its end, its output discarded."""
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=environment)
    return time.perf_counter() - started


def without_torch(directory: Path) -> dict[str, str]:
    """This environment with a torch module that fails to import first on PYTHONPATH: torch looks absent."""
    (directory / "torch.py").write_text('raise ImportError("hidden by benchmarks/check_breakdown.py")\n')
    path = [str(directory), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def measure(target: str, runs: int, no_torch: dict[str, str]) -> list[dict]:
    """Rows of median milliseconds: the stages, their sum, the whole command and the difference;
    then the whole command in the environment ``no_torch``."""
    command = [sys.executable, "-m", "mnist_ref_cli.commands", "check", target, "--format", "json"]
    stages: dict[str, list[float]] = {}
    whole, whole_without_torch, start = [], [], []
    for _ in range(runs):
        whole.append(wall_seconds(command))
        whole_without_torch.append(wall_seconds(command, no_torch))
        start.append(wall_seconds([sys.executable, "-c", "pass"]))
        output = subprocess.check_output([sys.executable, __file__, "--breakdown-of", target], text=True)
        for stage, seconds in json.loads(output).items():
            stages.setdefault(stage, []).append(seconds)
    parts = {"start the interpreter": start, **stages}
    rows = [{"stage": stage, "median_ms": 1000 * median(seconds)} for stage, seconds in parts.items()]
    total = sum(row["median_ms"] for row in rows)
    rows.append({"stage": "sum of the stages", "median_ms": total})
    rows.append({"stage": "not accounted for", "median_ms": 1000 * median(whole) - total})
    for stage, seconds in (("whole command", whole), ("whole command without PyTorch", whole_without_torch)):
        rows.append({"stage": stage, "median_ms": 1000 * median(seconds), "min_ms": 1000 * min(seconds)})
    return rows


def default_target(directory: Path) -> str:
    """The corpus's classic_correct, written into ``directory``."""
    sys.path.insert(0, str(ROOT / "tests"))  # the test corpus: tests/corpus
    from corpus import VARIANTS, write_variant

    return str(write_variant(VARIANTS["classic_correct"], directory))


COLUMNS = (
    Column("stage", "stage"),
    Column("median_ms", "median ms", ",.0f"),
    Column("min_ms", "min ms", ",.0f"),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", nargs="?", help="a .py file or module (default: corpus classic_correct)")
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    parser.add_argument("--breakdown-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.breakdown_of:
        print(json.dumps(breakdown(args.breakdown_of)))
        return
    with tempfile.TemporaryDirectory() as directory:
        target = args.target or default_target(Path(directory))
        rows = measure(target, args.runs, without_torch(Path(directory)))
    title = f"mnist-ref check {Path(target).name}: median of {args.runs} interleaved rounds, fresh processes"
    notes = ["checks of dW1 include waiting for torch, imported meanwhile by a helper process"]
    print_report(title, COLUMNS, rows, notes)
    write_json(args.json, "check_breakdown", rows, settings={"target": target, "runs": args.runs})


if __name__ == "__main__":
    main()
