"""`mnist-ref grade` on a class of 31 submissions whose bugs are known, graded once for the module.

Each row of the gradebook is compared with what its submission contains (the corpus's expected
results); then the feedback, the Gradescope results, the summary, a rerun that reuses every
result, and a rubric applied to the stored results without grading anything again.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from grading_fixtures import KILLS_ITS_GRADER, MEMORY_HOG, Expected, write_big_class

from conformance.report.model import COMPONENTS
from conformance.sandbox.confine import LANDLOCK, isolation
from mnist_ref_cli.commands import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUICK = ("--jobs", "2", "--examples", "4", "--timeout", "3", "--memory-mb", "512", "--seed", "0")


def grade(*arguments: str) -> Result:
    result = CliRunner().invoke(main, ["grade", *arguments, *QUICK], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def read_gradebook(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype={"name": str, "entry": str})


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Expected]]:
    """(class folder, output folder, expectations), the class graded once."""
    class_dir = tmp_path_factory.mktemp("class")
    expected = write_big_class(class_dir)
    out = tmp_path_factory.mktemp("graded")
    grade(str(class_dir), "--out", str(out))
    return class_dir, out, expected


@pytest.fixture(scope="module")
def gradebook(graded: tuple[Path, Path, dict[str, Expected]]) -> pd.DataFrame:
    return read_gradebook(graded[1] / "grades.csv").set_index("name")


def row_problems(row: pd.Series, expected: Expected) -> list[str]:
    """What is wrong with one gradebook row, as readable lines (empty when it is right)."""
    problems = []
    if row["outcome"] != expected.outcome:
        problems.append(f"outcome {row['outcome']!r}, expected {expected.outcome!r} ({row['reason']})")
    if row["verdict"] != expected.verdict:
        problems.append(f"verdict {row['verdict']!r}, expected {expected.verdict!r}")
    passed = sum(row[component] == "pass" for component in COMPONENTS)
    if row["score"] != passed:
        problems.append(f"score {row['score']}, but {passed} components pass (1 point each)")
    for component in COMPONENTS:
        if row[component] not in expected.status_allowed(component):
            problems.append(
                f"{component} is {row[component]!r}, expected {expected.status_allowed(component)}"
            )
    listed = set(row["diagnoses"].split("; ")) - {""}
    for component, code in expected.flagged.items():
        if f"{component}:{code}" not in listed:
            problems.append(f"diagnoses {row['diagnoses']!r} lack {component}:{code}")
    return problems


def test_every_row_matches_what_its_submission_contains(gradebook: pd.DataFrame, graded) -> None:
    _, _, expected = graded
    assert sorted(gradebook.index) == sorted(expected)
    problems = {name: row_problems(gradebook.loc[name], expected[name]) for name in expected}
    assert {name: lines for name, lines in problems.items() if lines} == {}


def test_the_gradebook_is_sorted_by_name_with_fixed_columns(graded) -> None:
    frame = read_gradebook(graded[1] / "grades.csv")
    assert list(frame["name"]) == sorted(frame["name"])
    assert list(frame.columns) == [
        "name", "entry", "outcome", "verdict", "score", "max_score", *COMPONENTS, "diagnoses", "reason",
    ]  # fmt: skip
    assert set(frame["max_score"]) == {len(COMPONENTS)}
    entries = dict(zip(frame["name"], frame["entry"], strict=True))
    assert entries["folder_main"] == "folder_main/main.py"
    assert entries["folder_single_file"] == "folder_single_file/homework.py"
    assert entries["classic_notebook_correct"] == "classic_notebook_correct.ipynb"
    assert "notes" not in entries


def test_hostile_submissions_are_recorded_and_the_batch_goes_on(gradebook: pd.DataFrame) -> None:
    assert "relu:timeout" in gradebook.loc["classic_relu_hangs", "diagnoses"]
    assert "softmax:crash" in gradebook.loc["classic_softmax_exits", "diagnoses"]
    assert "dW1:output_flood" in gradebook.loc["dict_params_backprop_floods_output", "diagnoses"]
    assert "relu:crash" in gradebook.loc[MEMORY_HOG.name, "diagnoses"]
    killer = gradebook.loc[KILLS_ITS_GRADER.name]
    if isolation() == LANDLOCK:  # the signal to a process outside the sandbox is refused
        assert killer["outcome"] == "checked"
        assert "relu:exception" in killer["diagnoses"]
    else:
        assert (killer["outcome"], killer["score"]) == ("grader failed", 0)
        assert "the process grading this submission died" in killer["reason"]
    unloadable = gradebook.loc["class_style_fails_at_import"]
    assert unloadable["reason"].startswith("cannot load the submission: class_style_fails_at_import.py, line")
    assert "GPU runtime" in unloadable["reason"]
    assert "has 2 source files (part1.py, part2.py)" in gradebook.loc["folder_ambiguous", "reason"]


def test_feedback_tells_a_student_what_failed_and_why(graded) -> None:
    feedback = (graded[1] / "feedback" / "classic_db2_scalar.md").read_text()
    assert "**Score: 12 / 15**" in feedback
    assert "| db2 | ❌ failed (`shape_mismatch`) | 0 / 1 |" in feedback
    assert "| dW2 | ✅ passed | 1 / 1 |" in feedback
    assert "## What to fix" in feedback and "### db2" in feedback and "### train" in feedback
    assert "**db2.shape** failed: `shape_mismatch`, the result has the wrong shape" in feedback
    assert "keepdims" in feedback  # the hint of the message
    assert "Smallest failing input: hidden=" in feedback
    assert "- **loss**: " in feedback  # classic has no loss function: not checked, and why
    assert "### dW2" not in feedback


def test_feedback_of_a_submission_that_cannot_be_loaded_gives_the_reason(graded) -> None:
    feedback = (graded[1] / "feedback" / "classic_notebook_syntax_error.md").read_text()
    assert "**Score: 0 / 15**" in feedback
    assert "could not be loaded" in feedback and "SyntaxError" in feedback and "cell" in feedback
    assert "| Part |" not in feedback


def test_each_gradescope_result_agrees_with_the_gradebook(graded, gradebook: pd.DataFrame) -> None:
    for name, row in gradebook.iterrows():
        results = json.loads((graded[1] / "gradescope" / name / "results.json").read_text())
        assert results["score"] == row["score"], name
        tests = {test["name"]: test for test in results["tests"]}
        assert list(tests) == list(COMPONENTS), name
        passed = {test_name for test_name, test in tests.items() if test["status"] == "passed"}
        assert passed == {component for component in COMPONENTS if row[component] == "pass"}, name
        assert all(test["visibility"] == "visible" for test in tests.values())
    unloadable = json.loads(
        (graded[1] / "gradescope" / "class_style_fails_at_import" / "results.json").read_text()
    )
    assert "GPU runtime" in unloadable["output"]


def test_the_summary_counts_the_class(graded, gradebook: pd.DataFrame) -> None:
    _, out, expected = graded
    summary = (out / "summary.md").read_text()
    unchecked = sum(entry.outcome != "checked" for entry in expected.values())
    assert (
        f"**{len(expected)} submissions**: {len(expected) - unchecked} checked, {unchecked} not checked."
        in summary
    )
    assert f"Mean score {gradebook['score'].mean():.2f} of 15" in summary
    train_mismatches = sum(
        entry.outcome == "checked" and "train:mismatch" in gradebook.loc[name, "diagnoses"]
        for name, entry in expected.items()
    )
    assert f"| train | `mismatch` | {train_mismatches} |" in summary
    passed_db2 = sum(row == "pass" for row in gradebook["db2"])
    assert f"| db2 | {passed_db2} |" in summary
    for plot in ("score_histogram.png", "component_pass_rates.png", "common_diagnoses.png"):
        assert f"](plots/{plot})" in summary
        assert (out / "plots" / plot).read_bytes().startswith(PNG_MAGIC)


def test_the_most_common_diagnoses_come_first(graded, gradebook: pd.DataFrame) -> None:
    counts = Counter(entry for cell in gradebook["diagnoses"] if cell for entry in cell.split("; "))
    summary = (graded[1] / "summary.md").read_text()
    table = summary.split("## Most common diagnoses")[1].split("![")[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "`" in line]
    shown = [int(cells[2]) for cells in rows]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == max(counts.values())
    assert len(rows) == min(10, len(counts))


def test_a_second_run_reuses_every_result(graded) -> None:
    class_dir, out, expected = graded
    before = (out / "grades.csv").read_bytes()
    stamps = {path.name: path.stat().st_mtime_ns for path in (out / "results").iterdir()}
    result = grade(str(class_dir), "--out", str(out))
    assert f"{len(expected)} submissions: 0 graded now, {len(expected)} already graded" in result.stdout
    assert (out / "grades.csv").read_bytes() == before
    assert {path.name: path.stat().st_mtime_ns for path in (out / "results").iterdir()} == stamps


RUBRIC = """
hidden = ["train", "softmax.large_logits"]

[components]
dW1 = 3
db2 = 2
loss = 0

[checks]
"softmax.large_logits" = 4
"""


def failing_checks(out: Path, name: str) -> set[str]:
    """The ids of the checks that failed or errored, from the stored result of submission ``name``."""
    stored = json.loads((out / "results" / f"{name}.json").read_text())
    return {check["id"] for check in stored["report"]["checks"] if check["status"] in ("fail", "error")}


def test_a_rubric_rescores_the_stored_results_and_hides_checks(graded, tmp_path: Path) -> None:
    class_dir, out, expected = graded
    rescored = tmp_path / "rescored"
    shutil.copytree(out, rescored)
    (tmp_path / "rubric.toml").write_text(RUBRIC)
    result = grade(str(class_dir), "--out", str(rescored), "--rubric", str(tmp_path / "rubric.toml"))
    assert f"0 graded now, {len(expected)} already graded" in result.stdout
    frame = read_gradebook(rescored / "grades.csv").set_index("name")
    # 12 components at 1 point (softmax keeping 4 of its 5 checks), dW1 3, db2 2, loss 0; large_logits 4.
    assert set(frame["max_score"]) == {21}
    assert frame.loc["classic_correct", "score"] == 21  # classic lacks loss, now worth nothing
    assert frame.loc["classic_db2_scalar", "score"] == 21 - 2 - 1  # db2 and the hidden train
    overflow = failing_checks(out, "classic_softmax_no_shift")
    assert "softmax.large_logits" in overflow
    rest_of_softmax = 1 if overflow - {"softmax.large_logits"} else 0
    assert frame.loc["classic_softmax_no_shift", "score"] == 21 - 4 - rest_of_softmax
    summary = (rescored / "summary.md").read_text()
    assert "Points: from the rubric, 21 in all, 5 of them hidden from students." in summary
    feedback = (rescored / "feedback" / "classic_db2_scalar.md").read_text()
    assert "**Score: 18 / 21**" in feedback
    assert "| db2 | ❌ failed (`shape_mismatch`) | 0 / 2 |" in feedback
    for hidden in ("| train |", "### train", "train.", "large_logits", "large\\_logits"):
        assert hidden not in feedback
    assert "5 of the 21 points come from hidden checks, which are not listed here." in feedback
    results = json.loads((rescored / "gradescope" / "classic_db2_scalar" / "results.json").read_text())
    tests = {test["name"]: test for test in results["tests"]}
    assert tests["train"]["visibility"] == tests["softmax.large_logits"]["visibility"] == "hidden"
    assert (tests["db2"]["visibility"], tests["db2"]["max_score"], tests["db2"]["score"]) == ("visible", 2, 0)
    assert results["score"] == 18
