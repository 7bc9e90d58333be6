"""Throughput of `mnist-ref grade`: submissions graded per minute on this machine.

    python benchmarks/grade_throughput.py [--submissions 100] [--jobs N] [--fresh 5] [--json FILE]

Generates a class from the test corpus (its correct and single-bug implementations, in turn),
grades it with grade_class (a pool of workers that import torch once), and, for comparison,
checks ``--fresh`` of them one by one with a plain ``run_checks`` (which imports torch in a
helper process for every submission). Prints a table: mode, jobs, submissions, wall seconds,
submissions per minute, and the CPU seconds per submission (this process and its children), which
other jobs sharing the machine do not inflate: 60 * cores / that is the rate on idle cores.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test corpus: tests/corpus

from common import Column, print_report, write_json  # noqa: E402  (benchmarks/, beside this script)

COLUMNS = (
    Column("mode", "mode"),
    Column("jobs", "jobs"),
    Column("submissions", "submissions"),
    Column("seconds", "seconds", ".1f"),
    Column("per_minute", "per minute", ".1f"),
    Column("cpu_seconds_each", "CPU s each", ".2f"),
)


def write_class(directory: Path, count: int) -> list[Path]:
    """``count`` submissions named student_000_<variant>.py, cycling through the corpus."""
    from corpus import CORRECT, SINGLE_BUGS

    variants = [*CORRECT, *SINGLE_BUGS]
    paths = []
    for number in range(count):
        variant = variants[number % len(variants)]
        path = directory / f"student_{number:03d}_{variant.name}.py"
        path.write_text(variant.source())
        paths.append(path)
    return paths


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers and their sandboxes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_pool(directory: Path, jobs: int) -> dict:
    """Grade the whole class in ``directory`` with ``jobs`` workers."""
    from conformance.grading.batch import grade_class
    from conformance.grading.settings import GradingSettings
    from conformance.grading.submissions import find_submissions

    submissions = find_submissions([str(directory / "class")])
    started, cpu = time.perf_counter(), cpu_seconds()
    out = directory / "graded"
    run = grade_class(submissions, out, settings=GradingSettings(), jobs=jobs, progress=False)
    return {
        "mode": "grade (pool)",
        "jobs": jobs,
        "submissions": len(run.results),
        "seconds": time.perf_counter() - started,
        "cpu_seconds": cpu_seconds() - cpu,
    }


def time_fresh(paths: list[Path]) -> dict:
    """Check each path with run_checks as `mnist-ref check` does: torch imported per submission."""
    from conformance.runner import run_checks

    started, cpu = time.perf_counter(), cpu_seconds()
    for path in paths:
        run_checks(str(path))
    return {
        "mode": "run_checks one by one",
        "jobs": 1,
        "submissions": len(paths),
        "seconds": time.perf_counter() - started,
        "cpu_seconds": cpu_seconds() - cpu,
    }


def main() -> None:
    from conformance.grading.pool import available_cores

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=100, help="class size (default 100)")
    parser.add_argument("--jobs", type=int, default=available_cores(), help="workers (default: every core)")
    parser.add_argument("--fresh", type=int, default=5, help="submissions for the one-by-one comparison")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        (directory / "class").mkdir()
        paths = write_class(directory / "class", args.submissions)
        rows = [time_pool(directory, args.jobs)]
        if args.fresh:
            rows.append(time_fresh(paths[: args.fresh]))
    for row in rows:
        row["per_minute"] = 60 * row["submissions"] / row["seconds"]
        row["cpu_seconds_each"] = row["cpu_seconds"] / row["submissions"]
    print_report("Grading throughput", COLUMNS, rows, notes=())
    write_json(args.json, "grade_throughput", rows)


if __name__ == "__main__":
    main()
