"""The checker's verdicts over the wild corpus (tests/corpus/wild/), against what each file expects.

    python benchmarks/corpus_scorecard.py [--files] [--json FILE]

Prints one row per style: files, exact verdicts (every component as expected), false alarms (a
right component failed), known bugs and how many were flagged in the right component, in-spec
files (the classic network) with a required component left unchecked, and vacuous passes (exit 0
while a required component was not checked and right). ``--files`` adds each file's
disagreements.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test corpus: tests/corpus

from common import Column, print_report, write_json  # noqa: E402  (benchmarks/, beside this script)
from corpus.wild_files import Scorecard, WildFile, score, wild_files  # noqa: E402

from conformance.oracles import autograd  # noqa: E402
from conformance.runner import run_checks  # noqa: E402
from conformance.sandbox.protocol import TargetLoadError  # noqa: E402

COLUMNS = (
    Column("style", "style"),
    Column("files", "files"),
    Column("exact", "exact"),
    Column("false_alarms", "false alarms"),
    Column("bugs", "bugs"),
    Column("bugs_flagged", "flagged"),
    Column("missed_bugs", "missed"),
    Column("in_spec", "in-spec"),
    Column("in_spec_unchecked", "in-spec w/ unchecked required"),
    Column("vacuous_passes", "vacuous passes"),
)


def check_file(file: WildFile):
    """The FileScore of one wild file (torch kept imported in this process across files)."""
    try:
        report = run_checks(str(file.path), autograd=autograd, spec=file.spec)
    except TargetLoadError:
        report = None
    return score(file, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", action="store_true", help="print each file's disagreements too")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()
    scores = [check_file(file) for file in wild_files()]
    rows = Scorecard(scores).rows()
    if args.files:
        for s in scores:
            status = "exact" if s.exact else "; ".join(s.wrong)
            print(f"{s.file.name} (exit {s.exit_code}): {status}")
        print()
    print_report(
        "Wild corpus scorecard (component verdicts against each file's Expected block)",
        COLUMNS,
        rows,
        ["false alarm: a right component failed; in-spec: the classic two-layer ReLU/softmax network"],
    )
    write_json(args.json, "corpus_scorecard", rows, files={s.file.name: s.wrong for s in scores})


if __name__ == "__main__":
    main()
