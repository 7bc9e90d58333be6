"""README and docs/ promises that must stay true: the quick start, the CI test command, the diagnosis
codes, the components, the JSON contract, the exit codes, the links, and the figures shown."""

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from conformance.diagnose import DIAGNOSES
from conformance.report.model import COMPONENTS, CheckResult, Report
from conformance.report.verdicts import DEFAULT_REQUIRED, HEADLINES, VERDICTS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
DIAGNOSES_DOC = (DOCS / "diagnoses.md").read_text()
CHECKING_DOC = (DOCS / "checking.md").read_text()
JSON_DOC = (DOCS / "json-report.md").read_text()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a whole line), up to the next heading of the same level or higher
    outside code blocks."""
    level = len(heading.split(" ", 1)[0])
    lines = text.splitlines()
    start = lines.index(heading) + 1
    fenced = False
    for index in range(start, len(lines)):
        line = lines[index]
        fenced = fenced != line.startswith("```")
        hashes = len(line) - len(line.lstrip("#"))
        if not fenced and 0 < hashes <= level and line[hashes : hashes + 1] == " ":
            return "\n".join(lines[start:index])
    return "\n".join(lines[start:])


def code_blocks(text: str) -> list[str]:
    """The contents of the fenced code blocks of ``text``, in order."""
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_every_diagnosis_code_is_documented() -> None:
    missing = [code for code in DIAGNOSES if f"| `{code}` |" not in DIAGNOSES_DOC]
    assert missing == []


def test_every_component_is_documented() -> None:
    table = [line for line in CHECKING_DOC.splitlines() if line.startswith("| `")]
    assert [component for component in COMPONENTS if not any(f"`{component}`" in row for row in table)] == []
    assert [component for component in COMPONENTS if f"`{component}`" not in README] == []


def test_the_test_command_is_marked_for_ci() -> None:
    marked = README.split("<!-- test-command -->", 1)[1].split("```")[1]
    assert "pytest" in marked


def test_the_quick_start_makes_a_venv_and_installs_cpu_torch_before_the_project() -> None:
    quick_start = section(README, "## Quick start")
    commands = code_blocks(quick_start)[0].splitlines()
    assert commands == [
        "python3 -m venv .venv",
        ". .venv/bin/activate",
        "pip install torch==2.13.0",
        "pip install -e . && mnist-ref train",
    ]
    ci_script = (ROOT / ".ci" / "run").read_text()
    assert "python -m pip install --quiet torch==2.13.0" in ci_script  # the build CI tests with
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11" and "Python 3.11 or newer" in quick_start
    assert "--index-url https://download.pytorch.org/whl/cpu" in quick_start


def test_the_readme_has_a_table_of_contents_of_its_sections() -> None:
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    contents = section(README, "## Contents")
    for heading in headings[1:]:
        anchor = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        assert f"[{heading}](#{anchor})" in contents, heading


@pytest.mark.parametrize(
    "document", ["README.md", *sorted(str(p.relative_to(ROOT)) for p in DOCS.rglob("*.md"))]
)
def test_every_relative_link_leads_to_a_file(document: str) -> None:
    path = ROOT / document
    targets = [target for target in LINK.findall(path.read_text()) if "://" not in target]
    missing = [target for target in targets if not (path.parent / target).exists()]
    assert missing == []


def test_every_benchmark_named_in_the_readme_exists() -> None:
    named = set(re.findall(r"python (benchmarks/\w+\.py)", README))
    assert "benchmarks/train_time.py" in named and "benchmarks/corpus_scorecard.py" in named
    assert [name for name in sorted(named) if not (ROOT / name).is_file()] == []


@pytest.mark.slow
def test_the_quick_start_output_is_what_mnist_ref_train_prints(tmp_path: Path) -> None:
    shown = code_blocks(section(README, "## Quick start"))[1].splitlines()
    command = [sys.executable, "-m", "mnist_ref_cli.commands", "train", "--no-progress", "--out", "model.npz"]
    printed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    lines = printed.splitlines()
    for line in shown:
        if line == "...":
            continue
        if line.startswith("trained in "):
            assert re.fullmatch(
                r"trained in \d+\.\d s", next(p for p in lines if p.startswith("trained in "))
            )
        else:
            assert line in lines, line


@pytest.mark.slow
def test_the_sample_report_is_what_mnist_ref_check_prints() -> None:
    shown = README.split("```\n$ mnist-ref check examples/classic_notebook.py\n", 1)[1].split("```", 1)[0]
    command = [sys.executable, "-m", "mnist_ref_cli.commands", "check", "examples/classic_notebook.py"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 1, completed.stderr
    printed = [line.rstrip() for line in completed.stdout.splitlines()]
    kept = [line for line in shown.splitlines() if "..." not in line]  # "..." marks what is left out
    assert len(kept) >= 10 and [line for line in kept if line.rstrip() not in printed] == []


def json_contract() -> dict:
    """The JSON report shown in docs/json-report.md."""
    return json.loads(JSON_DOC.split("```json", 1)[1].split("```", 1)[0])


def test_the_json_contract_shows_every_key_of_the_report() -> None:
    report = Report("hw.py", 0, "float64", [CheckResult("db2.shape", "db2", "fail", "mismatch", "m")])
    shown = json_contract()
    assert list(shown) == list(report.to_dict())
    assert list(shown["components"][0]) == list(report.components[0].to_dict())
    assert list(shown["checks"][0]) == [field.name for field in fields(CheckResult)]
    for key in (*report.to_dict(), *report.components[0].to_dict(), *shown["checks"][0]):
        assert f"`{key}`" in JSON_DOC, key


@pytest.mark.parametrize(
    ("document", "where"),
    [(JSON_DOC, "# Verdicts, exit codes and the JSON report"), (README, "## I gate CI")],
    ids=["docs/json-report.md", "README.md"],
)
def test_the_exit_codes_are_documented_with_their_verdicts(document: str, where: str) -> None:
    text = section(document, where).split("```json", 1)[0]
    flat = " ".join(text.split())
    for code, headline in HEADLINES.items():
        assert f"| **{code}** | `{headline}` |" in text
    for verdict in VERDICTS:
        assert f"`{verdict}`" in text
    assert json_contract()["required"] == list(DEFAULT_REQUIRED)
    assert ", ".join(f"`{name}`" for name in DEFAULT_REQUIRED[:-1]) in flat
