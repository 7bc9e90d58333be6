"""Checking a notebook from inside its own running kernel: ``%mnist_check``, ``check_notebook()``.

The cells this kernel has run (IPython's input history, edits that were never saved included) are
written, in the order they ran, as the code cells of a temporary notebook, next to copies of the
``.py`` modules and packages beside the notebook; then that notebook goes through the pipeline of
``mnist-ref check NOTEBOOK.ipynb``: the same loader (imports, functions, classes and constants;
top-level training, magics and shell escapes are not run), the same sandbox, the same checks and
verdicts. Cell N of the report is ``In [N]``, the N-th cell the kernel ran.

The result displays as an HTML table in Jupyter (``_repr_html_``) and as the text report
elsewhere (``str``, a terminal IPython). IPython is imported only when the check runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.report.model import Report

DEFAULT_NAME = "notebook"
HISTORY_NOTICE = "cell N is In [N], the N-th cell this kernel ran: its input history, saved or not"


@dataclass(frozen=True)
class NotebookCheck:
    """The report on the kernel's definitions, or why they could not be loaded (``error``)."""

    target: str
    report: Report | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        """As `mnist-ref check` would exit: 0 passed, 1 failed, 2 not checked, 3 incomplete."""
        return 2 if self.report is None else self.report.exit_code

    def __str__(self) -> str:
        if self.report is None:
            return f"mnist-ref check NOT CHECKED for {self.target}: {self.error}\n"
        from conformance.report.text import render_text

        return render_text(self.report)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        from conformance.report.html_format import render_html, render_html_error

        if self.report is None:
            return render_html_error(self.target, self.error or "")
        return render_html(self.report)


def check_notebook(
    *,
    seed: int = 0,
    dtype: str = "float64",
    examples: int = 10,
    timeout: float = 10.0,
    memory_mb: int = 2048,
    config: str | None = None,
    require: str | None = None,
    cells: Sequence[str] | None = None,
    name: str | None = None,
) -> NotebookCheck:
    """Check the definitions this kernel holds now, as `mnist-ref check` checks a saved notebook.

    The options are those of `mnist-ref check`, with its defaults. ``cells`` are the sources to
    check (default: the kernel's input history, ``In``), ``name`` the notebook's (default: found
    from the Jupyter server or VS Code, else "notebook"). Raises RuntimeError outside IPython when
    no ``cells`` are given, and ValueError for a bad ``config`` or ``require``.
    """
    shell = None if cells is not None else _shell()
    sources = list(cells) if cells is not None else kernel_cells(shell)
    stem = _stem(name or notebook_name(shell))
    target = f"{stem}.ipynb (this kernel: {sum(bool(s.strip()) for s in sources)} cells run)"
    required = _required(config, require)
    kept, dropped = compiled_cells(sources)
    notices = [HISTORY_NOTICE] + ([_dropped_notice(dropped)] if dropped else [])
    with tempfile.TemporaryDirectory(prefix="mnist-check-") as folder:
        path = write_notebook(kept, Path(folder) / f"{stem}.ipynb", beside=Path.cwd())
        result = _run(str(path), target, seed, dtype, examples, timeout, memory_mb, config, required)
    if result.report is None:
        return result
    return replace(result, report=replace(result.report, notices=[*result.report.notices, *notices]))


def compiled_cells(sources: Sequence[str]) -> tuple[list[str], list[int]]:
    """``sources`` with each cell that does not compile emptied (the kernel ran none of it: a
    SyntaxError stops a cell before its first line), and the numbers N of those cells (``In [N]``)."""
    from conformance.notebook import python_of_cell

    kept, dropped = [], []
    for number, source in enumerate(sources, start=1):
        try:
            compile(python_of_cell(source), f"In [{number}]", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            kept.append("")
            dropped.append(number)
        else:
            kept.append(source)
    return kept, dropped


def _dropped_notice(dropped: list[int]) -> str:
    cells = ", ".join(f"In [{number}]" for number in dropped)
    return f"left out, as the kernel ran none of it (a syntax error): {cells}"


def _run(
    path: str,
    target: str,
    seed: int,
    dtype: str,
    examples: int,
    timeout: float,
    memory_mb: int,
    config: str | None,
    required: tuple[str, ...],
) -> NotebookCheck:
    """run_checks on the notebook at ``path``, reported under the name ``target``."""
    from conformance.runner import run_checks
    from conformance.sandbox.protocol import TargetLoadError

    options: dict[str, Any] = {"timeout": timeout, "memory_mb": memory_mb, "config": config}
    try:
        report = run_checks(path, seed=seed, dtype=dtype, examples=examples, required=required, **options)
    except TargetLoadError as error:
        return NotebookCheck(target, error=f"cannot load the target: {error}")
    return NotebookCheck(target, replace(report, target=target))


def _required(config: str | None, require: str | None) -> tuple[str, ...]:
    """The components a PASS needs, as `mnist-ref check` decides them (--require, the mapping file)."""
    from conformance.required import DEFAULT_REQUIRED

    if config is None and require is None:
        return DEFAULT_REQUIRED
    from conformance.mapping import MappingError, load_mapping, parse_required

    try:
        file_required = None if config is None else load_mapping(config).required
        given = None if require is None else parse_required(require, "--require")
    except MappingError as error:
        raise ValueError(str(error)) from None
    return given or file_required or DEFAULT_REQUIRED


def _shell() -> Any:
    """The running IPython shell; RuntimeError outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        raise RuntimeError(
            "check_notebook() checks the cells of a running Jupyter or IPython kernel; "
            "elsewhere, save the notebook and run: mnist-ref check NOTEBOOK.ipynb"
        )
    return shell


def kernel_cells(shell: Any) -> list[str]:
    """The cells the kernel ran, as typed (magics included), ``In [1]`` first: index N-1 is In [N]."""
    history = list(shell.history_manager.input_hist_raw)
    return [str(source) for source in history[1:]]  # entry 0 is IPython's empty placeholder


def notebook_name(shell: Any) -> str:
    """The notebook's file name where the front end tells it, else DEFAULT_NAME."""
    namespace = getattr(shell, "user_ns", {}) if shell is not None else {}
    for candidate in (os.environ.get("JPY_SESSION_NAME"), namespace.get("__vsc_ipynb_file__")):
        if candidate:
            return Path(str(candidate)).name
    return DEFAULT_NAME


def _stem(name: str) -> str:
    """A file stem for the temporary notebook: the name without .ipynb, safe as a module name."""
    stem = re.sub(r"\W", "_", Path(name).stem) or DEFAULT_NAME
    return stem if stem[0].isalpha() or stem[0] == "_" else f"_{stem}"


def write_notebook(cells: Sequence[str], path: Path, *, beside: Path | None = None) -> Path:
    """Write ``cells`` as the code cells of the notebook ``path`` (cell N holds ``cells[N-1]``), with
    copies of the ``.py`` modules and packages in ``beside``, as the sandbox would stage them."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from conformance.sandbox.staging import MAX_STAGED_FILES, sources_beside

    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    siblings = [] if beside is None else sources_beside(beside.resolve())
    if len(siblings) <= MAX_STAGED_FILES:
        for source in siblings:
            copy = path.parent / source.relative_to(beside.resolve())
            if copy != path:
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_bytes(source.read_bytes())
    return path


class _MagicParser(argparse.ArgumentParser):
    """An argument parser that raises ValueError instead of exiting the kernel."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(f"{message}\n{self.format_usage()}")


MAGIC_PARSER = _MagicParser(
    prog="%mnist_check",
    description="Check the definitions this kernel holds now, as `mnist-ref check` checks a notebook.",
    add_help=False,
)
MAGIC_PARSER.add_argument("--seed", type=int, default=0)
MAGIC_PARSER.add_argument("--dtype", choices=["float64", "float32"], default="float64")
MAGIC_PARSER.add_argument("--examples", type=int, default=10)
MAGIC_PARSER.add_argument("--timeout", type=float, default=10.0)
MAGIC_PARSER.add_argument("--memory-mb", dest="memory_mb", type=int, default=2048)
MAGIC_PARSER.add_argument("--config", default=None)
MAGIC_PARSER.add_argument("--require", default=None)


def magic_options(line: str) -> dict[str, Any]:
    """The options of ``%mnist_check --seed 3 --require all``; ValueError with the usage otherwise."""
    return vars(MAGIC_PARSER.parse_args(shlex.split(line)))


def mnist_check_magic(line: str) -> None:
    """``%mnist_check [--seed N] [--dtype float32] [--examples N] [--timeout S] [--memory-mb MB]
    [--config FILE] [--require COMPONENTS]``: check the kernel's definitions and show the report."""
    from IPython.display import display

    try:
        options = magic_options(line)
        result = check_notebook(**options)
    except ValueError as error:
        print(f"%mnist_check: {error}")
        return
    display(result)


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext conformance``: register the ``%mnist_check`` line magic."""
    shell.register_magic_function(mnist_check_magic, magic_kind="line", magic_name="mnist_check")
