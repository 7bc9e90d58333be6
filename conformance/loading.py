"""Loading a student's target without running its top-level code.

A student's script usually trains, reads data and plots at module level. The checker needs only
the definitions, so it keeps, in order, the imports, the function and class definitions and the
simple constant assignments, and skips every other top-level statement. Each skipped statement
is recorded with the names it would have set, so that a later NameError can be explained.

A notebook is read as the Python text of its code cells (``conformance.notebook``); every
message names the cell and the line in it ("homework.ipynb, cell 4, line 2: SyntaxError: ...").
"""

from __future__ import annotations
import __future__

import ast
import builtins
import importlib
import importlib.util
import io
import linecache
import sys
import tokenize
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.notebook import read_notebook
from conformance.sandbox.protocol import TargetLoadError
from conformance.sandbox.tracebacks import exception_summary, innermost_frame
from conformance.source_lines import PLAIN_FILE, LineMap, Source

SKIPPED_ATTRIBUTE = "__mnist_ref_skipped__"
"""The loaded module's attribute holding its Skipped statements (failed imports included), by line."""
LINES_ATTRIBUTE = "__mnist_ref_lines__"
"""The loaded module's attribute holding its LineMap (where each line is: "cell 4, line 2")."""


@dataclass(frozen=True)
class Skipped:
    """A top-level statement that was not run, or a kept import that failed."""

    lineno: int
    code: str
    assigns: tuple[str, ...]  # the global names it would have set
    import_error: str = ""  # for a failed import: "ModuleNotFoundError: No module named 'google'"


@dataclass(frozen=True)
class Extraction:
    """The kept statements of a source file (``code``, in order) and the skipped ones."""

    code: str
    skipped: tuple[Skipped, ...]
    statements: tuple[ast.stmt, ...] = field(default=(), repr=False, compare=False)  # kept, for compiling


def read_python_source(path: Path) -> Source:
    """The text of a .py file, decoded as Python does (PEP 263 coding line, UTF-8 by default)."""
    try:
        with tokenize.open(path) as file:
            return Source(file.read())
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        raise TargetLoadError(f"{path.name}: cannot read the file: {error}") from error


SOURCE_READERS: dict[str, Callable[[Path], Source]] = {".py": read_python_source, ".ipynb": read_notebook}
"""How to get Python source (and where its lines are) out of each kind of target file, by suffix."""


@dataclass(frozen=True)
class TargetSource:
    """A target read and split, ready to run: no code of it has run yet."""

    path: Path
    module_name: str
    extraction: Extraction
    lines: LineMap
    folder_on_path: bool  # whether the file's folder goes first on sys.path when it runs


def load_target(target: str, module_name: str = "") -> types.ModuleType:
    """A module built from the safe definitions of ``target``, a source file or an importable module name.

    The module is registered in ``sys.modules`` and, for a file, the file's folder goes first on
    ``sys.path`` so that the student's own helper modules can be imported. ``module_name`` loads
    the file ``target`` as that module of a package instead (whose root is on sys.path already).
    Raises TargetLoadError.
    """
    return run_target(read_target(target, module_name))


def read_target(target: str, module_name: str = "") -> TargetSource:
    """Read and split ``target`` (see load_target) without running any of its code.

    Only a module name's parent packages are imported, to find it. Raises TargetLoadError.
    """
    path, name = (Path(target).resolve(), module_name) if module_name else _locate(target)
    read_source = SOURCE_READERS.get(path.suffix)
    if read_source is None:
        raise TargetLoadError(
            f"{path.name}: cannot check a '{path.suffix}' file (expected {', '.join(SOURCE_READERS)})"
        )
    source = read_source(path)
    _remember_source(path, source.text)
    extraction = extract_definitions(source.text, str(path), source.lines)
    return TargetSource(path, name, extraction, source.lines, folder_on_path=not module_name)


def run_target(target: TargetSource) -> types.ModuleType:
    """Run the kept statements of a target read by read_target, in a fresh module; raises TargetLoadError."""
    if target.folder_on_path and str(target.path.parent) not in sys.path:
        sys.path.insert(0, str(target.path.parent))
    package = target.module_name.rpartition(".")[0]
    if package:  # first, as an import of the module would: it may import the module itself
        try:
            importlib.import_module(package)
        except Exception as error:  # the package's own code can raise anything
            raise TargetLoadError(
                f"{target.module_name}: cannot import its package: {exception_summary(error)}"
            ) from error
    return _build_module(target.module_name, target.path, target.extraction, target.lines)


def extract_definitions(source: str, filename: str, lines: LineMap = PLAIN_FILE) -> Extraction:
    """Split the top-level statements of ``source`` into the kept ones and the skipped ones.

    Raises TargetLoadError naming the line (as ``lines`` places it) when ``source`` does not compile.
    """
    tree = _parse(source, filename, lines)
    text = SourceText(source)
    known_names = set(dir(builtins))
    kept: list[ast.stmt] = []
    skipped: list[Skipped] = []
    for statement in tree.body:
        names = tuple(_bound_names(statement))
        if _is_kept(statement, known_names):
            kept.append(statement)
            known_names.update(names)
        else:
            skipped.append(Skipped(statement.lineno, text.segment(statement), names))
    code = "\n".join(_statement_source(text, statement) for statement in kept)
    return Extraction(code, tuple(skipped), tuple(kept))


def setter_of(skipped: tuple[Skipped, ...], name: str) -> Skipped | None:
    """The skipped statement or failed import that would have set the global ``name``, if any."""
    return next((statement for statement in skipped if name in statement.assigns), None)


SAMPLE_COUNT_NAMES = frozenset({"m", "n", "nsamples", "numsamples", "numexamples", "nexamples", "batchsize"})
"""Global names that usually hold the number of samples, which the function should read off its X."""


def _global_fix(name: str) -> str:
    """How to stop reading the global ``name``: ``m = X.shape[1]`` inside the function for a sample count."""
    if name.lower().replace("_", "") in SAMPLE_COUNT_NAMES:
        return f"compute it inside the function from the batch it is given (`{name} = X.shape[1]`)"
    return f"pass `{name}` as an argument, or compute it inside the function"


def explain_missing_global(
    skipped: tuple[Skipped, ...], name: str, reader: str, lines: LineMap = PLAIN_FILE
) -> str | None:
    """Why the global ``name`` that ``reader`` (e.g. "backward_prop (line 31)") reads is not defined.

    None when no skipped statement or failed import would have set it. ``lines`` places the line
    that would have set it ("line 12", or "cell 3, line 1" in a notebook).
    """
    statement = setter_of(skipped, name)
    if statement is None:
        return None
    lineno, line = _binding_line(statement, name)
    where = lines.where(lineno)
    if statement.import_error:
        return (
            f"{reader} reads the global `{name}`, which the import on {where} (`{line}`) "
            f"should set, but that import failed ({statement.import_error})"
        )
    return (
        f"{reader} reads the global `{name}`, which only top-level code sets ({where}: `{line}`) "
        f"and the checker does not run top-level code: {_global_fix(name)}"
    )


def _locate(target: str) -> tuple[Path, str]:
    """The source file of ``target`` and the name its module gets."""
    path = Path(target)
    if path.suffix in SOURCE_READERS or path.exists():
        if path.is_dir():
            raise TargetLoadError(
                f"{target}: a folder, not a file: give its .py or .ipynb file "
                "(`mnist-ref grade` takes a folder)"
            )
        if not path.is_file():
            raise TargetLoadError(f"{target}: file not found")
        return path.resolve(), path.stem
    return _module_source(target), target


def _module_source(name: str) -> Path:
    """The source file of module ``name``, found without importing it (its parent packages are imported)."""
    if not all(part.isidentifier() for part in name.split(".")):
        raise TargetLoadError(f"{name}: no such file, and not a module name")
    try:
        spec = importlib.util.find_spec(name)
    except Exception as error:  # importing a parent package can raise anything
        raise TargetLoadError(f"{name}: cannot look the module up: {exception_summary(error)}") from error
    if spec is None:
        raise TargetLoadError(f"{name}: no such file, and no importable module of that name")
    if not spec.has_location or spec.origin is None or Path(spec.origin).suffix not in SOURCE_READERS:
        raise TargetLoadError(
            f"{name}: the module has no Python source file to check (origin: {spec.origin})"
        )
    return Path(spec.origin)


def _parse(source: str, filename: str, lines: LineMap) -> ast.Module:
    """The syntax tree of ``source``, compiled once to catch every syntax error (misplaced `return` too).

    Each segment of ``lines`` (a notebook's cell) is parsed on its own, as the kernel runs it,
    so that an unclosed bracket is reported in its own cell.
    """
    body: list[ast.stmt] = []
    for start, segment in lines.segments(source):
        tree = _checked(lambda segment=segment: ast.parse(segment, filename), filename, lines, start)
        body.extend(ast.increment_lineno(tree, start - 1).body)
    tree = ast.Module(body, type_ignores=[])
    _checked(lambda: compile(tree, filename, "exec", dont_inherit=True), filename, lines, 1)
    return tree


def _checked(parse: Callable[[], Any], filename: str, lines: LineMap, start: int) -> Any:
    """``parse()``; a syntax error becomes a TargetLoadError naming its line (text from line ``start``)."""
    try:
        return parse()
    except SyntaxError as error:
        where = lines.where(start + (error.lineno or 1) - 1)
        raise TargetLoadError(
            f"{Path(filename).name}, {where}: {type(error).__name__}: {error.msg}"
        ) from error
    except ValueError as error:  # null bytes in the source
        raise TargetLoadError(f"{Path(filename).name}: {error}") from error


def _is_kept(statement: ast.stmt, known_names: set[str]) -> bool:
    """Imports, definitions, docstrings and constant assignments are kept; everything else is skipped."""
    match statement:
        case ast.Import() | ast.ImportFrom() | ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
            return True
        case ast.Expr(value=ast.Constant()):
            return True
        case ast.Assign(targets=targets, value=value):
            return all(_is_plain_target(target) for target in targets) and _is_constant(value, known_names)
        case ast.AnnAssign(target=ast.Name(), annotation=annotation, value=value) if value is not None:
            return _is_constant(annotation, known_names) and _is_constant(value, known_names)
    return False


def _is_plain_target(node: ast.expr) -> bool:
    """``a`` or ``a, (b, c)``: names only, no attributes or subscripts."""
    match node:
        case ast.Name():
            return True
        case ast.Tuple(elts=items) | ast.List(elts=items):
            return all(_is_plain_target(item) for item in items)
    return False


def _is_constant(node: ast.expr, known_names: set[str]) -> bool:
    """Literals and containers, arithmetic and subscripts of them, and attributes of kept names (np.float32).

    No calls: ``np.load(...)`` or ``pd.read_csv(...)`` are data loading.
    """
    match node:
        case ast.Constant():
            return True
        case ast.Name(id=name):
            return name in known_names
        case ast.Attribute(value=value):
            return _is_constant(value, known_names)
        case ast.Tuple(elts=items) | ast.List(elts=items) | ast.Set(elts=items):
            return all(_is_constant(item, known_names) for item in items)
        case ast.Dict(keys=keys, values=values):
            return None not in keys and all(_is_constant(item, known_names) for item in [*keys, *values])
        case ast.UnaryOp(operand=operand):
            return _is_constant(operand, known_names)
        case ast.BinOp(left=left, right=right) | ast.Subscript(value=left, slice=right):
            return _is_constant(left, known_names) and _is_constant(right, known_names)
    return False


class _NameBinder(ast.NodeVisitor):
    """The global names a top-level statement sets, with the line of their first binding.

    Function and class bodies, lambdas and comprehensions have their own scopes and are not entered.
    """

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}

    def bind(self, name: str, node: ast.AST) -> None:
        self.lines.setdefault(name, node.lineno)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bind(node.id, node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.bind(node.name, node)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.bind(alias.asname or alias.name.split(".")[0], node)

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name, node)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda


def _bound_names(statement: ast.AST) -> dict[str, int]:
    """Name -> line of the global names ``statement`` sets, in order."""
    binder = _NameBinder()
    binder.visit(statement)
    return binder.lines


def _binding_line(statement: Skipped, name: str) -> tuple[int, str]:
    """The line number and stripped text of the line in ``statement`` that sets ``name``."""
    lines = statement.code.splitlines()
    try:
        offset = _bound_names(ast.parse(statement.code)).get(name, 1) - 1
    except SyntaxError:  # a segment that does not parse alone (e.g. it started after a `;`)
        offset = 0
    return statement.lineno + offset, lines[offset].strip()


class SourceText:
    """A source's lines, split once, so that the text of its statements is read in time linear in the
    file's size (``ast.get_source_segment`` splits the whole source again for every statement)."""

    def __init__(self, source: str):
        self.lines = io.StringIO(source, newline="").readlines()  # split at \n, \r and \r\n, as Python does

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (as ``ast.get_source_segment``; offsets are UTF-8 byte offsets)."""
        first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if first == last:
            return self.lines[first].encode()[start:end].decode()
        head = self.lines[first].encode()[start:].decode()
        tail = self.lines[last].encode()[:end].decode()
        return "".join([head, *self.lines[first + 1 : last], tail])


def _statement_source(text: SourceText, statement: ast.stmt) -> str:
    """The source text of a kept statement, decorators included."""
    decorators = [f"@{text.segment(d)}" for d in getattr(statement, "decorator_list", [])]
    return "\n".join([*decorators, text.segment(statement)])


def _remember_source(path: Path, text: str) -> None:
    """Put the compiled text in linecache, so that tracebacks and ``inspect`` read it, not the file
    (a notebook's JSON, or a file changed since)."""
    linecache.cache[str(path)] = (len(text), None, text.splitlines(keepends=True), str(path))


def _build_module(name: str, path: Path, extraction: Extraction, lines: LineMap) -> types.ModuleType:
    """Run the kept statements, one by one, in a fresh module; a failing import is recorded and skipped."""
    module = types.ModuleType(name)
    module.__file__ = str(path)
    module.__package__ = name.rpartition(".")[0]
    sys.modules[name] = module
    failed_imports: list[Skipped] = []
    future_flags = 0
    for statement in extraction.statements:
        code = compile(
            ast.Module([statement], type_ignores=[]), str(path), "exec", flags=future_flags, dont_inherit=True
        )
        try:
            exec(code, module.__dict__)
        except (Exception, SystemExit) as error:
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                raise TargetLoadError(
                    _definition_error(error, path, statement, extraction.skipped, lines)
                ) from error
            failed_imports.append(_failed_import(statement, error))
        future_flags |= _future_flags(statement)
    skipped = sorted([*extraction.skipped, *failed_imports], key=lambda s: s.lineno)
    setattr(module, SKIPPED_ATTRIBUTE, tuple(skipped))
    setattr(module, LINES_ATTRIBUTE, lines)
    return module


def _failed_import(statement: ast.Import | ast.ImportFrom, error: BaseException) -> Skipped:
    """The record of a kept import that raised."""
    return Skipped(
        statement.lineno, ast.unparse(statement), tuple(_bound_names(statement)), exception_summary(error)
    )


def _future_flags(statement: ast.stmt) -> int:
    """The compiler flags a ``from __future__ import ...`` statement turns on for what follows."""
    if not (isinstance(statement, ast.ImportFrom) and statement.module == "__future__"):
        return 0
    flags = 0
    for alias in statement.names:
        flags |= getattr(__future__, alias.name).compiler_flag
    return flags


def _definition_error(
    error: BaseException, path: Path, statement: ast.stmt, skipped: tuple[Skipped, ...], lines: LineMap
) -> str:
    """'student.py, line 12: NameError: ...' for an exception raised while defining things."""
    frame = innermost_frame(error, str(path))
    where = lines.where(frame.lineno if frame else statement.lineno)
    message = f"{path.name}, {where}: {exception_summary(error)}"
    if type(error) is NameError and error.name:
        explanation = explain_missing_global(skipped, error.name, f"the definition on {where}", lines)
        if explanation:
            message += f"; {explanation}"
    return message
