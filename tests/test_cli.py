"""The mnist-ref command line, run in-process with click's CliRunner on a small synthetic Kaggle CSV."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from mnist_ref.model_io import TrainedModel, save_model
from mnist_ref.network import init_params
from mnist_ref.plots import PLOT_FILE_NAMES, choose_samples, sample_grid_title, sample_predictions_figure
from mnist_ref.training import TrainConfig
from mnist_ref_cli.commands import main

ROWS = 300
QUICK_TRAIN = ("--epochs", "5", "--batch-size", "16", "--no-progress")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_kaggle_csv(path: Path, rows: int, seed: int = 0) -> Path:
    """A Kaggle-style train.csv (header label,pixel0..pixel783) of digits that are easy to tell apart.

    Digit d is a bright band across image rows 2d+4 and 2d+5 over faint noise,
    so a few epochs of training separate the classes.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(rows) % 10
    images = rng.integers(0, 60, size=(rows, 28, 28))
    for image, label in zip(images, labels, strict=True):
        image[2 * label + 4 : 2 * label + 6, 4:24] = rng.integers(180, 256, size=(2, 20))
    table = np.column_stack([labels, images.reshape(rows, 784)])
    header = "label," + ",".join(f"pixel{i}" for i in range(784))
    np.savetxt(path, table, fmt="%d", delimiter=",", header=header, comments="")
    return path


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kaggle_csv(tmp_path_factory.mktemp("data") / "train.csv", ROWS)


@pytest.fixture(scope="module")
def trained(csv_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """A model trained by `mnist-ref train` on the CSV, and the command's result."""
    model = tmp_path_factory.mktemp("model") / "model.npz"
    result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--out", str(model))
    return model, result


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def printed_accuracy(output: str) -> str:
    """The percentage in the output's "test accuracy: 97.50% (...)" line."""
    match = re.search(r"test accuracy: ([\d.]+%)", output)
    assert match, output
    return match.group(1)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """Exit status 2, no traceback, and an "Error:" line that contains every fragment."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in error_lines[0]


def test_train_reports_progress_test_accuracy_and_saves_the_model(trained: tuple[Path, Result]) -> None:
    model, result = trained
    assert result.exit_code == 0, result.output
    assert model.is_file()
    epoch_lines = re.findall(r"^epoch \d/5  loss [\d.]+  train [\d.]+%  dev [\d.]+%$", result.stdout, re.M)
    assert len(epoch_lines) == 5
    assert float(printed_accuracy(result.stdout).rstrip("%")) > 90
    assert "of 50 held-out digits" in result.stdout
    assert f"model saved to {model}" in result.stdout


def test_evaluate_reproduces_the_test_accuracy_with_tables(trained: tuple[Path, Result], csv_path) -> None:
    model, train_result = trained
    result = run("evaluate", "--model", str(model), "--data", str(csv_path))
    assert result.exit_code == 0, result.output
    assert printed_accuracy(result.stdout) == printed_accuracy(train_result.stdout)
    assert "Accuracy per digit" in result.stdout
    assert "Confusion matrix" in result.stdout
    per_class_rows = re.findall(r"^\W+(\d)\W+5\W+(\d)\W+([\d.]+%)", result.stdout, re.M)
    assert [row[0] for row in per_class_rows] == [str(digit) for digit in range(10)]


def test_standardized_model_evaluates_like_it_trained(csv_path: Path, tmp_path: Path) -> None:
    model = tmp_path / "standardized.npz"
    trained = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--standardize", "--out", str(model))
    assert trained.exit_code == 0, trained.output
    evaluated = run("evaluate", "--model", str(model), "--data", str(csv_path))
    assert evaluated.exit_code == 0, evaluated.output
    assert printed_accuracy(evaluated.stdout) == printed_accuracy(trained.stdout)


def test_same_seed_gives_the_same_model_file_contents(csv_path: Path, tmp_path: Path) -> None:
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for path in paths:
        result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--seed", "7", "--out", str(path))
        assert result.exit_code == 0, result.output
    with np.load(paths[0]) as first, np.load(paths[1]) as second:
        for name in first.files:
            np.testing.assert_array_equal(first[name], second[name])


def assert_pngs(directory: Path) -> None:
    for name in PLOT_FILE_NAMES:
        content = (directory / name).read_bytes()
        assert content.startswith(PNG_MAGIC) and len(content) > 5000, name


def test_train_and_evaluate_write_the_plots(trained: tuple[Path, Result], csv_path, tmp_path: Path) -> None:
    model, _ = trained
    result = run("evaluate", "--model", str(model), "--data", str(csv_path), "--plots", str(tmp_path / "ev"))
    assert result.exit_code == 0, result.output
    assert_pngs(tmp_path / "ev")
    out, plots = tmp_path / "again.npz", tmp_path / "train"
    result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--out", str(out), "--plots", str(plots))
    assert result.exit_code == 0, result.output
    assert "plots written to" in result.stdout
    assert_pngs(plots)


def test_missing_data_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("train", "--data", str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "m.npz"))
    assert_one_line_error(result, "--data", "nowhere.csv", "does not exist")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--hidden", "-1"), ("--epochs", "0"), ("--batch-size", "-5"), ("--lr", "0"), ("--dtype", "float16")],
)
def test_bad_option_values_are_usage_errors(option: str, value: str, tmp_path: Path) -> None:
    result = run("train", option, value, "--out", str(tmp_path / "m.npz"))
    assert_one_line_error(result, option)
    assert not (tmp_path / "m.npz").exists()


def test_malformed_data_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n3," + "300," * 783 + "0\n")
    result = run("train", "--data", str(bad), "--out", str(tmp_path / "m.npz"))
    assert_one_line_error(result, "bad.csv")


def test_diverging_training_is_a_one_line_error(csv_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.npz"
    result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--lr", "1e30", "--out", str(out))
    assert_one_line_error(result, "training diverged", "learning rate below")
    assert not out.exists()


def test_corrupt_model_file_is_a_one_line_error(tmp_path: Path) -> None:
    model = tmp_path / "model.npz"
    model.write_bytes(b"PK\x03\x04 not really a zip archive")
    result = run("evaluate", "--model", str(model))
    assert_one_line_error(result, "model.npz", "not a readable .npz file")


def test_model_for_other_input_sizes_is_refused(tmp_path: Path) -> None:
    model = TrainedModel(init_params(20, 4, 10), TrainConfig(hidden=4), "synthetic", 0.1)
    path = save_model(model, tmp_path / "small.npz")
    assert_one_line_error(run("evaluate", "--model", str(path)), "small.npz", "20 inputs")


def test_unwritable_output_is_a_one_line_error(csv_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--out", str(blocker / "model.npz"))
    assert_one_line_error(result, "cannot write the model to", "a_file")


def unwritable_folder(tmp_path: Path, how: str) -> Path:
    """A folder no file can be written into: under a plain file (even for root), or read-only."""
    if how == "under_a_file":
        blocker = tmp_path / "a_file"
        blocker.write_text("not a directory")
        return blocker / "plots"
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    folder = tmp_path / "read_only"
    folder.mkdir(mode=0o500)
    return folder


@pytest.mark.parametrize("how", ["under_a_file", "read_only"])
def test_plots_into_an_unwritable_folder_fail_before_training(
    csv_path: Path, tmp_path: Path, how: str
) -> None:
    plots, model = unwritable_folder(tmp_path, how), tmp_path / "model.npz"
    result = run("train", "--data", str(csv_path), *QUICK_TRAIN, "--out", str(model), "--plots", str(plots))
    assert_one_line_error(result, "cannot write plots", f"the folder {plots} is not writable")
    assert "epoch" not in result.output and "data:" not in result.output
    assert not model.exists()


def test_evaluate_checks_the_plots_folder_before_loading(
    trained: tuple[Path, Result], tmp_path: Path
) -> None:
    plots = unwritable_folder(tmp_path, "under_a_file")
    result = run("evaluate", "--model", str(trained[0]), "--plots", str(plots))
    assert_one_line_error(result, "cannot write plots", str(plots))
    assert "test accuracy" not in result.output


def test_training_on_five_rows_says_there_is_no_dev_set_and_warns_nothing(tmp_path: Path) -> None:
    five = write_kaggle_csv(tmp_path / "five.csv", 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("train", "--data", str(five), *QUICK_TRAIN, "--out", str(tmp_path / "model.npz"))
    assert result.exit_code == 0, result.output
    assert [str(warning.message) for warning in caught] == []
    assert "4 train, 0 dev and 1 test digits" in result.stdout
    assert "no dev set: 4 training digits are too few to hold out 10% of them as a dev set" in result.stdout
    assert "learning rate" not in result.output and " dev " not in result.stdout.split("epoch", 1)[1]
    assert "test accuracy:" in result.stdout and (tmp_path / "model.npz").is_file()


def test_too_few_rows_for_a_test_set_is_a_one_line_error(tmp_path: Path) -> None:
    two = write_kaggle_csv(tmp_path / "two.csv", 2)
    result = run("train", "--data", str(two), *QUICK_TRAIN, "--out", str(tmp_path / "model.npz"))
    assert_one_line_error(
        result, "two.csv", "2 labelled rows are too few to hold out a test set", "at least 3"
    )
    assert "learning rate" not in result.output and not (tmp_path / "model.npz").exists()


def test_help_teaches_with_examples_and_shows_every_default() -> None:
    top = run("--help")
    assert top.exit_code == 0
    assert "train" in top.stdout and "evaluate" in top.stdout and "Examples:" in top.stdout
    train_help = run("train", "--help").stdout
    assert "Examples:" in train_help
    for option, default in [
        ("--hidden", "128"),
        ("--epochs", None),
        ("--batch-size", None),
        ("--lr", None),
        ("--seed", "0"),
        ("--dtype", "float32"),
        ("--out", "model.npz"),
    ]:
        block = option_help(train_help, option)
        assert "[default: " + (default or "") in block, block
    for option in ("--data", "--plots", "--standardize", "--no-progress"):
        assert len(option_help(train_help, option).split()) > 4
    evaluate_help = run("evaluate", "--help").stdout
    assert "Example:" in evaluate_help and "--model" in evaluate_help and "required" in evaluate_help


def option_help(help_text: str, option: str) -> str:
    """The help entry of ``option``: its line and the indented continuation lines."""
    match = re.search(rf"^  (?:-\w, )?{option}\b.*(?:\n {{10,}}\S.*)*", help_text, re.M)
    assert match, f"{option} not in help"
    return " ".join(match.group(0).split())


def test_help_and_import_do_not_load_plotting_or_torch() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import mnist_ref\n"
        "from mnist_ref_cli.commands import main\n"
        "assert CliRunner().invoke(main, ['train', '--help']).exit_code == 0\n"
        "print(sorted({'matplotlib', 'pandas', 'torch'} & sys.modules.keys()))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


@given(
    outcomes=st.lists(st.booleans(), min_size=1, max_size=80),
    count=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_chosen_samples_show_mistakes_when_there_are_any(outcomes: list[bool], count: int, seed: int) -> None:
    labels = np.arange(len(outcomes)) % 10
    predictions = np.where(outcomes, labels, (labels + 1) % 10)
    chosen = choose_samples(labels, predictions, count, seed)
    assert chosen.size == min(count, len(outcomes))
    assert np.all(np.diff(chosen) > 0)
    wrong = np.count_nonzero(labels[chosen] != predictions[chosen])
    assert wrong <= max(count // 4, count - outcomes.count(True))
    if count >= 4 and not all(outcomes):
        assert wrong >= 1
    np.testing.assert_array_equal(chosen, choose_samples(labels, predictions, count, seed))


def test_the_sample_grid_says_when_it_over_samples_mistakes() -> None:
    labels = np.arange(1000) % 10
    predictions = labels.copy()
    predictions[:49] = (labels[:49] + 1) % 10  # 4.9% wrong
    images = np.zeros((784, 1000))
    title = sample_predictions_figure(images, labels, predictions).get_suptitle()
    assert "red frame: wrong" in title
    assert "Mistakes over-sampled on purpose: 6 of these 24 are wrong" in title
    assert "but only 49 of 1000 test digits (4.9%) are wrong" in title


def test_the_sample_grid_title_claims_no_over_sampling_when_there_is_none() -> None:
    labels = np.arange(40) % 10
    all_right = sample_grid_title(labels, labels, np.arange(24))
    assert "over-sampled" not in all_right and "0 of these 24 are wrong; 0 of 40 test digits" in all_right
    all_wrong = sample_grid_title(labels, (labels + 1) % 10, np.arange(24))
    assert "over-sampled" not in all_wrong and "24 of these 24 are wrong; 40 of 40" in all_wrong


@pytest.mark.slow
def test_default_training_on_the_embedded_digits_reaches_92_percent(tmp_path: Path) -> None:
    result = run("train", "--out", str(tmp_path / "model.npz"), "--no-progress")
    assert result.exit_code == 0, result.output
    assert float(printed_accuracy(result.stdout).rstrip("%")) >= 92.0


def test_download_when_no_mirror_answers_is_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    import functools

    import mnist_ref.data
    from mnist_ref.data import download_mnist

    unreachable = functools.partial(download_mnist, mirrors=("http://127.0.0.1:9/",), progress=False)
    monkeypatch.setattr(mnist_ref.data, "download_mnist", unreachable)  # the command imports it when it runs
    result = run("download", "--cache", str(tmp_path / "cache"))
    assert_one_line_error(result, "could not reach any mirror", "127.0.0.1:9", "--data DIR")
    assert list((tmp_path / "cache").iterdir()) == []


def test_check_command_is_part_of_the_cli() -> None:
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "component by component" in result.output


def test_the_program_exits_with_the_command_status_and_all_its_output(tmp_path: Path) -> None:
    # `mnist-ref` ends without tearing the interpreter down (entry_point): nothing printed is lost
    target = tmp_path / "homework.py"
    target.write_text("import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 1)\n")  # wrong
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    def program(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "mnist_ref_cli.commands", "check", *args]
        return subprocess.run(command, capture_output=True, text=True, env=buffered)

    checked = program(str(target), "--format", "json", "--examples", "1")
    assert checked.returncode == 1, checked.stderr
    assert json.loads(checked.stdout)["counts"]["fail"] > 0
    missing = program(str(tmp_path / "none.py"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("Error: cannot load the target")


def test_a_target_that_cannot_load_removes_an_earlier_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text('{"passed": true}')
    broken = tmp_path / "hw.py"
    broken.write_text("def forward_prop(:\n")
    result = CliRunner().invoke(main, ["check", str(broken), "--format", "json", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot load the target" in result.output
    assert not out.exists()  # a stale "passed": true must not stand for this run


def test_require_changes_what_a_pass_needs(tmp_path: Path) -> None:
    classic = Path(__file__).parent / "corpus" / "classic.py"  # it has no loss function
    default = CliRunner().invoke(main, ["check", str(classic), "--format", "json"])
    assert default.exit_code == 0, default.output
    with_loss = CliRunner().invoke(
        main, ["check", str(classic), "--format", "json", "--require", "forward,loss"]
    )
    assert with_loss.exit_code == 3
    report = json.loads(with_loss.output)
    assert report["required"] == ["forward", "loss"] and report["verdict"] == "INCOMPLETE"
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('required = ["forward", "loss"]\n')
    from_file = CliRunner().invoke(main, ["check", str(classic), "--config", str(mapping)])
    assert from_file.exit_code == 3
    wrong = CliRunner().invoke(main, ["check", str(classic), "--require", "forward,dw1"])
    assert wrong.exit_code == 2
    assert "--require: unknown component 'dw1'; the components are init, relu" in wrong.output
