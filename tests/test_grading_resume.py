"""Grading that is interrupted, resumed, sharded and merged gives the files of one uninterrupted run.

A small class (7 submissions) is graded once without interruption: the reference. Every other
run here is compared with it, file by file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from corpus import VARIANTS, write_variant
from grading_fixtures import KILLS_ITS_GRADER, write_small_class

from conformance.files import only_writer
from conformance.grading.results import ResultStore
from conformance.sandbox.confine import SWITCH_VARIABLE
from mnist_ref_cli.commands import main

SETTINGS = ("--examples", "4", "--timeout", "3", "--seed", "0")  # one seed: runs compare byte for byte
CLASS_SIZE = 7


def grade(*arguments: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner(env=env).invoke(main, ["grade", *arguments, *SETTINGS], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def small_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("class")
    assert len(write_small_class(directory)) == CLASS_SIZE
    return directory


@pytest.fixture(scope="module")
def reference(small_class: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one uninterrupted, unsharded run."""
    out = tmp_path_factory.mktemp("reference")
    grade(str(small_class), "--out", str(out), "--jobs", "2")
    return out


def without_timing(path: Path) -> dict:
    """A JSON output file without the seconds grading took (the only thing that differs between runs)."""
    document = json.loads(path.read_text())
    document.pop("seconds", None)
    document.pop("execution_time", None)
    return document


def assert_same_outputs(folder: Path, reference: Path) -> None:
    for relative in ("grades.csv", "summary.md", "plots/score_histogram.png", "plots/common_diagnoses.png"):
        assert (folder / relative).read_bytes() == (reference / relative).read_bytes(), relative
    feedback = sorted(path.name for path in (reference / "feedback").iterdir())
    assert sorted(path.name for path in (folder / "feedback").iterdir()) == feedback
    assert len(feedback) == CLASS_SIZE
    for name in feedback:
        assert (folder / "feedback" / name).read_text() == (reference / "feedback" / name).read_text(), name
    for path in (reference / "results").glob("*.json"):
        assert without_timing(folder / "results" / path.name) == without_timing(path), path.name
        gradescope = Path("gradescope") / path.stem / "results.json"
        assert without_timing(folder / gradescope) == without_timing(reference / gradescope), path.stem


def test_two_shards_merged_equal_one_run(small_class: Path, reference: Path, tmp_path: Path) -> None:
    first = grade(str(small_class), "--out", str(tmp_path / "a"), "--shard", "1/2", "--jobs", "1")
    assert "4 submissions (shard 1/2 of a class of 7): 4 graded now" in first.stdout
    grade(str(small_class), "--out", str(tmp_path / "b"), "--shard", "2/2", "--jobs", "1")
    merged = CliRunner().invoke(
        main, ["grade-merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "merged")]
    )
    assert merged.exit_code == 0, merged.output
    assert_same_outputs(tmp_path / "merged", reference)


def test_shards_taken_from_slurm_and_kubernetes_variables_merge_into_one_run(
    small_class: Path, reference: Path, tmp_path: Path
) -> None:
    slurm = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "2"}
    first = grade(str(small_class), "--out", str(tmp_path / "a"), "--jobs", "1", env=slurm)
    assert first.stdout.startswith(
        "grading shard 1/2 (from SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_MIN=3, SLURM_ARRAY_TASK_COUNT=2)\n"
    )
    assert "4 submissions (shard 1/2 of a class of 7): 4 graded now" in first.stdout
    kubernetes = {"JOB_COMPLETION_INDEX": "1", "MNIST_REF_SHARD_COUNT": "2"}
    second = grade(str(small_class), "--out", str(tmp_path / "b"), "--jobs", "1", env=kubernetes)
    assert "3 submissions (shard 2/2 of a class of 7): 3 graded now" in second.stdout
    merged = CliRunner().invoke(
        main, ["grade-merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "merged")]
    )
    assert merged.exit_code == 0, merged.output
    assert_same_outputs(tmp_path / "merged", reference)


def test_an_explicit_shard_wins_over_the_engines_variables(small_class: Path, tmp_path: Path) -> None:
    env = {"JOB_COMPLETION_INDEX": "0", "MNIST_REF_SHARD_COUNT": "7", "MNIST_REF_SHARD": "2/7"}
    result = grade(str(small_class), "--out", str(tmp_path / "a"), "--shard", "7/7", "--jobs", "1", env=env)
    assert result.stdout.startswith("grading shard 7/7 (from --shard)\n")
    assert "1 submissions (shard 7/7 of a class of 7): 1 graded now" in result.stdout


def start_grading(small_class: Path, out: Path) -> subprocess.Popen:
    """`mnist-ref grade` in a process group of its own, one submission at a time."""
    command = [
        sys.executable,
        "-m",
        "mnist_ref_cli.commands",
        "grade",
        str(small_class),
        "--out",
        str(out),
        "--jobs",
        "1",
    ]
    return subprocess.Popen(
        [*command, *SETTINGS, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_results(out: Path, count: int, process: subprocess.Popen) -> None:
    """Wait until ``count`` results are stored (the run is then part way through)."""
    deadline = time.monotonic() + 120
    while len(list((out / "results").glob("*.json"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run stored no result in time"
        time.sleep(0.05)


def test_a_killed_run_resumes_where_it_stopped(small_class: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_grading(small_class, out)
    wait_for_results(out, 3, process)
    os.killpg(process.pid, signal.SIGKILL)  # the whole run, as when the machine dies
    process.communicate()
    stored = {path.name: path.stat().st_mtime_ns for path in (out / "results").glob("*.json")}
    assert 3 <= len(stored) < CLASS_SIZE
    resumed = grade(str(small_class), "--out", str(out), "--jobs", "2")
    graded_now = CLASS_SIZE - len(stored)
    assert (
        f"{CLASS_SIZE} submissions: {graded_now} graded now, {len(stored)} already graded" in resumed.stdout
    )
    assert {name: (out / "results" / name).stat().st_mtime_ns for name in stored} == stored
    assert not list((out / "results").glob(".*"))  # no half-written file left behind
    assert_same_outputs(out, reference)


def test_ctrl_c_stops_the_run_and_says_how_to_resume(small_class: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_grading(small_class, out)
    wait_for_results(out, 3, process)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert f"interrupted: the submissions graded so far are saved in {out / 'results'}" in stderr
    assert "run the same command again to grade the rest" in stderr
    store = ResultStore(out / "results")
    assert all(store.load(path.stem) is not None for path in (out / "results").glob("*.json"))


def test_a_changed_submission_is_graded_again_and_force_grades_all(tmp_path: Path) -> None:
    class_dir, out = tmp_path / "class", str(tmp_path / "out")
    class_dir.mkdir()
    (class_dir / "alice.py").write_text(VARIANTS["classic_correct"].source())
    (class_dir / "bob.py").write_text(VARIANTS["classic_db2_scalar"].source())
    assert "2 graded now, 0 already graded" in grade(str(class_dir), "--out", out, "--jobs", "1").stdout
    (class_dir / "bob.py").write_text(VARIANTS["classic_correct"].source())  # bob fixes db2
    assert "1 graded now, 1 already graded" in grade(str(class_dir), "--out", out, "--jobs", "1").stdout
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    # classic has no loss function: 14 of 15, and PASSED (loss is not required)
    assert rows[1].split(",")[:5] == ["alice", "alice.py", "checked", "PASSED", "14"]
    assert rows[2].split(",")[:5] == ["bob", "bob.py", "checked", "PASSED", "14"]
    assert (
        "2 graded now, 0 already graded"
        in grade(str(class_dir), "--out", out, "--force", "--jobs", "1").stdout
    )


def test_a_submission_that_kills_its_worker_is_recorded_and_the_run_finishes(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(SWITCH_VARIABLE, "off")  # without Landlock, which refuses the signal
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    write_variant(KILLS_ITS_GRADER, class_dir)
    (class_dir / "empty_folder").mkdir()
    result = grade(str(class_dir), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert "2 submissions: 2 graded now" in result.stdout
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:]
    assert rows[0].startswith(f"{KILLS_ITS_GRADER.name},{KILLS_ITS_GRADER.name}.py,grader failed,,0,15,")
    assert "the process grading this submission died" in rows[0]
    assert rows[1].startswith("empty_folder,empty_folder,not loaded,,0,15,")
    assert "empty_folder/ has no .py or .ipynb file at its top level" in rows[1]


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while being read
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's"
)
def test_the_pool_workers_die_with_a_grading_process_killed_outright(tmp_path: Path) -> None:
    hanging = tmp_path / "class"
    for name in ("ann", "ben", "cat"):
        (hanging / name).mkdir(parents=True)
        write_variant(VARIANTS["classic_relu_hangs"], hanging / name)
    command = [
        sys.executable,
        "-m",
        "mnist_ref_cli.commands",
        "grade",
        str(hanging),
        "--out",
        str(tmp_path / "out"),
    ]
    process = subprocess.Popen(
        [*command, "--jobs", "2", "--timeout", "60", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(workers := children_of(process.pid)) < 2:
        assert time.monotonic() < deadline, "the pool did not start"
        time.sleep(0.1)
    time.sleep(2)  # the workers are busy with submissions that hang for a minute
    process.kill()  # SIGKILL: no chance to stop the pool
    process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {sorted(filter(alive, workers))} outlived the grader"
        time.sleep(0.1)


def test_a_second_run_on_the_same_out_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "class").mkdir()
    write_variant(VARIANTS["classic_correct"], tmp_path / "class")
    with only_writer(out):  # the first run, still writing
        refused = CliRunner().invoke(
            main, ["grade", str(tmp_path / "class"), "--out", str(out), "--no-progress"]
        )
    assert refused.exit_code == 2
    assert f"{out} is being written by process {os.getpid()}: wait for it to finish" in refused.output
    assert not (out / "results").exists()


def test_the_run_says_not_checked_only_when_something_was_not(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    write_variant(VARIANTS["classic_correct"], tmp_path / "class")
    result = grade(str(tmp_path / "class"), "--out", str(tmp_path / "out"))
    assert "\n1 checked\n" in result.output
    assert "not checked" not in result.output


def test_without_a_seed_a_run_draws_one_records_it_and_a_resumed_run_reuses_it(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    (class_dir / "alice.py").write_text(VARIANTS["classic_correct"].source())
    quick = ("--examples", "2", "--jobs", "1", "--no-progress")

    def run(out: Path, *options: str) -> tuple[str, int]:
        result = CliRunner().invoke(main, ["grade", str(class_dir), "--out", str(out), *quick, *options])
        assert result.exit_code == 0, result.output
        return result.stdout, json.loads((out / "grading.json").read_text())["settings"]["seed"]

    first, seed = run(tmp_path / "one")
    assert f"seed: {seed}, drawn for this run (give --seed {seed} to replay it)" in first
    assert f"seed {seed}" in (tmp_path / "one" / "summary.md").read_text()
    resumed, again = run(tmp_path / "one")
    assert again == seed and "1 already graded" in resumed
    assert f"seed: {seed}, that of the run stored" in resumed
    assert run(tmp_path / "two")[1] != seed  # another run draws another (2**31 of them)
    replayed, same = run(tmp_path / "three", "--seed", str(seed))
    assert same == seed and f"seed: {seed}\n" in replayed
    assert (tmp_path / "three" / "grades.csv").read_bytes() == (tmp_path / "one" / "grades.csv").read_bytes()


def test_a_shard_without_a_seed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(VARIANTS["classic_correct"].source())
    arguments = ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "o"), "--shard", "1/2"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert "--shard needs --seed: every shard of a class must draw the same inputs" in result.output
    assert not (tmp_path / "o").exists()
