"""Wall time of `mnist-ref check` on one target, process start and PyTorch import included.

    python benchmarks/check_time.py [TARGET ...] [--runs 5] [--json FILE]

Without a target it checks a correct implementation and a buggy one from the test corpus.
Prints a table: target, runs, median / min / max seconds, exit code.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test corpus: tests/corpus

from common import Column, print_report, write_json  # noqa: E402  (benchmarks/, beside this script)

COLUMNS = (
    Column("name", "target"),
    Column("runs", "runs"),
    Column("median_s", "median s", ".2f"),
    Column("min_s", "min s", ".2f"),
    Column("max_s", "max s", ".2f"),
    Column("exit_code", "exit"),
)


def time_check(target: str, runs: int) -> dict:
    """Run `mnist-ref check TARGET --format json` ``runs`` times; seconds of each run and the exit code."""
    seconds, exit_code = [], None
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "mnist_ref_cli.commands", "check", target, "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds.append(time.perf_counter() - started)
        exit_code = completed.returncode
    return {
        "target": target,
        "runs": runs,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "exit_code": exit_code,
    }


def default_targets(directory: Path) -> list[str]:
    """A correct corpus implementation and a single-bug one, written into ``directory``."""
    from corpus import VARIANTS, write_variant

    correct = write_variant(VARIANTS["classic_correct"], directory)
    buggy = write_variant(VARIANTS["classic_db2_scalar"], directory)
    return [str(correct), str(buggy)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", help="targets to check (default: two from the test corpus)")
    parser.add_argument("--runs", type=int, default=5, help="runs per target (default 5)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        targets = args.targets or default_targets(Path(directory))
        rows = [time_check(target, args.runs) for target in targets]
    for row in rows:
        row["name"] = Path(row["target"]).name
    print_report("mnist-ref check, whole command", COLUMNS, rows, notes=())
    write_json(args.json, "check_time", rows)


if __name__ == "__main__":
    main()
