"""The mapping file: parsing and its one-line errors, how adapters follow it, --config and --show-mapping."""

from __future__ import annotations

import sys
import textwrap
import tomllib

import numpy as np
import pytest
from click.testing import CliRunner
from corpus import BASES, VARIANTS, write_variant

import mnist_ref
from conformance.adapters import discover
from conformance.adapters.choices import ComponentChoice, TargetMapping
from conformance.adapters.names import OPERATIONS
from conformance.cli import check_command
from conformance.loading import load_target
from conformance.mapping import MappingError, load_mapping, parse_mapping, render_mapping
from conformance.runner import describe_target, run_checks
from conformance.sandbox.protocol import NotProvided, TargetLoadError

UNGUESSABLE = """
import numpy as np


def setup(n_a, n_b, n_c):
    return {"W1": np.random.randn(n_b, n_a) * 0.05, "b1": np.zeros((n_b, 1)),
            "W2": np.random.randn(n_c, n_b) * 0.05, "b2": np.zeros((n_c, 1))}


def squash(v):
    return np.maximum(v, 0)


def squash_slope(v):
    return (v > 0) * 1.0


def normalise(v):
    e = np.exp(v - v.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def encode(t):
    return np.eye(10)[:, t]


def forward(a, b):
    h_pre = b["W1"] @ a + b["b1"]
    h = squash(h_pre)
    o_pre = b["W2"] @ h + b["b2"]
    return h_pre, h, o_pre, normalise(o_pre)


def score(o, t):
    return -np.mean(np.log(o[t, np.arange(t.size)]))


def grads_of(b, a, t, h_pre, h, o):
    n = a.shape[1]
    d_out = (o - encode(t)) / n
    d_hid = b["W2"].T @ d_out * squash_slope(h_pre)
    return d_hid @ a.T, d_hid.sum(axis=1, keepdims=True), d_out @ h.T, d_out.sum(axis=1, keepdims=True)


def nudge(b, g, step):
    return {key: b[key] - step * g["d" + key] for key in b}


def pick(o):
    return o.argmax(axis=0)


def hit_rate(guesses, t):
    return np.mean(guesses == t)


def loop(a, t, step, rounds):
    b = setup(a.shape[0], 16, 10)
    for _ in range(rounds):
        h_pre, h, o_pre, o = forward(a, b)
        b = nudge(b, dict(zip(("dW1", "db1", "dW2", "db2"), grads_of(b, a, t, h_pre, h, o))), step)
    return b
"""

UNGUESSABLE_MAPPING = """
# forward(a, b) takes X first: by the usual order it would get the parameters first
[components]
init = { function = "setup", args = ["n_in", "hidden", "n_out"] }
relu = "squash"
relu_grad = "squash_slope"
softmax = "normalise"
one_hot = "encode"
forward = { function = "forward", args = ["X", "params"], returns = ["Z1", "A1", "Z2", "A2"] }
loss = { function = "score", args = ["A2", "Y"] }
backward = { function = "grads_of", args = ["params", "X", "Y", "Z1", "A1", "A2"] }
update = { function = "nudge", args = ["params", "grads", "lr"] }
predict = { function = "pick", args = ["A2"] }
accuracy = { function = "hit_rate", args = ["predictions", "Y"] }
train = { function = "loop", args = ["X", "Y", "lr", "steps"] }
"""


@pytest.fixture
def restore_sys_path(monkeypatch):
    """load_target puts the target's folder first on sys.path: undo it after the test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def write(folder, name: str, text: str):
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def parsed(text: str) -> TargetMapping:
    return parse_mapping(tomllib.loads(textwrap.dedent(text)), "m.toml")


# -- the file --------------------------------------------------------------------------------------


def test_a_full_mapping_file_is_parsed():
    mapping = parsed("""
        layout = "row"
        [class]
        name = "MLP"
        learning_rate_attribute = "eta"
        [components]
        forward = "MLP.forward"
        backward = { function = "MLP.grads", args = ["X", "Y"], returns = ["dW1", "_", "dW2", "db2"] }
        loss = false
        one_hot = { function = "encode", args = ["Y", "_"] }
    """)
    assert mapping == TargetMapping(
        "m.toml",
        "row",
        {
            "forward": ComponentChoice("MLP.forward"),
            "backward": ComponentChoice("MLP.grads", ("X", "Y"), ("dW1", "_", "dW2", "db2")),
            "loss": ComponentChoice(None),
            "one_hot": ComponentChoice("encode", ("Y", "_")),
        },
        "MLP",
        "eta",
    )
    assert mapping.components["one_hot"].roles == ("Y", None)
    assert mapping.components["forward"].class_name == "MLP"
    assert mapping.components["forward"].method == "forward"


def test_an_empty_mapping_file_fixes_nothing():
    assert parsed("") == TargetMapping("m.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'layout = "rows"',
            'm.toml: layout = "rows": use "column" (X is (784, m)), "row" (X is (m, 784)) '
            'or "hybrid" (X is (m, 784), W1 is (h, 784))',
        ),
        (
            'lay_out = "row"',
            "m.toml: lay_out: unknown key; allowed: layout, class, components, required, network,"
            " allowed_imports",
        ),
        (
            '[components]\ndW1 = "grads"',
            "m.toml: components.dW1: not a component (dW1, db1, dW2 and db2 all come from backward); "
            "use one of " + ", ".join(OPERATIONS),
        ),
        (
            "[components]\nforward = 3",
            'm.toml: components.forward: use a function name ("my_forward", "MLP.forward"), false, '
            'or a table { function = "...", args = [...] }',
        ),
        (
            '[components]\nforward = "my forward"',
            'm.toml: components.forward.function: "my forward" is not a function name '
            '("name" or "ClassName.method")',
        ),
        (
            '[components]\nforward = { args = ["X"] }',
            'm.toml: components.forward: the table needs a function = "..." key',
        ),
        (
            '[components]\nforward = { function = "f", arg = ["X"] }',
            "m.toml: components.forward.arg: unknown key; allowed: function, args, returns",
        ),
        (
            '[components]\nbackward = { function = "g", args = ["X", "labels"] }',
            'm.toml: components.backward.args[1]: "labels" is not allowed; use one of Z1, A1, Z2, A2, cache, '
            "params, W1, b1, W2, b2, X, Y, Y_onehot, m, lr, loss_function, l2, _",
        ),
        (
            '[components]\nbackward = { function = "g", args = "X" }',
            'm.toml: components.backward.args: use a list of names, e.g. ["Z1", ...]',
        ),
        (
            '[components]\nrelu = { function = "r", returns = ["Z"] }',
            "m.toml: components.relu.returns: relu returns one value: there is nothing to name",
        ),
        ('[class]\nname = "2MLP"', 'm.toml: class.name = "2MLP": expected a Python name'),
        ("[class]\nlr = 0.1", "m.toml: class.lr: unknown key; allowed: name, learning_rate_attribute"),
        ("class = 3", "m.toml: class: expected a table ([class])"),
        (
            '[components]\nforward = "A.forward"\nbackward = "B.backward"',
            'm.toml: components.backward: "B.backward" is a method of B, but the network class is A: '
            "use one class",
        ),
    ],
)
def test_each_mistake_is_one_line_naming_the_key_and_what_is_allowed(text, message):
    with pytest.raises(MappingError) as error:
        parsed(text)
    assert str(error.value) == message


def test_a_file_that_is_not_toml_or_not_there_says_so(tmp_path):
    with pytest.raises(
        MappingError, match=r"^.*broken\.toml: not valid TOML: Invalid value \(at line 1, column 10\)$"
    ):
        load_mapping(write(tmp_path, "broken.toml", "layout = \n"))
    with pytest.raises(
        MappingError, match=r"missing\.toml: cannot read the mapping file: No such file or directory$"
    ):
        load_mapping(tmp_path / "missing.toml")


# -- adapters follow it ----------------------------------------------------------------------------


def test_an_unguessable_target_is_driven_as_the_mapping_file_says(tmp_path, restore_sys_path):
    module = load_target(str(write(tmp_path, "unguessable.py", UNGUESSABLE)))
    unmapped = discover(module).describe()
    assert set(unmapped["missing"]) >= {"init", "relu", "loss", "dW1", "update", "train"}
    assert unmapped["components"]["forward"].startswith("forward(a=params, b=X)")  # the usual order: wrong

    adapter = discover(module, parsed(UNGUESSABLE_MAPPING))
    assert adapter.describe()["missing"] == {}
    rng = np.random.default_rng(0)
    params = mnist_ref.init_params(784, 4, 10, seed=rng)
    X, y = rng.uniform(0, 1, (784, 5)), rng.integers(0, 10, 5)
    cache = mnist_ref.forward(params, X)
    np.testing.assert_allclose(adapter.forward(params, X)["A2"], cache.A2)
    expected = mnist_ref.backward(params, cache, X, y)
    got = adapter.backward(params, X, y, cache)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name])


def test_a_target_with_unguessable_names_passes_only_with_its_mapping_file(tmp_path):
    target = str(write(tmp_path, "unguessable.py", UNGUESSABLE))
    config = str(write(tmp_path, "mapping.toml", UNGUESSABLE_MAPPING))

    without = run_checks(target, examples=3, timeout=3.0)
    with_config = run_checks(target, examples=3, timeout=3.0, config=config)

    assert not without.passed
    assert {e.status for e in without.checks if e.component == "forward" and not e.side} == {"error"}
    assert without.counts()["skip"] > 20
    assert with_config.passed
    assert with_config.counts()["pass"] == len(with_config.checks)


def test_a_component_set_to_false_is_skipped_with_the_reason(tmp_path, restore_sys_path):
    module = load_target(str(BASES["classic"].path))
    adapter = discover(module, parsed("[components]\npredict = false"))
    assert adapter.describe()["missing"]["predict"] == "not checked: m.toml sets predict = false"
    with pytest.raises(NotProvided, match="not checked"):
        adapter.predict({}, np.zeros((784, 1)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[components]\nforward = "fwd"',
            "m.toml: components.forward: the target has no function `fwd` "
            "(it has: init_params, ReLU, softmax, ",
        ),
        (
            '[components]\nforward = { function = "forward_prop", args = ["X"] }',
            "m.toml: components.forward: 1 role given for the 5 parameters of "
            "forward_prop(W1, b1, W2, b2, X)",
        ),
        (
            '[components]\nforward = { function = "forward_prop", args = ["X", "W1", "b1", "W2", "_"] }',
            "m.toml: components.forward: `X` of forward_prop(W1, b1, W2, b2, X) has no default value: "
            "give it a role",
        ),
        ('[class]\nname = "MLP"', "m.toml: class.name: the target has no class `MLP` (it has: none)"),
        (
            '[components]\nbackward = "NeuralNetwork.backward"',
            "m.toml: class.name: the target has no class `NeuralNetwork` (it has: none)",
        ),
    ],
)
def test_a_mapping_that_does_not_fit_the_target_is_a_load_error(text, message, restore_sys_path):
    module = load_target(str(BASES["classic"].path))
    with pytest.raises(TargetLoadError) as error:
        discover(module, parsed(text))
    assert str(error.value).startswith(message)


def test_a_method_the_class_lacks_is_named_with_the_methods_it_has(restore_sys_path):
    module = load_target(str(BASES["class_style"].path))
    with pytest.raises(
        TargetLoadError, match=r"^m\.toml: components\.backward: the target has no method `grads` in "
    ):
        discover(module, parsed('[components]\nbackward = "NeuralNetwork.grads"'))


def test_the_learning_rate_attribute_can_be_named(restore_sys_path):
    module = load_target(str(BASES["class_applies_update"].path))
    named = discover(module, parsed('[class]\nlearning_rate_attribute = "eta"'))
    assert named.found_mapping()["class"] == {"name": "MLP", "learning_rate_attribute": "eta"}


# -- --config and --show-mapping -----------------------------------------------------------------


def show_mapping(*arguments: str) -> str:
    result = CliRunner().invoke(check_command, [*arguments, "--show-mapping"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("base", ["class_applies_update", "layers_list", "classic_notebook", "row_layout"])
def test_show_mapping_round_trips(base, tmp_path):
    target = str(write_variant(VARIANTS[f"{base}_correct"], tmp_path))
    shown = show_mapping(target)
    config = write(tmp_path, "mapping.toml", shown)

    shown_again = show_mapping(target, "--config", str(config))

    assert tomllib.loads(shown) == tomllib.loads(shown_again) == describe_target(target)["mapping"]
    first, second = shown.splitlines(), shown_again.splitlines()
    layout_comment = first.index(f"layout = {tomllib.loads(shown)['layout']!r}".replace("'", '"')) - 1
    assert [index for index, (a, b) in enumerate(zip(first, second, strict=True)) if a != b] == [
        layout_comment
    ]
    assert second[layout_comment].endswith(f"; set in {config}")


def test_show_mapping_explains_each_component_in_comments_and_runs_no_check(tmp_path):
    target = str(write_variant(VARIANTS["class_applies_update_correct"], tmp_path))
    shown = show_mapping(target)
    lines = shown.splitlines()
    assert lines[0].startswith(f"# Mapping file for `mnist-ref check {target}`")
    assert 'layout = "row"' in lines
    assert lines[lines.index('layout = "row"') - 1] == (
        "# row: X (m, 784), W1 (784, h), biases (1, h), one-hot labels (m, 10); "
        "the target's init returns W1 of shape (784, 10)"
    )
    assert "# update: not found (MLP.backward applies the update itself: there is no separate update" in shown
    backward = lines.index('backward = { function = "MLP.backward", args = ["X", "Y"] }')
    assert lines[backward - 1].startswith("# MLP.backward(X, y); on a new MLP holding the params")
    assert "PASSED" not in shown and "FAILED" not in shown


def test_mapping_data_for_every_base_renders_as_toml_that_parses_back(tmp_path):
    for base in BASES.values():
        target = str(write_variant(VARIANTS[f"{base.name}_correct"], tmp_path))
        description = describe_target(target)
        text = render_mapping(description, target)
        assert tomllib.loads(text) == description["mapping"]
        parse_mapping(tomllib.loads(text), "shown.toml")


def test_a_bad_config_is_a_one_line_error_and_exit_code_2(tmp_path):
    config = write(
        tmp_path, "mapping.toml", '[components]\nbackward = { function = "g", args = ["X", "labels"] }\n'
    )
    result = CliRunner().invoke(check_command, [str(BASES["classic"].path), "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f'Error: {config}: components.backward.args[1]: "labels" is not allowed; use one of Z1, A1, Z2, A2, '
        "cache, params, W1, b1, W2, b2, X, Y, Y_onehot, m, lr, loss_function, l2, _"
    ]


def test_a_config_naming_a_missing_function_cannot_load_the_target(tmp_path):
    config = write(tmp_path, "mapping.toml", '[components]\nforward = "fwd"\n')
    result = CliRunner().invoke(
        check_command, [str(BASES["classic"].path), "--config", str(config), "--show-mapping"]
    )
    assert result.exit_code == 2
    assert result.output.startswith(
        f"Error: cannot load the target: {config}: components.forward: the target has no"
    )
    assert len(result.output.strip().splitlines()) == 1


def test_a_class_named_only_as_the_init_is_the_network(tmp_path, restore_sys_path):
    module = load_target(
        str(
            write(
                tmp_path,
                "odd_class.py",
                """
                import numpy as np

                class Net:
                    def __init__(self, n_in, n_hidden, n_out):
                        self.W1, self.b1 = np.ones((n_hidden, n_in)), np.zeros((n_hidden, 1))
                        self.W2, self.b2 = np.ones((n_out, n_hidden)), np.zeros((n_out, 1))

                    def run(self, X):
                        return self.W2 @ np.maximum(self.W1 @ X + self.b1, 0) + self.b2
                """,
            )
        )
    )
    assert discover(module).style == "functional"  # no forward and backward methods: not found
    adapter = discover(
        module, parsed('[components]\ninit = "Net"\nforward = { function = "Net.run", returns = ["Z2"] }')
    )
    assert adapter.style == "class"
    assert adapter.init(784, 3, 10)["W1"].shape == (3, 784)
    case_params = mnist_ref.init_params(784, 3, 10, seed=0)
    X = np.ones((784, 2))
    np.testing.assert_allclose(adapter.forward(case_params, X)["Z2"], mnist_ref.forward(case_params, X).Z2)


def test_a_mapping_file_may_name_a_function_the_target_imports(tmp_path, restore_sys_path):
    write(
        tmp_path,
        "helpers_for_mapping.py",
        "import numpy as np\n\ndef rectify(v):\n    return np.maximum(v, 0)\n",
    )
    module = load_target(str(write(tmp_path, "uses_helpers.py", "from helpers_for_mapping import rectify\n")))
    adapter = discover(module, parsed('[components]\nrelu = "rectify"'))
    np.testing.assert_array_equal(adapter.relu(np.array([-1.0, 2.0])), [0.0, 2.0])


def test_required_names_the_components_a_pass_needs(tmp_path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('required = ["forward", "loss"]\n')
    assert load_mapping(path).required == ("forward", "loss")
    path.write_text('required = "all"\n')
    assert "train" in load_mapping(path).required
    path.write_text('required = ["forwards"]\n')
    with pytest.raises(MappingError, match="required: unknown component 'forwards'"):
        load_mapping(path)
