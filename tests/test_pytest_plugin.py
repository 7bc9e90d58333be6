"""The pytest plugin (`pytest --mnist-impl TARGET`), run through pytest's own pytester.

The plugin is found through the package's ``pytest11`` entry point, as for a user: the inner
runs load it without ``-p``.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from corpus import BASES, VARIANTS, Variant, write_variant

from conformance import pytest_plugin
from conformance.checks import ALL_CHECKS
from conformance.pytest_plugin import DEFAULT_REQUIRED, component_item_name, item_name
from conformance.report import verdicts

pytest_plugins = ["pytester"]

BUGGY = VARIANTS["classic_db2_scalar"]  # fails db2 (shape_mismatch) and train; classic has no loss function
CORRECT = VARIANTS["dict_params_correct"]  # provides every component
HEAVY_MODULES = ("numpy", "hypothesis", "torch", "conformance.checks", "conformance.sandbox")
QUIET = ("-p", "no:cacheprovider", "-p", "no:benchmark")  # pytest-benchmark, if installed, warns under xdist
ITEMS = len(ALL_CHECKS) + len(DEFAULT_REQUIRED)  # a test per check, then one per required component
# Skipped where they do not apply; forward.network applies to CORRECT (its forward(X, params) can be probed).
ONLY_SOMETIMES = sum(check.only_when not in (None, "family_probe") for check in ALL_CHECKS)


def run_checks_in_pytest(pytester: pytest.Pytester, variant: Variant, *options: str) -> pytest.RunResult:
    target = write_variant(variant, pytester.path)
    return pytester.runpytest("--mnist-impl", str(target), *QUIET, *options)


def outcome_names(result: pytest.RunResult, outcome: str, kind: str = "impl") -> set[str]:
    """Check ids (components with ``kind="component"``) of the items with this outcome in a ``-rA``
    summary, e.g. {"db2.shape"}."""
    prefix = f"{outcome} mnist_impl::test_mnist_{kind}["
    return {line.removeprefix(prefix).split("]")[0] for line in result.outlines if line.startswith(prefix)}


def test_the_plugin_requires_what_the_checker_requires() -> None:
    assert pytest_plugin.DEFAULT_REQUIRED is verdicts.DEFAULT_REQUIRED


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    registered = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert registered.get("mnist_ref") == "conformance.pytest_plugin"


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    probe = f"import sys, conformance.pytest_plugin; print([m for m in {HEAVY_MODULES} if m in sys.modules])"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_without_the_option_the_plugin_adds_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest(*QUIET, "-v")
    result.assert_outcomes(passed=1)
    assert "mnist_impl" not in result.stdout.str() and "mnist-ref: checking" not in result.stdout.str()


def test_a_correct_implementation_passes_every_item(pytester: pytest.Pytester) -> None:
    assert not BASES[CORRECT.base].lacks
    result = run_checks_in_pytest(pytester, CORRECT, "-rA")
    result.assert_outcomes(passed=ITEMS - ONLY_SOMETIMES, skipped=ONLY_SOMETIMES)
    assert outcome_names(result, "PASSED", "component") == set(DEFAULT_REQUIRED)
    assert result.ret == pytest.ExitCode.OK


def test_a_buggy_implementation_fails_exactly_its_checks_and_writes_junit(pytester: pytest.Pytester) -> None:
    result = run_checks_in_pytest(pytester, BUGGY, "-rA", "--junitxml=results.xml")
    failed = outcome_names(result, "FAILED")
    assert {check_id.split(".")[0] for check_id in failed} == set(BUGGY.expected)
    assert "db2.shape" in failed
    unaffected = {
        c.id
        for c in ALL_CHECKS
        if c.component not in {*BUGGY.expected, *BASES[BUGGY.base].lacks} and c.only_when is None
    }
    assert unaffected <= outcome_names(result, "PASSED")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    required_and_buggy = set(BUGGY.expected) & set(DEFAULT_REQUIRED)  # db2 (train is not required)
    assert outcome_names(result, "FAILED", "component") == required_and_buggy
    assert outcome_names(result, "PASSED", "component") == set(DEFAULT_REQUIRED) - required_and_buggy
    cases = ET.parse(pytester.path / "results.xml").getroot().iter("testcase")
    failed_in_xml = {case.get("name") for case in cases if case.find("failure") is not None}
    assert failed_in_xml == {item_name(check_id) for check_id in failed} | {
        component_item_name(name) for name in required_and_buggy
    }


def test_a_failed_component_shows_its_verdict_and_each_cause_once(pytester: pytest.Pytester) -> None:
    result = run_checks_in_pytest(pytester, BUGGY, "-k", "test_mnist_component and db2")
    result.assert_outcomes(failed=1, deselected=ITEMS - 1)
    failure = result.stdout.str().split("FAILURES")[1].split("short test summary")[0]
    assert "db2: failed (shape_mismatch)\ncall: backward_prop(" in failure
    assert failure.count("scalar bias gradient") == 1
    assert "Traceback" not in failure and "pytest_plugin.py" not in failure


def test_a_file_with_nothing_to_check_does_not_pass(pytester: pytest.Pytester) -> None:
    target = pytester.path / "bare.py"
    target.write_text("import numpy as np\n")
    result = pytester.runpytest("--mnist-impl", str(target), *QUIET, "-rA")
    result.assert_outcomes(skipped=len(ALL_CHECKS), errors=len(DEFAULT_REQUIRED))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert outcome_names(result, "ERROR", "component") == set(DEFAULT_REQUIRED)
    output = result.stdout.str()
    assert "ERROR at setup of test_mnist_component[dW1]" in output
    assert "dW1: not checked: not found: no function named like backward_prop" in output
    assert 'fix: name it as the checker expects, or add `backward = "your_function"`' in output


def test_mnist_require_chooses_the_component_items(pytester: pytest.Pytester) -> None:
    result = run_checks_in_pytest(pytester, BUGGY, "--mnist-require", "train,loss", "-k", "component", "-rA")
    result.assert_outcomes(failed=1, errors=1, deselected=len(ALL_CHECKS))  # classic has no loss function
    assert outcome_names(result, "FAILED", "component") == {"train"}
    assert outcome_names(result, "ERROR", "component") == {"loss"}
    target = pytester.path / f"{BUGGY.name}.py"
    unknown = pytester.runpytest("--mnist-impl", str(target), "--mnist-require", "dW3", *QUIET)
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR
    assert "--mnist-require: unknown component 'dW3'" in unknown.stderr.str()


def test_a_failed_check_shows_its_diagnosis_not_a_traceback(pytester: pytest.Pytester) -> None:
    result = run_checks_in_pytest(pytester, BUGGY, "-k", "db2.shape")
    result.assert_outcomes(failed=1, deselected=ITEMS - 1)
    failure = result.stdout.str().split("FAILURES")[1].split("short test summary")[0]
    assert "db2.shape failed: shape_mismatch" in failure
    assert "smallest failing input: hidden=" in failure
    assert "Traceback" not in failure and "pytest_plugin.py" not in failure


def test_an_erroring_check_fails_with_errored(pytester: pytest.Pytester) -> None:
    result = run_checks_in_pytest(pytester, VARIANTS["no_w1_update_raises"], "-k", "update.values")
    result.assert_outcomes(failed=1, deselected=ITEMS - 1)
    result.stdout.fnmatch_lines(["update.values errored: exception*", "*ValueError: update is not*"])


def test_k_selects_checks_by_id(pytester: pytest.Pytester) -> None:
    selected = [c.id for c in ALL_CHECKS if "softmax" in c.id]
    result = run_checks_in_pytest(pytester, BUGGY, "-k", "softmax", "-rA")
    result.assert_outcomes(passed=len(selected), deselected=ITEMS - len(selected))
    assert outcome_names(result, "PASSED") == set(selected)


def test_x_stops_at_the_first_failing_check(pytester: pytest.Pytester) -> None:
    first_failing = next(i for i, c in enumerate(ALL_CHECKS) if c.component in BUGGY.expected)
    result = run_checks_in_pytest(pytester, BUGGY, "-x", "-rA")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) == first_failing
    assert outcome_names(result, "FAILED") == {ALL_CHECKS[first_failing].id}


def test_xdist_workers_each_run_their_share(pytester: pytest.Pytester) -> None:
    selected = [c.id for c in ALL_CHECKS if c.component == "db2"]
    result = run_checks_in_pytest(pytester, BUGGY, "-n", "2", "-k", "db2", "-rA")
    assert outcome_names(result, "FAILED") == {"db2.shape"}
    assert outcome_names(result, "FAILED", "component") == {"db2"}  # wherever it ran, the same verdict
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] + outcomes.get("passed", 0) + outcomes.get("skipped", 0) == len(selected) + 1


def test_a_missing_target_is_one_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mnist-impl", "missing.py", *QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == "ERROR: --mnist-impl missing.py: no such file"
    assert "failed" not in result.stdout.str()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_here", "no such file, and no importable module of that name"),
        ("no_such_package.network", "no such file, and no importable module of that name"),
        ("not a module", "no such file, and not a module name"),
        ("a_folder", "a folder, not a file: give its .py or .ipynb file"),
    ],
)
def test_a_target_that_names_nothing_checkable_is_one_usage_error(
    pytester: pytest.Pytester, target: str, message: str
) -> None:
    pytester.mkdir("a_folder")
    result = pytester.runpytest("--mnist-impl", target, *QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == f"ERROR: --mnist-impl {target}: {message}"
    assert "failed" not in result.stdout.str()


def test_an_importable_module_name_is_no_usage_error() -> None:
    assert pytest_plugin.target_problem("json") is None
    assert pytest_plugin.target_problem("conformance.loading") is None


def test_a_target_that_cannot_load_fails_every_item_with_the_reason(pytester: pytest.Pytester) -> None:
    unloadable = VARIANTS["class_style_fails_at_import"]
    result = run_checks_in_pytest(pytester, unloadable, "-k", "relu or test_mnist_component")
    selected = sum("relu" in c.id for c in ALL_CHECKS)
    result.assert_outcomes(
        failed=selected, errors=len(DEFAULT_REQUIRED), deselected=len(ALL_CHECKS) - selected
    )
    reason = f"cannot load the target: {unloadable.name}.py, line 12: RuntimeError"
    assert result.stdout.str().count(reason) >= selected + len(DEFAULT_REQUIRED)
    assert "this notebook needs a GPU runtime" in result.stdout.str()
    assert "During handling" not in result.stdout.str()


VARIANT_NETWORKS = Path(__file__).parent / "corpus" / "variants"


def test_a_network_of_the_family_is_checked_under_the_spec_file_given(pytester: pytest.Pytester) -> None:
    target = pytester.path / "three_layer_sigmoid_mse.py"  # in the session's folder: items are named from it
    target.write_text((VARIANT_NETWORKS / target.name).read_text())
    spec = pytester.path / "course.toml"
    spec.write_text(
        '[network]\nlayers = [784, 64, 32, 10]\nactivation = "sigmoid"\noutput = "sigmoid"\nloss = "mse"\n'
    )
    result = pytester.runpytest("--mnist-impl", str(target), "--mnist-spec", str(spec), *QUIET, "-rA")
    required = {"forward", "dW1", "db1", "dW2", "db2", "dW3", "db3", "update"}
    assert outcome_names(result, "PASSED", "component") == required
    assert {"dW3.values", "dW3.finite_diff", "forward.network"} <= outcome_names(result, "PASSED")
    assert result.ret == pytest.ExitCode.OK
    classic = pytester.runpytest("--mnist-impl", str(target), *QUIET, "-rA")
    assert "forward" in outcome_names(classic, "FAILED", "component")  # different_network
    assert classic.ret == pytest.ExitCode.TESTS_FAILED


def test_a_spec_file_without_a_network_is_a_usage_error(pytester: pytest.Pytester) -> None:
    spec = pytester.path / "course.toml"
    spec.write_text("[mapping]\n")
    target = VARIANT_NETWORKS / "three_layer_sigmoid_mse.py"
    result = pytester.runpytest("--mnist-impl", str(target), "--mnist-spec", str(spec), *QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--mnist-spec: " in result.stderr.str() and "has no [network] table" in result.stderr.str()
