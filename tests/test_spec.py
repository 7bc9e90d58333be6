"""The network spec: its defaults, its one-line errors, and reading it from a [network] table or options."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from strategies import specs

from mnist_ref.spec import CLASSIC, NetworkSpec, SpecError, load_spec, read_spec_file, spec_from_table


def test_the_default_spec_is_the_classic_network() -> None:
    assert NetworkSpec() == CLASSIC
    assert CLASSIC.layers == (784, 128, 10) and CLASSIC.depth == 2
    assert CLASSIC.param_names == ("W1", "b1", "W2", "b2")
    assert CLASSIC.describe() == "784-128-10, relu hidden, softmax outputs, cross_entropy, sgd"


def test_numpy_widths_are_widths() -> None:
    spec = NetworkSpec(layers=np.array([784, 64, 10]))
    assert spec.layers == (784, 64, 10) and spec.to_table()["layers"] == [784, 64, 10]
    assert all(type(width) is int for width in spec.to_table()["layers"])


def test_a_deeper_spec_names_every_layer() -> None:
    spec = NetworkSpec(layers=[784, 256, 128, 10], activation="leaky_relu", leaky_slope=0.1, l2=1e-4)
    assert spec.layers == (784, 256, 128, 10) and spec.depth == 3
    assert spec.param_names == ("W1", "b1", "W2", "b2", "W3", "b3")
    assert spec.describe() == (
        "784-256-128-10, leaky_relu (slope 0.1) hidden, softmax outputs, cross_entropy, l2 0.0001, sgd"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"output": "softmax", "loss": "binary_cross_entropy"},
         "loss binary_cross_entropy with softmax outputs is impossible: it scores each class as its own"
         " yes/no, which softmax outputs (tied to sum to 1) are not; use cross_entropy or mse"),
        ({"output": "sigmoid", "loss": "cross_entropy"},
         "loss cross_entropy with sigmoid outputs is impossible: it only raises the true class's output, and"
         " sigmoid outputs (not tied to sum to 1) would all drift to 1; use mse or binary_cross_entropy"),
        ({"layers": (784, 10)}, "layers must be at least 3 positive widths (input, hidden..., output), got"
         " (784, 10)"),
        ({"layers": (784, 0, 10)}, "layers must be at least 3 positive widths"),
        ({"layers": (784, 12.5, 10)}, "layers must be at least 3 positive widths"),
        ({"layers": (784, True, 10)}, "layers must be at least 3 positive widths"),
        ({"activation": "gelu"}, "activation must be one of relu, leaky_relu, sigmoid, tanh; got 'gelu'"),
        ({"output": "linear"}, "output must be one of softmax, sigmoid; got 'linear'"),
        ({"loss": "hinge"}, "loss must be one of cross_entropy, mse, binary_cross_entropy; got 'hinge'"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, momentum, adam; got 'rmsprop'"),
        ({"activation": "leaky_relu", "leaky_slope": 0.0}, "leaky_slope must be in (0, 1), got 0.0"),
        ({"l2": -1e-3}, "l2 must be in [0, inf), got -0.001"),
        ({"l2": True}, "l2 must be in [0, inf), got True"),
        ({"optimizer": "momentum", "momentum": 1.0}, "momentum must be in [0, 1), got 1.0"),
        ({"optimizer": "adam", "beta2": -0.1}, "beta2 must be in [0, 1), got -0.1"),
        ({"optimizer": "adam", "epsilon": 0}, "epsilon must be in (0, inf), got 0"),
        ({"momentum": 0.5}, "momentum applies only to optimizer momentum"),
        ({"optimizer": "momentum", "epsilon": 1e-3}, "epsilon applies only to optimizer adam"),
    ],
)  # fmt: skip
def test_an_impossible_spec_is_a_one_line_error(changes: dict, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)) as caught:
        NetworkSpec(**changes)
    assert "\n" not in str(caught.value)


@given(specs())
def test_a_spec_survives_its_own_table(spec: NetworkSpec) -> None:
    table = spec.to_table()
    assert spec_from_table(table) == spec
    assert ("momentum" in table) == (spec.optimizer == "momentum")
    assert ("beta1" in table) == (spec.optimizer == "adam")
    assert ("leaky_slope" in table) == (spec.activation == "leaky_relu")


def test_a_table_may_give_the_layers_as_text_and_leave_keys_out() -> None:
    table = {"layers": "784,64,32,10", "activation": "tanh", "optimizer": "adam", "beta2": 0.99}
    spec = spec_from_table(table)
    assert spec == replace(CLASSIC, layers=(784, 64, 32, 10), activation="tanh", optimizer="adam", beta2=0.99)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"hidden": 64}, "course.toml: unknown key 'hidden'; the keys are layers, activation, leaky_slope,"),
        ({"optimizer": "adam", "momentum": 0.5}, "course.toml: momentum applies only to optimizer momentum"),
        ({"beta1": 0.5}, "course.toml: beta1 applies only to optimizer adam"),
        ({"leaky_slope": 0.2}, "course.toml: leaky_slope applies only to activation leaky_relu"),
        ({"layers": "784,,10"}, "layers must be widths separated by commas, like 784,128,10; got '784,,10'"),
        ({"layers": 784}, "course.toml: layers must be a list of widths, like [784, 128, 10]"),
        ({"output": "sigmoid"}, "course.toml: loss cross_entropy with sigmoid outputs is impossible"),
    ],
)
def test_a_wrong_table_says_where_and_what(table: dict, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        spec_from_table(table, "course.toml")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(text)
    return path


def test_a_spec_file_is_read_from_its_network_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[network]\nlayers = [784, 30, 10]\nactivation = "sigmoid"\noutput = "sigmoid"\nloss = "mse"\n'
        "[other]\nignored = 1\n",
    )
    spec = load_spec(path, {"activation": None, "l2": None})
    assert spec == replace(CLASSIC, layers=(784, 30, 10), activation="sigmoid", output="sigmoid", loss="mse")


def test_options_given_override_the_spec_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[network]\nlayers = [784, 30, 10]\noptimizer = "momentum"\nmomentum = 0.5\n')
    assert load_spec(path, {"momentum": 0.8, "l2": 0.1}).momentum == 0.8
    with pytest.raises(SpecError, match=re.escape(f"{path} with the options given: momentum applies only")):
        load_spec(path, {"optimizer": "adam"})


def test_options_alone_make_a_spec() -> None:
    assert load_spec(None, {"layers": "784,10,10", "loss": None}).layers == (784, 10, 10)
    with pytest.raises(SpecError, match=re.escape("the network options: loss cross_entropy with sigmoid")):
        load_spec(None, {"output": "sigmoid"})
    with pytest.raises(SpecError, match=re.escape("the network options: momentum applies only to optimizer")):
        load_spec(None, {"output": "sigmoid", "loss": "mse", "optimizer": "sgd", "momentum": 0.9})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[network\n", "course.toml is not valid TOML"),
        ("[course]\nlayers = [784, 10, 10]\n", "course.toml has no [network] table"),
        ("network = 3\n", "course.toml has no [network] table"),
    ],
)
def test_a_spec_file_without_a_network_table_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        read_spec_file(write(tmp_path, text))


def test_a_missing_spec_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"cannot read the spec file .*absent\.toml"):
        read_spec_file(tmp_path / "absent.toml")
