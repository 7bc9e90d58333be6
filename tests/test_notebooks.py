"""Jupyter notebooks as targets: read with nbformat, IPython syntax defused, nothing top-level run,
and every message naming the cell (and the line in it) it is about.

The notebooks are written by the tests with nbformat. Cells are numbered from 1 among all cells,
markdown included.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from conformance.checks import ALL_CHECKS
from conformance.loading import LINES_ATTRIBUTE, SKIPPED_ATTRIBUTE, load_target
from conformance.notebook import python_of_cell, python_of_line, read_notebook
from conformance.runner import run_checks
from conformance.sandbox import Sandbox
from conformance.sandbox.protocol import TargetLoadError
from conformance.source_lines import LineMap

ADAPTER = "sandbox_targets:forwarding_adapter"

NETWORK = """\
import numpy as np


def relu(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    return Z1, A1, Z2, softmax(Z2)


def backward_prop(Z1, A1, Z2, A2, W2, X, Y):
    dZ2 = A2 - np.eye(10)[:, Y]
    dZ1 = W2.T @ dZ2 * (Z1 > 0)
    return dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ A1.T / m, dZ2.sum(axis=1) / m
"""


@pytest.fixture(autouse=True)
def restore_sys_path(monkeypatch):
    """load_target puts the target's folder first on sys.path: undo it after each test. The sandbox's
    child finds the tests' trivial adapter (sandbox_targets) on PYTHONPATH."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    folders = [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, folders)))


def write_notebook(folder: Path, cells: list, name: str = "homework.ipynb") -> Path:
    """A notebook of ``cells`` (strings are code cells), written with nbformat."""
    path = folder / name
    made = [new_code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    nbformat.write(new_notebook(cells=made), path)
    return path


def homework(folder: Path, marker: Path) -> Path:
    """A notebook in the usual shape: its training cell would write ``marker`` and then take 30 s."""
    return write_notebook(
        folder,
        [
            new_markdown_cell("# Homework 3\nA two-layer network, from scratch."),  # cell 1
            "!pip install numpy\n%matplotlib inline\nimport time\nimport numpy as np",  # cell 2
            "data = np.loadtxt('mnist_train.csv', delimiter=',')\nm, n = data.shape",  # cell 3
            NETWORK,  # cell 4
            f"%%time\nopen({str(marker)!r}, 'w').close()\ntime.sleep(30)\nW1 = train(data)",  # cell 5
            "raise RuntimeError('this cell fails at top level')",  # cell 6
            new_raw_cell("not python at all: ("),  # cell 7
            "%%bash\necho $HOME\nfor x in a b; do echo $x; done",  # cell 8
            "np.sum?",  # cell 9
        ],
    )


# -- reading cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "python"),
    [
        ("!pip install numpy", "get_ipython().system('pip install numpy')"),
        ("%matplotlib inline", "get_ipython().run_line_magic('matplotlib', 'inline')"),
        ("files = !ls data", "files = get_ipython().getoutput('ls data')"),
        ("names = %who_ls", "names = get_ipython().run_line_magic('who_ls', '')"),
        ("    !nvidia-smi", "    get_ipython().system('nvidia-smi')"),
        ("np.sum?", "get_ipython().run_line_magic('pinfo', 'np.sum')"),
        ("x = 5 % 3", "x = 5 % 3"),
        ("if a != b:", "if a != b:"),
        ("print('100%')", "print('100%')"),
    ],
)
def test_ipython_lines_become_the_calls_ipython_makes(line, python):
    assert python_of_line(line) == python


def test_a_cell_magic_keeps_a_python_body_and_comments_out_any_other():
    assert (
        python_of_cell("%%time\nW = train(X)\n")
        == "get_ipython().run_cell_magic('time', '', ...)\nW = train(X)\n"
    )
    assert (
        python_of_cell("%%bash -e\necho (\n") == "get_ipython().run_cell_magic('bash', '-e', ...)\n# echo (\n"
    )


PYTHON_LINES = ["x = 1", "def f(a):", "    return a % 2", "", "# a comment", "y = f(x) != 0"]
IPYTHON_LINES = ["!ls -la", "%matplotlib inline", "  %time f(1)", "out = !echo hi", "f?", "%%timeit"]


@given(st.lists(st.sampled_from(PYTHON_LINES + IPYTHON_LINES), min_size=1, max_size=12))
def test_a_cell_keeps_its_lines_and_its_python_lines_as_they_are(lines):
    python = python_of_cell("\n".join(lines) + "\n").split("\n")[:-1]
    assert len(python) == len(lines)
    for original, converted in zip(lines, python, strict=True):
        if original in PYTHON_LINES:
            assert converted == original
        if original in IPYTHON_LINES and not original.startswith("%%"):
            assert "get_ipython()" in converted


def test_read_notebook_joins_the_code_cells_and_maps_each_line_to_its_cell(tmp_path):
    path = write_notebook(
        tmp_path, [new_markdown_cell("# title"), "import numpy as np", "", "x = 1\ny = 2\n"]
    )
    source = read_notebook(path)
    assert source.text == "import numpy as np\nx = 1\ny = 2\n"
    assert source.lines == LineMap(((1, 2), (2, 4)))
    assert [source.lines.where(line) for line in (1, 2, 3)] == [
        "cell 2, line 1",
        "cell 4, line 1",
        "cell 4, line 2",
    ]


def test_what_is_not_a_python_notebook_is_refused(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ this is not json")
    with pytest.raises(TargetLoadError, match=r"^broken\.ipynb: not a readable Jupyter notebook: "):
        load_target(str(broken))
    r_notebook = new_notebook(cells=[new_code_cell("x <- 1")])
    r_notebook.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nbformat.write(r_notebook, tmp_path / "stats.ipynb")
    with pytest.raises(
        TargetLoadError, match=r"^stats\.ipynb: a r notebook; only Python notebooks can be checked"
    ):
        load_target(str(tmp_path / "stats.ipynb"))


# -- loading without running -----------------------------------------------------------------------


def test_a_notebook_loads_its_definitions_without_running_any_top_level_cell(tmp_path):
    marker = tmp_path / "trained"
    module = load_target(str(homework(tmp_path, marker)))

    assert not marker.exists()
    assert module.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert inspect.getsource(module.relu) == "def relu(Z):\n    return np.maximum(Z, 0)\n"
    skipped = {statement.code.split("\n")[0]: statement for statement in getattr(module, SKIPPED_ATTRIBUTE)}
    assert "raise RuntimeError('this cell fails at top level')" in skipped
    assert "get_ipython().system('pip install numpy')" in skipped
    assert skipped["m, n = data.shape"].assigns == ("m", "n")
    lines = getattr(module, LINES_ATTRIBUTE)
    assert lines.where(skipped["W1 = train(data)"].lineno) == "cell 5, line 4"


def test_a_syntax_error_names_the_cell_and_the_line_in_it(tmp_path):
    path = write_notebook(
        tmp_path, [new_markdown_cell("# hw"), "import numpy as np", "x = (1,\n", "def f(:\n  pass"]
    )
    with pytest.raises(TargetLoadError) as error:
        load_target(str(path))
    assert str(error.value) == "homework.ipynb, cell 3, line 1: SyntaxError: '(' was never closed"


def test_the_corpus_notebook_with_a_syntax_error_names_its_cell(tmp_path):
    from corpus import VARIANTS, write_variant

    path = write_variant(VARIANTS["classic_notebook_syntax_error"], tmp_path)
    relu_cell = next(
        number
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1)
        if cell.source.startswith("def ReLU(")
    )
    with pytest.raises(
        TargetLoadError, match=rf"^classic_notebook_syntax_error\.ipynb, cell {relu_cell}, line 2: "
    ):
        load_target(str(path))


def test_an_error_while_defining_names_the_cell(tmp_path):
    path = write_notebook(tmp_path, ["import numpy as np", "class Net:\n    size = 10\n    rate = 1 / 0"])
    with pytest.raises(
        TargetLoadError, match=r"^homework\.ipynb, cell 2, line 3: ZeroDivisionError: division by zero$"
    ):
        load_target(str(path))


# -- messages from calls name the cell ------------------------------------------------------------


def test_a_global_set_only_by_a_skipped_cell_is_explained_with_both_cells(tmp_path):
    path = homework(tmp_path, tmp_path / "trained")
    with Sandbox(str(path), adapter=ADAPTER) as sandbox:
        Z1, Z2 = np.ones((3, 2)), np.ones((10, 2))
        outcome = sandbox.call(
            "backward_prop", Z1, Z1, Z2, Z2, np.ones((10, 3)), np.ones((784, 2)), np.zeros(2, int)
        )
    assert outcome.failure.missing_name == "m"
    assert outcome.failure.message == (
        "backward_prop (cell 4, line 23) reads the global `m`, which only top-level code sets "
        "(cell 3, line 2: `m, n = data.shape`) and the checker does not run top-level code: "
        "compute it inside the function from the batch it is given (`m = X.shape[1]`)"
    )


def test_exceptions_and_hangs_are_located_in_their_cell(tmp_path):
    path = write_notebook(
        tmp_path,
        [
            new_markdown_cell("# hw"),
            "import numpy as np",
            "def divide(x):\n    scale = 0\n    return x / scale\n",
            "def spin():\n    while True:\n        pass",
        ],
    )
    with Sandbox(str(path), adapter=ADAPTER, timeout=0.5) as sandbox:
        raised = sandbox.call("divide", 1)
        hung = sandbox.call("spin")
    assert raised.failure.message == "ZeroDivisionError: division by zero in divide (cell 3, line 3)"
    assert 'homework.ipynb", cell 3, line 3, in divide' in raised.failure.detail
    assert "    return x / scale" in raised.failure.detail
    assert hung.failure.kind == "timeout"
    assert hung.failure.message.endswith(("it was running spin (cell 4, line 2)", "spin (cell 4, line 3)"))


def test_a_notebook_with_a_training_loop_is_checked_without_training(tmp_path):
    marker = tmp_path / "trained"
    path = homework(tmp_path, marker)
    gradient_checks = [
        check for check in ALL_CHECKS if check.id in ("forward.values", "dW2.shape", "dW2.globals")
    ]

    report = run_checks(str(path), examples=2, timeout=3.0, checks=gradient_checks)

    assert not marker.exists()
    statuses = {entry.id: (entry.status, entry.message) for entry in report.checks}
    assert statuses["forward.values"][0] == "pass"
    assert statuses["dW2.shape"] == (
        "fail",
        "backward_prop (cell 4, line 23) reads the global `m`, which only top-level code sets "
        "(cell 3, line 2: `m, n = data.shape`) and the checker does not run top-level code: "
        "compute it inside the function from the batch it is given (`m = X.shape[1]`)",
    )
