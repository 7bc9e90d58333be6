"""Loading a target: which top-level statements are kept, which are skipped, and the load errors."""

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.loading import (
    SKIPPED_ATTRIBUTE,
    Skipped,
    SourceText,
    explain_missing_global,
    extract_definitions,
    load_target,
)
from conformance.sandbox.protocol import TargetLoadError
from conformance.sandbox.tracebacks import Frame
from conformance.source_lines import PLAIN_FILE, LineMap

SCRIPT = '''\
"""A student's MNIST network."""
import numpy as np
import matplotlib.pyplot as plt
from google.colab import drive

drive.mount("/content/drive")
data = np.loadtxt("train.csv", delimiter=",")
m, n = data.shape
HIDDEN = 10
SIZES = (784, HIDDEN, 10)
LEARNING_RATE = 0.1 / 2
DTYPE = np.float32


def relu(Z):
    return np.maximum(Z, 0)


class Network:
    def forward(self, X):
        return relu(X)


for epoch in range(100):
    W1 = relu(data)
plt.plot([1, 2])
print("done")
if __name__ == "__main__":
    main()
'''

KEPT_CODE = '''\
"""A student's MNIST network."""
import numpy as np
import matplotlib.pyplot as plt
from google.colab import drive
HIDDEN = 10
SIZES = (784, HIDDEN, 10)
LEARNING_RATE = 0.1 / 2
DTYPE = np.float32
def relu(Z):
    return np.maximum(Z, 0)
class Network:
    def forward(self, X):
        return relu(X)'''


@pytest.fixture(autouse=True)
def restore_sys_path(monkeypatch):
    """load_target puts the target's folder first on sys.path: undo it after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def write(folder: Path, source: str, name: str = "student.py") -> Path:
    path = folder / name
    path.write_text(source)
    return path


def test_extraction_keeps_definitions_in_order_and_skips_top_level_work():
    extraction = extract_definitions(SCRIPT, "student.py")

    assert extraction.code == KEPT_CODE
    assert extraction.skipped == (
        Skipped(6, 'drive.mount("/content/drive")', ()),
        Skipped(7, 'data = np.loadtxt("train.csv", delimiter=",")', ("data",)),
        Skipped(8, "m, n = data.shape", ("m", "n")),
        Skipped(24, "for epoch in range(100):\n    W1 = relu(data)", ("epoch", "W1")),
        Skipped(26, "plt.plot([1, 2])", ()),
        Skipped(27, 'print("done")', ()),
        Skipped(28, 'if __name__ == "__main__":\n    main()', ()),
    )


@pytest.mark.parametrize(
    ("statement", "kept"),
    [
        ("A = 1", True),
        ("A, (B, C) = 1, (2, 3)", True),
        ("A = -2 ** 3 % 5", True),
        ("A = {'lr': 0.1, 'sizes': [784, 10]}", True),
        ("A: float = 0.5", True),
        ("A = np.float32", True),
        ("A = np.finfo", True),
        ("A = relu", True),
        ("A = dict[str, np.ndarray]", True),
        ("A = B = 3", True),
        ("A = np.zeros(3)", False),
        ("A = undefined + 1", False),
        ("A = lambda x: x", False),
        ("A = [i for i in range(3)]", False),
        ("obj.attribute = 1", False),
        ("A[0] = 1", False),
        ("A += 1", False),
        ("A: int", False),
        ("A: Undefined = 1", False),
    ],
)
def test_only_simple_constant_assignments_are_kept(statement, kept):
    source = f"import numpy as np\ndef relu(Z):\n    return Z\n{statement}\n"
    extraction = extract_definitions(source, "student.py")
    assert (statement in extraction.code.splitlines()) is kept
    assert [skipped.code for skipped in extraction.skipped] == ([] if kept else [statement])


def test_skipped_assignments_name_the_globals_they_set_and_not_the_locals():
    source = (
        "with open('x') as file:\n"
        "    rows = [line for line in file]\n"
        "    def helper(a):\n"
        "        inner = a\n"
        "    total = (count := 3)\n"
    )
    (skipped,) = extract_definitions(source, "student.py").skipped
    assert skipped.assigns == ("file", "rows", "helper", "total", "count")


def test_decorators_are_kept_with_their_definition():
    source = "import functools\n\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x\n"
    assert extract_definitions(source, "s.py").code == (
        "import functools\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x"
    )


KEPT_SNIPPETS = ["import os", "SIZE = 784", "RATE = 0.5 * 2", "def f(x):\n    return x", "class C:\n    pass"]
SKIPPED_SNIPPETS = [
    "print('hi')",
    "data = open('x').read()",
    "for i in range(3):\n    total = i",
    "plt.show()",
]


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), max_size=12))
def test_every_statement_is_either_kept_or_skipped_in_source_order(choices):
    snippets = [(KEPT_SNIPPETS if keep else SKIPPED_SNIPPETS)[index] for keep, index in choices]
    extraction = extract_definitions("\n".join(snippets), "student.py")

    kept = [snippet for (keep, _), snippet in zip(choices, snippets, strict=True) if keep]
    skipped = [snippet for (keep, _), snippet in zip(choices, snippets, strict=True) if not keep]
    assert extraction.code == "\n".join(kept)
    assert [s.code for s in extraction.skipped] == skipped
    first_lines = [1 + sum(s.count("\n") + 1 for s in snippets[:i]) for i in range(len(snippets))]
    assert [s.lineno for s in extraction.skipped] == [
        line for line, (keep, _) in zip(first_lines, choices, strict=True) if not keep
    ]


def test_load_runs_definitions_but_not_top_level_code(tmp_path):
    marker = tmp_path / "marker"
    source = f"open({str(marker)!r}, 'w').close()\nraise SystemExit\ndef double(x):\n    return 2 * x\n"
    module = load_target(str(write(tmp_path, source)))

    assert module.double(4) == 8
    assert not marker.exists()
    assert module.__name__ == "student"
    assert module.__file__ == str(tmp_path / "student.py")


def test_a_failing_import_is_recorded_not_fatal(tmp_path):
    source = "from google.colab import drive\nimport numpy as np\ndef zeros():\n    return np.zeros(2)\n"
    module = load_target(str(write(tmp_path, source)))

    assert module.zeros().tolist() == [0.0, 0.0]
    assert not hasattr(module, "drive")
    (failed,) = getattr(module, SKIPPED_ATTRIBUTE)
    assert failed == Skipped(
        1, "from google.colab import drive", ("drive",), "ModuleNotFoundError: No module named 'google'"
    )


def test_the_targets_own_modules_can_be_imported(tmp_path):
    write(tmp_path, "def helper():\n    return 7\n", "student_helpers_for_loading.py")
    module = load_target(str(write(tmp_path, "from student_helpers_for_loading import helper\n")))
    assert module.helper() == 7


def test_future_annotations_apply_to_the_definitions(tmp_path):
    source = "from __future__ import annotations\ndef f(x: Undefined) -> Undefined:\n    return x\n"
    assert load_target(str(write(tmp_path, source))).f(3) == 3


def test_a_module_name_is_loaded_from_its_source_without_running_it(tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    source = f"open({str(marker)!r}, 'w').close()\ndef triple(x):\n    return 3 * x\n"
    write(tmp_path, source, "student_module_for_loading.py")
    monkeypatch.syspath_prepend(str(tmp_path))

    module = load_target("student_module_for_loading")

    assert module.triple(2) == 6
    assert not marker.exists()
    assert module.__name__ == "student_module_for_loading"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import numpy\ndef f(:\n    pass\n", "student.py, line 2: SyntaxError: "),
        ("x = 1\n\nreturn x\n", "student.py, line 3: SyntaxError: 'return' outside function"),
        ("def f():\n  return 1\n    x = 2\n", "student.py, line 3: IndentationError: unexpected indent"),
        ("class C:\n    a = 1\n    b = a / 0\n", "student.py, line 3: ZeroDivisionError: division by zero"),
        (
            "@undefined_decorator\ndef f():\n    pass\n",
            "student.py, line 1: NameError: name 'undefined_decorator'",
        ),
    ],
)
def test_a_target_that_cannot_be_loaded_names_file_and_line(tmp_path, source, message):
    with pytest.raises(TargetLoadError) as error:
        load_target(str(write(tmp_path, source)))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_a_default_value_read_from_skipped_code_is_explained(tmp_path):
    source = "import numpy as np\nX_train = np.load('x.npy')\ndef train(X=X_train):\n    return X\n"
    with pytest.raises(TargetLoadError) as error:
        load_target(str(write(tmp_path, source)))
    assert str(error.value) == (
        "student.py, line 3: NameError: name 'X_train' is not defined; the definition on line 3 reads the "
        "global `X_train`, which only top-level code sets (line 2: `X_train = np.load('x.npy')`) and the "
        "checker does not run top-level code: pass `X_train` as an argument, or compute it inside the "
        "function"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/student.py", "no/such/student.py: file not found"),
        ("no_such_module_for_loading", "no_such_module_for_loading: no such file, and no importable module"),
        ("not a module!", "not a module!: no such file, and not a module name"),
        ("sys", "sys: the module has no Python source file to check"),
    ],
)
def test_a_missing_target_is_reported(target, message):
    with pytest.raises(TargetLoadError, match="^" + message.replace("!", r"\!")):
        load_target(target)


def test_an_unsupported_file_type_is_reported(tmp_path):
    with pytest.raises(
        TargetLoadError, match=r"^student\.txt: cannot check a '\.txt' file \(expected \.py, \.ipynb\)"
    ):
        load_target(str(write(tmp_path, "x = 1\n", "student.txt")))


def test_a_missing_global_is_explained_by_the_line_that_sets_it():
    loop = Skipped(20, "for epoch in range(3):\n    W1, b1 = step(W1)\n", ("epoch", "W1", "b1"))
    failed = Skipped(2, "import cupy as cp", ("cp",), "ModuleNotFoundError: No module named 'cupy'")

    assert explain_missing_global((failed, loop), "b1", "forward (line 31)") == (
        "forward (line 31) reads the global `b1`, which only top-level code sets "
        "(line 21: `W1, b1 = step(W1)`) and the checker does not run top-level code: "
        "pass `b1` as an argument, or compute it inside the function"
    )
    assert explain_missing_global((failed, loop), "cp", "relu (line 5)") == (
        "relu (line 5) reads the global `cp`, which the import on line 2 (`import cupy as cp`) should set, "
        "but that import failed (ModuleNotFoundError: No module named 'cupy')"
    )
    assert explain_missing_global((failed, loop), "m", "relu (line 5)") is None


# -- where a line is: .py files and notebook cells ---------------------------------------------------


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 5)), min_size=1, max_size=6))
def test_every_line_of_joined_cells_is_placed_in_its_cell(cells):
    """``cells``: (number of lines, gap before it in the notebook's cell numbering)."""
    starts, texts, line, number = [], [], 1, 0
    for size, gap in cells:
        number += gap
        starts.append((line, number))
        texts.append("".join(f"x{number}_{index} = {index}\n" for index in range(1, size + 1)))
        line += size
    lines = LineMap(tuple(starts))
    text = "".join(texts)

    assert [segment for _, segment in lines.segments(text)] == texts
    for lineno, content in enumerate(text.splitlines(), start=1):
        cell, index = content.split(" ")[0][1:].split("_")
        assert lines.where(lineno) == f"cell {cell}, line {index}"


def test_a_py_file_is_its_own_line_map():
    assert PLAIN_FILE.where(12) == "line 12"
    assert list(PLAIN_FILE.segments("a = 1\nb = 2\n")) == [(1, "a = 1\nb = 2\n")]
    traceback = 'File "/w/student.py", line 31, in backward_prop'
    assert PLAIN_FILE.relabel(traceback, "/w/student.py") == traceback


def test_tracebacks_and_frames_are_relabelled_with_the_cell():
    lines = LineMap(((1, 2), (4, 5)))
    dump = 'File "/w/hw.ipynb", line 5 in spin\n  File "/w/other.py", line 5, in f'
    assert (
        lines.relabel(dump, "/w/hw.ipynb")
        == 'File "/w/hw.ipynb", cell 5, line 2 in spin\n  File "/w/other.py", line 5, in f'
    )
    assert str(lines.locate(Frame("spin", 5))) == "spin (cell 5, line 2)"
    assert lines.locate(None) is None


def test_a_syntax_error_in_a_later_segment_is_placed_in_it():
    lines = LineMap(((1, 1), (3, 4)))
    with pytest.raises(
        TargetLoadError, match=r"^hw\.ipynb, cell 4, line 2: IndentationError: unexpected indent$"
    ):
        extract_definitions("import os\nx = 1\ny = 2\n    z = 3\n", "hw.ipynb", lines)
    with pytest.raises(
        TargetLoadError, match=r"^hw\.ipynb, cell 4, line 1: SyntaxError: 'return' outside function$"
    ):
        extract_definitions("import os\nx = 1\nreturn x\n", "hw.ipynb", lines)


def test_a_folder_given_as_the_target_is_named_as_such(tmp_path) -> None:
    with pytest.raises(TargetLoadError, match=r"a folder, not a file: give its \.py or \.ipynb file"):
        load_target(str(tmp_path))


CORPUS_FILES = sorted((Path(__file__).parent / "corpus").rglob("*.py"))


@pytest.mark.parametrize("path", CORPUS_FILES[:: max(1, len(CORPUS_FILES) // 12)], ids=lambda path: path.name)
def test_statements_are_read_as_ast_reads_them(path: Path) -> None:
    source = path.read_text()
    text = SourceText(source)
    nodes = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.stmt | ast.expr)]
    assert nodes and all(text.segment(node) == ast.get_source_segment(source, node) for node in nodes)


def test_statements_spanning_crlf_lines_and_wide_characters_are_read_whole() -> None:
    source = 'x = "é"  # ü\r\ndef f(a,\r\n      b):\r\n    return "ÿ" + a\rclass C: pass\n'
    text = SourceText(source)
    for node in ast.parse(source).body:
        assert text.segment(node) == ast.get_source_segment(source, node)
    assert text.segment(ast.parse(source).body[1]).startswith("def f(a,\r\n")
