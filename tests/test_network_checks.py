"""The checker on networks of the family (conformance.checks.network).

The variant corpus (tests/corpus/variants: correct networks of the family in several styles) is
checked under each file's own spec, where it passes, and under the classic spec, where it is another
network: forward fails with ``different_network`` naming the options that fit it, exit 1. Each
single-bug version (tests/corpus/variant_bugs.py) is flagged in the components it breaks, with the
diagnosis of its bug; the rest keep the correct file's verdicts.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from corpus.variant_bugs import VARIANT_BUGS, VariantBug
from corpus.wild_files import spec_of_options

from conformance.adapters.family import read_grads, read_output
from conformance.adapters.network_operations import written_layer_sizes
from conformance.checks import network, network_probe
from conformance.mapping import MappingError, parse_mapping
from conformance.oracles import bug_models
from conformance.runner import run_checks
from mnist_ref.network import backward_layers, forward_layers
from mnist_ref.spec import CLASSIC, NetworkSpec

VARIANTS = Path(__file__).parent / "corpus" / "variants"
CORRECT = sorted(VARIANTS.glob("*.py"))


def docstring_spec(path: Path) -> NetworkSpec:
    """The spec of a corpus file's ``Spec:`` line (command-line options)."""
    line = re.search(r"^Spec:(.*)$", path.read_text(), re.MULTILINE)
    assert line is not None, f"{path.name} has no Spec: line"
    return spec_of_options(line[1])


def docstring_expected(path: Path) -> dict[str, tuple[str, str | None]]:
    """component -> (verdict, diagnosis) from a corpus file's ``Expected:`` block."""
    block = path.read_text().split("Expected:", 1)[1].split('"""', 1)[0]
    expected = {}
    for line in block.strip().splitlines():
        component, _, verdict = line.strip().partition(":")
        words = verdict.split()
        expected[component] = (words[0], words[1] if len(words) > 1 else None)
    return expected


def test_the_corpus_has_six_correct_variants_and_a_single_bug_version_of_each_variant_bug() -> None:
    assert len(CORRECT) >= 6
    assert {bug.base for bug in VARIANT_BUGS.values()} <= {path.stem for path in CORRECT}
    bugs = {diagnosis for bug in VARIANT_BUGS.values() for diagnosis in bug.fails.values()}
    assert bugs == set(bug_models.DIAGNOSES) | {"scaled"}


def judged(path: Path, spec: NetworkSpec, expected: dict[str, tuple[str, str | None]]) -> None:
    """``path`` checked under ``spec`` gives every ``expected`` verdict and diagnosis."""
    report = run_checks(str(path), spec=spec, examples=3)
    verdicts = {component.name: component for component in report.components}
    for name, (verdict, diagnosis) in expected.items():
        assert verdicts[name].verdict == verdict, f"{name}: {verdicts[name].reason}"
        if diagnosis is not None:
            assert diagnosis in verdicts[name].diagnoses, f"{name}: {verdicts[name].reason}"
    failing = any(verdict == "fail" for verdict, _ in expected.values())
    unchecked = any(
        verdict == "unchecked" and name in report.required for name, (verdict, _) in expected.items()
    )
    assert report.exit_code == (1 if failing else 3 if unchecked else 0), [
        c.reason for c in report.components
    ]


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_a_variant_under_its_own_spec_is_judged_as_its_docstring_says(path: Path) -> None:
    judged(path, docstring_spec(path), docstring_expected(path))


@pytest.mark.parametrize("bug", VARIANT_BUGS.values(), ids=lambda bug: bug.name)
def test_each_variant_bug_is_flagged_where_it_is_with_its_diagnosis(bug: VariantBug, tmp_path: Path) -> None:
    base = VARIANTS / f"{bug.base}.py"
    failing = {name: ("fail", diagnosis) for name, diagnosis in bug.fails.items()}
    judged(bug.write(tmp_path), docstring_spec(base), {**docstring_expected(base), **failing})


def test_a_two_layer_backward_taking_an_l2_strength_gets_the_spec_s(tmp_path: Path) -> None:
    """The classic notebook's backward_prop with a required ``reg`` (reg / m * W added to dW): the two-layer
    adapter gives it the checked network's L2 strength, not the classic network's 0."""
    source = (Path(__file__).parent / "corpus" / "classic.py").read_text()
    for old, new in [
        ("W1, W2, X, Y):", "W1, W2, X, Y, reg):"),
        ("    dW2 = 1 / m * dZ2.dot(A1.T)\n", "    dW2 = 1 / m * dZ2.dot(A1.T) + reg / m * W2\n"),
        ("    dW1 = 1 / m * dZ1.dot(X.T)\n", "    dW1 = 1 / m * dZ1.dot(X.T) + reg / m * W1\n"),
    ]:
        assert source.count(old) == 1
        source = source.replace(old, new)
    target = tmp_path / "l2_notebook.py"
    target.write_text(source)
    expected = {name: ("pass", None) for name in ("forward", "dW1", "db1", "dW2", "db2", "update")}
    judged(target, NetworkSpec(l2=0.7), expected)


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_a_correct_variant_under_the_classic_spec_is_another_network(path: Path) -> None:
    spec = docstring_spec(path)
    report = run_checks(str(path), examples=3)
    forward = next(component for component in report.components if component.name == "forward")
    assert forward.verdict == "fail" and "different_network" in forward.diagnoses, forward.reason
    for what, option in network_probe.differences(spec, CLASSIC):
        if not option.startswith("--loss"):  # a loss is probed from a loss function, which not all have
            assert what in forward.reason and option in forward.reason
    assert report.exit_code == 1
    probed = report.mapping.get("network")  # absent where the two-layer checks alone tell (tanh_two_layer)
    assert probed["checked"] == CLASSIC.describe() if probed else forward.reason.startswith("forward.values")


def test_a_network_with_l2_and_adam_is_named_with_the_options_that_fit_it() -> None:
    report = run_checks(str(VARIANTS / "l2_adam_two_layer.py"), examples=3)
    forward = next(component for component in report.components if component.name == "forward")
    assert "--l2 LAMBDA" in forward.reason and "--optimizer adam" in forward.reason


def test_spec_checks_name_every_layer_and_require_forward_gradients_and_update() -> None:
    spec = NetworkSpec(layers=(784, 32, 16, 8, 10), activation="tanh")
    assert network.components(spec) == (
        "softmax", "one_hot", "forward", "loss", "dW1", "db1", "dW2", "db2", "dW3", "db3", "dW4", "db4",
        "update",
    )  # fmt: skip
    relu_sigmoid = NetworkSpec(layers=(784, 8, 10), output="sigmoid", loss="mse")
    assert network.components(relu_sigmoid)[:3] == ("relu", "relu_grad", "one_hot")
    assert {check.component for check in network.elementwise_checks(relu_sigmoid)} == {
        "relu",
        "relu_grad",
        "one_hot",
    }
    assert network.required(spec) == (
        "forward",
        "dW1",
        "db1",
        "dW2",
        "db2",
        "dW3",
        "db3",
        "dW4",
        "db4",
        "update",
    )
    ids = [check.id for check in network.network_checks(spec)]
    assert {"dW4.values", "dW4.autograd", "dW4.finite_diff", "update.step", "forward.network"} <= set(ids)
    assert network.is_classic(NetworkSpec(layers=(784, 32, 10))) and not network.is_classic(spec)


def test_differences_name_each_option_that_would_check_the_target_as_it_is() -> None:
    found = NetworkSpec(layers=(784, 64, 32, 10), activation="sigmoid", output="sigmoid", loss="mse")
    listed = network_probe.differences(found, CLASSIC)
    assert [option for _, option in listed] == [
        "--layers 784,64,32,10", "--activation sigmoid", "--output sigmoid", "--loss mse",
    ]  # fmt: skip
    assert listed[0][0] == "it has 3 layers (784-64-32-10), not 2"
    assert network_probe.differences(CLASSIC, CLASSIC) == []
    assert network_probe.differences(CLASSIC, CLASSIC, "lambd")[0][1] == "--l2 LAMBDA"


def test_each_gradient_bug_model_differs_from_the_right_gradients_where_it_should() -> None:
    spec = NetworkSpec(layers=(784, 16, 8, 10), activation="sigmoid", l2=0.1)
    batch = network_probe.make_batch(spec.layers, 5, 0)
    cache = forward_layers(spec, batch.params, batch.X)
    right = backward_layers(spec, batch.params, cache, batch.X, batch.y)
    models = bug_models.gradient_bugs(spec, batch.params, cache, batch.X, batch.y, right)
    changed = {
        code: {name for name in right if not np.allclose(model[name], right[name])}
        for code, model in models.items()
    }
    assert changed == {
        "derivative_at_activation": {"dW1", "db1", "dW2", "db2"},
        "l2_missing": {"dW1", "dW2", "dW3"},
        "l2_doubled": {"dW1", "dW2", "dW3"},
        "bias_decayed": {"db1", "db2", "db3"},
    }
    assert np.allclose(models["l2_doubled"]["dW2"] - right["dW2"], right["dW2"] - models["l2_missing"]["dW2"])
    assert bug_models.gradient_bugs(CLASSIC, batch.params, cache, batch.X, batch.y, right) == {}


def test_update_bug_models_are_those_of_the_spec_optimizer() -> None:
    params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.full((2, 3), 0.5), "db1": np.full((2, 1), -1.0)}
    momentum = bug_models.update_bugs(NetworkSpec(optimizer="momentum"), params, [grads, grads], 0.1)
    assert np.allclose(momentum["momentum_on_gradient"]["W1"], 1 - 2 * 0.1 * 0.5)
    adam = bug_models.update_bugs(NetworkSpec(optimizer="adam"), params, [grads], 0.1)
    # one uncorrected step: m = 0.1 g, v = 0.001 g^2, so the step is lr * 0.1 g / (sqrt(0.001) |g|)
    assert np.allclose(adam["no_bias_correction"]["W1"], 1 - 0.1 * 0.1 / np.sqrt(0.001), rtol=1e-6)
    assert bug_models.update_bugs(CLASSIC, params, [grads], 0.1) == {}


def test_outputs_and_gradients_are_read_from_the_usual_returns() -> None:
    AL = np.ones((10, 2))
    assert read_output((AL, [("cache",)]), 2) is AL
    assert read_output((np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((10, 2)), AL), 2) is AL
    assert read_output({"A3": AL, "Z3": np.zeros((10, 2))}, 3) is AL
    grads = read_grads({"dW1": 1, "db_1": 2, "dA1": 3, "dw2": 4}, 2)
    assert grads == {"dW1": 1, "db1": 2, "dW2": 4}


def test_the_layer_sizes_a_target_writes_down_are_found() -> None:
    import ast

    trees = [ast.parse("layers_dims = [784, 20, 7, 5, 10]\nshape = (784, 1)\nother = [784, 10]")]
    assert written_layer_sizes(trees, {"LAYERS": (784, 64, 10), "x": [1, 2, 3]}) == [
        [784, 20, 7, 5, 10],
        [784, 64, 10],
    ]


def test_a_mapping_file_network_table_is_read_and_checked() -> None:
    mapping = parse_mapping({"network": {"layers": [784, 64, 32, 10], "activation": "tanh"}}, "m.toml")
    assert mapping.network == NetworkSpec(layers=(784, 64, 32, 10), activation="tanh")
    with pytest.raises(MappingError, match=r"m.toml: \[network\]: loss cross_entropy with sigmoid outputs"):
        parse_mapping({"network": {"output": "sigmoid"}}, "m.toml")
