"""Facts read from the target's code without running it: its functions, the globals and strings they use.

Bytecode gives what every function has (global reads, string constants, attribute
names); the source, when ``inspect`` can find it, gives the names in a ``return``
statement, which tell the order of a returned tuple.
"""

from __future__ import annotations

import ast
import dis
import inspect
import textwrap
import types
from collections.abc import Callable, Iterator
from typing import Any

GLOBAL_READS = frozenset({"LOAD_GLOBAL", "LOAD_NAME"})


def own_functions(module: types.ModuleType) -> dict[str, types.FunctionType]:
    """The functions defined by the module itself (not imported), by name, in definition order."""
    namespace = vars(module)
    return {
        name: value
        for name, value in namespace.items()
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace
    }


def own_classes(module: types.ModuleType) -> dict[str, type]:
    """The classes defined by the module itself (not imported), by name."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    }


def class_functions(cls: type) -> dict[str, types.FunctionType]:
    """The plain functions behind a class's methods, static methods, class methods and properties."""
    functions = {}
    for name, member in vars(cls).items():
        if isinstance(member, staticmethod | classmethod):
            member = member.__func__
        elif isinstance(member, property):
            member = member.fget
        if isinstance(member, types.FunctionType):
            functions[name] = member
    return functions


def methods_without_self(module: types.ModuleType) -> dict[str, tuple[type, types.FunctionType]]:
    """Methods of the module's classes written without ``self`` (no ``@staticmethod``): name -> (class,
    function), for classes with an ``__init__`` of their own, whose methods are meant for instances."""
    found = {}
    for cls in own_classes(module).values():
        if "__init__" not in vars(cls):
            continue
        for name, member in vars(cls).items():
            if isinstance(member, types.FunctionType) and not name.startswith("__"):
                parameters = member.__code__.co_varnames[: member.__code__.co_argcount]
                if not parameters or parameters[0] not in ("self", "cls"):
                    found[name] = (cls, member)
    return found


def attribute_calls(trees: list[ast.AST], owner: str) -> set[str]:
    """The attributes of ``owner`` the parsed code calls: {"forward"} for ``Network.forward(...)``."""
    return {
        node.func.attr
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == owner
    }


def code_objects(function: Callable[..., Any]) -> Iterator[types.CodeType]:
    """The function's code object and every code object nested in it (comprehensions, lambdas, inner defs)."""
    pending = [function.__code__]
    while pending:
        code = pending.pop()
        yield code
        pending.extend(const for const in code.co_consts if isinstance(const, types.CodeType))


def global_reads(function: Callable[..., Any]) -> set[str]:
    """Names the function reads as globals (or builtins): ``m`` in ``dW2 = 1 / m * ...``."""
    return {
        instruction.argval
        for code in code_objects(function)
        for instruction in dis.get_instructions(code)
        if instruction.opname in GLOBAL_READS
    }


def string_constants(function: Callable[..., Any]) -> set[str]:
    """The string literals in the function: dictionary keys such as ``"W1"`` show up here.

    Keys of a dict literal are compiled into one tuple constant; tuples are looked into.
    """
    pending = [const for code in code_objects(function) for const in code.co_consts]
    strings = set()
    while pending:
        const = pending.pop()
        if isinstance(const, str):
            strings.add(const)
        elif isinstance(const, tuple | frozenset):
            pending.extend(const)
    return strings


def referenced_names(function: Callable[..., Any]) -> set[str]:
    """Global and attribute names the function uses (``co_names``): ``self.W1`` contributes ``W1``."""
    return {name for code in code_objects(function) for name in code.co_names}


def casts_to_float32(function: Callable[..., Any]) -> bool:
    """True when the function names float32 (``np.float32``, ``dtype="float32"``): it computes in float32."""
    return "float32" in referenced_names(function) or "float32" in string_constants(function)


def stored_attributes(function: Callable[..., Any]) -> set[str]:
    """Attribute names the function assigns: ``self.W1 -= lr * dW1`` contributes ``W1``."""
    return {
        instruction.argval
        for code in code_objects(function)
        for instruction in dis.get_instructions(code)
        if instruction.opname == "STORE_ATTR"
    }


def modified_attributes(function: Callable[..., Any]) -> set[str]:
    """Attributes of ``self`` the function assigns or changes in place: ``self.W1 -= ...`` and
    ``self.weights[i] -= ...`` both contribute (``W1``, ``weights``)."""
    tree = function_tree(function)
    if tree is None:
        return stored_attributes(function)
    targets = [
        target
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    ]
    found = set()
    for target in targets:
        while isinstance(target, ast.Subscript):
            target = target.value
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            found.add(target.attr)
    return found | stored_attributes(function)


def called_functions(function: Callable[..., Any], module: types.ModuleType) -> list[types.FunctionType]:
    """The module's own functions that ``function`` reads as globals (the ones it calls), one level deep."""
    functions = own_functions(module)
    return [functions[name] for name in sorted(global_reads(function)) if name in functions]


def line_reached(error: BaseException, function: Callable[..., Any]) -> int:
    """The line of ``function``'s own code where ``error`` left it (0 when it never ran): how far it got."""
    code = getattr(function, "__code__", None)
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code is code:
            return frame.tb_lineno
        frame = frame.tb_next
    return 0


def function_tree(function: Callable[..., Any]) -> ast.FunctionDef | None:
    """The function's definition parsed from its source, or None when the source cannot be found."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    try:
        statement = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return None
    return statement if isinstance(statement, ast.FunctionDef) else None


def returned_names(function: Callable[..., Any]) -> tuple[str, ...] | None:
    """The names in the function's first ``return a, b, ...`` statement, or None when unknown.

    ``return W1, b1, W2, b2`` gives ("W1", "b1", "W2", "b2"); ``self.dW1`` gives "dW1" and
    ``cache["A2"]`` gives "A2"; an element that is an expression gives "". Without such a
    statement, the name in the first ``return name``: ``return logits`` gives ("logits",).
    """
    tree = function_tree(function)
    if tree is None:
        return None
    returns = [node.value for node in _own_nodes(tree) if isinstance(node, ast.Return)]
    for value in returns:
        if isinstance(value, ast.Tuple):
            return tuple(_element_name(element) for element in value.elts)
    names = [_element_name(value) for value in returns if value is not None]
    return next(((name,) for name in names if name), None)


def unpacked_names(function: Callable[..., Any]) -> list[tuple[str, ...]]:
    """The targets of every ``a, b, c = name`` in the function: ``W1, b1, W2, b2 = params`` gives
    ("W1", "b1", "W2", "b2"). Empty when the source cannot be found."""
    tree = function_tree(function)
    if tree is None:
        return []
    return [
        tuple(_element_name(element) for element in node.targets[0].elts)
        for node in _own_nodes(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Tuple)
        and isinstance(node.value, ast.Name)
    ]


def _own_nodes(tree: ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function body in source order, without descending into nested functions or classes."""
    pending = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _element_name(node: ast.expr) -> str:
    """The name an element of a returned tuple goes by: a variable, an attribute or a string key."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    return ""


SAMPLE_ITERATORS = frozenset({"zip", "enumerate", "range"})
"""Loops over samples: ``for x, y in zip(X, Y)``, ``for i in range(n)`` (a step makes mini-batches)."""


def called_per_sample(trees: list[ast.AST], callee: str, x_position: int, x_name: str) -> bool:
    """True when the code calls ``callee`` (``back_prop(...)`` or ``self.back_prop(...)``) inside a loop
    over samples, giving it as X (argument ``x_position`` or keyword ``x_name``) an expression of the
    loop's variables: the target feeds it one sample at a time."""
    for tree in trees:
        for loop in ast.walk(tree):
            if not (isinstance(loop, ast.For) and _loops_over_samples(loop.iter)):
                continue
            variables = {node.id for node in ast.walk(loop.target) if isinstance(node, ast.Name)}
            for call in ast.walk(loop):
                if isinstance(call, ast.Call) and _element_name(call.func) == callee:
                    given = _argument(call, x_position, x_name)
                    if given is not None and variables & {
                        n.id for n in ast.walk(given) if isinstance(n, ast.Name)
                    }:
                        return True
    return False


def source_trees(functions: list[Callable[..., Any]], top_level: list[tuple[int, str]]) -> list[ast.AST]:
    """The parsed definitions of ``functions`` and ``top_level`` statements ((line, source) pairs), those
    whose source parses, with the line numbers of the file."""
    trees: list[ast.AST] = []
    for function in functions:
        tree = function_tree(function)
        if tree is not None:
            trees.append(ast.increment_lineno(tree, function.__code__.co_firstlineno - 1))
    for line, source in top_level:
        try:
            trees.append(ast.increment_lineno(ast.parse(textwrap.dedent(source)), line - 1))
        except SyntaxError:
            continue
    return trees


def _loops_over_samples(iterable: ast.expr) -> bool:
    """``zip(...)``, ``enumerate(...)`` or ``range(n)``; not ``range(0, n, batch)``."""
    if not (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)):
        return False
    name = iterable.func.id
    return name in SAMPLE_ITERATORS and (name != "range" or len(iterable.args) == 1)


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The expression a call passes as the parameter at ``position`` (or called ``name``)."""
    keyword = next((keyword.value for keyword in call.keywords if keyword.arg == name), None)
    if keyword is not None:
        return keyword
    return call.args[position] if position < len(call.args) else None


BATCH_SIZE_NAMES = frozenset({"batchsize", "minibatchsize", "bs", "batch", "minibatch", "nbatch"})
"""Parameter names that give a training loop its mini-batch size."""


SAMPLE_DRAWS = frozenset({"choice", "randint", "sample", "integers"})
"""Random calls that pick samples (``np.random.choice(X.shape[0])``, ``rng.integers``)."""


def trains_in_batches(function: Callable[..., Any]) -> bool:
    """True when a training function steps on mini-batches or single samples: it takes a batch size,
    loops with a step (``range(0, n, batch_size)``), over ``zip``/``enumerate`` of the data, or over
    ``range(n)`` indexing the data with the loop variable (``X[i]``), or draws samples at random
    (``np.random.choice(n)``, ``randint``, ``random.sample``)."""
    names = {name.lower().replace("_", "") for name in inspect.signature(function).parameters}
    if names & BATCH_SIZE_NAMES:
        return True
    tree = function_tree(function)
    if tree is None:
        return False
    if any(_element_name(node.func) in SAMPLE_DRAWS for node in ast.walk(tree) if isinstance(node, ast.Call)):
        return True
    for loop in ast.walk(tree):
        if (
            isinstance(loop, ast.For)
            and isinstance(loop.iter, ast.Call)
            and isinstance(loop.iter.func, ast.Name)
        ):
            name, arguments = loop.iter.func.id, loop.iter.args
            if (name == "range" and len(arguments) == 3) or name in ("zip", "enumerate"):
                return True
            if name == "range" and _indexes_with(loop, loop.target):
                return True
    return False


def _indexes_with(loop: ast.For, target: ast.expr) -> bool:
    """True when the loop's body subscripts something with its variable: ``X[i]``, ``X[:, i]``."""
    if not isinstance(target, ast.Name):
        return False
    return any(
        isinstance(node, ast.Subscript)
        and any(isinstance(name, ast.Name) and name.id == target.id for name in ast.walk(node.slice))
        for statement in loop.body
        for node in ast.walk(statement)
    )


def unpacked_calls(trees: list[ast.AST], callee: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, names) of every ``a, b, c = callee(...)`` (or ``self.callee(...)``) in the code."""
    found = []
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Tuple)
                and isinstance(node.value, ast.Call)
                and _element_name(node.value.func) == callee
            ):
                found.append((node.lineno, tuple(_element_name(element) for element in node.targets[0].elts)))
    return found


def positional_calls(trees: list[ast.AST], callee: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, names of the positional arguments) of every call of ``callee`` in the code."""
    return [
        (node.lineno, tuple(_element_name(argument) for argument in node.args))
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _element_name(node.func) == callee
    ]
