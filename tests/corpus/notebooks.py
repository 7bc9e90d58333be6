"""Turning a corpus .py file into the Jupyter notebook a student would hand in, with nbformat.

Each function or class gets a cell of its own; consecutive top-level statements share one.
The notebook opens with a markdown title and a cell of IPython extras (a shell escape, a line
magic), and every cell of top-level work runs under ``%%time``: none of it may be run by the checker.
"""

from __future__ import annotations

import ast

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

EXTRAS = "!pip install --quiet numpy pandas matplotlib\n%matplotlib inline"


def code_chunks(source: str) -> list[tuple[str, str]]:
    """(kind, text) of each group of top-level statements, in order, comments kept.

    Kinds: "definition" (one function or class per group), "import" and "work" (consecutive
    statements of those kinds share a group).
    """
    lines = source.splitlines()
    statements = ast.parse(source).body
    starts = [_first_line(statement) for statement in statements]
    chunks: list[tuple[str, str]] = []
    for index, statement in enumerate(statements):
        start = 1 if index == 0 else starts[index]
        end = starts[index + 1] - 1 if index + 1 < len(statements) else len(lines)
        text = "\n".join(lines[start - 1 : end]).strip("\n")
        kind = _kind(statement)
        if chunks and kind != "definition" and chunks[-1][0] == kind:
            chunks[-1] = (kind, f"{chunks[-1][1]}\n{text}")
        else:
            chunks.append((kind, text))
    return chunks


def to_notebook(source: str, title: str) -> nbformat.NotebookNode:
    """The notebook of ``source``: a title, the IPython extras, then its code cells."""
    cells = [
        new_markdown_cell(f"# {title}\nA two-layer network for MNIST, from scratch."),
        new_code_cell(EXTRAS),
    ]
    for kind, text in code_chunks(source):
        cells.append(new_code_cell(f"%%time\n{text}" if kind == "work" else text))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def patched(notebook: nbformat.NotebookNode, replacements: tuple[tuple[str, str], ...]) -> None:
    """Apply each (old, new) replacement to the one code cell holding ``old`` (AssertionError otherwise)."""
    for old, new in replacements:
        cells = [cell for cell in notebook.cells if cell.cell_type == "code" and old in cell.source]
        assert len(cells) == 1, f"{old!r} is in {len(cells)} cells, not one"
        cells[0].source = cells[0].source.replace(old, new)


def _first_line(statement: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def _kind(statement: ast.stmt) -> str:
    """The kind of a top-level statement: "definition", "import" or "work"."""
    if isinstance(statement, ast.FunctionDef | ast.ClassDef):
        return "definition"
    return "import" if isinstance(statement, ast.Import | ast.ImportFrom) else "work"
