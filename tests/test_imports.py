"""Importing mnist_ref stays light: torch, matplotlib and pandas load only when something needs them.

`mnist-ref check` must answer in about a second and a half, and importing torch alone takes about
that long. Each import runs in a fresh interpreter whose sys.modules is then read: in this process,
pytest and the other tests have long since imported everything.
"""

import json
import subprocess
import sys

import pytest

HEAVY = frozenset({"torch", "matplotlib", "pandas"})

LIGHT_MODULES = (
    "mnist_ref",
    "mnist_ref.network",
    "mnist_ref.training",
    "mnist_ref.data",
    "mnist_ref.evaluation",
    "mnist_ref.model_io",
    "mnist_ref_cli.commands",
    "conformance.runner",
)
"""What `mnist-ref train`, `evaluate` and `check` import before they run (the check imports its runner)."""

COMMAND_ONLY = frozenset({"rich", "tqdm", "mnist_ref.data", "mnist_ref.model_io", "mnist_ref.evaluation"})
"""What `mnist-ref train`, `evaluate` and `download` import when they run: `check` needs none of it."""

NOTEBOOK_ONLY = frozenset({"nbformat", "jsonschema"})
"""Needed to read a .ipynb target only; the sandbox's child process loads most targets without them."""


def modules_loaded_by(statement: str) -> set[str]:
    """The names in sys.modules of a fresh interpreter after it runs ``statement``."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(completed.stdout.splitlines()[-1]))


def packages_loaded_by(statement: str) -> set[str]:
    """Top-level packages in sys.modules of a fresh interpreter after it runs ``statement``."""
    return {name.split(".")[0] for name in modules_loaded_by(statement)}


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_importing_loads_no_heavy_library(module: str) -> None:
    modules = modules_loaded_by(f"import {module}")
    assert module in modules
    loaded = {name.split(".")[0] for name in modules}
    assert not loaded & HEAVY, f"importing {module} loads {sorted(loaded & HEAVY)}"


def test_the_networks_description_comes_without_the_reference_network() -> None:
    """The target's process needs mnist_ref.spec: the reference's functions must not come with it."""
    assert "mnist_ref.network" not in modules_loaded_by("import mnist_ref.spec")
    assert "mnist_ref.network" in modules_loaded_by("import mnist_ref\nmnist_ref.relu")


def test_the_reference_imports_nothing_from_the_harness() -> None:
    """Every module of mnist_ref, imported in one fresh interpreter, leaves conformance unloaded."""
    every_module = (
        "import importlib, pkgutil, mnist_ref\n"
        "for module in pkgutil.walk_packages(mnist_ref.__path__, 'mnist_ref.'):\n"
        "    importlib.import_module(module.name)"
    )
    loaded = modules_loaded_by(every_module)
    assert {"mnist_ref.network", "mnist_ref.training", "mnist_ref.plots", "mnist_ref.data"} <= loaded
    assert not {name for name in loaded if name.split(".")[0] == "conformance"}
    # the command line sits above both: it is what brings the harness in
    assert "conformance.cli" in modules_loaded_by("import mnist_ref_cli.commands")


def test_the_heavy_libraries_load_where_they_are_needed() -> None:
    assert "matplotlib" in packages_loaded_by("import mnist_ref.plots")
    assert "torch" in packages_loaded_by(
        "import numpy as np\n"
        "from conformance.oracles import autograd\n"
        "from mnist_ref import init_params\n"
        "autograd.gradients(init_params(3, 2, 10), np.ones((3, 1)), np.array([4]))"
    )


def test_the_sandbox_child_loads_nbformat_only_for_notebooks(tmp_path) -> None:
    notebook = tmp_path / "homework.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None}
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    script = tmp_path / "homework.py"
    script.write_text("x = 1\n")
    load = "import conformance.sandbox.worker\nfrom conformance.loading import load_target\n"

    assert not packages_loaded_by(f"{load}load_target({str(script)!r})") & NOTEBOOK_ONLY
    assert packages_loaded_by(f"{load}load_target({str(notebook)!r})") >= NOTEBOOK_ONLY


def test_the_torch_helper_process_loads_no_adapters() -> None:
    helper = "import conformance.sandbox.worker, conformance.oracles.background"
    assert "conformance.adapters" not in modules_loaded_by(helper)
    # with a mapping file the worker imports conformance.mapping, and the adapters with it
    assert "conformance.adapters" in modules_loaded_by(f"{helper}\nimport conformance.mapping")


def test_the_command_line_imports_what_train_and_evaluate_need_when_they_run(tmp_path) -> None:
    assert not modules_loaded_by("import mnist_ref_cli.commands") & COMMAND_ONLY
    not_a_model = tmp_path / "model.npz"
    not_a_model.write_bytes(b"not a model")
    evaluate = (
        "from click.testing import CliRunner\n"
        "from mnist_ref_cli.commands import main\n"
        f"assert CliRunner().invoke(main, ['evaluate', '--model', {str(not_a_model)!r}]).exit_code == 2"
    )
    assert modules_loaded_by(evaluate) >= COMMAND_ONLY


def test_mnist_ref_check_imports_the_adapters_only_for_a_mapping(tmp_path) -> None:
    target = tmp_path / "homework.py"
    target.write_text("import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n")

    def check(*options: str) -> str:
        arguments = ["check", str(target), "--examples", "1", *options]
        return "\n".join(
            [
                "from click.testing import CliRunner",
                "from mnist_ref_cli.commands import main",
                f"CliRunner().invoke(main, {arguments})",
            ]
        )

    assert "conformance.adapters" not in modules_loaded_by(check("--format", "json"))
    assert "conformance.adapters" in modules_loaded_by(check("--show-mapping"))
