"""Mapping a target function's parameters to canonical values, by name first and by position second.

``backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)`` and ``back_prop(Z1, A1, Z2, A2, W2, X, Y)``
are mapped by their names alone; ``forward(p, data)`` has an unknown name (``p``), so
its parameters are matched against the usual orders of a forward pass
(``(params, X)``, ``(W1, b1, W2, b2, X)``...). The result is a ``CallPlan``: which
role each parameter receives, and how bundles (params, cache, grads) are packed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.adapters.introspect import returned_names
from conformance.adapters.layouts import Layout
from conformance.adapters.names import CONTAINER_NAMES, normalize, roles_for

POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)

LIST_ROLES = frozenset({"hidden_sizes", "layer_sizes"})
"""Roles whose value is a list of sizes: never given to a parameter whose default is a number."""
SHOWN_VALUES = {"dA": "ones_like(Z)", "m": "X.shape[1]", "seed": "0", "l2": "0", "lr_decay": "1"}
"""How ``CallPlan.text`` shows roles whose value is made up by the adapter."""


class UnmappableError(Exception):
    """A parameter of the target function cannot be given a value; the message says which and why."""


@dataclass(frozen=True)
class Operation:
    """What an adapter operation can hand to the target function it calls.

    ``supplies``: the roles it has values for. ``templates``: the usual parameter orders,
    used to place parameters whose names say nothing. ``any_name``: a one-input function
    (``relu(x)``) may call its input anything. ``optional``: roles given only to parameters
    without a default (``one_hot(y, num_classes=10)`` keeps its own 10). ``flexible_labels``:
    a ``Y`` parameter gets integer labels or one-hot columns, whichever works.
    """

    name: str
    supplies: tuple[str, ...]
    templates: tuple[tuple[str, ...], ...] = ()
    any_name: bool = False
    optional: frozenset[str] = frozenset()
    flexible_labels: bool = False


PARAMS = ("W1", "b1", "W2", "b2")
SIZES = ("n_in", "hidden", "n_out")

OPERATIONS = {
    operation.name: operation
    for operation in (
        Operation(
            "init", ("n_in", "hidden", "n_out", "layer_sizes", "hidden_sizes", "seed"),
            templates=(SIZES, ("layer_sizes",)), optional=frozenset({"seed"}),
        ),
        Operation(
            "construct",
            ("n_in", "hidden", "n_out", "lr", "layer_sizes", "hidden_sizes", "seed", "hidden_activation"),
            templates=((*SIZES, "lr"), ("layer_sizes", "lr")), optional=frozenset({"seed"}),
        ),
        Operation("relu", ("Z",), templates=(("Z",),), any_name=True),
        Operation("relu_grad", ("Z", "dA"), templates=(("Z",), ("dA", "Z")), any_name=True),
        Operation("softmax", ("Z",), templates=(("Z",),), any_name=True),
        Operation(
            "one_hot", ("Y", "n_out"), templates=(("Y",), ("Y", "n_out")), any_name=True,
            optional=frozenset({"n_out"}),
        ),
        Operation(
            "forward", ("params", *PARAMS, "X"),
            templates=((*PARAMS, "X"), ("X", *PARAMS), ("params", "X"), ("X", "params")),
        ),
        Operation(
            "loss", ("A2", "Z2", "Y", "Y_onehot", "params", *PARAMS, "X", "cache", "m", "l2"),
            templates=(("A2", "Y"), ("params", "X", "Y")), flexible_labels=True,
        ),
        Operation(
            "backward",
            (
                "Z1", "A1", "Z2", "A2", "cache", "params", *PARAMS, "X", "Y", "Y_onehot", "m", "lr",
                "loss_function", "l2",
            ),
            templates=(
                ("Z1", "A1", "Z2", "A2", "W1", "W2", "X", "Y"),
                ("Z1", "A1", "Z2", "A2", "W2", "X", "Y"),
                ("params", "cache", "X", "Y"),
                ("X", "Y", "params", "cache"),
            ),
            flexible_labels=True,
        ),
        Operation(
            "update", ("params", "grads", *PARAMS, "dW1", "db1", "dW2", "db2", "lr"),
            templates=((*PARAMS, "dW1", "db1", "dW2", "db2", "lr"), ("params", "grads", "lr")),
        ),
        Operation("predict_from_probabilities", ("A2", "Z2"), templates=(("A2",),), any_name=True),
        Operation(
            "predict_from_data", ("X", "params", *PARAMS, "Y", "Y_onehot"),
            templates=(("X", *PARAMS), (*PARAMS, "X"), ("params", "X"), ("X", "params")),
            flexible_labels=True,
        ),
        Operation(
            "accuracy", ("predictions", "Y", "Y_onehot"), templates=(("predictions", "Y"),),
            flexible_labels=True,
        ),
        Operation(
            "accuracy_from_data", ("X", "Y", "Y_onehot", "params", *PARAMS), templates=(("X", "Y"),),
            flexible_labels=True,
        ),
        Operation(
            "train",
            ("X", "Y", "Y_onehot", "lr", "steps", "params", *PARAMS, "m", "loss_function", "l2", "lr_decay"),
            templates=(("X", "Y", "lr", "steps"),), flexible_labels=True,
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Argument:
    """One parameter of the target function and the role it receives (None: its default is kept)."""

    name: str
    role: str | None
    kind: inspect._ParameterKind
    default: Any = inspect.Parameter.empty


@dataclass(frozen=True)
class CallPlan:
    """How to call one target function (or method) in canonical terms."""

    function: Callable[..., Any]
    title: str  # what the user reads: "backward_prop", "NeuralNetwork.forward_propagation"
    operation: Operation
    arguments: tuple[Argument, ...]
    layouts: Mapping[str, Layout] = field(default_factory=dict)  # for the params / cache / grads roles
    method: bool = False  # the instance goes first
    returned: tuple[str, ...] | None = None  # names in the function's return statement, if known
    guessed: str | None = (
        None  # what of the call was guessed rather than read from names, e.g. "argument order"
    )

    def uses(self, *roles: str) -> bool:
        """True when some parameter receives one of ``roles``."""
        return any(argument.role in roles for argument in self.arguments)

    def argument_for(self, role: str) -> Argument | None:
        """The first parameter that receives ``role``."""
        return next((argument for argument in self.arguments if argument.role == role), None)

    def prepare(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with each bundle this plan passes packed the target's way (dict keys or tuple order)."""
        prepared = dict(values)
        for role, layout in self.layouts.items():
            prepared[role] = layout.pack(values[role])
        return prepared

    def call(self, prepared: Mapping[str, Any], instance: Any = None) -> Any:
        """Call the function with the ``prepare``-d values; a method is called on ``instance``. A parameter
        with a default whose role has no value keeps its default."""
        args: list[Any] = [instance] if self.method else []
        kwargs: dict[str, Any] = {}
        for argument in self.arguments:
            given = argument.role is not None and (argument.role in prepared or _required(argument))
            if argument.kind == inspect.Parameter.POSITIONAL_ONLY:
                args.append(prepared[argument.role] if given else argument.default)
            elif given:
                kwargs[argument.name] = prepared[argument.role]
        return self.function(*args, **kwargs)

    def text(self) -> str:
        """The call as the user reads it: ``forward(params, X)``, ``train(X, Y, alpha=lr, epochs=steps)``."""
        shown = []
        for argument in self.arguments:
            if argument.role is None:
                continue
            value = SHOWN_VALUES.get(argument.role, argument.role)
            plain = normalize(argument.name) == normalize(argument.role) and argument.role not in SHOWN_VALUES
            shown.append(argument.name if plain else f"{argument.name}={value}")
        return f"{self.title}({', '.join(shown)})"

    def layout_notes(self) -> list[str]:
        """One note per bundle: "params as dict with keys 'W1', 'b1', 'W2', 'b2'"."""
        notes = []
        for role, layout in self.layouts.items():
            argument = self.argument_for(role)
            notes.append(f"{argument.name if argument else role} as {layout.text()}")
        return notes


def plan_call(
    function: Callable[..., Any],
    title: str,
    operation: Operation,
    layout_for: Callable[[str], Layout],
    *,
    method: bool = False,
) -> CallPlan:
    """The plan for calling ``function`` as ``operation``; UnmappableError when a parameter has no value.

    ``layout_for(container)`` says how the target bundles "params", "cache" or "grads".
    ``method``: ``function`` is a plain method, its first parameter (self) is the instance.
    """
    parameters = _parameters(function, method)
    roles = [_role_by_name(parameter, operation, title) for parameter in parameters]
    by_position = any(
        role is None and _required(parameter) for parameter, role in zip(parameters, roles, strict=True)
    )
    if by_position:
        roles = _roles_by_position(parameters, roles, operation, title)
    roles = [
        None if role in operation.optional and not _required(parameter) else role
        for parameter, role in zip(parameters, roles, strict=True)
    ]
    roles = _defaults_kept(parameters, roles)
    plan = _plan(function, title, operation, parameters, roles, layout_for, method, returned_names(function))
    return replace(plan, guessed="the order of its arguments") if by_position else plan


def plan_with_roles(
    function: Callable[..., Any],
    title: str,
    operation: Operation,
    roles: tuple[str | None, ...],
    layout_for: Callable[[str], Layout],
    *,
    method: bool = False,
    returned: tuple[str, ...] | None = None,
) -> CallPlan:
    """The plan for calling ``function`` with the given role for each parameter, in order (a mapping
    file's ``args``); None keeps the parameter's default. UnmappableError when they do not fit."""
    parameters = _parameters(function, method)
    names = ", ".join(parameter.name for parameter in parameters)
    if len(roles) != len(parameters):
        given = "1 role" if len(roles) == 1 else f"{len(roles)} roles"
        raise UnmappableError(f"{given} given for the {len(parameters)} parameters of {title}({names})")
    for parameter, role in zip(parameters, roles, strict=True):
        if role is None and _required(parameter):
            raise UnmappableError(
                f"`{parameter.name}` of {title}({names}) has no default value: give it a role"
            )
        if role is not None and role not in operation.supplies:
            raise UnmappableError(
                f"{_operation_text(operation)} cannot give {role} to `{parameter.name}` of {title}({names})"
            )
    returned = returned if returned is not None else returned_names(function)
    return _plan(function, title, operation, parameters, list(roles), layout_for, method, returned)


def _parameters(function: Callable[..., Any], method: bool) -> list[inspect.Parameter]:
    """The parameters that receive values: not the instance of a method, not *args or **kwargs."""
    parameters = list(inspect.signature(function).parameters.values())
    if method:
        parameters = parameters[1:]
    return [parameter for parameter in parameters if parameter.kind not in VARIADIC]


def _plan(
    function: Callable[..., Any],
    title: str,
    operation: Operation,
    parameters: list[inspect.Parameter],
    roles: list[str | None],
    layout_for: Callable[[str], Layout],
    method: bool,
    returned: tuple[str, ...] | None,
) -> CallPlan:
    """The CallPlan giving each parameter its role, with the layouts of the bundles among them."""
    arguments = tuple(
        Argument(parameter.name, role, parameter.kind, parameter.default)
        for parameter, role in zip(parameters, roles, strict=True)
    )
    layouts = {role: layout_for(role) for role in dict.fromkeys(roles) if role in CONTAINER_NAMES}
    unknown = [role for role, layout in layouts.items() if getattr(layout, "guessed", False)]
    guessed = f"the keys of its {' and '.join(unknown)}" if unknown else None
    return CallPlan(function, title, operation, arguments, layouts, method, returned, guessed)


def _defaults_kept(parameters: list[inspect.Parameter], roles: list[str | None]) -> list[str | None]:
    """The roles, with None for a parameter with a default whose role an earlier parameter already has:
    ``gradient_descent(X, Y, alpha, iterations, X_dev=None, Y_dev=None)`` keeps its dev set at None."""
    kept: list[str | None] = []
    for parameter, role in zip(parameters, roles, strict=True):
        repeated = role is not None and role in kept and not _required(parameter)
        kept.append(None if repeated else role)
    return kept


def _required(parameter: inspect.Parameter) -> bool:
    return parameter.default is inspect.Parameter.empty


def _role_by_name(parameter: inspect.Parameter, operation: Operation, title: str) -> str | None:
    """The role the parameter's name asks for, if the operation supplies it.

    A required parameter whose name asks for something the operation does not have
    (``accuracy(X, y)`` asked for predictions) cannot be called, except by a
    one-input function, whose input may be called anything.
    """
    wanted = roles_for(parameter.name)
    if isinstance(parameter.default, int) and not isinstance(parameter.default, bool):
        wanted = tuple(role for role in wanted if role not in LIST_ROLES)  # hidden_layers=1 counts layers
    role = next((role for role in wanted if role in operation.supplies), None)
    if role is None and wanted and _required(parameter) and not operation.any_name:
        raise UnmappableError(
            f"{title} takes `{parameter.name}` ({wanted[0]}), which the checker cannot give to "
            f"{_operation_text(operation)}"
        )
    return role


def _roles_by_position(
    parameters: list[inspect.Parameter], roles: list[str | None], operation: Operation, title: str
) -> list[str | None]:
    """Fill the roles that names left open from a usual order consistent with the named ones.

    The order must have one role per required positional parameter: three parameters named
    ``foo, bar, baz`` are not the first three of ``(W1, b1, W2, b2, X)``.
    """
    required = [index for index, parameter in enumerate(parameters) if _required(parameter)]
    open_required = [index for index in required if roles[index] is None]
    for template in operation.templates:
        placeable = len(template) == len(required) and all(
            index < len(template) and parameters[index].kind in POSITIONAL for index in open_required
        )
        consistent = all(
            role is None or role == template[index] for index, role in enumerate(roles[: len(template)])
        )
        if placeable and consistent:
            return [template[index] if index in open_required else role for index, role in enumerate(roles)]
    names = ", ".join(f"`{parameters[index].name}`" for index in open_required)
    usual = " or ".join(f"({', '.join(template)})" for template in operation.templates) or "known names"
    raise UnmappableError(
        f"cannot tell what {names} of {title}({', '.join(p.name for p in parameters)}) is: "
        f"name the parameters like {usual}"
    )


def _operation_text(operation: Operation) -> str:
    """The component's name as the user knows it: "predict" for "predict_from_data"."""
    return operation.name.split("_from_")[0]
