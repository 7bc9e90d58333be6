"""The hostile corpus (tests/corpus/hostile): a class graded with its attacks, against the same class without.

Each hostile submission attacks the grader while it is being checked (see each file's docstring):
delegating to the reference or torch, copying or sabotaging classmates, outliving the run, the
network, raw system calls, importing by path, links and start-up files. Graded among two honest
classmates, every attack must be contained:

- a hostile submission gets credit only for what it implements itself;
- the class folder is unchanged and the classmates' rows, feedback, Gradescope and results files
  are byte-identical to those of a run without the hostile submissions;
- nothing it started survives the run, nothing reached the network, no marker was written.

The same class graded with Landlock switched off shows that these tests can fail: there the
attacks succeed.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import VARIANTS, write_variant

import mnist_ref
from conformance.report.model import COMPONENTS
from conformance.sandbox.confine import LANDLOCK, SWITCH_VARIABLE, isolation
from mnist_ref_cli.commands import main

pytestmark = [
    pytest.mark.skipif(isolation() != LANDLOCK, reason="the kernel offers no Landlock ABI 6"),
    # One worker runs them in turn: the unconfined control leaves processes that the confined runs'
    # checks would otherwise see while another worker runs it.
    pytest.mark.xdist_group("hostile"),
]

HOSTILE = Path(__file__).parent / "corpus" / "hostile"
HONEST = ("classic_correct", "dict_params_correct")
SETTINGS = ("--examples", "2", "--timeout", "5", "--jobs", "2", "--no-progress", "--seed", "0")
REFERENCE = str(Path(mnist_ref.__file__).parent / "network.py")
DELEGATED_GRADIENTS = {"dW1", "db1", "dW2", "db2"}
OWN_WORK = {
    "delegates_to_reference": set(),
    "delegates_to_torch": set(COMPONENTS) - DELEGATED_GRADIENTS - {"loss", "train"},
    "copies_classmate": set(),
    "sabotages_classmates": {"relu"},
    "outlives_the_run": set(),
    "phones_home": {"relu"},
    "raw_syscalls": set(),
    "loads_reference_by_path": set(),
    "links_out": set(),
    "customizes_startup": {"relu"},
    "fills_the_disk": set(),  # its ReLU is stopped for filling its scratch folder
    "patches_harness": set(),  # its ReLU modifies its input, which patching the checker cannot hide
    "reaches_loaded_reference": set(),  # the reference's network is never loaded in its process
}
"""The components each hostile submission implements with its own code: no other may pass."""


@dataclass
class Graded:
    """One grading run: its class folder, output folder, gradebook rows by name, and the server's log."""

    class_dir: Path
    out: Path
    rows: dict[str, dict[str, str]]
    received: list[bytes]
    marker: Path


def write_class(class_dir: Path, hostile: bool, out: Path, port: int, marker: Path) -> None:
    """The honest classmates, and with ``hostile`` the hostile corpus with its placeholders filled in."""
    class_dir.mkdir()
    for name in HONEST:
        write_variant(VARIANTS[name], class_dir)
    if not hostile:
        return
    values = {
        "@CLASS_DIR@": str(class_dir),
        "@OUT_DIR@": str(out),
        "@PORT@": str(port),
        "@REFERENCE@": REFERENCE,
        "@MARKER@": str(marker),
    }
    for source in HOSTILE.rglob("*"):
        if source.is_file() and "__pycache__" not in source.parts:
            text = source.read_text()
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            copy = class_dir / source.relative_to(HOSTILE)
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(text)
    (class_dir / "links_out" / "ref.py").symlink_to(REFERENCE)


@contextmanager
def serving() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP and a UDP server on one loopback port: the port, and what they received."""
    tcp = socket.create_server(("127.0.0.1", 0))
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    tcp.settimeout(0.2)
    udp.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = tcp.accept()
                received.append(connection.recv(100))
                connection.close()
            except OSError:
                pass
            with suppress(OSError):
                received.append(udp.recv(100))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, received
    finally:
        stop.set()
        thread.join(5)
        tcp.close()
        udp.close()


def grade(root: Path, name: str, hostile: bool, port: int, received: list[bytes]) -> tuple[Graded, dict]:
    """Grade a class written under ``root/name``; also the snapshot of its folder before grading."""
    class_dir, out, marker = root / name, root / f"{name}-out", root / f"{name}-marker.txt"
    write_class(class_dir, hostile, out, port, marker)
    before = snapshot(class_dir)
    result = CliRunner().invoke(main, ["grade", str(class_dir), "--out", str(out), *SETTINGS])
    assert result.exit_code == 0, result.output
    with (out / "grades.csv").open() as file:
        rows = {row["name"]: row for row in csv.DictReader(file)}
    return Graded(class_dir, out, rows, received, marker), before


def passed(row: dict[str, str]) -> set[str]:
    return {component for component in COMPONENTS if row[component] == "pass"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links as their target's name), by relative path."""
    return {
        str(path.relative_to(folder)): os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_symlink() or path.is_file()
    }


def surviving(name: str) -> list[int]:
    """The processes whose command line names ``name`` (a submission file's copy)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and name in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def classmates_outputs(graded: Graded) -> dict[str, object]:
    """The honest classmates' feedback, Gradescope results, gradebook rows and stored results (each
    less its run time)."""
    outputs: dict[str, object] = {}
    for name in HONEST:
        outputs[f"feedback {name}"] = (graded.out / "feedback" / f"{name}.md").read_bytes()
        results = json.loads((graded.out / "gradescope" / name / "results.json").read_text())
        outputs[f"gradescope {name}"] = {
            key: value for key, value in results.items() if key != "execution_time"
        }
        outputs[f"row {name}"] = {key: value for key, value in graded.rows[name].items() if key != "seconds"}
        stored = json.loads((graded.out / "results" / f"{name}.json").read_text())
        outputs[f"results {name}"] = {key: value for key, value in stored.items() if key != "seconds"}
    return outputs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Graded, Graded, dict[str, bytes]]]:
    """The class graded without and with the hostile corpus, and the hostile class folder before grading."""
    root = tmp_path_factory.mktemp("hostile")
    with serving() as (port, received):
        clean, _ = grade(root, "clean", False, port, [])
        hostile, before = grade(root, "hostile", True, port, received)
        yield clean, hostile, before


def test_every_hostile_submission_was_graded(runs) -> None:
    _, hostile, _ = runs
    assert set(hostile.rows) == {*HONEST, *OWN_WORK}


@pytest.mark.parametrize("name", sorted(OWN_WORK))
def test_a_hostile_submission_gets_credit_only_for_its_own_work(runs, name: str) -> None:
    _, hostile, _ = runs
    assert passed(hostile.rows[name]) <= OWN_WORK[name], hostile.rows[name]


def test_patching_the_checker_from_inside_hides_nothing(runs) -> None:
    _, hostile, _ = runs
    assert "relu:mutates_input" in hostile.rows["patches_harness"]["diagnoses"].split("; ")


def test_filling_the_disk_is_stopped_as_a_crash(runs) -> None:
    _, hostile, _ = runs
    assert "relu:crash" in hostile.rows["fills_the_disk"]["diagnoses"].split("; ")


def test_delegating_is_reported_as_forbidden_import(runs) -> None:
    _, hostile, _ = runs
    reference = hostile.rows["delegates_to_reference"]
    assert "forbidden_import" in reference["diagnoses"]
    assert reference["score"] == "0"
    torch_row = hostile.rows["delegates_to_torch"]
    for component in DELEGATED_GRADIENTS:
        assert f"{component}:forbidden_import" in torch_row["diagnoses"]
    assert passed(torch_row) == OWN_WORK["delegates_to_torch"]


def test_the_class_folder_is_unchanged(runs) -> None:
    _, hostile, before = runs
    assert snapshot(hostile.class_dir) == before


def test_the_classmates_results_are_those_of_a_run_without_hostile_submissions(runs) -> None:
    clean, hostile, _ = runs
    assert classmates_outputs(hostile) == classmates_outputs(clean)


def test_nothing_outlives_reaches_the_network_or_writes_a_marker(runs) -> None:
    _, hostile, _ = runs
    assert surviving("outlives_the_run") == []
    assert not (hostile.out / "forged.txt").exists()
    assert hostile.received == []
    assert not hostile.marker.exists()


def test_without_landlock_the_attacks_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the same class, unconfined. Each assertion is one that the confined run refutes."""
    monkeypatch.setenv(SWITCH_VARIABLE, "off")
    with serving() as (port, received):
        graded, _ = grade(tmp_path, "unconfined", True, port, received)
    try:
        assert passed(graded.rows["copies_classmate"])  # it took a classmate's functions
        assert "relu" in passed(graded.rows["raw_syscalls"])  # it read the reference
        assert "relu" in passed(graded.rows["loads_reference_by_path"])
        assert b"tcp" in received and b"udp" in received
        assert "softmax(Z):\n    return Z" in (graded.class_dir / "classic_correct.py").read_text()
        assert surviving("outlives_the_run")  # still waiting to forge the results
    finally:
        for pid in surviving("outlives_the_run"):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp_path, ignore_errors=True)
