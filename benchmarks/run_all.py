"""Run the four performance benchmarks one after the other and print their four tables.

    python benchmarks/run_all.py [--quick] [--json FILE]

1. training_speed.py: a training epoch and a full-batch step, reference next to PyTorch and next to
   the machine's matrix-multiply rate;
2. gradient_check.py: the harness's finite differences next to torch.autograd.gradcheck;
3. check_breakdown.py: where the time of `mnist-ref check` goes;
4. training_memory.py: peak memory of training, as a multiple of the data's size.

Each runs in its own process, so that none inherits another's imports or memory. ``--quick`` runs
smaller versions (a tenth of the samples, one round): a smoke test, not figures to report. ``--json``
writes {"machine", "benchmarks": {name: that benchmark's JSON document}} to FILE.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import machine

HERE = Path(__file__).resolve().parent

BENCHMARKS = ("training_speed", "gradient_check", "check_breakdown", "training_memory")
"""The benchmark scripts, without .py, in the order they run."""

QUICK = {
    "training_speed": ["--samples", "6000", "--repeats", "1"],
    "gradient_check": ["--seeds", "1", "--repeats", "1"],
    "check_breakdown": ["--runs", "1"],
    "training_memory": ["--samples", "6000"],
}
"""The arguments of ``--quick``."""


def run(name: str, arguments: list[str], json_file: Path) -> dict:
    """Run benchmark ``name``, letting it print its table; return the JSON document it wrote."""
    print(flush=True)
    subprocess.run(
        [sys.executable, str(HERE / f"{name}.py"), *arguments, "--json", str(json_file)], check=True
    )
    return json.loads(json_file.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small, fast versions: a smoke test")
    parser.add_argument("--json", type=Path, help="also write every benchmark's rows as JSON to this file")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    documents = {}
    with tempfile.TemporaryDirectory() as directory:
        for name in BENCHMARKS:
            arguments = QUICK[name] if args.quick else []
            documents[name] = run(name, arguments, Path(directory) / f"{name}.json")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "benchmarks": documents}, indent=2) + "\n")


if __name__ == "__main__":
    main()
