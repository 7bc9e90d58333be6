"""`mnist-ref train` and `evaluate` with a network of the family: options, spec files and their errors;
`check` and `grade` under a spec."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from corpus import VARIANTS, write_variant
from test_cli import QUICK_TRAIN, assert_one_line_error, printed_accuracy, run, write_kaggle_csv

from mnist_ref.model_io import load_model
from mnist_ref.spec import NetworkSpec


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kaggle_csv(tmp_path_factory.mktemp("data") / "train.csv", 300)


def test_a_deeper_tanh_network_with_adam_trains_and_evaluates_as_it_was(
    csv_path: Path, tmp_path: Path
) -> None:
    model = tmp_path / "tanh.npz"
    options = ("--layers", "784,32,16,10", "--activation", "tanh", "--optimizer", "adam", "--beta2", "0.99")
    trained = run(
        "train", "--data", str(csv_path), *QUICK_TRAIN, *options, "--lr", "0.005", "--out", str(model)
    )
    assert trained.exit_code == 0, trained.output
    description = "network: 784-32-16-10, tanh hidden, softmax outputs, cross_entropy, adam"
    assert description in trained.stdout
    assert float(printed_accuracy(trained.stdout).rstrip("%")) > 90
    spec = load_model(model).spec
    assert spec == NetworkSpec(layers=(784, 32, 16, 10), activation="tanh", optimizer="adam", beta2=0.99)

    evaluated = run("evaluate", "--model", str(model), "--data", str(csv_path))
    assert evaluated.exit_code == 0, evaluated.output
    assert f"model: {model} (784-32-16-10, float32, 5 epochs)" in evaluated.stdout
    assert description in evaluated.stdout
    assert printed_accuracy(evaluated.stdout) == printed_accuracy(trained.stdout)


def test_a_spec_file_chooses_the_network_and_options_override_it(csv_path: Path, tmp_path: Path) -> None:
    spec_file = tmp_path / "course.toml"
    spec_file.write_text(
        '[network]\nlayers = [784, 24, 10]\nactivation = "sigmoid"\noutput = "sigmoid"\nloss = "mse"\n'
    )
    model = tmp_path / "nielsen.npz"
    options = ("--spec", str(spec_file), "--l2", "0.01", "--init", "uniform", "--lr", "3")
    trained = run("train", "--data", str(csv_path), *QUICK_TRAIN, *options, "--out", str(model))
    assert trained.exit_code == 0, trained.output
    loaded = load_model(model)
    assert loaded.spec == NetworkSpec(
        layers=(784, 24, 10), activation="sigmoid", output="sigmoid", loss="mse", l2=0.01
    )
    assert loaded.config.init == "uniform" and loaded.config.hidden == 24
    assert np.abs(loaded.params["b1"]).max() > 0  # uniform(-0.5, 0.5) draws the biases too


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (("--output", "sigmoid"), ("loss cross_entropy with sigmoid outputs is impossible", "use mse or")),
        (
            ("--loss", "binary_cross_entropy"),
            ("loss binary_cross_entropy with softmax outputs is impossible",),
        ),
        (("--momentum", "0.5"), ("the network options: momentum applies only to optimizer momentum",)),
        (("--layers", "784,10"), ("layers must be at least 3 positive widths",)),
        (("--layers", "784,ten,10"), ("layers must be widths separated by commas",)),
        (("--layers", "100,16,10"), ("--layers 100,16,10: MNIST needs 784 inputs first, 10 classes last",)),
        (("--hidden", "64", "--activation", "tanh"), ("--hidden is the classic network's width",)),
        (("--optimizer", "adam", "--beta1", "1"), ("beta1 must be in [0, 1), got 1.0",)),
    ],
)
def test_an_impossible_network_is_a_one_line_error(
    options: tuple[str, ...], fragments: tuple, tmp_path
) -> None:
    out = tmp_path / "m.npz"
    assert_one_line_error(run("train", *options, "--out", str(out)), *fragments)
    assert not out.exists()


def test_a_spec_file_without_a_network_table_is_a_one_line_error(tmp_path: Path) -> None:
    spec_file = tmp_path / "course.toml"
    spec_file.write_text("[mapping]\nforward = 'f'\n")
    result = run("train", "--spec", str(spec_file), "--out", str(tmp_path / "m.npz"))
    assert_one_line_error(result, "course.toml has no [network] table")


@pytest.fixture(scope="module")
def correct_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_variant(VARIANTS["classic_correct"], tmp_path_factory.mktemp("target"))


def test_check_under_the_classic_spec_checks_as_without_it(correct_target: Path, tmp_path: Path) -> None:
    spec_file = tmp_path / "course.toml"
    spec_file.write_text('[network]\nlayers = [784, 64, 10]\nactivation = "relu"\nloss = "cross_entropy"\n')
    for options in (("--layers", "784,32,10", "--optimizer", "sgd"), ("--spec", str(spec_file))):
        result = run("check", str(correct_target), "--examples", "2", "--format", "json", *options)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["verdict"] == "PASSED"


def test_check_names_the_network_a_target_is_when_checked_as_another(correct_target: Path) -> None:
    options = ("--layers", "784,64,32,10", "--activation", "tanh", "--format", "json")
    result = run("check", str(correct_target), "--examples", "2", *options)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    forward = next(component for component in report["components"] if component["component"] == "forward")
    assert forward["verdict"] == "fail" and forward["diagnoses"] == ["different_network"]
    assert "its hidden layers are relu, not tanh" in forward["reason"]
    assert "--activation relu" in forward["reason"]
    assert [c["component"] for c in report["components"]][-3:] == ["dW3", "db3", "update"]
    assert report["mapping"]["network"]["checked"].startswith("784-64-32-10, tanh hidden")


def test_grade_under_a_deeper_network_has_a_column_per_layer(correct_target: Path, tmp_path: Path) -> None:
    out = tmp_path / "graded"
    options = ("--layers", "784,64,32,10", "--activation", "tanh", "--out", str(out), "--no-progress")
    result = run("grade", str(correct_target.parent), *options)
    assert result.exit_code == 0, result.output
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    components = ["softmax", "one_hot", "forward", "loss", "dW1", "db1", "dW2", "db2", "dW3", "db3", "update"]
    assert header[6:] == [*components, "diagnoses", "reason"]


def test_check_refuses_an_impossible_network(correct_target: Path) -> None:
    result = run("check", str(correct_target), "--output", "sigmoid")
    assert_one_line_error(result, "loss cross_entropy with sigmoid outputs is impossible")
