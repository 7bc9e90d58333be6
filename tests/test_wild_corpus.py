"""The wild corpus (tests/corpus/wild/): well-formed, from allowed sources, never accused, never vacuous.

The full scorecard (exact verdicts, bugs flagged) is ``benchmarks/corpus_scorecard.py``; here, per
file, the two promises that must always hold: no right component is failed, and exit 0 only when
every required component was checked and is right.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus.wild_files import (
    WILD,
    FileScore,
    Scorecard,
    WildFile,
    docstring_of,
    parse,
    score,
    wild_files,
)

from conformance.oracles import autograd
from conformance.runner import run_checks
from conformance.sandbox.protocol import TargetLoadError

RESERVED = frozenset(
    {
        "amulya-ajay", "akumar23", "denidersedan", "kprk369", "mqnch", "linwe-e", "iic202", "blazewild",
        "raphsenn", "captaindpt", "tonlongthuat", "glnrmdan", "kartikag13", "zaidanmir", "ramaraju2005",
        "stitanx", "syncush", "cgnyx", "nightshifthalogen", "joanovallesr", "darkphantom323", "codeingerscat",
        "gaurav7974", "hjuvvana", "an0sto", "thrivedhi123", "nermin-nermin", "blacaxe", "aldrn-bnu",
        "aggioxx", "karims7", "ali-sedaghi", "levsau00", "shreyas-rathod", "abtraore", "adilarya",
        "maximedaigle",
        "mirmohammad", "n-ikitasingh", "qlzbo", "gameboyjisoo", "sa1998ma", "najmkhoda", "user6582",
        "dowdyma1", "jbquim", "cain877", "yinguohang", "krnfrmh", "helyousfi", "vaibhavsss",
    }
)  # fmt: skip
"""Owners whose repositories are kept for an independent evaluation: never a source here."""
SOURCE = re.compile(r"github\.com/([\w.-]+)/([\w.-]+)")
FILES = wild_files()


def test_the_corpus_is_large_and_varied():
    assert len(FILES) >= 40
    assert len({file.style for file in FILES}) >= 6
    assert sum(bool(file.bugs) for file in FILES) >= 10


@pytest.mark.parametrize("file", FILES, ids=lambda file: file.name)
def test_each_file_names_an_allowed_source_and_its_expectations(file):
    docstring = docstring_of(file.path)
    source = SOURCE.search(docstring.splitlines()[0])
    assert source is not None, f"{file.name}: the first line must name github.com/<owner>/<repo>"
    assert source.group(1).lower() not in RESERVED, file.name
    assert "API:" in docstring and "Known bugs:" in docstring, file.name
    assert set(file.expected) <= set(file.components) and file.expected, file.name


def test_a_malformed_expectation_is_named(tmp_path):
    path = tmp_path / "bad.py"
    header = "Rewrite of github.com/a/b, x.py.\n\nStyle: kaggle\nLayout: column\nNetwork: classic\n"
    path.write_text(f'"""{header}\nExpected:\n    forward: maybe\n"""\n')
    with pytest.raises(
        ValueError, match=re.escape("bad.py: cannot read the expected verdict 'forward: maybe'")
    ):
        parse(path)


def checked(file: WildFile) -> FileScore:
    """The file checked as the scorecard checks it (None for a target that cannot load)."""
    try:
        report = run_checks(str(WILD / file.name), autograd=autograd, spec=file.spec)
    except TargetLoadError:
        report = None
    return score(file, report)


@pytest.mark.slow
@pytest.mark.parametrize("file", FILES, ids=lambda file: file.name)
def test_no_right_component_is_failed_and_no_pass_is_vacuous(file):
    scored = checked(file)
    assert not scored.false_alarms, scored.wrong
    assert not scored.vacuous, scored.wrong


@pytest.mark.slow
def test_the_readme_shows_the_scorecard_as_it_is():
    rows = Scorecard([checked(file) for file in FILES]).rows()
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("<!-- scorecard -->\n", 1)[1].split("\n\n", 1)[0]
    shown = [line for line in table.splitlines()[2:]]
    expected = ["| " + " | ".join(str(value) for value in row.values()) + " |" for row in rows]
    assert shown == expected, "run python benchmarks/corpus_scorecard.py and copy its table into README"
