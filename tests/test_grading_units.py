"""The parts of `mnist-ref grade` that need no worker: submissions, shards, rubric, scoring, files, merging.

Results are made up here (a Report with chosen statuses per check), so nothing is graded.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks import ALL_CHECKS
from conformance.files import write_atomically
from conformance.grading.feedback import render_feedback
from conformance.grading.gradebook import gradebook, gradebook_row, write_gradebook
from conformance.grading.gradescope import render_gradescope_results
from conformance.grading.manifest import Manifest, ManifestError, write_manifest
from conformance.grading.merge import MergeError, merge_shards
from conformance.grading.outputs import (
    GRADEBOOK_FILE,
    feedback_path,
    result_store,
    write_class_files,
    write_student_files,
)
from conformance.grading.progress import Progress
from conformance.grading.results import ResultStore, SubmissionResult
from conformance.grading.rubric import CHECK_COMPONENTS, EQUAL_WEIGHTS, Rubric, RubricError, load_rubric
from conformance.grading.scoring import grade
from conformance.grading.settings import GradingSettings
from conformance.grading.shards import WHOLE_CLASS, Shard, ShardChoice, choose_shard
from conformance.grading.submissions import Submission, SubmissionsError, find_submissions
from conformance.grading.summary import render_summary
from conformance.grading.worker import relative_to_staging
from conformance.report.model import COMPONENTS, CheckResult, Report
from mnist_ref_cli.commands import main

SETTINGS = GradingSettings(seed=0, examples=4, timeout=3.0)
STATUSES = ("pass", "fail", "error", "skip")
CODES = {"fail": "mismatch", "error": "exception"}


SIDE_CHECKS = frozenset(registered.id for registered in ALL_CHECKS if registered.side)


def made_up_report(
    statuses: dict[str, str] | None = None,
    mapping: dict | None = None,
    messages: dict[str, str] | None = None,
) -> Report:
    """A report in which every check passes, except those given another status in ``statuses``
    (side checks flagged as the registry says; ``messages`` replaces the made-up message of a check)."""
    statuses, messages = statuses or {}, messages or {}
    checks = []
    for check_id, component in CHECK_COMPONENTS.items():
        status = statuses.get(check_id, "pass")
        message = messages.get(check_id, f"{check_id} went {status}: see line 3 of /tmp/staging-x/alice.py")
        side = check_id in SIDE_CHECKS
        checks.append(CheckResult(check_id, component, status, CODES.get(status), message, side=side))
    return Report("alice.py", 0, "float64", checks, mapping or {})


def made_up_result(
    name: str,
    statuses: dict[str, str] | None = None,
    mapping: dict | None = None,
    messages: dict[str, str] | None = None,
) -> SubmissionResult:
    submission = Submission(name, f"{name}.py", (f"{name}.py",), f"{name}.py", None, "0" * 64)
    report = made_up_report(statuses, mapping, messages)
    return SubmissionResult(submission, SETTINGS, "checked", report, seconds=1.5)


def bare_result(name: str) -> SubmissionResult:
    """What a file holding only ``import numpy as np`` gives: nothing found, every check skipped."""
    missing = {component: "no function named like it" for component in COMPONENTS}
    statuses = {check_id: "pass" if check_id in SIDE_CHECKS else "skip" for check_id in CHECK_COMPONENTS}
    return made_up_result(name, statuses, {"missing": missing})


BACKWARD_RAISES = {
    i: "error" for i, component in CHECK_COMPONENTS.items() if component in ("dW1", "db1", "dW2", "db2")
}
"""backward raises in every check of the four gradients."""
GUESSED_BACKWARD = {"guessed": {"backward": "the order of its arguments"}}
"""A mapping in which the checker guessed how to call backward: its exceptions are not the student's."""


def unloadable_result(name: str) -> SubmissionResult:
    submission = Submission(name, f"{name}.py", (f"{name}.py",), f"{name}.py", None, "1" * 64)
    reason = f"cannot load the submission: {name}.py, line 3: SyntaxError: invalid syntax"
    return SubmissionResult(submission, SETTINGS, "not_loaded", reason=reason)


# Shards ------------------------------------------------------------------------------------------


def test_a_shard_is_parsed_from_i_slash_n() -> None:
    assert Shard.parse("2/4") == Shard(2, 4)
    assert Shard.parse(" 1 / 1 ") == WHOLE_CLASS
    assert str(Shard(3, 5)) == "3/5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/4", r"shard 0/4: I must be between 1 and N, as in 1/4"),
        ("5/4", r"shard 5/4: I must be between 1 and N"),
        ("2", r"shard '2': expected I/N, such as 2/4"),
        ("a/b", r"shard 'a/b': expected I/N"),
        ("1/0", r"shard 1/0: I must be between 1 and N, as in 1/2"),
    ],
)
def test_a_bad_shard_says_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Shard.parse(text)


@pytest.mark.parametrize(
    ("environ", "shard", "source"),
    [
        ({}, WHOLE_CLASS, "no --shard and no job-array variable: the whole class"),
        ({"MNIST_REF_SHARD": "3/4"}, Shard(3, 4), "MNIST_REF_SHARD=3/4"),
        (  # GitHub Actions: strategy.job-index (0-based) and strategy.job-total
            {"MNIST_REF_SHARD_INDEX": "0", "MNIST_REF_SHARD_COUNT": "4"},
            Shard(1, 4),
            "MNIST_REF_SHARD_INDEX=0, MNIST_REF_SHARD_COUNT=4",
        ),
        (
            {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"},
            Shard(1, 4),
            "SLURM_ARRAY_TASK_ID=0, SLURM_ARRAY_TASK_MIN=0, SLURM_ARRAY_TASK_COUNT=4",
        ),
        (  # sbatch --array=1-4: the first task is shard 1, the last shard 4
            {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
            Shard(4, 4),
            "SLURM_ARRAY_TASK_ID=4, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4",
        ),
        (  # sbatch --array=10-40:10
            {
                "SLURM_ARRAY_TASK_ID": "30",
                "SLURM_ARRAY_TASK_MIN": "10",
                "SLURM_ARRAY_TASK_COUNT": "4",
                "SLURM_ARRAY_TASK_STEP": "10",
            },
            Shard(3, 4),
            "SLURM_ARRAY_TASK_ID=30, SLURM_ARRAY_TASK_MIN=10, SLURM_ARRAY_TASK_COUNT=4, step 10",
        ),
        (
            {"JOB_COMPLETION_INDEX": "2", "MNIST_REF_SHARD_COUNT": "3"},
            Shard(3, 3),
            "JOB_COMPLETION_INDEX=2, MNIST_REF_SHARD_COUNT=3",
        ),
        (  # our own variable wins over the engine's
            {"MNIST_REF_SHARD": "1/2", "JOB_COMPLETION_INDEX": "2", "MNIST_REF_SHARD_COUNT": "3"},
            Shard(1, 2),
            "MNIST_REF_SHARD=1/2",
        ),
    ],
)
def test_the_shard_comes_from_the_engines_variables(environ: dict, shard: Shard, source: str) -> None:
    choice = choose_shard(None, environ)
    assert (choice.shard, choice.source) == (shard, source)
    assert choose_shard(Shard(2, 5), environ) == ShardChoice(Shard(2, 5), "--shard")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MNIST_REF_SHARD": "5/4"}, "MNIST_REF_SHARD: shard 5/4: I must be between 1 and N"),
        (
            {"JOB_COMPLETION_INDEX": "1"},
            "JOB_COMPLETION_INDEX is set but MNIST_REF_SHARD_COUNT is not: set MNIST_REF_SHARD_COUNT "
            "(the Job's .spec.completions), or give --shard I/N",
        ),
        (
            {"JOB_COMPLETION_INDEX": "3", "MNIST_REF_SHARD_COUNT": "3"},
            "JOB_COMPLETION_INDEX=3, MNIST_REF_SHARD_COUNT=3: index 3 is not one of the 3 jobs 0..2",
        ),
        (
            {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1"},
            "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not",
        ),
        (  # sbatch --array=1,2,7: task 7 is the third task, but not first + 2 * step
            {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"},
            "index 6 is not one of the 3 jobs 0..2",
        ),
        (
            {
                "SLURM_ARRAY_TASK_ID": "5",
                "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_COUNT": "2",
                "SLURM_ARRAY_TASK_STEP": "4",
            },
            "Slurm array task 5 is not first + k * step",
        ),
        ({"MNIST_REF_SHARD_INDEX": "one", "MNIST_REF_SHARD_COUNT": "2"}, "MNIST_REF_SHARD_INDEX='one'"),
    ],
)
def test_incomplete_or_inconsistent_job_variables_are_named(environ: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        choose_shard(None, environ)


def test_a_bad_job_variable_is_a_one_line_usage_error_of_grade(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    result = CliRunner(env={"JOB_COMPLETION_INDEX": "0"}).invoke(
        main, ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "JOB_COMPLETION_INDEX is set but MNIST_REF_SHARD_COUNT is not" in result.output
    assert not (tmp_path / "o" / "grades.csv").exists()


@given(st.lists(st.text(min_size=1), unique=True), st.integers(1, 12))
def test_the_shards_split_the_class_into_disjoint_balanced_parts(names: list[str], count: int) -> None:
    ordered = sorted(names)
    parts = [Shard(index, count).select(ordered) for index in range(1, count + 1)]
    assert sorted(name for part in parts for name in part) == ordered
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


# Finding submissions -----------------------------------------------------------------------------


def make_class(root: Path) -> None:
    """alice.py, bob.ipynb, carol/ (one file), dave/ (main.py and a helper), erin/ (two files, no entry)."""
    root.mkdir(exist_ok=True)
    (root / "alice.py").write_text("A = 1\n")
    (root / "bob.ipynb").write_text("{}")
    (root / "notes.txt").write_text("not a submission\n")
    (root / ".hidden.py").write_text("X = 1\n")
    (root / "__pycache__").mkdir()
    for folder, files in {
        "carol": ("homework.py",),
        "dave": ("main.py", "helpers.py"),
        "erin": ("part1.py", "part2.py"),
    }.items():
        (root / folder).mkdir()
        for file in files:
            (root / folder / file).write_text(f"# {folder}/{file}\n")
    (root / "carol" / "data.csv").write_text("1,2\n")
    (root / "carol" / ".ipynb_checkpoints").mkdir()
    (root / "carol" / ".ipynb_checkpoints" / "homework-checkpoint.py").write_text("old\n")


def test_a_class_folder_gives_one_submission_per_file_or_folder(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    found = find_submissions([str(tmp_path / "class")])
    by_name = {submission.name: submission for submission in found.submissions}
    assert found.names == ["alice", "bob", "carol", "dave", "erin"]
    assert by_name["alice"].entry == "alice.py"
    assert by_name["bob"].entry == "bob.ipynb"
    assert (by_name["carol"].entry, by_name["carol"].files) == ("carol/homework.py", ("carol/homework.py",))
    assert by_name["dave"].entry == "dave/main.py"
    assert by_name["dave"].files == ("dave/helpers.py", "dave/main.py")
    assert by_name["erin"].entry is None
    assert by_name["erin"].problem == (
        "erin/ has 2 source files (part1.py, part2.py) and none is named submission.py, submission.ipynb, "
        "main.py or main.ipynb: keep one, or name the one to grade submission.py"
    )


def test_the_source_hash_follows_the_source_files_only(tmp_path: Path) -> None:
    make_class(tmp_path / "class")

    def carol_hash() -> str:
        found = find_submissions([str(tmp_path / "class")])
        return next(
            submission for submission in found.submissions if submission.name == "carol"
        ).source_sha256

    first = carol_hash()
    (tmp_path / "class" / "carol" / "data.csv").write_text("3,4\n")
    (tmp_path / "class" / "carol" / ".ipynb_checkpoints" / "homework-checkpoint.py").write_text("new\n")
    assert carol_hash() == first
    (tmp_path / "class" / "carol" / "homework.py").write_text("# changed\n")
    assert carol_hash() != first


def test_a_glob_or_several_paths_name_the_submissions_themselves(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    by_glob = find_submissions([str(tmp_path / "class" / "*.py")])
    assert by_glob.names == ["alice"]
    assert by_glob.root == (tmp_path / "class").resolve()
    by_paths = find_submissions([str(tmp_path / "class" / "carol"), str(tmp_path / "class" / "bob.ipynb")])
    assert by_paths.names == ["bob", "carol"]


def test_the_output_folder_inside_the_class_folder_is_not_a_submission(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    (tmp_path / "class" / "graded").mkdir()
    found = find_submissions([str(tmp_path / "class")], exclude=tmp_path / "class" / "graded")
    assert "graded" not in found.names


def test_two_submissions_with_one_name_are_refused(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    (tmp_path / "class" / "alice.ipynb").write_text("{}")
    with pytest.raises(SubmissionsError, match=r"^alice.ipynb and alice.py are both submission 'alice'"):
        find_submissions([str(tmp_path / "class")])


def test_nothing_to_grade_is_an_error_naming_the_argument(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SubmissionsError, match=r"empty: no \.py or \.ipynb file and no sub-folder to grade"):
        find_submissions([str(tmp_path / "empty")])
    with pytest.raises(SubmissionsError, match=r"nowhere/\*\.py: matches no \.py or \.ipynb file"):
        find_submissions([str(tmp_path / "nowhere" / "*.py")])


# Rubric ------------------------------------------------------------------------------------------

GOOD_RUBRIC = """
default_points = 2
hidden = ["train", "softmax.large_logits"]

[components]
dW1 = 3
loss = 0

[checks]
"softmax.large_logits" = 1.5
"""


def test_a_rubric_gives_points_per_component_and_check(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(GOOD_RUBRIC)
    rubric = load_rubric(path)
    points = {item.name: item.points for item in rubric.items}
    assert points["dW1"] == 3 and points["loss"] == 0 and points["init"] == 2
    assert points["softmax.large_logits"] == 1.5
    names = [item.name for item in rubric.items]
    assert names.index("softmax") + 1 == names.index("softmax.large_logits")
    softmax = next(item for item in rubric.items if item.name == "softmax")
    assert "softmax.large_logits" not in softmax.check_ids and len(softmax.check_ids) == 4
    assert {item.name for item in rubric.items if item.hidden} == {"train", "softmax.large_logits"}
    assert rubric.max_score == 2 * 13 + 3 + 0 + 1.5
    assert Rubric.from_dict(json.loads(json.dumps(rubric.to_dict()))) == rubric


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("points = 1", r"rubric.toml: unknown key 'points'; a rubric has default_points, hidden"),
        ("[components]\ndw1 = 2", r"rubric.toml: components.dw1: unknown component; the components are init"),
        (
            '[components]\ndW1 = "three"',
            r"rubric.toml: components.dW1 = 'three': points must be a number >= 0",
        ),
        ("[components]\ndW1 = -1", r"rubric.toml: components.dW1 = -1: points must be a number >= 0"),
        ("[components]\ndW1 = true", r"rubric.toml: components.dW1 = True: points must be"),
        (
            '[checks]\n"db2.shapes" = 1',
            r"rubric.toml: checks.db2.shapes: unknown check; the checks of db2 are",
        ),
        ('[checks]\n"tanh.values" = 1', r"checks.tanh.values: unknown check; check ids are component.name"),
        ('hidden = ["db2.nope"]', r"rubric.toml: hidden: 'db2.nope' is neither a check id nor a component"),
        ('hidden = "train"', r"rubric.toml: hidden must be a list of check ids or components"),
        ("components = 3", r"rubric.toml: components must be a table \(\[components\]\)"),
        ("default_points = 0", r"rubric.toml: every component and check is worth 0 points"),
        ("[components\ndW1 = 1", r"rubric.toml: not valid TOML: .*line 1"),
        (
            '[components]\ninit = 2\n[checks]\n"init.shapes" = 1\n"init.weights" = 1',
            r"components.init: every check of init has its own points in \[checks\]",
        ),
    ],
)
def test_a_bad_rubric_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    with pytest.raises(RubricError, match=message) as raised:
        load_rubric(path)
    assert "\n" not in str(raised.value)


def test_the_grade_command_refuses_a_bad_rubric_with_exit_status_2(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    (tmp_path / "rubric.toml").write_text("[components]\ndW3 = 1\n")
    result = CliRunner().invoke(
        main,
        [
            "grade",
            str(tmp_path / "class"),
            "--out",
            str(tmp_path / "out"),
            "--rubric",
            str(tmp_path / "rubric.toml"),
        ],
    )
    assert result.exit_code == 2
    assert "components.dW3: unknown component" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--shard", "3/2"], "shard 3/2: I must be between 1 and N"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_the_grade_command_refuses_bad_options(tmp_path: Path, arguments: list[str], message: str) -> None:
    make_class(tmp_path / "class")
    result = CliRunner().invoke(
        main, ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "o"), *arguments]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_the_grade_command_says_when_there_is_nothing_to_grade(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "*.py"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "matches no .py or .ipynb file and no folder" in result.output


# Scoring -----------------------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.dictionaries(st.sampled_from(sorted(CHECK_COMPONENTS)), st.sampled_from(STATUSES)))
def test_a_component_earns_its_point_when_nothing_fails_and_a_value_check_passes(
    statuses: dict[str, str],
) -> None:
    scored = grade(made_up_result("alice", statuses), EQUAL_WEIGHTS)
    earning = 0
    for component in COMPONENTS:
        own = {
            check_id: statuses.get(check_id, "pass")
            for check_id, owner in CHECK_COMPONENTS.items()
            if owner == component
        }
        values_checked = any(status == "pass" for i, status in own.items() if i not in SIDE_CHECKS)
        earning += values_checked and not {"fail", "error"} & set(own.values())
    assert scored.score == earning
    assert scored.max_score == len(COMPONENTS)


def test_a_check_with_its_own_points_is_scored_apart_from_its_component() -> None:
    rubric = Rubric.from_dict({"checks": {"softmax.large_logits": 4}, "hidden": []})
    scored = grade(made_up_result("alice", {"softmax.large_logits": "fail"}), rubric)
    earned = {item.item.name: item.earned for item in scored.items}
    assert earned["softmax"] == 1 and earned["softmax.large_logits"] == 0
    assert (scored.score, scored.max_score) == (15, 19)


def test_a_side_property_scored_on_its_own_earns_when_it_holds() -> None:
    rubric = Rubric.from_dict({"checks": {"dW1.globals": 2}, "hidden": []})
    earned = {item.item.name: item.earned for item in grade(made_up_result("alice"), rubric).items}
    assert (earned["dW1.globals"], earned["dW1"]) == (2, 1)
    reads_globals = {
        item.item.name: item for item in grade(made_up_result("a", {"dW1.globals": "fail"}), rubric).items
    }
    assert (reads_globals["dW1.globals"].status, reads_globals["dW1"].status) == ("fail", "pass")
    bare = {item.item.name: item for item in grade(bare_result("bob"), rubric).items}
    assert bare["dW1.globals"].status == "unchecked" and bare["dW1.globals"].earned == 0


def test_a_submission_that_was_not_checked_earns_nothing() -> None:
    scored = grade(unloadable_result("bob"), EQUAL_WEIGHTS)
    assert (scored.score, scored.max_score) == (0, 15)
    assert {item.status for item in scored.items} == {"unchecked"}
    assert {item.reason for item in scored.items} == {"the submission was not checked"}


def test_a_file_of_imports_only_scores_0() -> None:
    """Nothing found: every part is unchecked, though the side checks (globals) "passed"."""
    scored = grade(bare_result("bob"), EQUAL_WEIGHTS)
    assert (scored.score, scored.max_score) == (0, 15)
    assert {item.status for item in scored.items} == {"unchecked"}
    by_name = {item.item.name: item for item in scored.items}
    assert by_name["dW1"].reason == "not found: no function named like it"
    assert by_name["dW1"].fix.startswith(
        'name it as the checker expects, or add `backward = "your_function"`'
    )


def test_an_error_under_a_guessed_calling_convention_is_unchecked_not_failed() -> None:
    result = made_up_result("alice", BACKWARD_RAISES, GUESSED_BACKWARD)
    by_name = {item.item.name: item for item in grade(result, EQUAL_WEIGHTS).items}
    assert by_name["dW1"].status == "unchecked" and by_name["dW1"].earned == 0
    assert "its call was made under a calling convention the checker guessed" in by_name["dW1"].reason
    assert "--show-mapping" in by_name["dW1"].fix
    assert by_name["dW1"].visible_problems == ()


def test_a_component_the_mapping_turns_off_earns_nothing_and_says_why() -> None:
    mapping = {"mapping": {"components": {"train": False}}}
    by_name = {
        item.item.name: item for item in grade(made_up_result("a", mapping=mapping), EQUAL_WEIGHTS).items
    }
    assert (by_name["train"].status, by_name["train"].earned) == ("unchecked", 0)
    assert by_name["train"].reason == "the mapping file turns it off"


# Feedback and Gradescope -------------------------------------------------------------------------

HIDING = Rubric.from_dict({"checks": {"db2.autograd": 2}, "hidden": ["db2.autograd", "dW1.finite_diff"]})


def test_feedback_never_names_a_hidden_check() -> None:
    result = made_up_result(
        "alice", {"db2.autograd": "fail", "dW1.finite_diff": "fail", "relu.values": "error"}
    )
    feedback = render_feedback(result, grade(result, HIDING))
    assert "**Score: 13 / 17**" in feedback
    assert "db2.autograd" not in feedback and "dW1.finite" not in feedback
    assert "### dW1\n\n1 hidden check of this part did not pass." in feedback
    assert "| dW1 | ❌ failed | 0 / 1 |" in feedback
    assert "### relu\n\n**relu.values** error: `exception`, the function raised an exception" in feedback
    assert "2 of the 17 points come from hidden checks, which are not listed here." in feedback


def test_feedback_of_a_correct_submission_has_nothing_to_fix() -> None:
    result = made_up_result("alice")
    feedback = render_feedback(result, grade(result, EQUAL_WEIGHTS))
    assert feedback.startswith("# Feedback for alice\n\n**Score: 15 / 15**\n")
    assert "What to fix" not in feedback and "hidden" not in feedback


def test_feedback_tells_each_cause_once() -> None:
    """One scalar db2 fails three checks with one message, and one TypeError fails every gradient check."""
    scalar = "db2 is a single number, expected (10, 1)"
    messages = dict.fromkeys(("db2.shape", "db2.autograd", "db2.finite_diff"), scalar)
    result = made_up_result("alice", dict.fromkeys(messages, "fail"), messages=messages)
    feedback = render_feedback(result, grade(result, EQUAL_WEIGHTS))
    assert feedback.count(scalar) == 1
    assert "### db2\n\n**db2.shape, db2.autograd, db2.finite\\_diff** failed: `mismatch`" in feedback
    raises = "TypeError: backward_prop() takes 7 positional arguments but 8 were given"
    gradient_checks = [
        i for i, component in CHECK_COMPONENTS.items() if component in ("dW1", "db1", "dW2", "db2")
    ]
    result = made_up_result("bob", BACKWARD_RAISES, messages=dict.fromkeys(gradient_checks, raises))
    feedback = render_feedback(result, grade(result, EQUAL_WEIGHTS))
    assert feedback.count("TypeError") == 1
    assert "### dW1, db1, dW2, db2\n\n**dW1.shape, dW1.autograd," in feedback
    assert "| db1 | ❌ failed (`exception`) | 0 / 1 |" in feedback


def test_feedback_says_why_a_part_was_not_checked_and_the_fix() -> None:
    result = made_up_result("alice", BACKWARD_RAISES, GUESSED_BACKWARD)
    feedback = render_feedback(result, grade(result, EQUAL_WEIGHTS))
    assert "| dW1 | ⚠️ not checked | 0 / 1 |" in feedback
    assert "## What to fix" not in feedback  # nothing is blamed on a guess
    not_checked = feedback.split("## Not checked\n\n")[1]
    assert not_checked.startswith("- **dW1**: its call was made under a calling convention the checker")
    assert "Fix: run \\`mnist-ref check FILE --show-mapping" in not_checked
    bare = render_feedback(bare_result("bob"), grade(bare_result("bob"), EQUAL_WEIGHTS))
    assert "**Score: 0 / 15**" in bare
    assert "- **forward**: not found: no function named like it. Fix: name it as the checker expects" in bare


def test_feedback_does_not_quote_a_hidden_check_in_a_reason() -> None:
    skipped = {i: "skip" for i, component in CHECK_COMPONENTS.items() if component == "db2"}
    result = made_up_result("alice", skipped, messages={"db2.shape": "the secret of db2.shape"})
    rubric = Rubric.from_dict({"hidden": ["db2.shape"]})
    (db2,) = [item for item in grade(result, rubric).items if item.item.name == "db2"]
    assert db2.status == "unchecked" and "secret" in db2.reason
    feedback = render_feedback(result, grade(result, rubric))
    assert "secret" not in feedback and "db2.shape" not in feedback
    assert "- **db2**: a hidden check says why" in feedback


def test_gradescope_results_say_why_a_part_was_not_checked() -> None:
    result = made_up_result("alice", BACKWARD_RAISES, GUESSED_BACKWARD)
    results = json.loads(render_gradescope_results(result, grade(result, EQUAL_WEIGHTS)))
    tests = {test["name"]: test for test in results["tests"]}
    assert (tests["dW1"]["status"], tests["dW1"]["score"]) == ("failed", 0)
    output = tests["dW1"]["output"]
    assert output.startswith(
        "0 of 5 checks passed\nnot checked: its call was made under a calling convention"
    )
    assert "\nfix: run `mnist-ref check FILE --show-mapping" in tests["dW1"]["output"]
    assert results["output"].endswith("; 4 could not be checked (each says why, and how to fix it)")
    bare = json.loads(render_gradescope_results(bare_result("bob"), grade(bare_result("bob"), EQUAL_WEIGHTS)))
    assert bare["score"] == 0 and {test["status"] for test in bare["tests"]} == {"failed"}


def test_gradescope_results_hide_hidden_items_and_keep_visible_output_clean() -> None:
    result = made_up_result("alice", {"db2.autograd": "fail", "dW1.finite_diff": "fail"})
    results = json.loads(render_gradescope_results(result, grade(result, HIDING)))
    tests = {test["name"]: test for test in results["tests"]}
    assert tests["db2.autograd"]["visibility"] == "hidden"
    assert "db2.autograd failed" in tests["db2.autograd"]["output"]  # the instructor sees it
    assert tests["dW1"]["visibility"] == "visible"
    assert "finite_diff" not in tests["dW1"]["output"]
    assert tests["dW1"]["output"].endswith("hidden checks that did not pass: 1")
    assert (results["score"], results["execution_time"]) == (14, 2)


def test_gradescope_results_of_an_unloadable_submission_give_the_reason() -> None:
    results = json.loads(
        render_gradescope_results(unloadable_result("bob"), grade(unloadable_result("bob"), EQUAL_WEIGHTS))
    )
    assert results["score"] == 0
    assert "SyntaxError" in results["output"]
    assert {test["status"] for test in results["tests"]} == {"failed"}


def test_staging_paths_are_made_relative() -> None:
    report = relative_to_staging(made_up_report({"db2.shape": "fail"}), Path("/tmp/staging-x"))
    assert all(check.message.endswith("see line 3 of alice.py") for check in report.checks)


# Gradebook and summary ---------------------------------------------------------------------------


def test_a_gradebook_row_has_verdicts_score_and_diagnoses() -> None:
    row = gradebook_row(
        made_up_result("alice", {"db2.shape": "fail", "train.trajectory": "error"}), EQUAL_WEIGHTS
    )
    assert (row["name"], row["entry"], row["outcome"], row["verdict"], row["score"], row["max_score"]) == (
        "alice", "alice.py", "checked", "FAILED", 13, 15,
    )  # fmt: skip
    assert (row["db2"], row["train"], row["dW1"]) == ("fail", "fail", "pass")
    assert row["diagnoses"] == "db2:mismatch; train:exception"
    unloadable = gradebook_row(unloadable_result("bob"), EQUAL_WEIGHTS)
    assert unloadable["outcome"] == "not loaded" and unloadable["db2"] == "" and unloadable["verdict"] == ""
    assert unloadable["reason"].endswith("SyntaxError: invalid syntax")


def test_the_gradebook_says_unchecked_and_blames_nothing_on_a_guess() -> None:
    row = gradebook_row(made_up_result("alice", BACKWARD_RAISES, GUESSED_BACKWARD), EQUAL_WEIGHTS)
    assert (row["verdict"], row["score"]) == ("INCOMPLETE", 11)
    assert (row["dW1"], row["db2"], row["forward"]) == ("unchecked", "unchecked", "pass")
    assert row["diagnoses"] == ""
    bare = gradebook_row(bare_result("bob"), EQUAL_WEIGHTS)
    assert (bare["verdict"], bare["score"], bare["dW1"], bare["loss"]) == (
        "NOT CHECKED",
        0,
        "unchecked",
        "not_required",
    )


def test_the_rubric_decides_what_the_verdict_requires(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text('required = ["loss", "dW1"]\n')
    rubric = load_rubric(path)
    assert rubric.required == ("loss", "dW1")
    assert Rubric.from_dict(json.loads(json.dumps(rubric.to_dict()))) == rubric
    assert EQUAL_WEIGHTS.required == ("forward", "dW1", "db1", "dW2", "db2", "update")
    without_loss = made_up_result(
        "alice", {"loss.value": "skip"}, {"missing": {"loss": "no function named like it"}}
    )
    assert gradebook_row(without_loss, EQUAL_WEIGHTS)["verdict"] == "PASSED"
    assert gradebook_row(without_loss, EQUAL_WEIGHTS)["loss"] == "not_required"
    row = gradebook_row(without_loss, rubric)
    assert (row["verdict"], row["loss"], row["score"]) == ("INCOMPLETE", "unchecked", 14)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('required = "dW1"', r"rubric.toml: required must be a list of components"),
        ('required = ["dw1"]', r"rubric.toml: required: 'dw1' is not a component; the components are init"),
    ],
)
def test_a_bad_required_list_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    with pytest.raises(RubricError, match=message):
        load_rubric(path)


def test_the_progress_bar_counts_verdicts() -> None:
    done = [
        made_up_result("a"),
        made_up_result("b", {"db2.shape": "fail"}),
        made_up_result("c", BACKWARD_RAISES, GUESSED_BACKWARD),
        bare_result("d"),
        unloadable_result("e"),
    ]
    bar = Progress(5, done, enabled=False)
    assert (bar.failing, bar.incomplete, bar.not_checked) == (1, 1, 2)
    strict = Progress(5, [made_up_result("f", {"loss.value": "skip"}, {"missing": {"loss": "none"}})],
                      enabled=False, required=("loss",))  # fmt: skip
    assert (strict.failing, strict.incomplete, strict.not_checked) == (0, 1, 0)
    bar.close()
    strict.close()


@settings(max_examples=10, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_gradebook_does_not_depend_on_the_order_results_come_in(
    tmp_path_factory, shuffler: random.Random
) -> None:
    results = [made_up_result(name, {"db1.shape": "fail"} if name < "c" else {}) for name in "edcba"]
    results.append(unloadable_result("f"))
    directory = tmp_path_factory.mktemp("books")
    write_gradebook(gradebook(results, EQUAL_WEIGHTS), directory / "a.csv")
    shuffler.shuffle(results)
    write_gradebook(gradebook(results, EQUAL_WEIGHTS), directory / "b.csv")
    text = (directory / "a.csv").read_text()
    assert text == (directory / "b.csv").read_text()
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["a", "b", "c", "d", "e", "f"]


def test_a_class_without_failures_says_so_in_its_summary() -> None:
    frame = gradebook([made_up_result("alice"), made_up_result("bob")], EQUAL_WEIGHTS)
    summary = render_summary(frame, EQUAL_WEIGHTS, SETTINGS)
    assert "**2 submissions**: 2 checked, 0 not checked." in summary
    assert "Mean score 15.00 of 15 (100%), median 15; 2 with full marks." in summary
    assert "No check failed in any submission." in summary
    assert "## Not checked" not in summary


# Stored results ----------------------------------------------------------------------------------


def test_a_stored_result_reads_back_equal(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "results")
    for result in (made_up_result("alice", {"db2.shape": "fail"}), unloadable_result("bob")):
        store.save(result)
        assert store.load(result.name) == result
    assert sorted(path.name for path in (tmp_path / "results").iterdir()) == ["alice.json", "bob.json"]


def test_an_unreadable_result_counts_as_missing_and_leftovers_are_removed(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    (tmp_path / "alice.json").write_text('{"name": "alice", "outc')
    (tmp_path / ".alice.json.x1y2.tmp").write_text("half")
    assert store.load("alice") is None and store.load("nobody") is None
    store.clean()
    assert [path.name for path in tmp_path.iterdir()] == ["alice.json"]


def test_an_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_atomically(tmp_path / "deep" / "grades.csv", "name\n")
    write_atomically(tmp_path / "deep" / "grades.csv", b"name,score\n")
    assert [path.name for path in (tmp_path / "deep").iterdir()] == ["grades.csv"]
    assert (tmp_path / "deep" / "grades.csv").read_text() == "name,score\n"
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "deep" / "grades.csv").stat().st_mode & 0o777 == 0o666 & ~umask


# Merging shards ----------------------------------------------------------------------------------

CLASS = {
    "alice": made_up_result("alice", {"db2.shape": "fail"}),
    "bob": unloadable_result("bob"),
    "carol": made_up_result("carol"),
    "dave": made_up_result("dave", {"relu.values": "error"}),
    "erin": made_up_result("erin", {"loss.value": "fail"}),
}


def write_shard(
    directory: Path, shard: Shard, settings: GradingSettings = SETTINGS, rubric: Rubric = EQUAL_WEIGHTS
) -> Path:
    """What `mnist-ref grade --shard` leaves in ``directory``, made of the results in CLASS."""
    names = tuple(sorted(CLASS))
    graded = tuple(shard.select(names))
    write_manifest(directory, Manifest(settings, rubric, shard, names, graded))
    for name in graded:
        result_store(directory).save(CLASS[name])
    return directory


def test_merged_shards_give_the_files_of_one_run(tmp_path: Path) -> None:
    shards = [write_shard(tmp_path / f"shard{index}", Shard(index, 3)) for index in (1, 2, 3)]
    merge_shards(shards, tmp_path / "merged")
    whole = tmp_path / "whole"
    for result in CLASS.values():
        write_student_files(whole, result, EQUAL_WEIGHTS)
    write_class_files(whole, list(CLASS.values()), EQUAL_WEIGHTS, SETTINGS)
    for relative in [GRADEBOOK_FILE, "summary.md", "plots/score_histogram.png", "plots/common_diagnoses.png"]:
        assert (tmp_path / "merged" / relative).read_bytes() == (whole / relative).read_bytes(), relative
    for name in CLASS:
        assert feedback_path(tmp_path / "merged", name).read_text() == feedback_path(whole, name).read_text()
        assert result_store(tmp_path / "merged").load(name) == CLASS[name]


def test_merging_refuses_overlapping_shards(tmp_path: Path) -> None:
    first = write_shard(tmp_path / "a", Shard(1, 2))
    again = write_shard(tmp_path / "b", Shard(1, 2))
    with pytest.raises(MergeError, match=r"a and .*b are both shard 1/2: the shards overlap"):
        merge_shards([first, again], tmp_path / "merged")


def test_merging_refuses_a_missing_shard(tmp_path: Path) -> None:
    shards = [write_shard(tmp_path / f"s{index}", Shard(index, 3)) for index in (1, 3)]
    with pytest.raises(
        MergeError, match=r"submissions are in none of these shards \(such as 'bob'\): merge all 3"
    ):
        merge_shards(shards, tmp_path / "merged")


def test_merging_refuses_shards_graded_differently(tmp_path: Path) -> None:
    first = write_shard(tmp_path / "a", Shard(1, 2))
    other_seed = write_shard(
        tmp_path / "b", Shard(2, 2), settings=GradingSettings(seed=1, examples=4, timeout=3.0)
    )
    with pytest.raises(MergeError, match=r"with different settings \(seed: 0 vs 1\)"):
        merge_shards([first, other_seed], tmp_path / "merged")
    other_rubric = write_shard(
        tmp_path / "c", Shard(2, 2), rubric=Rubric.from_dict({"components": {"dW1": 3}})
    )
    with pytest.raises(MergeError, match=r"with different rubrics"):
        merge_shards([first, other_rubric], tmp_path / "merged")
    other_count = write_shard(tmp_path / "d", Shard(2, 3))
    with pytest.raises(MergeError, match=r"as shards of 2 and of 3"):
        merge_shards([first, other_count], tmp_path / "merged")


def test_merging_refuses_an_unfinished_shard(tmp_path: Path) -> None:
    first = write_shard(tmp_path / "a", Shard(1, 2))
    second = write_shard(tmp_path / "b", Shard(2, 2))
    (second / "results" / "bob.json").unlink()
    with pytest.raises(
        MergeError, match=r"b: 'bob' has no finished result: run that shard's grade command again"
    ):
        merge_shards([first, second], tmp_path / "merged")


def test_merging_a_folder_that_is_no_grading_output_exits_2(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(ManifestError, match=r"elsewhere: no grading.json"):
        merge_shards([tmp_path / "elsewhere"], tmp_path / "merged")
    result = CliRunner().invoke(
        main, ["grade-merge", str(tmp_path / "elsewhere"), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 2
    assert "no grading.json; is it an output folder of `mnist-ref grade`?" in result.output


def test_an_output_folder_that_cannot_be_written_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    (tmp_path / "taken").write_text("a file, not a folder\n")
    result = CliRunner().invoke(
        main, ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "taken" / "out")]
    )
    assert result.exit_code == 2
    assert "grading stopped: [Errno 20] Not a directory" in result.output
    assert len(result.output.strip().splitlines()) == 1


# The component plot ------------------------------------------------------------------------------


def test_the_component_plot_keeps_not_provided_and_unchecked_apart_from_failed() -> None:
    import pandas as pd

    from conformance.grading.plots import OUTCOME_LABELS, component_outcome_bars
    from conformance.grading.statistics import component_counts

    verdicts = ["pass", "fail", "unchecked", "not_required", "", "pass", "pass", "not_required"]
    frame = pd.DataFrame({component: verdicts for component in COMPONENTS})
    frame.loc[:, "forward"] = ["pass"] * 8
    axes = component_outcome_bars(component_counts(frame)).axes[0]
    widths = {container.get_label(): [bar.get_width() for bar in container] for container in axes.containers}
    assert list(widths) == list(OUTCOME_LABELS.values())
    row = len(COMPONENTS) - 1 - COMPONENTS.index("relu")  # bars are drawn bottom-up
    shares = {label: values[row] for label, values in widths.items()}
    assert shares == {
        "passed": 37.5,
        "failed": 12.5,
        "unchecked (could not run it)": 12.5,
        "not provided (not required)": 25.0,
        "no report (not loaded)": 12.5,
    }
    forward = len(COMPONENTS) - 1 - COMPONENTS.index("forward")
    assert widths["passed"][forward] == 100.0 and widths["failed"][forward] == 0.0
    labels = [text.get_text() for text in axes.get_yticklabels()]
    assert labels[row] == "relu" and labels[forward] == "forward"


def test_the_shard_recipes_document_every_variable_read_and_the_line_printed() -> None:
    from conformance.grading import shards

    recipes = (Path(__file__).parent.parent / "docs" / "grading" / "shards.md").read_text()
    for heading in ("## GitHub Actions", "## Slurm", "## Kubernetes"):
        assert heading in recipes
    names = [shards.SHARD_VARIABLE, shards.INDEX_VARIABLE, shards.COUNT_VARIABLE, shards.KUBERNETES_INDEX]
    for name in [*names, *shards.SLURM_VARIABLES, "SLURM_ARRAY_TASK_STEP"]:
        assert f"`{name}" in recipes, name
    slurm = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}
    assert f"grading {choose_shard(None, slurm)}\n" in recipes
