"""The verdict model: fail closed, never accuse on a guess (conformance.report.verdicts)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from conformance.checks.base import Check, Skipped
from conformance.oracles import autograd
from conformance.report.model import CheckResult, Report
from conformance.report.verdicts import DEFAULT_REQUIRED, exit_code, judge
from conformance.runner import run_checks

CLASSIC = Path(__file__).parent / "corpus" / "classic.py"
FOUND = {"components": {"db2": "backward_prop(...)", "forward": "forward_prop(W1, b1, W2, b2, X)"}}


def result(check_id: str, status: str, diagnosis: str | None = None, side: bool = False) -> CheckResult:
    return CheckResult(check_id, check_id.split(".")[0], status, diagnosis, f"{check_id} {status}", side=side)


def verdict_of(checks: list[CheckResult], mapping: dict | None = None, required=("db2",)) -> str:
    (component,) = judge(checks, mapping or FOUND, required)
    return component.verdict


# --- unit: how check results add up ----------------------------------------------------------------


def test_a_side_check_alone_never_passes_a_component():
    checks = [result("db2.globals", "pass", side=True), result("db2.shape", "skip")]
    assert verdict_of(checks) == "unchecked"
    assert verdict_of([*checks[:1], result("db2.autograd", "pass")]) == "pass"


def test_a_side_check_can_fail_a_component():
    checks = [result("db2.autograd", "pass"), result("db2.globals", "fail", "depends_on_global_state", True)]
    assert verdict_of(checks) == "fail"


def test_an_exception_under_a_guessed_call_is_unchecked_with_the_fix():
    mapping = {**FOUND, "guessed": {"backward": "the keys of its cache"}}
    checks = [result("db2.shape", "error", "exception"), result("db2.autograd", "error", "exception")]
    (component,) = judge(checks, mapping, ["db2"])
    assert component.verdict == "unchecked"
    assert "the keys of its cache" in component.reason
    assert "--show-mapping" in component.fix
    assert component.call == "backward_prop(...)"


def test_a_guessed_call_is_confirmed_only_by_a_right_answer_elsewhere():
    mapping = {**FOUND, "guessed": {"backward": "the order of its arguments"}}
    checks = [result("dW1.shape", "pass"), result("db2.shape", "error", "exception")]
    verdicts = {c.name: c.verdict for c in judge(checks, mapping, ["dW1", "db2"])}
    assert verdicts == {"dW1": "pass", "db2": "fail"}
    wrong_everywhere = [result("dW1.autograd", "fail", "mismatch"), result("db2.shape", "fail", "scaled")]
    verdicts = {c.name: c.verdict for c in judge(wrong_everywhere, mapping, ["dW1", "db2"])}
    assert verdicts == {"dW1": "unchecked", "db2": "unchecked"}
    by_names = {c.name: c.verdict for c in judge(wrong_everywhere, FOUND, ["dW1", "db2"])}
    assert by_names == {"dW1": "fail", "db2": "fail"}


def test_an_exception_under_a_call_bound_by_names_is_the_targets():
    assert verdict_of([result("db2.shape", "error", "exception")]) == "fail"


def test_a_hang_is_the_targets_whatever_the_call():
    mapping = {**FOUND, "guessed": {"backward": "the order of its arguments"}}
    assert verdict_of([result("db2.shape", "error", "timeout")], mapping) == "fail"


def test_an_undecided_layout_turns_layout_dependent_failures_into_unchecked():
    mapping = {**FOUND, "layout_decided": False, "layout_reason": "could not tell"}
    (component,) = judge([result("softmax.values", "fail", "mismatch")], mapping, [])
    assert (component.verdict, component.reason.startswith("layout ambiguous")) == ("unchecked", True)
    assert 'layout = "row"' in component.fix
    (relu,) = judge([result("relu.values", "fail", "mismatch")], mapping, [])
    assert relu.verdict == "fail"  # elementwise: the same whichever way round


def test_missing_components_are_unchecked_when_required_and_not_required_otherwise():
    mapping = {"missing": {"db2": "no function named like backward_prop", "loss": "no loss"}}
    checks = [result("db2.shape", "skip"), result("loss.value", "skip")]
    verdicts = {c.name: (c.verdict, c.fix is not None) for c in judge(checks, mapping, ["db2"])}
    assert verdicts == {"db2": ("unchecked", True), "loss": ("not_required", False)}


@pytest.mark.parametrize(
    ("verdicts", "code"),
    [
        ({"forward": "pass", "db2": "pass"}, 0),
        ({"forward": "fail", "db2": "pass"}, 1),
        ({"forward": "fail", "db2": "unchecked"}, 1),
        ({"forward": "unchecked", "loss": "not_required"}, 2),
        ({"forward": "pass", "db2": "unchecked"}, 3),
    ],
)
def test_exit_codes(verdicts, code):
    statuses = {"pass": "pass", "fail": "fail", "unchecked": "skip", "not_required": "skip"}
    mapping = {"missing": {name: "absent" for name, v in verdicts.items() if v != "pass" and v != "fail"}}
    checks = [result(f"{name}.values", statuses[v]) for name, v in verdicts.items()]
    components = judge(checks, mapping, [name for name in verdicts if name != "loss"])
    assert [c.verdict for c in components] == list(verdicts.values())
    assert exit_code(components) == code
    required = tuple(name for name in verdicts if name != "loss")
    report = Report("hw.py", 0, "float64", checks, mapping, required=required)
    assert (report.exit_code, report.passed) == (code, code == 0)


# --- end to end: the files the issue names ----------------------------------------------------------


def check(tmp_path: Path, source: str, name: str = "student.py") -> Report:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return run_checks(str(path), autograd=autograd, examples=3)


def verdicts(report: Report) -> dict[str, str]:
    return {component.name: component.verdict for component in report.components}


@pytest.mark.slow
def test_a_file_of_imports_only_is_not_checked_exit_2(tmp_path):
    report = check(tmp_path, "import numpy as np\n")
    assert report.exit_code == 2 and report.headline == "NOT CHECKED" and not report.passed
    assert all(verdicts(report)[name] == "unchecked" for name in DEFAULT_REQUIRED)
    assert report.to_dict()["passed"] is False


CLASS_READS_SELF_X = """
import numpy as np

class Net:
    def __init__(self, input_size=784, hidden_size=64, output_size=10, lr=0.1):
        self.W1 = np.random.randn(hidden_size, input_size) * 0.01
        self.b1 = np.zeros((hidden_size, 1))
        self.W2 = np.random.randn(output_size, hidden_size) * 0.01
        self.b2 = np.zeros((output_size, 1))
        self.lr = lr

    def forward(self, X):
        self.X = X
        self.pre = self.W1 @ X + self.b1
        self.hid = np.maximum(0, self.pre)
        out = self.W2 @ self.hid + self.b2
        e = np.exp(out - out.max(axis=0))
        self.out = e / e.sum(axis=0)
        return self.out

    def backward(self, Y):
        m = self.X.shape[1]
        d2 = self.out - np.eye(10)[:, Y]
        self.dW2 = d2 @ self.hid.T / m
        self.db2 = d2.sum(axis=1, keepdims=True) / m
        d1 = self.W2.T @ d2 * (self.pre > 0)
        self.dW1 = d1 @ self.X.T / m
        self.db1 = d1.sum(axis=1, keepdims=True) / m

    def step(self):
        self.W1 -= self.lr * self.dW1
        self.b1 -= self.lr * self.db1
        self.W2 -= self.lr * self.dW2
        self.b2 -= self.lr * self.db2
"""


@pytest.mark.slow
def test_a_class_whose_backward_reads_self_x_passes(tmp_path):
    report = check(tmp_path, CLASS_READS_SELF_X)
    assert report.exit_code == 0, verdicts(report)
    bug = CLASS_READS_SELF_X.replace(
        "self.db2 = d2.sum(axis=1, keepdims=True) / m", "self.db2 = d2.sum() / m"
    )
    assert verdicts(check(tmp_path, bug, "bug.py"))["db2"] == "fail"


ROW_LAYOUT_NO_INIT = """
import numpy as np

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def forward(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2, softmax(Z2)
"""


@pytest.mark.slow
def test_a_correct_row_layout_file_without_init_is_never_failed(tmp_path):
    report = check(tmp_path, ROW_LAYOUT_NO_INIT)
    found = verdicts(report)
    assert "fail" not in found.values(), [c.reason for c in report.components]
    assert found["forward"] == "pass" and found["softmax"] == "pass"
    assert report.exit_code == 3  # backward and update are not there: incomplete, not failed


@pytest.mark.slow
def test_optional_dev_set_arguments_keep_their_defaults(tmp_path):
    source = CLASSIC.read_text().replace(
        "def gradient_descent(X, Y, alpha, iterations):",
        "def gradient_descent(X, Y, alpha, iterations, X_dev=None, Y_dev=None):\n"
        "    if X_dev is not None:\n        raise ValueError('a dev set was given')",
    )
    assert "X_dev" in source
    report = check(tmp_path, source)
    assert verdicts(report)["train"] == "pass" and report.exit_code == 0


@pytest.mark.slow
def test_an_init_that_returns_items_of_a_dict_passes(tmp_path):
    source = CLASSIC.read_text()
    start = source.index("def init_params():")
    end = source.index("\ndef ", start + 1)
    dict_init = """def init_params():
    p = {}
    p["W1"] = np.random.rand(10, 784) - 0.5
    p["b1"] = np.random.rand(10, 1) - 0.5
    p["W2"] = np.random.rand(10, 10) - 0.5
    p["b2"] = np.random.rand(10, 1) - 0.5
    return p["W1"], p["b1"], p["W2"], p["b2"]

"""
    report = check(tmp_path, source[:start] + dict_init + source[end:])
    assert verdicts(report)["init"] == "pass" and report.exit_code == 0


def test_a_different_network_fails_forward_and_leaves_what_depends_on_it_unchecked():
    checks = [
        result("forward.values", "fail", "different_network"),
        result("dW1.autograd", "fail", "mismatch"),
        result("dW2.autograd", "pass"),
        result("relu.values", "fail", "mismatch"),
    ]
    verdicts = {c.name: c.verdict for c in judge(checks, {}, ["forward", "dW1", "dW2"])}
    # its "ReLU" computes the other network's activation: not judged as a ReLU either
    assert verdicts == {"forward": "fail", "dW1": "unchecked", "dW2": "pass", "relu": "unchecked"}


@pytest.mark.slow
def test_one_hot_rows_transposed_by_their_caller_and_a_percentage_accuracy_pass(tmp_path):
    source = CLASSIC.read_text()
    rows = source.replace("    one_hot_Y = one_hot_Y.T\n    return one_hot_Y", "    return one_hot_Y", 1)
    rows = rows.replace("    one_hot_Y = one_hot(Y)\n", "    one_hot_Y = one_hot(Y).T\n", 1)
    percent = rows.replace(
        "return np.sum(predictions == Y) / Y.size", "return 100 * np.sum(predictions == Y) / Y.size"
    )
    assert percent.count("one_hot(Y).T") == 1 and "100 * np.sum" in percent
    report = check(tmp_path, percent)
    assert report.exit_code == 0, [c.reason for c in report.components if c.verdict != "pass"]
    untransposed = percent.replace("    one_hot_Y = one_hot(Y).T\n", "    one_hot_Y = one_hot(Y)\n", 1)
    broken = verdicts(check(tmp_path, untransposed, "untransposed.py"))
    assert broken["one_hot"] == "pass" and "fail" in {broken[name] for name in ("dW1", "db1", "dW2", "db2")}


@pytest.mark.slow
def test_a_failed_import_is_listed_and_leaves_what_needs_it_unchecked(tmp_path):
    source = CLASSIC.read_text().replace(
        "def ReLU(Z):", "from course_helpers import ReLU\n\n\ndef _unused(Z):", 1
    )
    source = source.replace("import numpy as np", "import numpy as np\nimport wandb", 1)
    report = check(tmp_path, source)
    failed = {
        notice.split("`")[1]: notice for notice in report.notices if notice.startswith("import failed: ")
    }
    assert failed["import wandb"].startswith(
        "import failed: line 5: `import wandb` failed (ModuleNotFoundError"
    )
    assert "ReLU undefined" in failed["from course_helpers import ReLU"]
    forward = next(c for c in report.components if c.name == "forward")
    assert forward.verdict == "unchecked" and "that import failed" in forward.reason
    assert report.exit_code == 3  # nothing wrong was found; forward could not be checked


@pytest.mark.slow
def test_an_undefined_name_is_the_targets_own_exception(tmp_path):
    source = CLASSIC.read_text().replace(
        "    dZ2 = A2 - one_hot_Y", "    dZ2 = A2 - one_hot_Y + undefined_offset", 1
    )
    report = check(tmp_path, source)
    db2 = next(c for c in report.components if c.name == "db2")
    assert db2.verdict == "fail" and db2.diagnoses == ("exception",), db2.reason


def test_gradients_and_update_written_inline_pass_through_a_training_loop_that_follows():
    mapping = {
        "missing": {name: "not found" for name in ("dW1", "update")},
        "components": {"train": "fit(X, Y)"},
    }
    following = [
        result("dW1.shape", "skip"),
        result("update.values", "skip"),
        result("train.trajectory", "pass"),
    ]
    verdicts = {c.name: (c.verdict, c.call) for c in judge(following, mapping, ["dW1", "update"])}
    assert verdicts == {
        "dW1": ("pass", "fit(X, Y)"),
        "update": ("pass", "fit(X, Y)"),
        "train": ("pass", "fit(X, Y)"),
    }
    wrong = [*following[:2], result("train.trajectory", "fail", "mismatch")]
    assert {c.name: c.verdict for c in judge(wrong, mapping, ["dW1", "update"])}["dW1"] == "unchecked"


PER_SAMPLE = """
import numpy as np

def init_params():
    W1, W2 = np.random.randn(10, 784) * 0.01, np.random.randn(10, 10) * 0.01
    return W1, np.zeros((10, 1)), W2, np.zeros((10, 1))

def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    Z2 = W2 @ A1 + b2
    e = np.exp(Z2 - Z2.max(axis=0))
    return Z1, A1, Z2, e / e.sum(axis=0)

def back_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = A2 - np.eye(10)[:, Y]
    dZ1 = W2.T @ dZ2 * (Z1 > 0)
    return dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True), dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True)

def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2

def predict(X, W1, b1, W2, b2):
    return forward_prop(W1, b1, W2, b2, X.T)[3].argmax(axis=0)

def sgd(X, Y, alpha, epochs):
    W1, b1, W2, b2 = init_params()
    for _ in range(epochs):
        for x, y in zip(X.T, Y):
            x = x.reshape(-1, 1)
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, x)
            grads = back_prop(Z1, A1, Z2, A2, W1, W2, x, np.array([y]))
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
"""


@pytest.mark.slow
def test_a_backward_fed_one_sample_at_a_time_and_a_predict_of_rows_pass(tmp_path):
    """Sums over the batch are right for a backward only ever given one sample; predict takes rows."""
    report = check(tmp_path, PER_SAMPLE)
    found = verdicts(report)
    assert all(found[name] == "pass" for name in ("dW1", "db1", "dW2", "db2", "predict")), found
    assert any("one sample at a time" in notice for notice in report.notices)
    batch_loop = PER_SAMPLE.replace(
        "for x, y in zip(X.T, Y):\n            x = x.reshape(-1, 1)", "for x in [X]:\n            y = Y"
    )
    assert "zip" not in batch_loop.split("def sgd")[1]
    summed = verdicts(check(tmp_path, batch_loop, "batch.py"))
    assert summed["dW1"] == "fail"  # fed the whole batch, the sum is the missing 1/m it is


def test_a_loop_that_only_matches_on_one_sample_checks_inline_gradients_but_is_not_passed():
    mapping = {"missing": {"dW1": "not found"}, "components": {"train": "Net.train_epoch(X, y, lr)"}}
    one_sample = CheckResult(
        "train.trajectory", "train", "skip", None, "matches on one sample", {"one_sample_matches": True}
    )
    verdicts = {
        c.name: (c.verdict, c.reason)
        for c in judge([result("dW1.shape", "skip"), one_sample], mapping, ["dW1"])
    }
    assert verdicts["dW1"][0] == "pass" and "on one sample" in verdicts["dW1"][1]
    assert verdicts["train"][0] == "unchecked"


def test_an_update_applied_inside_backward_passes_when_the_gradients_read_from_it_do():
    mapping = {
        "missing": {"update": "Net.backward applies the update itself"},
        "update_within": "Net.backward",
    }
    grads = [result(f"{name}.autograd", "pass") for name in ("dW1", "db1", "dW2", "db2")]
    right = {c.name: c.verdict for c in judge([*grads, result("update.values", "skip")], mapping, ["update"])}
    assert right["update"] == "pass"
    grads[1] = result("db1.autograd", "fail", "mismatch")
    one_wrong = {
        c.name: c.verdict for c in judge([*grads, result("update.values", "skip")], mapping, ["update"])
    }
    assert one_wrong["update"] == "pass"  # the step that gave dW1, dW2, db2 right is the one db1 went through
    all_wrong = [result(f"{name}.autograd", "fail", "mismatch") for name in ("dW1", "db1", "dW2", "db2")]
    wrong = {
        c.name: c.verdict for c in judge([*all_wrong, result("update.values", "skip")], mapping, ["update"])
    }
    assert wrong["update"] == "unchecked"


@pytest.mark.slow
def test_a_correct_float32_implementation_passes(tmp_path):
    """Every function casts what it is given to float32 and computes in float32 only."""
    source = CLASSIC.read_text()
    float32 = source.replace(
        "    Z_shift = Z - np.max(", "    Z = Z.astype(np.float32)\n    Z_shift = Z - np.max(", 1
    )
    float32 = float32.replace(
        "def forward_prop(W1, b1, W2, b2, X):\n",
        "def forward_prop(W1, b1, W2, b2, X):\n"
        "    W1, b1, W2, b2, X = (a.astype(np.float32) for a in (W1, b1, W2, b2, X))\n",
        1,
    )
    float32 = float32.replace(
        "def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):\n",
        "def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):\n"
        "    Z1, A1, Z2, A2, W1, W2, X = (a.astype(np.float32) for a in (Z1, A1, Z2, A2, W1, W2, X))\n",
        1,
    )
    assert float32.count("np.float32") == 3
    report = check(tmp_path, float32)
    assert report.exit_code == 0, [c.reason for c in report.components if c.verdict != "pass"]
    assert "casts to float32" in " ".join(report.notices)
    noisy = float32.replace(
        "db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)",
        "db2 = 1.01 / m * np.sum(dZ2, axis=1, keepdims=True)",
    )
    assert noisy != float32 and verdicts(check(tmp_path, noisy, "noisy.py"))["db2"] == "fail"


def test_a_failure_no_layout_could_cause_stands_when_the_layout_is_undecided():
    mapping = {**FOUND, "layout_decided": False, "guessed": {"forward": "the order of its arguments"}}
    misspelt = CheckResult(
        "forward.values",
        "forward",
        "error",
        "exception",
        "AttributeError: module 'numpy' has no attribute 'zeroes'",
    )
    nothing = CheckResult(
        "db2.shape", "db2", "fail", "mismatch", "backward returned nothing", {"returned_nothing": True}
    )
    shapes = CheckResult(
        "dW1.shape", "dW1", "error", "exception", "ValueError: shapes (10,1) and (784,1) not aligned"
    )
    verdicts = {c.name: c.verdict for c in judge([misspelt, nothing, shapes], mapping, [])}
    assert verdicts == {"forward": "fail", "db2": "fail", "dW1": "unchecked"}


@pytest.mark.slow
def test_gradients_passed_on_in_another_order_by_the_targets_own_code_fail_update(tmp_path):
    source = CLASSIC.read_text()
    call = "= update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)"  # the call in gradient_descent
    assert source.count(call) == 1
    report = check(tmp_path, source)
    assert verdicts(report)["update"] == "pass"
    swapped = source.replace(call, "= update_params(W1, b1, W2, b2, dW2, db1, dW1, db2, alpha)")
    update = next(c for c in check(tmp_path, swapped, "swapped.py").components if c.name == "update")
    assert update.verdict == "fail" and update.diagnoses == ("wrong_order",)
    assert "is given dW2 as dW1, dW1 as dW2" in update.reason
    unpacked = source.replace("dW1, db1, dW2, db2 = backward_prop(", "dW1, dW2, db1, db2 = backward_prop(", 1)
    assert unpacked != source
    update = next(c for c in check(tmp_path, unpacked, "unpacked.py").components if c.name == "update")
    assert update.verdict == "fail" and "is received dW2 as db1, db1 as dW2" in update.reason


@pytest.mark.slow
def test_a_submission_past_its_time_ends_as_timeouts_and_moves_on(tmp_path):
    slow = CLASSIC.read_text().replace("import numpy as np", "import time\nimport numpy as np", 1)
    slow = slow.replace("def ReLU(Z):\n", "def ReLU(Z):\n    time.sleep(0.5)\n", 1)
    path = tmp_path / "slow.py"
    path.write_text(slow)
    started = time.monotonic()
    report = run_checks(str(path), autograd=autograd, examples=3, submission_timeout=3.0)
    assert time.monotonic() - started < 20  # uncapped, the sleeping ReLU takes minutes
    timed_out = [result for result in report.checks if "--submission-timeout" in result.message]
    assert timed_out and all(result.diagnosis == "timeout" for result in timed_out)
    assert report.exit_code == 1


def test_a_skipped_check_carries_no_failing_input():
    def skips_inside_a_property(ctx):
        error = Skipped("values not compared: db2 has the wrong shape")
        error.example = {"hidden": 1, "batch": 1, "seed": 0}  # as ctx.for_all attaches it
        raise error

    skipped = Check("db2.autograd", "db2", "", skips_inside_a_property).result(None)
    assert (skipped.status, skipped.example) == ("skip", None)


def in_a_class(source: str, method: str, caller: str) -> str:
    """``source`` with ``def method(`` moved into ``class Network`` (with an __init__, no self) and
    ``caller`` put where the file called it."""
    start = source.index(f"def {method}(")
    end = source.index("\ndef ", start)
    body = textwrap.indent(source[start:end], "    ")
    holder = f"class Network:\n    def __init__(self, W1):\n        self.W1 = W1\n\n{body}\n"
    rest = source[:start] + source[end + 1 :]
    return rest.replace(f"{method}(W1, b1", f"{caller}(W1, b1") + "\n\n" + holder


@pytest.mark.slow
def test_a_method_written_without_self_is_called_as_its_users_call_it(tmp_path):
    on_the_class = in_a_class(CLASSIC.read_text(), "forward_prop", "Network.forward_prop")
    assert verdicts(check(tmp_path, on_the_class, "namespace.py"))["forward"] == "pass"
    on_an_instance = in_a_class(CLASSIC.read_text(), "forward_prop", "forward_prop")
    report = check(tmp_path, on_an_instance, "selfless.py")
    (forward,) = [c for c in report.components if c.name == "forward"]
    assert forward.verdict == "fail"
    assert "got multiple values for argument 'W1'" in forward.reason
    assert forward.call.startswith("Network().forward_prop(W1, b1, W2, b2, X); a method written without self")


HYBRID_STEP_PER_CALL = """
import numpy as np

class MLP:
    def __init__(self, n_classes, n_features, hidden_size):
        self.W1 = np.random.normal(0.1, 0.1, (hidden_size, n_features))
        self.b1 = np.zeros((hidden_size, 1))
        self.w_out = np.random.normal(0.1, 0.1, (n_classes, hidden_size))
        self.b_out = np.zeros((n_classes, 1))
        self.n_classes = n_classes

    def predict(self, X):
        h1 = np.maximum(self.W1 @ X.T + self.b1, 0)
        return (self.w_out @ h1 + self.b_out).argmax(axis=0)

    def train_epoch(self, X, y, learning_rate=0.001):
        i = np.random.choice(X.shape[0])
        x = X[i].reshape(1, -1)
        z1 = self.W1 @ x.T + self.b1
        h1 = np.maximum(z1, 0)
        zc = self.w_out @ h1 + self.b_out
        p = np.exp(zc - zc.max()) / np.exp(zc - zc.max()).sum()
        target = np.zeros((self.n_classes, 1))
        target[y[i]] = 1
        grad_zc = p - target
        grad_z1 = (self.w_out.T @ grad_zc) * (z1 > 0)
        self.W1 -= learning_rate * grad_z1 @ x
        self.b1 -= learning_rate * grad_z1
        self.w_out -= learning_rate * grad_zc @ h1.T
        self.b_out -= learning_rate * grad_zc
"""


@pytest.mark.slow
def test_gradients_are_read_through_a_training_method_that_steps_once_a_call(tmp_path):
    report = check(tmp_path, HYBRID_STEP_PER_CALL, "hybrid.py")
    found = verdicts(report)
    assert {name: found[name] for name in ("dW1", "db1", "dW2", "db2", "update", "predict")} == dict.fromkeys(
        ("dW1", "db1", "dW2", "db2", "update", "predict"), "pass"
    )
    assert report.to_dict()["mapping"]["components"]["dW1"].endswith("read as (old - new) / lr")
    no_relu_on_the_way_out = HYBRID_STEP_PER_CALL.replace("zc = self.w_out @ h1", "zc = self.w_out @ z1")
    broken = verdicts(check(tmp_path, no_relu_on_the_way_out, "broken.py"))
    assert [broken[name] for name in ("dW1", "db1", "dW2", "db2")] == ["fail"] * 4
    assert broken["predict"] == "pass"  # predict is still right: only the training step is broken


ROW_CLASS_LABEL_COLUMNS = """
import numpy as np

class Net:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {"W1": 0.01 * np.random.randn(input_size, hidden_size), "b1": np.zeros(hidden_size),
                       "W2": 0.01 * np.random.randn(hidden_size, output_size), "b2": np.zeros(output_size)}

    def scores(self, X):
        hidden = np.maximum(X @ self.params["W1"] + self.params["b1"], 0)
        return hidden, hidden @ self.params["W2"] + self.params["b2"]

    def train(self, X, Y, num_iters=10, learning_rate=0.1):
        for _ in range(num_iters):
            hidden, z = self.scores(X)
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(X)), Y[:, 0]] -= 1
            p /= len(X)
            dh = (p @ self.params["W2"].T) * (hidden > 0)
            self.params["W2"] -= learning_rate * hidden.T @ p
            self.params["b2"] -= learning_rate * p.sum(axis=0)
            self.params["W1"] -= learning_rate * X.T @ dh
            self.params["b1"] -= learning_rate * dh.sum(axis=0)

    def predict(self, X):
        return np.argmax(self.scores(X)[1], axis=1).reshape(-1, 1)
"""


@pytest.mark.slow
def test_row_code_with_labels_as_a_column_is_given_and_read_them_so(tmp_path):
    report = check(tmp_path, ROW_CLASS_LABEL_COLUMNS, "rows.py")
    found = verdicts(report)
    assert (found["train"], found["predict"]) == ("pass", "pass"), [c.reason for c in report.components]
    assert "integer labels as a column (m, 1)" in report.to_dict()["mapping"]["components"]["train"]


@pytest.mark.slow
def test_an_update_inside_a_training_step_is_judged_by_how_its_step_follows_lr(tmp_path):
    broken_gradients = HYBRID_STEP_PER_CALL.replace("zc = self.w_out @ h1", "zc = self.w_out @ z1")
    update = {c.name: c for c in check(tmp_path, broken_gradients, "grads.py").components}["update"]
    assert update.verdict == "pass" and "whose step halves when lr does" in update.reason
    no_rate = HYBRID_STEP_PER_CALL.replace("self.W1 -= learning_rate * grad_z1 @ x", "self.W1 -= grad_z1 @ x")
    update = {c.name: c for c in check(tmp_path, no_rate, "rate.py").components}["update"]
    assert update.verdict == "fail" and "moves W1 as far at lr=0.25 as at lr=0.5" in update.reason


@pytest.mark.slow
def test_an_accuracy_of_the_data_is_given_the_data_and_must_return_one_number(tmp_path):
    evaluate = "\n    def evaluate(self, X, y):\n        return (self.predict(X) == y).mean()\n"
    found = {c.name: c for c in check(tmp_path, HYBRID_STEP_PER_CALL + evaluate, "evaluate.py").components}
    assert found["accuracy"].verdict == "pass"
    assert found["accuracy"].call.startswith("MLP.evaluate(X, y); on a new MLP holding the params")
    with_loss = evaluate.replace(
        "return (self.predict(X) == y).mean()", "return 0.5, (self.predict(X) == y).mean()"
    )
    found = {c.name: c for c in check(tmp_path, HYBRID_STEP_PER_CALL + with_loss, "loss.py").components}
    assert (
        found["accuracy"].verdict == "unchecked"
        and "returns tuple, not one number" in found["accuracy"].reason
    )


BUILT_EMPTY_THEN_LAYERS_ADDED = """
import numpy as np

def relu(z):
    return np.maximum(0, z)

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / (e.sum(axis=1, keepdims=True) + 1e-8)

funcs = {"relu": relu, "softmax": softmax}

class Layer:
    def __init__(self, n_in, n_out, activation):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.b = np.zeros((1, n_out))
        self.activation = activation

    def forward(self, x):
        self.z = x @ self.W + self.b
        self.a = self.activation(self.z)
        return self.a

class Network:
    def __init__(self):
        self.layers = []

    def add_layer(self, n_in, n_out, activation):
        self.layers.append(Layer(n_in, n_out, funcs[activation]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)

    def backward(self, x, y, lr):
        first, second = self.layers
        delta = (second.a - np.eye(10)[y]) / len(x)
        grad_W2, grad_b2 = first.a.T @ delta, delta.sum(axis=0, keepdims=True)
        delta = (delta @ second.W.T) * (first.z > 0)
        second.W -= lr * grad_W2
        second.b -= lr * grad_b2
        first.W -= lr * x.T @ delta
        first.b -= lr * delta.sum(axis=0, keepdims=True)
"""


@pytest.mark.slow
def test_a_network_built_empty_gets_its_layers_from_its_add_layer_method(tmp_path):
    report = check(tmp_path, BUILT_EMPTY_THEN_LAYERS_ADDED, "built.py")
    found = verdicts(report)
    assert [found[name] for name in DEFAULT_REQUIRED] == ["pass"] * len(DEFAULT_REQUIRED), found
    init = report.to_dict()["mapping"]["components"]["init"]
    assert init.endswith(
        'the layers as add_layer(n_in, n_out, activation) per layer: (784, h, "relu"), (h, 10, "softmax")'
    )
    scalar_bias = BUILT_EMPTY_THEN_LAYERS_ADDED.replace(
        "delta.sum(axis=0, keepdims=True)\n        delta =", "delta.sum()\n        delta ="
    )
    assert verdicts(check(tmp_path, scalar_bias, "scalar.py"))["db2"] == "fail"
