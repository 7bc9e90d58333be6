"""What the benchmark scripts share: the machine they ran on, medians, tables and JSON output.

Each benchmark prints one table and, with ``--json FILE``, writes the same rows with the
machine's description (CPU model, cores, load averages before and after) next to them, so
that a figure is never read without the load it was measured under.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's processor string elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_averages() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict[str, str | int]:
    """The CPU, core count, current load and the versions that matter for the timings."""
    import numpy as np  # here, so that a benchmark can time its own imports

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 1,
        "load_average": load_averages(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(statistics.median(values))


@dataclass(frozen=True)
class Seconds:
    """One timing: wall-clock seconds and the CPU seconds of this process (all its threads) meanwhile."""

    wall: float
    cpu: float


def timed(run: Callable[[], object]) -> Seconds:
    """Call ``run()`` once and time it."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return Seconds(time.perf_counter() - wall, time.process_time() - cpu)


def interleaved(
    contenders: dict[str, Callable[[], Seconds]], repeats: int, *, warmup: int = 1
) -> dict[str, list[Seconds]]:
    """Run every contender once per round, in turn: {name: [its timing in each of ``repeats`` rounds]}.

    Taking turns spreads a burst of load from other processes over all contenders alike. The first
    ``warmup`` rounds are not kept (first touches of memory, lazy initialisation in the libraries).
    """
    timings: dict[str, list[Seconds]] = {name: [] for name in contenders}
    for round_number in range(warmup + repeats):
        for name, run in contenders.items():
            timing = run()
            if round_number >= warmup:
                timings[name].append(timing)
    return timings


def medians(timings: Sequence[Seconds]) -> Seconds:
    """The median wall time and the median CPU time of several timings."""
    return Seconds(median([t.wall for t in timings]), median([t.cpu for t in timings]))


@dataclass(frozen=True)
class Column:
    """A table column: its key in the rows, its heading, and how to format a value (None prints "-")."""

    key: str
    heading: str
    format: str = ""

    def cell(self, row: dict) -> str:
        value = row.get(self.key)
        return "-" if value is None else format(value, self.format)


def table(title: str, columns: Sequence[Column], rows: Sequence[dict]) -> str:
    """A plain-text table: the title, a heading line, then one line per row; the first column left-aligned."""
    headings = [column.heading for column in columns]
    lines = [headings] + [[column.cell(row) for column in columns] for row in rows]
    widths = [max(len(cells[i]) for cells in lines) for i in range(len(columns))]

    def aligned(cells: list[str]) -> str:
        padded = [cells[0].ljust(widths[0])]
        padded += [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(padded).rstrip()

    return "\n".join([title, *(aligned(cells) for cells in lines)])


def print_report(title: str, columns: Sequence[Column], rows: Sequence[dict], notes: Sequence[str]) -> None:
    """Print the table, then the notes and the machine's load, one per line."""
    print(table(title, columns, rows))
    for note in notes:
        print(f"  {note}")
    print(f"  machine: {cpu_model()}, {os.cpu_count()} cores; load average now {load_averages()}")


def write_json(path: Path | None, benchmark: str, rows: Sequence[dict], **extra: object) -> None:
    """Write {"benchmark", "command", "machine", "rows", **extra} to ``path`` (nothing when it is None)."""
    if path is None:
        return
    document = {
        "benchmark": benchmark,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "rows": list(rows),
        **extra,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
