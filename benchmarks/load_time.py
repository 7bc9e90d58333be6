"""How the time to load a target grows with its size: files of many definitions, loaded and described.

    python benchmarks/load_time.py [--sizes 100,400,1600,6400] [--json FILE]

Each file is the classic network (tests/corpus/classic.py) followed by N small helper functions, each
with a docstring, a loop and a module-level constant beside it, as a long notebook export has. For each
size the table gives the file's size, the seconds from Sandbox.start() to describe() returning (the
target read, split, run and searched for components) and the seconds per 1,000 definitions: a loader
linear in the file's size keeps that last column flat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import Column, print_report, write_json  # noqa: E402  (benchmarks/, beside this script)

from conformance.sandbox import Sandbox  # noqa: E402

CLASSIC = ROOT / "tests" / "corpus" / "classic.py"
COLUMNS = (
    Column("definitions", "definitions"),
    Column("kilobytes", "KB", ".0f"),
    Column("seconds", "load + describe s", ".2f"),
    Column("per_thousand", "s per 1000 definitions", ".3f"),
)


def helper(index: int) -> str:
    """One helper function and the constant beside it."""
    return (
        f"\nSCALE_{index} = {index % 7 + 1}\n\n\n"
        f"def helper_{index}(values, factor=SCALE_{index}):\n"
        f'    """Scale each of values by factor and add its index ({index})."""\n'
        "    total = []\n"
        "    for position, value in enumerate(values):\n"
        "        total.append(value * factor + position)\n"
        "    return total\n"
    )


def write_target(folder: Path, definitions: int) -> Path:
    """The classic network followed by ``definitions`` helpers."""
    path = folder / f"long_{definitions}.py"
    path.write_text(CLASSIC.read_text() + "".join(helper(index) for index in range(definitions)))
    return path


def load_seconds(path: Path) -> float:
    """Seconds from starting the sandbox to its describe() returning."""
    started = time.perf_counter()
    with Sandbox(str(path), timeout=600.0) as sandbox:
        sandbox.start()
        sandbox.describe()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100,400,1600,6400", help="numbers of definitions, comma-separated"
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for definitions in (int(size) for size in args.sizes.split(",")):
            path = write_target(Path(folder), definitions)
            seconds = load_seconds(path)
            rows.append(
                {
                    "definitions": definitions,
                    "kilobytes": path.stat().st_size / 1024,
                    "seconds": seconds,
                    "per_thousand": seconds / definitions * 1000,
                }
            )
    print_report("Loading a long target (classic network + N helper functions)", COLUMNS, rows, [])
    write_json(args.json, "load_time", rows)


if __name__ == "__main__":
    main()
