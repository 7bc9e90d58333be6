"""Reading a Jupyter notebook as Python source: its code cells, in order, with IPython's extras defused.

Line magics (``%matplotlib inline``), shell escapes (``!pip install numpy``, ``files = !ls``),
help requests (``np.sum?``) and cell magics (``%%time``, ``%%bash``) are not Python. Each such
line becomes the call IPython would make (``get_ipython().system('pip install numpy')``), a
top-level call that the loader skips like any other. The body of a cell magic that runs Python
(``%%time``, ``%%capture``) stays Python, read like any cell; the body of any other (``%%bash``,
``%%writefile``) becomes comments. Every cell keeps its number of lines, so that the lines of
the compiled text can be traced back to their cell (``LineMap``).

nbformat (with jsonschema, ~70 ms to import) is imported when a notebook is read, not before:
most targets are .py files, and the process that runs them should not pay for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from conformance.sandbox.protocol import TargetLoadError
from conformance.source_lines import LineMap, Source

if TYPE_CHECKING:
    import nbformat

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
"""Cell magics whose body is Python run by the kernel."""

ESCAPED_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<target>(?:[\w.]+\s*,\s*)*[\w.]+\s*=\s*)?(?P<escape>!!?|%%?)(?P<command>.*)$"
)
"""``%magic args``, ``!command``, and their assigned forms ``files = !ls``, ``names = %who_ls``."""
HELP_LINE = re.compile(r"^(?P<indent>\s*)\?{0,2}(?P<name>[\w.]+)\?{0,2}\s*$")
"""``np.sum?``, ``??np.sum``: a request for help, once a question mark is seen."""


def read_notebook(path: Path) -> Source:
    """The code cells of the notebook at ``path`` as one Python text, with the cell of every line.

    Raises TargetLoadError when the file is not a notebook or not a Python one.
    """
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4, capture_validation_error={})
    except Exception as error:  # nbformat raises JSON, validation, version and OS errors
        raise TargetLoadError(f"{path.name}: not a readable Jupyter notebook: {error}") from error
    language = _language(notebook)
    if language not in ("", "python"):
        raise TargetLoadError(f"{path.name}: a {language} notebook; only Python notebooks can be checked")
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    next_line = 1
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code" or not cell.get("source", "").strip():
            continue
        code = python_of_cell(cell["source"])
        starts.append((next_line, number))
        pieces.append(code)
        next_line += code.count("\n")
    return Source("".join(pieces), LineMap(tuple(starts)))


def python_of_cell(source: str) -> str:
    """The Python text of one code cell (IPython syntax replaced), one line per line, ending in a newline."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines:
        return ""
    first = lines[0].strip()
    if first.startswith("%%"):
        name, _, arguments = first[2:].partition(" ")
        body = lines[1:] if name in PYTHON_CELL_MAGICS else [f"# {line}" for line in lines[1:]]
        lines = [f"get_ipython().run_cell_magic({name!r}, {arguments.strip()!r}, ...)", *body]
    return "".join(f"{python_of_line(line)}\n" for line in lines)


def python_of_line(line: str) -> str:
    """``line`` itself, or the IPython call that a magic, shell escape or help request stands for."""
    escaped = ESCAPED_LINE.match(line)
    if escaped:
        indent, target, escape, command = escaped.group("indent", "target", "escape", "command")
        if target and escape == "!":
            escape = "!!"  # files = !ls keeps the output, as !!ls does
        return f"{indent}{target or ''}{_ipython_call(escape, command.strip())}"
    help_request = HELP_LINE.match(line)
    if help_request and "?" in line:
        return f"{help_request['indent']}get_ipython().run_line_magic('pinfo', {help_request['name']!r})"
    return line


def _ipython_call(escape: str, command: str) -> str:
    """What IPython runs for ``!command``, ``!!command`` or ``%magic arguments``."""
    if escape == "!":
        return f"get_ipython().system({command!r})"
    if escape == "!!":
        return f"get_ipython().getoutput({command!r})"
    name, _, arguments = command.partition(" ")
    return f"get_ipython().run_line_magic({name!r}, {arguments.strip()!r})"


def _language(notebook: nbformat.NotebookNode) -> str:
    """The notebook's language in lower case ("python", "r"), "" when it does not say."""
    metadata = notebook.get("metadata", {})
    language = metadata.get("kernelspec", {}).get("language") or metadata.get("language_info", {}).get("name")
    return str(language or "").lower()
