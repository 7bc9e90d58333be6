"""Degrading loudly: where targets cannot be confined, every report says so, and --require-isolation refuses.

The kernel's feature is switched off with ``MNIST_REF_LANDLOCK=off``, which the harness reads as an
old kernel would answer: the same code path, on any machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import VARIANTS, write_variant

from conformance.runner import ISOLATION_NOTICE, run_checks
from conformance.sandbox import Sandbox
from conformance.sandbox.confine import LANDLOCK, PROCESS_ONLY, SWITCH_VARIABLE, isolation
from mnist_ref_cli.commands import main

FAST = ("--examples", "2", "--timeout", "3")


@pytest.fixture
def landlock_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH_VARIABLE, "off")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return write_variant(VARIANTS["classic_correct"], tmp_path)


def test_the_switch_turns_isolation_off(landlock_off: None, target: Path) -> None:
    assert isolation() == PROCESS_ONLY
    assert Sandbox(str(target)).isolation == PROCESS_ONLY


def test_the_autograd_helper_is_never_confined() -> None:
    assert Sandbox("helper.py", trusted=True).isolation == PROCESS_ONLY


def test_a_report_without_isolation_says_so(landlock_off: None, target: Path) -> None:
    report = run_checks(str(target), examples=2, timeout=3.0)
    assert ISOLATION_NOTICE in report.notices
    assert report.passed


@pytest.mark.skipif(isolation() != LANDLOCK, reason="the kernel offers no Landlock ABI 6")
def test_a_confined_report_has_no_such_notice(target: Path) -> None:
    assert ISOLATION_NOTICE not in run_checks(str(target), examples=2, timeout=3.0).notices


def test_check_with_require_isolation_exits_2_without_it(landlock_off: None, target: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(target), "--require-isolation", *FAST])
    assert result.exit_code == 2
    assert "--require-isolation: this system cannot confine the target" in result.output


def test_grade_with_require_isolation_exits_2_without_it(landlock_off: None, target: Path, tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(target.parent), "--out", str(out), "--require-isolation"])
    assert result.exit_code == 2
    assert "--require-isolation" in result.output
    assert not out.exists()


@pytest.mark.skipif(isolation() != LANDLOCK, reason="the kernel offers no Landlock ABI 6")
def test_check_with_require_isolation_runs_where_it_is_offered(target: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", str(target), "--require-isolation", "--format", "json", *FAST]
    )
    assert result.exit_code == 0, result.output
    assert ISOLATION_NOTICE not in json.loads(result.output)["notices"]


def test_the_json_report_without_isolation_carries_the_notice(landlock_off: None, target: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(target), "--format", "json", *FAST])
    assert ISOLATION_NOTICE in json.loads(result.output)["notices"]
