"""`--baseline OLD.json`: regressions (passed then, fail now) fail the run; old failures do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from corpus import VARIANTS, write_variant
from hypothesis import given
from hypothesis import strategies as st

from conformance.baseline import Baseline, BaselineError, compare, load_baseline
from conformance.checks import ALL_CHECKS
from conformance.report import render_json
from conformance.report.model import CheckResult, Report
from mnist_ref_cli.commands import main

STATUSES = ("pass", "fail", "error", "skip")
VARIANT = VARIANTS["classic_db2_scalar"]  # fails db2 and train; every other component passes or is skipped


def report_of(statuses: dict[str, str]) -> Report:
    checks = [CheckResult(i, i.split(".")[0], status, None, "m") for i, status in statuses.items()]
    return Report("hw.py", 0, "float64", checks)


def baseline_of(statuses: dict[str, str]) -> Baseline:
    return Baseline("old.json", dict(statuses))


def test_a_check_that_passed_before_and_fails_now_is_a_regression() -> None:
    before = {"db2.shape": "pass", "relu.values": "pass", "dW1.autograd": "pass"}
    now = {"db2.shape": "fail", "relu.values": "error", "dW1.autograd": "pass"}
    comparison = compare(baseline_of(before), report_of(now))
    assert [result.id for result in comparison.regressions] == ["db2.shape", "relu.values"]
    assert comparison.fixed == ()


def test_a_check_failing_in_both_runs_is_not_a_regression() -> None:
    comparison = compare(baseline_of({"db2.shape": "fail", "train.trajectory": "error"}),
                         report_of({"db2.shape": "fail", "train.trajectory": "fail"}))  # fmt: skip
    assert comparison.regressions == ()


def test_fixed_checks_are_listed_and_skips_and_new_checks_are_ignored() -> None:
    before = {"db2.shape": "fail", "relu.values": "error", "loss.value": "pass", "update.values": "skip"}
    now = {"db2.shape": "pass", "relu.values": "pass", "loss.value": "skip", "update.values": "fail",
           "new.check": "fail"}  # fmt: skip
    comparison = compare(baseline_of(before), report_of(now))
    assert comparison.fixed == ("db2.shape", "relu.values")
    assert comparison.regressions == ()
    fixed = ["db2.shape", "relu.values"]
    assert comparison.to_dict() == {"file": "old.json", "regressions": [], "fixed": fixed}


CHECK_STATUSES = st.dictionaries(st.sampled_from([c.id for c in ALL_CHECKS]), st.sampled_from(STATUSES))


@given(CHECK_STATUSES, CHECK_STATUSES)
def test_regressions_are_exactly_pass_then_failing(before: dict[str, str], now: dict[str, str]) -> None:
    comparison = compare(baseline_of(before), report_of(now))
    failing = ("fail", "error")
    regressed = {result.id for result in comparison.regressions}
    assert regressed == {i for i in now if before.get(i) == "pass" and now[i] in failing}
    assert set(comparison.fixed) == {i for i in now if before.get(i) in failing and now[i] == "pass"}


@given(CHECK_STATUSES)
def test_a_report_compared_with_itself_has_no_changes(statuses: dict[str, str]) -> None:
    comparison = compare(baseline_of(statuses), report_of(statuses))
    assert comparison.regressions == () and comparison.fixed == ()


def test_a_json_report_reads_back_as_its_statuses(tmp_path: Path) -> None:
    statuses = {"db2.shape": "fail", "relu.values": "pass", "loss.value": "skip", "dW1.globals": "error"}
    path = tmp_path / "old.json"
    path.write_text(render_json(report_of(statuses)))
    document = json.loads(path.read_text())
    assert {"verdict", "exit_code", "required", "components"} <= set(document)  # the verdicts are ignored
    assert load_baseline(path) == Baseline(str(path), statuses)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (line 1"),
        ("[1, 2]", 'no "checks" list'),
        ('{"checks": [{"id": "db2.shape", "status": "broken"}]}', 'checks[0] is not an object with an "id"'),
    ],
)
def test_an_unusable_baseline_says_why_in_one_line(
    tmp_path: Path, content: str | None, complaint: str
) -> None:
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError) as raised:
        load_baseline(path)
    message = str(raised.value)
    assert message.startswith(f"baseline {path}: ") and complaint in message
    assert "\n" not in message


def check_with_baseline(tmp_path: Path, baseline: dict[str, str], *options: str) -> Result:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"checks": [{"id": i, "status": s} for i, s in baseline.items()]}))
    target = write_variant(VARIANT, tmp_path)
    arguments = ["check", str(target), "--baseline", str(old), "--examples", "2", *options]
    return CliRunner().invoke(main, arguments)


def test_the_cli_fails_on_a_regression_and_names_it(tmp_path: Path) -> None:
    result = check_with_baseline(tmp_path, {check.id: "pass" for check in ALL_CHECKS}, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    failing = [entry["id"] for entry in report["checks"] if entry["status"] in ("fail", "error")]
    assert report["baseline"]["regressions"] == failing
    assert {entry.split(".")[0] for entry in failing} == set(VARIANT.expected)
    assert f"{len(failing)} regressions" in result.stderr
    assert "regressed: db2.shape now fail [shape_mismatch]" in result.stderr


def test_the_cli_passes_when_only_old_failures_remain(tmp_path: Path) -> None:
    """Every check of the buggy components failed before; relu.values failed then and passes now."""
    baseline = {c.id: "fail" if c.component in VARIANT.expected else "pass" for c in ALL_CHECKS}
    baseline["relu.values"] = "fail"
    result = check_with_baseline(tmp_path, baseline)
    assert result.exit_code == 0, result.output
    assert "0 regressions," in result.stderr
    assert "  fixed: relu.values\n" in result.stderr
    assert "FAILED" in result.stdout  # the report itself still shows the old failures


def test_the_cli_rejects_a_missing_baseline_before_checking(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "hw.py", "--baseline", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: baseline {tmp_path / 'none.json'}: no such file; expected a report written by "
        "`mnist-ref check TARGET --format json --out FILE`"
    ]
