"""The mapping file: a small TOML file that says what auto-detection got wrong.

    layout = "row"                          # "column": X (784, m) | "row": X (m, 784)
                                            # | "hybrid": X (m, 784) with W1 (h, 784)
    required = ["forward", "dW1", "db1", "dW2", "db2", "update", "loss"]   # what a PASS needs ("all")

    [class]                                 # only for a network written as a class
    name = "MLP"
    learning_rate_attribute = "eta"         # the attribute holding the learning rate

    [components]
    forward = "my_forward"                  # a function, "ClassName.method", or "ClassName" for init
    backward = { function = "grads", args = ["X", "Y", "params"], returns = ["dW1", "db1", "dW2", "db2"] }
    loss = false                            # do not check this component

    allowed_imports = ["pandas"]            # packages the target may import besides the standard
                                            # library, numpy and tqdm (never torch, mnist_ref...)

    [network]                               # the network to check against (default: the classic one)
    layers = [784, 64, 32, 10]              # the keys of mnist_ref.spec: activation, output, loss, l2,
    activation = "sigmoid"                  # optimizer...; command-line options override them

``args`` gives the role of each parameter, in order ("_" keeps the parameter's default);
``returns`` names what each item of a returned tuple is ("_" for an item to ignore). Every
key is optional. ``load_mapping`` reads and validates a file (MappingError: one line naming
the file, the key and what is allowed); ``render_mapping`` writes what the checker found as
such a file, with comments, so that a user can start from it (``mnist-ref check --show-mapping``).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.adapters.choices import KEEP, RETURNABLE, ComponentChoice, TargetMapping
from conformance.adapters.names import COMPONENTS, GRAD_NAMES, OPERATIONS
from conformance.adapters.signatures import OPERATIONS as CALL_OPERATIONS
from conformance.sandbox import imports
from mnist_ref.spec import SpecError, spec_from_table

LAYOUTS = ("column", "row", "hybrid")
CALLS_OF = {"init": ("init", "construct"), "predict": ("predict_from_probabilities", "predict_from_data")}
"""The ways each component can be called (signatures.OPERATIONS), when there are several."""
COMPONENT_KEYS = ("function", "args", "returns")
CLASS_KEYS = ("name", "learning_rate_attribute")
TOP_KEYS = ("layout", "class", "components", "required", "network", "allowed_imports")


class MappingError(ValueError):
    """The mapping file is wrong; the message is one line naming the file and the key."""


LAYER_GRADIENT = re.compile(r"d[Wb][1-9][0-9]*")
"""dW3, db3, ...: the gradients of a deeper network's layers (see conformance.checks.network)."""


def parse_required(value: Any, where: str) -> tuple[str, ...]:
    """The component names of a ``required`` list (or a comma-separated string, or "all"); MappingError
    naming ``where`` and the allowed names for anything else."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(name, str) for name in names):
        raise MappingError(f'{where}: give a list of components, e.g. ["forward", "dW1"]')
    names = [name.strip() for name in names if name.strip()]
    if names == ["all"]:
        return COMPONENTS
    unknown = [name for name in names if name not in COMPONENTS and not LAYER_GRADIENT.fullmatch(name)]
    if unknown:
        raise MappingError(
            f"{where}: unknown component {unknown[0]!r}; the components are {', '.join(COMPONENTS)}"
        )
    return tuple(names)


def load_mapping(path: str | Path) -> TargetMapping:
    """Read and validate the mapping file at ``path``; MappingError says what is wrong, in one line."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(f"{path}: cannot read the mapping file: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise MappingError(f"{path}: the mapping file is not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"{path}: not valid TOML: {error}") from error
    return parse_mapping(data, str(path))


def parse_mapping(data: Mapping[str, Any], source: str) -> TargetMapping:
    """The TargetMapping of a TOML document's ``data``; ``source`` names the file in errors."""
    _only_keys(data, TOP_KEYS, source, "")
    layout = data.get("layout")
    if layout is not None and layout not in LAYOUTS:
        raise MappingError(
            f'{source}: layout = {_toml(layout)}: use "column" (X is (784, m)), "row" (X is (m, 784)) '
            'or "hybrid" (X is (m, 784), W1 is (h, 784))'
        )
    class_table = _table(data.get("class", {}), source, "class")
    _only_keys(class_table, CLASS_KEYS, source, "class.")
    for key in CLASS_KEYS:
        if key in class_table:
            _identifier(class_table[key], source, f"class.{key}", "a Python name")
    components_table = _table(data.get("components", {}), source, "components")
    components = {name: _component(name, value, source) for name, value in components_table.items()}
    required = data.get("required")
    if required is not None:
        required = parse_required(required, f"{source}: required")
    network = None
    if "network" in data:
        try:
            network = spec_from_table(_table(data["network"], source, "network"), f"{source}: [network]")
        except SpecError as error:
            raise MappingError(str(error)) from None
    try:
        allowed = imports.parse_allowed(data.get("allowed_imports", []), f"{source}: allowed_imports")
    except ValueError as error:
        raise MappingError(str(error)) from None
    mapping = TargetMapping(
        source,
        layout,
        components,
        class_table.get("name"),
        class_table.get("learning_rate_attribute"),
        required,
        network,
        allowed,
    )
    _check_one_class(mapping)
    return mapping


def render_mapping(description: Mapping[str, Any], target: str) -> str:
    """What the checker found (``description``, an adapter's describe()) as a mapping file with comments.

    ``tomllib.loads`` of the text gives back ``description["mapping"]``.
    """
    found = description["mapping"]
    lines = [
        f"# Mapping file for `mnist-ref check {target}`, as the checker found things (--show-mapping).",
        f"# Fix what is wrong and pass it back: mnist-ref check {target} --config THIS_FILE.toml",
        '# args: the role of each parameter, in order ("_" keeps its default); returns: what each',
        '# returned item is ("_" is ignored). Roles are listed in the README, section "Mapping file".',
        "",
        f"# {description.get('layout_reason', '')}",
        f"layout = {_toml(found['layout'])}",
    ]
    if "class" in found:
        lines += ["", "[class]", *(f"{key} = {_toml(value)}" for key, value in found["class"].items())]
    lines += ["", "[components]"]
    calls = {_operation(component): text for component, text in description.get("components", {}).items()}
    missing = {_operation(component): text for component, text in description.get("missing", {}).items()}
    for operation in OPERATIONS:
        if operation in found["components"]:
            lines += _component_lines(operation, found["components"][operation], calls, missing)
        else:
            lines += [f"# {operation}: not found ({missing.get(operation, 'no candidate')})"]
    return "\n".join(lines) + "\n"


def _component_lines(
    operation: str, entry: Any, calls: Mapping[str, str], missing: Mapping[str, str]
) -> list[str]:
    """The comment (how it is called, or why not) and the ``operation = ...`` line of one component."""
    if entry is False:
        return [f"# {missing.get(operation, 'not checked')}", f"{operation} = false"]
    fields = ", ".join(f"{key} = {_toml(value)}" for key, value in entry.items())
    return [f"# {calls.get(operation, '')}", f"{operation} = {{ {fields} }}"]


def _operation(component: str) -> str:
    """The component a describe() key stands for: the four gradients come from ``backward``."""
    return "backward" if component in GRAD_NAMES else component


def _component(name: str, value: Any, source: str) -> ComponentChoice:
    """One entry of ``[components]``: a name, false, or a table with function, args and returns."""
    key = f"components.{name}"
    if name not in OPERATIONS:
        gradients = " (dW1, db1, dW2 and db2 all come from backward)" if name in COMPONENTS else ""
        raise MappingError(f"{source}: {key}: not a component{gradients}; use one of {', '.join(OPERATIONS)}")
    if value is False:
        return ComponentChoice(None)
    if isinstance(value, str):
        value = {"function": value}
    if not isinstance(value, dict):
        raise MappingError(
            f'{source}: {key}: use a function name ("my_forward", "MLP.forward"), false, '
            f'or a table {{ function = "...", args = [...] }}'
        )
    _only_keys(value, COMPONENT_KEYS, source, f"{key}.")
    if "function" not in value:
        raise MappingError(f'{source}: {key}: the table needs a function = "..." key')
    function = value["function"]
    if not (isinstance(function, str) and all(part.isidentifier() for part in function.split(".", 1))):
        raise MappingError(
            f"{source}: {key}.function: {_toml(function)} is not a function name "
            '("name" or "ClassName.method")'
        )
    args = _names(value, "args", _roles_of(name), source, key)
    returns = _names(value, "returns", RETURNABLE.get(name, ()), source, key)
    return ComponentChoice(function, args, returns)


def _names(
    table: Mapping[str, Any], field_name: str, allowed: tuple[str, ...], source: str, key: str
) -> tuple[str, ...] | None:
    """The list of roles ``table[field_name]``, each one of ``allowed`` or "_"; None when absent."""
    if field_name not in table:
        return None
    where = f"{source}: {key}.{field_name}"
    if not allowed:
        raise MappingError(f"{where}: {key.split('.')[-1]} returns one value: there is nothing to name")
    values = table[field_name]
    if not (isinstance(values, list) and all(isinstance(item, str) for item in values)):
        raise MappingError(f'{where}: use a list of names, e.g. ["{allowed[0]}", ...]')
    for index, item in enumerate(values):
        if item not in (*allowed, KEEP):
            raise MappingError(
                f"{where}[{index}]: {_toml(item)} is not allowed; use one of {', '.join(allowed)}, _"
            )
    return tuple(values)


def _roles_of(component: str) -> tuple[str, ...]:
    """Every role the checker can give to a parameter of ``component``'s function, in a stable order."""
    calls = CALLS_OF.get(component, (component,))
    return tuple(dict.fromkeys(role for call in calls for role in CALL_OPERATIONS[call].supplies))


def _check_one_class(mapping: TargetMapping) -> None:
    """Every "ClassName.method" names the same class, the one ``[class] name`` gives if it does."""
    expected = mapping.class_named()
    for name, choice in mapping.components.items():
        if choice.class_name and choice.class_name != expected:
            raise MappingError(
                f"{mapping.source}: components.{name}: {_toml(choice.function)} is a method of "
                f"{choice.class_name}, but the network class is {expected}: use one class"
            )


def _table(value: Any, source: str, key: str) -> Mapping[str, Any]:
    """``value`` when it is a TOML table, else MappingError."""
    if not isinstance(value, dict):
        raise MappingError(f"{source}: {key}: expected a table ([{key}])")
    return value


def _only_keys(table: Mapping[str, Any], allowed: tuple[str, ...], source: str, prefix: str) -> None:
    """MappingError for the first key of ``table`` that is not in ``allowed``."""
    for key in table:
        if key not in allowed:
            raise MappingError(f"{source}: {prefix}{key}: unknown key; allowed: {', '.join(allowed)}")


def _identifier(value: Any, source: str, key: str, what: str) -> None:
    """MappingError unless ``value`` is a Python name."""
    if not (isinstance(value, str) and value.isidentifier()):
        raise MappingError(f"{source}: {key} = {_toml(value)}: expected {what}")


def _toml(value: Any) -> str:
    """``value`` written as TOML: strings in double quotes, lists of them, true and false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)
