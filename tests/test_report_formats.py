"""The machine and CI report formats: JUnit XML, Markdown, Gradescope results.json.

Most reports here are built by hand; one real run on a buggy corpus implementation checks
that each format holds up on what the harness actually produces.

The JUnit structure follows the schema Jenkins validates against (junit-4.xsd of the xUnit
plugin: ``testsuite`` needs ``name`` and ``tests``, ``testcase`` needs ``name``, a testcase holds
``skipped?, error*, failure*, system-out*, system-err*`` in that order) and what GitLab reads
(suite from ``classname``, name from ``name``, the failure text). The Gradescope fields follow
the "Autograder Specifications" page of gradescope-autograders.readthedocs.io.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from click.testing import CliRunner
from corpus import VARIANTS, write_variant
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conformance.report import FORMATS, render_gradescope, render_gradescope_load_failure, render_junit
from conformance.report.gradescope import component_points
from conformance.report.junit import xml_safe
from conformance.report.markdown import escape_markdown, render_markdown
from conformance.report.model import COMPONENTS, CheckResult, Report
from conformance.runner import run_checks
from mnist_ref_cli.commands import main

TRACEBACK = (
    'Traceback (most recent call last):\n  File "hw.py", line 3, in ReLU\n'
    "    1 / 0\nZeroDivisionError: division by zero"
)
MARKDOWN = MarkdownIt("commonmark").enable("table")
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
TESTCASE_CHILD_ORDER = ("skipped", "error", "failure", "system-out", "system-err")
XML_CHARACTER = st.characters(codec="utf-8")
MARKDOWN_CHARACTER = st.sampled_from("\\`*_[]()<>|~&#!$@:-+=. \t1a") | st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")
)
"""Printable text, often Markdown's punctuation."""


def passing(check_id: str, *, side: bool = False) -> CheckResult:
    return CheckResult(check_id, check_id.split(".")[0], "pass", None, "fine", side=side)


NOT_REQUIRED = "\N{HEAVY MINUS SIGN}"
FORWARD_MISSING = "no function named like forward_prop / forward"
SAMPLE_MAPPING = {
    "components": {
        "init": "init_params()",
        "relu": "ReLU(Z)",
        "db2": "backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)",
    },
    "missing": {"forward": FORWARD_MISSING, "loss": "no function named like cross_entropy"},
}


def sample_report() -> Report:
    """Every outcome of a check and every verdict of a component.

    init and update pass; relu fails (an error) and db2 fails (a wrong shape); forward is required and
    not found (unchecked); one_hot is unchecked and not required; loss is not found and not required.
    """
    checks = [
        passing("init.shapes"),
        CheckResult("relu.values", "relu", "error", "exception", "ZeroDivisionError in ReLU (line 3)",
                    {"detail": TRACEBACK}, {"batch": 1}),
        passing("relu.inputs_untouched", side=True),
        CheckResult("one_hot.values", "one_hot", "skip", None, "values not compared: one_hot raised"),
        CheckResult("forward.values", "forward", "skip", None, FORWARD_MISSING),
        CheckResult("loss.value", "loss", "skip", None, "no function named like cross_entropy"),
        passing("db2.autograd"),
        CheckResult("db2.shape", "db2", "fail", "shape_mismatch", "db2 | is a scalar, expected (10, 1)",
                    {"expected_shape": [10, 1], "got_shape": []}, {"hidden": 1, "batch": 2}),
        CheckResult("db2.finite_diff", "db2", "skip", None, "values not compared"),
        passing("update.values"),
        CheckResult("update.learning_rate", "update", "skip", None, "torch is not installed"),
    ]  # fmt: skip
    durations = {result.id: 0.25 for result in checks}
    return Report(
        "homework.py", 3, "float32", checks, SAMPLE_MAPPING, notices=["a notice"], durations=durations
    )


def test_the_sample_report_has_every_verdict() -> None:
    report = sample_report()
    assert {c.name: (c.verdict, c.required) for c in report.components} == {
        "init": ("pass", False), "relu": ("fail", False), "one_hot": ("unchecked", False),
        "forward": ("unchecked", True), "loss": ("not_required", False), "db2": ("fail", True),
        "update": ("pass", True),
    }  # fmt: skip
    assert (report.exit_code, report.headline) == (1, "FAILED")


def incomplete_report() -> Report:
    """Nothing wrong, but the required forward could not be found: INCOMPLETE, exit code 3."""
    checks = [passing("init.shapes"), CheckResult("forward.values", "forward", "skip", None, FORWARD_MISSING)]
    return Report("hw.py", 0, "float64", checks, {"missing": {"forward": FORWARD_MISSING}})


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The harness's report on an implementation whose db2 is a scalar (fails db2 and train)."""
    directory = tmp_path_factory.mktemp("real")
    return run_checks(str(write_variant(VARIANTS["classic_db2_scalar"], directory)), examples=2)


# JUnit XML


def assert_valid_junit(document: str) -> ET.Element:
    """The parsed document, after asserting the structure JUnit consumers require."""
    root = ET.fromstring(document)
    assert root.tag == "testsuites"
    totals: Counter[str] = Counter()
    for suite in root:
        assert suite.tag == "testsuite"
        assert suite.get("name") and suite.get("tests") is not None
        cases = suite.findall("testcase")
        found = Counter(child.tag for case in cases for child in case)
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == found["failure"]
        assert int(suite.get("errors")) == found["error"]
        assert int(suite.get("skipped")) == found["skipped"]
        assert float(suite.get("time")) >= 0
        for case in cases:
            assert case.get("name") and case.get("classname")
            assert float(case.get("time")) >= 0
            tags = [child.tag for child in case]
            assert tags == sorted(tags, key=TESTCASE_CHILD_ORDER.index)
            assert sum(tag in ("skipped", "error", "failure") for tag in tags) <= 1
            for outcome in case:
                assert outcome.get("message") is not None
        totals.update({key: int(suite.get(key)) for key in ("tests", "failures", "errors", "skipped")})
    assert {key: int(root.get(key)) for key in totals} == dict(totals)
    return root


def test_junit_has_one_testcase_per_check_then_one_per_component() -> None:
    report = sample_report()
    root = assert_valid_junit(render_junit(report))
    cases = root.findall("testsuite/testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        (result.component, result.id) for result in report.checks
    ] + [("components", name) for name in ("init", "relu", "one_hot", "forward", "loss", "db2", "update")]
    checks = {case.get("name"): [child.tag for child in case] for case in cases[: len(report.checks)]}
    assert checks["init.shapes"] == []
    assert checks["relu.values"] == ["error"]
    assert checks["db2.shape"] == ["failure"]
    assert checks["loss.value"] == ["skipped"]
    components = {case.get("name"): [child.tag for child in case] for case in cases[len(report.checks) :]}
    assert components == {
        "init": [], "relu": ["failure"], "one_hot": ["skipped"], "forward": ["error"],
        "loss": ["skipped"], "db2": ["failure"], "update": [],
    }  # fmt: skip


def test_junit_component_testcases_carry_the_verdict_reason_and_fix() -> None:
    root = assert_valid_junit(render_junit(sample_report()))
    unchecked = root.find("testsuite/testcase[@classname='components'][@name='forward']/error")
    assert unchecked.get("type") == "unchecked"
    assert unchecked.get("message") == f"not found: {FORWARD_MISSING}"
    assert "fix: name it as the checker expects, or add `forward = " in unchecked.text
    failed = root.find("testsuite/testcase[@classname='components'][@name='db2']/failure")
    assert failed.get("type") == "shape_mismatch"
    assert failed.get("message") == "db2.shape: db2 | is a scalar, expected (10, 1)"
    assert "call: backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)" in failed.text
    assert "smallest failing input: hidden=1, batch=2" in failed.text
    skipped = root.find("testsuite/testcase[@classname='components'][@name='loss']/skipped")
    assert skipped.get("message") == "not found (no function named like cross_entropy); not required"


def test_junit_of_an_incomplete_run_has_an_error_though_no_check_failed() -> None:
    report = incomplete_report()
    assert report.counts()["fail"] + report.counts()["error"] == 0
    root = assert_valid_junit(render_junit(report))
    suite = root.find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("0", "1")
    properties = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert (properties["verdict"], properties["exit_code"]) == ("INCOMPLETE", "3")


def test_junit_failure_holds_the_message_diagnosis_measurements_and_smallest_input() -> None:
    root = assert_valid_junit(render_junit(sample_report()))
    failure = root.find("testsuite/testcase[@name='db2.shape']/failure")
    assert failure.get("message") == "db2 | is a scalar, expected (10, 1)"
    assert failure.get("type") == "shape_mismatch"
    assert "shape_mismatch (the result has the wrong shape" in failure.text
    assert "details: expected_shape=[10, 1], got_shape=[]" in failure.text
    assert "smallest failing input: hidden=1, batch=2" in failure.text
    error = root.find("testsuite/testcase[@name='relu.values']/error")
    assert error.get("type") == "exception"
    assert TRACEBACK in error.text


def test_junit_counts_and_times_add_up() -> None:
    report = sample_report()
    root = assert_valid_junit(render_junit(report))
    suite = root.find("testsuite")
    # 11 checks (1 fail, 1 error, 5 skip) and 7 components (2 fail, 1 required unchecked, 2 skipped)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "18", "3", "2", "7",
    )  # fmt: skip
    assert float(suite.get("time")) == pytest.approx(0.25 * 11)
    times = [case.get("time") for case in suite.findall("testcase")]
    assert times == ["0.250"] * 11 + ["0.000"] * 7
    properties = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert properties == {
        "target": "homework.py", "seed": "3", "dtype": "float32", "verdict": "FAILED", "exit_code": "1",
        "required": "forward dW1 db1 dW2 db2 update",
    }  # fmt: skip
    assert suite.find("system-out").text == "a notice"


@given(message=st.text(XML_CHARACTER), detail=st.text(XML_CHARACTER))
def test_junit_is_well_formed_whatever_the_target_printed(message: str, detail: str) -> None:
    result = CheckResult("relu.values", "relu", "error", "exception", message, {"detail": detail})
    root = assert_valid_junit(render_junit(Report("hw.py", 0, "float64", [result])))
    error = root.find("testsuite/testcase/error")
    assert error.get("message") == xml_safe(message)
    assert xml_safe(detail).replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") in error.text


@given(st.text(XML_CHARACTER))
def test_xml_safe_changes_only_what_xml_cannot_hold(text: str) -> None:
    safe = xml_safe(text)
    assert ET.fromstring(f"<a>{safe.replace('&', '&amp;').replace('<', '&lt;')}</a>") is not None
    if not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", text):
        assert safe == text


def test_junit_of_a_real_run_flags_the_buggy_components(real_report: Report) -> None:
    root = assert_valid_junit(render_junit(real_report))
    failing = [case for case in root.iter("testcase") if case.find("failure") is not None]
    expected = set(VARIANTS["classic_db2_scalar"].expected)
    assert {case.get("classname") for case in failing if case.get("classname") != "components"} == expected
    assert {case.get("name") for case in failing if case.get("classname") == "components"} == expected
    assert not list(root.iter("error"))  # nothing required was left unchecked


# Markdown


def rendered_text(inline_source: str) -> str:
    """The plain text a Markdown renderer shows for a paragraph; fails on any markup."""
    (inline,) = [token for token in MARKDOWN.parse(inline_source) if token.type == "inline"]
    assert {child.type for child in inline.children} <= {"text", "text_special"}, inline.children
    return "".join(child.content for child in inline.children)


def table_rows(document: str) -> list[list[str]]:
    """The cells of the only table in ``document``, header row first, as the renderer reads them."""
    tokens = MARKDOWN.parse(document)
    assert [token.type for token in tokens].count("table_open") == 1
    rows: list[list[str]] = []
    in_row = False
    for token in tokens:
        if token.type in ("tr_open", "tr_close"):
            in_row = token.type == "tr_open"
            rows += [[]] if in_row else []
        elif token.type == "inline" and in_row:
            rows[-1].append(token.content)
    return rows


def test_markdown_has_a_verdict_and_one_table_row_per_component() -> None:
    document = render_markdown(sample_report())
    first_line = document.splitlines()[0]
    assert first_line.startswith("❌ **mnist-ref check FAILED** for `homework.py`: ")
    assert "2 passed, 2 failed, 2 not checked, 1 not required of 7 components" in first_line
    assert "4 passed, 1 failed, 1 errored, 5 skipped of 11 checks" in first_line
    assert "exit code 1" in first_line
    header, *rows = table_rows(document)
    assert header == ["Verdict", "Component", "Required", "Checks passed", "Why", "Call made"]
    assert all(len(row) == 6 for row in rows)
    assert [row[1] for row in rows] == ["init", "relu", "one\\_hot", "forward", "loss", "db2", "update"]
    assert [row[0] for row in rows] == [
        "✅ passed", "❌ failed", "⚠️ not checked", "⚠️ not checked", f"{NOT_REQUIRED} not required",
        "❌ failed", "✅ passed",
    ]  # fmt: skip
    assert [row[2] for row in rows] == ["", "", "", "yes", "", "yes", "yes"]
    assert [row[3] for row in rows] == ["1/1", "1/2", "0/1", "0/1", "0/1", "1/3", "1/2"]
    assert rows[5][4] == "`shape_mismatch`"
    assert rows[5][5] == "`backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)`"
    fix = 'name it as the checker expects, or add `forward = "your_function"` under [components]'
    assert rows[3][4].startswith(escape_markdown(f"not found: {FORWARD_MISSING}") + ". **Fix:** ")
    assert escape_markdown(fix) in rows[3][4]
    unchecked = escape_markdown("no value was checked: values not compared: one_hot raised")
    assert rows[2][4].startswith(unchecked + ". **Fix:** run \\`mnist-ref check FILE --show-mapping")
    assert rows[0][4] == rows[6][4] == ""


def test_markdown_says_incomplete_when_a_required_component_was_not_checked() -> None:
    document = render_markdown(incomplete_report())
    assert document.startswith("⚠️ **mnist-ref check INCOMPLETE** for `hw.py`: 1 passed, 1 not checked")
    assert "exit code 3" in document.splitlines()[0]
    assert "<details>" not in document


def test_markdown_details_each_cause_once() -> None:
    document = render_markdown(sample_report())
    html = MARKDOWN.render(document)
    assert html.count("<details>") == 2
    assert "<summary>❌ <code>db2.shape</code>: shape_mismatch</summary>" in html
    assert "<summary>💥 <code>relu.values</code>: exception</summary>" in html
    assert "db2 | is a scalar, expected (10, 1)" in html
    assert "hidden=1, batch=2" in html
    assert '<code class="language-text">' + TRACEBACK.replace('"', "&quot;") in html
    assert "a notice" in html


def test_markdown_groups_checks_failing_with_one_cause() -> None:
    message = "dW1 is 2 times the right value"
    checks = [
        CheckResult("dW1.shape", "dW1", "pass", None, "fine"),
        CheckResult("dW1.autograd", "dW1", "fail", "scaled", message),
        CheckResult("dW1.finite_diff", "dW1", "fail", "scaled", message),
        CheckResult("dW1.batch_size", "dW1", "fail", "mismatch", "another cause"),
    ]
    html = MARKDOWN.render(render_markdown(Report("hw.py", 0, "float64", checks)))
    assert html.count("<details>") == 2
    assert "<summary>❌ <code>dW1.autograd</code>, <code>dW1.finite_diff</code>: scaled</summary>" in html
    assert html.count(message) == 1


def test_markdown_does_not_blame_the_target_for_what_was_not_checked() -> None:
    """A check that raised under a calling convention the checker guessed: unchecked, not a failure."""
    checks = [CheckResult("update.values", "update", "error", "exception", "TypeError: 3 arguments")]
    mapping = {"guessed": {"update": "the order of its arguments"}}
    report = Report("hw.py", 0, "float64", checks, mapping)
    document = render_markdown(report)
    assert report.components[0].verdict == "unchecked"
    assert document.startswith("⚠️ **mnist-ref check NOT CHECKED**")
    assert "<details>" not in document and "What went wrong" not in document
    (row,) = table_rows(document)[1:]
    assert row[0] == "⚠️ not checked" and "calling convention the checker guessed" in row[4]


def test_markdown_of_a_passing_report_says_passed_and_has_no_details() -> None:
    required = ("init", "relu")
    report = Report(
        "hw.py", 0, "float64", [passing("init.shapes"), passing("relu.values")], required=required
    )
    document = render_markdown(report)
    assert document.startswith("✅ **mnist-ref check PASSED**")
    assert "<details>" not in document


def test_a_call_with_a_pipe_stays_in_its_table_cell() -> None:
    report = Report("hw.py", 0, "float64", [passing("relu.values")], {"components": {"relu": "f(a|b)"}})
    (row,) = table_rows(render_markdown(report))[1:]
    assert len(row) == 6 and row[5].replace("\\", "") == "`f(a|b)`"


@given(st.text(MARKDOWN_CHARACTER))
def test_escaped_text_renders_literally(text: str) -> None:
    assert rendered_text(f"x {escape_markdown(text)} x") == f"x {' '.join(text.split())} x"


@given(st.text(MARKDOWN_CHARACTER, min_size=1))
def test_escaped_text_stays_in_its_table_cell(text: str) -> None:
    document = f"| a | b |\n|---|---|\n| {escape_markdown(text)} | end |\n"
    assert table_rows(document)[1][1] == "end"


def test_markdown_of_a_real_run_renders(real_report: Report) -> None:
    document = render_markdown(real_report)
    rows = table_rows(document)[1:]
    assert [row[1].replace("\\", "") for row in rows] == list(COMPONENTS)
    failing = {row[1].replace("\\", "") for row in rows if row[0] == "❌ failed"}
    assert failing == set(VARIANTS["classic_db2_scalar"].expected)
    assert {row[1] for row in rows if row[0] == "\N{HEAVY MINUS SIGN} not required"} == {
        "loss"
    }  # classic has no loss function
    assert document.startswith("❌ **mnist-ref check FAILED**")
    assert len(document) < 20_000


# Gradescope


def assert_valid_gradescope(document: str) -> dict:
    results = json.loads(document)
    assert isinstance(results["score"], int | float) and not isinstance(results["score"], bool)
    assert isinstance(results["execution_time"], int)
    assert isinstance(results["output"], str)
    assert results["visibility"] in VISIBILITIES and results["stdout_visibility"] in VISIBILITIES
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"]
    assert results["score"] == pytest.approx(sum(test["score"] for test in results["tests"]))
    return results


def test_gradescope_scores_each_component_once() -> None:
    results = assert_valid_gradescope(render_gradescope(sample_report()))
    tests = {test["name"]: test for test in results["tests"]}
    assert list(tests) == ["init", "relu", "one_hot", "forward", "loss", "db2", "update"]
    assert {name: test["status"] for name, test in tests.items()} == {
        "init": "passed", "relu": "failed", "one_hot": "failed", "forward": "failed", "loss": "failed",
        "db2": "failed", "update": "passed",
    }  # fmt: skip
    assert results["score"] == 2.0
    assert "db2 | is a scalar, expected (10, 1)" in tests["db2"]["output"]
    assert "smallest failing input: hidden=1, batch=2" in tests["db2"]["output"]
    assert tests["db2"]["output"].startswith("db2: failed (shape_mismatch)\n1 of 3 checks passed\n")
    assert TRACEBACK in tests["relu"]["output"]
    assert tests["loss"]["output"].startswith(
        "loss: not required: not found (no function named like cross_entropy)"
    )
    assert tests["forward"]["output"].startswith(f"forward: not checked: not found: {FORWARD_MISSING}\nfix: ")
    assert tests["init"]["output"] == "init: passed: 1 of 1 checks passed\ncall: init_params()"
    assert results["execution_time"] == 3  # 11 checks of 0.25 s
    assert results["output"].startswith("mnist-ref check FAILED: 2 of 7 components correct")
    assert f"- forward: not checked: not found: {FORWARD_MISSING} / fix: name it" in results["output"]


def test_gradescope_scores_an_unchecked_required_component_0_and_says_why() -> None:
    results = assert_valid_gradescope(render_gradescope(incomplete_report()))
    tests = {test["name"]: test for test in results["tests"]}
    assert (tests["forward"]["status"], tests["forward"]["score"]) == ("failed", 0)
    assert "fix: name it as the checker expects" in tests["forward"]["output"]
    assert results["score"] == 1 and results["output"].startswith("mnist-ref check INCOMPLETE: 1 of 2")


def test_gradescope_gives_no_point_for_side_properties_alone() -> None:
    """dW1.globals passing says nothing about dW1's values: no point without a value checked."""
    checks = [
        CheckResult("dW1.autograd", "dW1", "skip", None, "PyTorch is not installed"),
        passing("dW1.globals", side=True),
    ]
    results = assert_valid_gradescope(render_gradescope(Report("hw.py", 0, "float64", checks)))
    assert results["score"] == 0
    assert "no value was checked: PyTorch is not installed" in results["tests"][0]["output"]


def test_gradescope_weights_set_the_points() -> None:
    results = assert_valid_gradescope(render_gradescope(sample_report(), weights={"init": 2.5, "db2": 4}))
    points = {test["name"]: (test["score"], test["max_score"]) for test in results["tests"]}
    assert points == {
        "init": (2.5, 2.5), "relu": (0, 0), "one_hot": (0, 0), "forward": (0, 0), "loss": (0, 0),
        "db2": (0, 4), "update": (0, 0),
    }  # fmt: skip
    assert results["score"] == 2.5


@pytest.mark.parametrize(
    ("weights", "complaint"),
    [({"dW3": 1}, "unknown component 'dW3'"), ({"db2": -1}, "db2 is worth -1 points"),
     ({"db2": math.nan}, "db2 is worth nan points")],
)  # fmt: skip
def test_gradescope_rejects_bad_weights(weights: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        component_points(COMPONENTS, weights)


STATUS_PER_COMPONENT = st.lists(
    st.sampled_from(["pass", "fail", "error", "skip"]), min_size=len(COMPONENTS), max_size=len(COMPONENTS)
)


@given(STATUS_PER_COMPONENT, st.integers(0, len(COMPONENTS) - 1))
def test_gradescope_a_new_failure_costs_exactly_its_component(statuses: list[str], broken: int) -> None:
    checks = [passing(f"{name}.a") for name in COMPONENTS]
    for name, status in zip(COMPONENTS, statuses, strict=True):
        checks.append(CheckResult(f"{name}.b", name, status, None, "m"))
    before = assert_valid_gradescope(render_gradescope(Report("hw.py", 0, "float64", checks)))["score"]
    checks[broken] = CheckResult(checks[broken].id, COMPONENTS[broken], "fail", "mismatch", "m")
    after = assert_valid_gradescope(render_gradescope(Report("hw.py", 0, "float64", checks)))["score"]
    component_was_earned = statuses[broken] in ("pass", "skip")
    assert before - after == (1.0 if component_was_earned else 0.0)


def test_gradescope_load_failure_scores_zero_with_the_reason() -> None:
    results = assert_valid_gradescope(render_gradescope_load_failure("cannot load the target: hw.py, line 3"))
    assert results["score"] == 0
    assert results["output"] == "cannot load the target: hw.py, line 3"
    assert [test["name"] for test in results["tests"]] == list(COMPONENTS)
    assert {test["status"] for test in results["tests"]} == {"failed"}
    assert sum(test["max_score"] for test in results["tests"]) == len(COMPONENTS)


def test_gradescope_results_are_written_when_the_target_cannot_load(tmp_path) -> None:
    target = write_variant(VARIANTS["class_style_fails_at_import"], tmp_path)
    results_path = tmp_path / "results" / "results.json"
    arguments = ["check", str(target), "--format", "gradescope", "--out", str(results_path)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2, result.output
    results = assert_valid_gradescope(results_path.read_text())
    assert results["score"] == 0
    assert "this notebook needs a GPU runtime" in results["output"]


def test_gradescope_scores_a_file_of_imports_only_0(tmp_path) -> None:
    target = tmp_path / "bare.py"
    target.write_text("import numpy as np\n")
    report = run_checks(str(target), examples=2)
    assert (report.exit_code, report.headline) == (2, "NOT CHECKED")
    globals_checks = {result.status for result in report.checks if result.id.endswith(".globals")}
    assert globals_checks == {"skip"}  # nothing probed without a backward: no vacuous pass
    assert report.counts()["pass"] == 0
    results = assert_valid_gradescope(render_gradescope(report))
    assert results["score"] == 0 and {test["status"] for test in results["tests"]} == {"failed"}
    tests = {test["name"]: test for test in results["tests"]}
    for name in report.required:
        assert tests[name]["output"].startswith(f"{name}: not checked: not found: no function named like")
        assert "\nfix: " in tests[name]["output"]
    assert results["output"].startswith("mnist-ref check NOT CHECKED: 0 of 15 components correct")


def test_gradescope_of_a_real_run(real_report: Report) -> None:
    results = assert_valid_gradescope(render_gradescope(real_report))
    failed = {test["name"] for test in results["tests"] if test["status"] == "failed"}
    assert failed == set(VARIANTS["classic_db2_scalar"].expected) | {"loss"}  # classic has no loss function
    assert results["score"] == len(COMPONENTS) - len(failed)


# The registry


@pytest.mark.parametrize("name", ["text", "json", "junit", "markdown", "gradescope"])
def test_every_format_is_registered_and_renders_a_report(name: str) -> None:
    text = FORMATS[name](sample_report())
    assert "db2" in text
    assert text.endswith("\n")


# HTML (the inline report of %mnist_check)


def test_html_has_one_row_per_component_with_its_verdict_and_why() -> None:
    from html.parser import HTMLParser

    from conformance.report.html_format import render_html

    class Rows(HTMLParser):
        """The text of each table cell, row by row."""

        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag == "td":
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "td" and self.cell is not None:
                self.rows[-1].append("".join(self.cell).strip())
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    report = sample_report()
    document = render_html(report)
    parser = Rows()
    parser.feed(document)
    body = {row[0]: row[1:] for row in parser.rows if row}
    assert list(body) == [component.name for component in report.components]
    assert body["db2"][:4] == ["❌ failed", "yes", "1/3", "shape_mismatch"]
    assert body["forward"][0] == "⚠️ not checked" and FORWARD_MISSING in body["forward"][3]
    assert "Fix: name it as the checker expects" in body["forward"][3]
    assert body["init"][:4] == ["✅ passed", "", "1/1", ""]
    assert "db2 | is a scalar" in document and "ZeroDivisionError in ReLU" in document
    assert "mnist-ref check FAILED</b> for <code>homework.py</code>" in document


def test_html_escapes_what_the_target_printed() -> None:
    from conformance.report.html_format import render_html

    checks = [CheckResult("relu.values", "relu", "error", "exception", "<script>alert(1)</script> & more")]
    document = render_html(Report("<b>hw</b>.py", 0, "float64", checks))
    assert "<script>" not in document and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in document
    assert "<code>&lt;b&gt;hw&lt;/b&gt;.py</code>" in document
