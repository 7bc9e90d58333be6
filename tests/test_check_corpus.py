"""End to end: the harness on the reference and on every implementation of the test corpus.

Correct restylings must pass every check; each single-bug variant must be flagged in exactly
its expected components, with its expected diagnosis; hostile ones must be reported while
the run completes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import BASES, VARIANTS, Variant, write_variant

from conformance.report import render_text
from conformance.report.model import Report
from conformance.runner import TORCH_NOTICE, run_checks
from conformance.sandbox.protocol import TargetLoadError

FAILING = ("fail", "error")


def check(target: str, **options: object) -> Report:
    return run_checks(target, examples=4, timeout=3.0, **options)


def flagged(report: Report) -> dict[str, set[str]]:
    """component -> the diagnoses of its failing checks."""
    result: dict[str, set[str]] = {}
    for entry in report.checks:
        if entry.status in FAILING:
            result.setdefault(entry.component, set()).add(entry.diagnosis)
    return result


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_reference_passes_every_check(dtype: str) -> None:
    report = check("mnist_ref.network", dtype=dtype)
    skipped = {entry.component for entry in report.checks if entry.status == "skip"}
    assert report.passed, render_text(report)
    assert skipped == {"train"}, render_text(
        report
    )  # the reference's training loop lives in mnist_ref.training


@pytest.mark.parametrize("variant", [v for v in VARIANTS.values() if not v.load_error], ids=lambda v: v.name)
def test_each_variant_is_flagged_exactly_where_its_bug_is(variant: Variant, tmp_path) -> None:
    report = check(str(write_variant(variant, tmp_path)))
    found = flagged(report)
    shown = render_text(report)
    assert set(found) == set(variant.expected), shown
    for component, diagnosis in variant.expected.items():
        assert diagnosis in found[component], (
            f"{component}: expected {diagnosis}, got {found[component]}\n{shown}"
        )
    skipped = {entry.component for entry in report.checks if entry.status == "skip"}
    # Checks of a component whose inputs come from a broken one skip, saying so.
    broken_backward = {"one_hot"} if set(variant.expected) & {"dW1", "db1", "dW2", "db2"} else set()
    assert skipped <= set(BASES[variant.base].lacks) | set(variant.expected) | broken_backward, shown
    assert report.exit_code == (1 if variant.expected else 3 if BASES[variant.base].incomplete else 0), shown


@pytest.mark.parametrize("variant", [v for v in VARIANTS.values() if v.load_error], ids=lambda v: v.name)
def test_a_target_that_cannot_load_says_why(variant: Variant, tmp_path) -> None:
    path = write_variant(variant, tmp_path)
    with pytest.raises(TargetLoadError, match=path.name):
        check(str(path))


def test_the_same_seed_gives_the_same_report(tmp_path) -> None:
    path = str(write_variant(VARIANTS["classic_db2_scalar"], tmp_path))
    first, second = check(path, seed=3), check(path, seed=3)
    assert first.to_dict() == second.to_dict()
    assert any(entry.example for entry in first.checks if entry.status == "fail")


def test_without_torch_autograd_checks_skip_and_the_rest_decide(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "no_torch"
    blocker.mkdir()
    (blocker / "torch.py").write_text("raise ImportError('torch is not installed (test)')\n")
    monkeypatch.setenv("PYTHONPATH", str(blocker))  # the oracle's helper process cannot import torch
    report = check(str(write_variant(VARIANTS["classic_db2_scalar"], tmp_path)))
    autograd_checks = [entry for entry in report.checks if entry.id.endswith(".autograd")]
    assert {entry.status for entry in autograd_checks} == {"skip"}
    assert all("PyTorch is not installed" in entry.message for entry in autograd_checks)
    assert TORCH_NOTICE in report.notices
    assert flagged(report)["db2"] == {"shape_mismatch"}
    assert not report.passed


def test_a_one_hot_built_inside_backward_is_blamed_on_one_hot_only(tmp_path) -> None:
    report = check(str(write_variant(VARIANTS["classic_one_hot_max_plus_1"], tmp_path)))
    inside = next(entry for entry in report.checks if entry.id == "one_hot.inside_backward")
    assert (inside.status, inside.diagnosis) == ("fail", "exception")
    assert "only 0..4" in inside.message and "not Y.max() + 1" in inside.message
    assert set(flagged(report)) == {"one_hot"}


CS231N = Path(__file__).parent / "corpus" / "wild" / "cls_cs231n_loss_method.py"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("        dW1 = X.T.dot(dhid)", "        dW1 = X.T.dot(dhid) * 2", {"dW1": "scaled"}),
        ("/ N + reg * (np.sum(W1", "+ reg * (np.sum(W1", {"loss": "scaled"}),
    ],
    ids=["doubled_dW1", "loss_summed"],
)
def test_a_cs231n_loss_method_is_checked_as_forward_loss_and_backward(
    old: str, new: str, expected: dict[str, str], tmp_path
) -> None:
    """Its loss(X, y=None, reg) is the forward pass without labels and the backward pass with them: a
    bug in one gradient is found in that gradient, not only in training."""
    source = CS231N.read_text()
    assert source.count(old) == 1
    target = tmp_path / "two_layer_net.py"
    target.write_text(source.replace(old, new))
    found = flagged(check(str(target)))
    for component, diagnosis in expected.items():
        assert diagnosis in found[component], found
    assert not {"forward", "dW2", "db1", "db2"} & set(found), found
