"""`%mnist_check` and `conformance.check_notebook()` in a real Jupyter kernel, run by nbclient.

Each notebook exists only in memory (nothing is saved): the checker must read the kernel's own
history. Its definitions come from the corpus's classic notebook; its top-level "training" cell
appends to a file, so that running it again would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from corpus import BASES, VARIANTS
from corpus.notebooks import code_chunks
from nbformat.v4 import new_code_cell, new_notebook

from conformance.jupyter import magic_options, write_notebook

nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient and ipykernel")

pytestmark = pytest.mark.slow
TRAINING_CELL = (
    "open('trained.txt', 'a').write('trained once\\n')  # top-level work: the checker must not run it"
)
VERDICTS_CELL = (
    "import json, conformance\n"
    "result = conformance.check_notebook()\n"
    "print(json.dumps({c.name: c.verdict for c in result.report.components}))"
)


def definition_cells(source: str) -> list[str]:
    """The imports and definitions of a corpus file, one cell each, with one training cell after them."""
    cells = [text for kind, text in code_chunks(source) if kind != "work"]
    return [*cells, TRAINING_CELL]


def execute(cells: list[str], folder: Path) -> nbformat.NotebookNode:
    """Run ``cells`` in a fresh python3 kernel whose working folder is ``folder``; the notebook run."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def outputs(cell: nbformat.NotebookNode, mime: str) -> str:
    """Everything ``cell`` showed in ``mime`` (display_data, execute_result) or printed (``stream``)."""
    texts = []
    for output in cell.outputs:
        if mime == "stream" and output.output_type == "stream":
            texts.append(output.text)
        elif output.output_type in ("display_data", "execute_result") and mime in output.data:
            texts.append(output.data[mime])
    return "".join(texts)


def html_row(html: str, component: str) -> str:
    """The table row of ``component`` in the HTML report."""
    (row,) = [
        line for line in html.splitlines() if line.startswith("<tr><td") and f"<code>{component}<" in line
    ]
    return row


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> tuple[nbformat.NotebookNode, Path, list[str]]:
    """The classic notebook with a scalar db2, checked by %mnist_check and by check_notebook()."""
    folder = tmp_path_factory.mktemp("buggy")
    cells = definition_cells(VARIANTS["classic_db2_scalar"].source())
    notebook = execute([*cells, "%load_ext conformance", "%mnist_check", VERDICTS_CELL], folder)
    return notebook, folder, cells


def test_the_magic_shows_a_failed_component_inline_as_an_html_table(buggy) -> None:
    notebook, _, _ = buggy
    magic = notebook.cells[-2]
    html = outputs(magic, "text/html")
    assert html.startswith('<div class="mnist-ref-report">')
    assert "mnist-ref check FAILED</b> for <code>notebook.ipynb (this kernel:" in html
    assert "failed" in html_row(html, "db2") and "<code>shape_mismatch</code>" in html_row(html, "db2")
    assert "passed" in html_row(html, "dW2") and "passed" in html_row(html, "forward")
    assert "<b>What went wrong</b>" in html and "cell N is In [N]" in html
    text = outputs(magic, "text/plain")
    assert "mnist-ref check: notebook.ipynb" in text and "FAILED" in text  # elsewhere: the text report


def test_the_kernels_top_level_work_is_not_run_again(buggy) -> None:
    _, folder, _ = buggy
    assert (folder / "trained.txt").read_text() == "trained once\n"


def test_the_verdicts_are_those_of_mnist_ref_check_on_the_saved_notebook(buggy, tmp_path: Path) -> None:
    notebook, _, cells = buggy
    in_kernel = json.loads(outputs(notebook.cells[-1], "stream"))
    saved = write_notebook(cells, tmp_path / "saved.ipynb")
    command = [sys.executable, "-m", "mnist_ref_cli.commands", "check", str(saved), "--format", "json"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1, completed.stderr
    on_disk = {entry["component"]: entry["verdict"] for entry in json.loads(completed.stdout)["components"]}
    assert in_kernel == on_disk
    assert in_kernel["db2"] == "fail" and in_kernel["dW1"] == "pass"


def test_an_unsaved_fix_in_the_kernel_passes(tmp_path: Path) -> None:
    buggy_cells = definition_cells(VARIANTS["classic_db2_scalar"].source())
    fixed_backward = [
        text for kind, text in code_chunks(BASES["classic"].path.read_text()) if "def backward_prop" in text
    ]
    cells = [*buggy_cells, *fixed_backward, "import conformance\nconformance.check_notebook()"]
    notebook = execute(cells, tmp_path)
    html = outputs(notebook.cells[-1], "text/html")
    assert "mnist-ref check PASSED</b>" in html
    assert "passed" in html_row(html, "db2")
    assert "What went wrong" not in html


def test_a_cell_that_never_compiled_is_left_out_and_named(tmp_path: Path, monkeypatch) -> None:
    from conformance.jupyter import check_notebook

    monkeypatch.chdir(tmp_path)
    cells = definition_cells(BASES["classic"].path.read_text())
    broken = "def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y:\n    return None"
    result = check_notebook(cells=[*cells[:3], broken, *cells[3:]], examples=2)
    assert result.report is not None and result.report.headline == "PASSED"
    assert "left out, as the kernel ran none of it (a syntax error): In [4]" in result.report.notices
    assert {c.name: c.verdict for c in result.report.components}["db2"] == "pass"


def test_outside_a_kernel_check_notebook_says_where_it_runs() -> None:
    script = (
        "import conformance\ntry:\n    conformance.check_notebook()\nexcept RuntimeError as e:\n    print(e)"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "checks the cells of a running Jupyter or IPython kernel" in completed.stdout
    assert "mnist-ref check NOTEBOOK.ipynb" in completed.stdout


def test_the_magic_takes_the_options_of_mnist_ref_check() -> None:
    options = magic_options("--seed 3 --dtype float32 --require all --memory-mb 512")
    assert options["seed"] == 3 and options["dtype"] == "float32"
    assert options["require"] == "all" and options["memory_mb"] == 512 and options["examples"] == 10
    with pytest.raises(ValueError, match="unrecognized arguments: --bogus"):
        magic_options("--bogus")
    with pytest.raises(ValueError, match="invalid choice: 'float16'"):
        magic_options("--dtype float16")
