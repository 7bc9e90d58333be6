"""Choosing the target function behind an operation and planning its call: by name, or as a mapping file says.

Found by name, several functions may fit (``make_predictions`` and ``get_predictions``):
the first one whose parameters can all be given a value is used. Named in a mapping file,
the function is used as it is told (its parameters' roles, what its returned items are),
and a choice that does not fit is an error of the mapping file.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from conformance.adapters.layouts import Conventions, Layout
from conformance.adapters.names import PARAM_NAMES, roles_for
from conformance.adapters.signatures import OPERATIONS as CALL_OPERATIONS
from conformance.adapters.signatures import CallPlan, Operation, UnmappableError, plan_call, plan_with_roles
from conformance.sandbox.protocol import NotProvided, TargetLoadError

if TYPE_CHECKING:
    from conformance.adapters.choices import ComponentChoice, TargetMapping

PROBABILITY_ROLES = frozenset({"A2", "Z2"})


def call_operation(
    operation: str, function: Callable[..., Any], roles: tuple[str | None, ...] | None = None
) -> Operation:
    """How ``function`` is called for the adapter's ``operation``.

    A predictor is called on the data (``predict(X, W1, ...)``) if it takes the data, else on
    the probabilities (``get_predictions(A2)``); an accuracy on the data (``evaluate(X, y)``, with
    its own predictions) if it takes the data, else on predictions. Given ``roles`` (a mapping
    file's), they decide.
    """
    if operation not in ("predict", "accuracy"):
        return CALL_OPERATIONS[operation]
    if roles is not None:
        takes_data = "X" in roles if operation == "accuracy" else not PROBABILITY_ROLES & set(roles)
    else:
        data_roles = {"X"} if operation == "accuracy" else {"X", "params", *PARAM_NAMES}
        takes_data = any(data_roles & set(roles_for(name)) for name in inspect.signature(function).parameters)
    if operation == "accuracy":
        return CALL_OPERATIONS["accuracy_from_data" if takes_data else "accuracy"]
    return CALL_OPERATIONS["predict_from_data" if takes_data else "predict_from_probabilities"]


@dataclass(frozen=True)
class Candidate:
    """A target function that may implement an operation: its title, the function, how it would be called."""

    title: str
    function: types.FunctionType
    operation: Operation
    method: bool = False  # a method taking the instance first

    @classmethod
    def of(
        cls,
        title: str,
        function: types.FunctionType,
        operation: str,
        method: bool = False,
        roles: tuple[str | None, ...] | None = None,
    ) -> Candidate:
        """The candidate ``function`` for the adapter's ``operation`` (called with ``roles``, if given)."""
        return cls(title, function, call_operation(operation, function, roles), method)

    def layout_for(self, conventions: Conventions) -> Callable[[str], Layout]:
        """How this function bundles each container, as ``plan_call`` asks for it."""
        return lambda container: conventions.layout(container, self.function)


def first_plan(candidates: list[Candidate], conventions: Conventions, component: str) -> CallPlan:
    """The plan of the first candidate whose parameters can all be given a value.

    Predictors on the probabilities come first (they check predict on its own). NotProvided,
    with the first candidate's reason, when no candidate fits.
    """
    ordered = sorted(candidates, key=lambda candidate: candidate.operation.name == "predict_from_data")
    reasons = []
    for candidate in ordered:
        try:
            return plan_call(
                candidate.function,
                candidate.title,
                candidate.operation,
                candidate.layout_for(conventions),
                method=candidate.method,
            )
        except UnmappableError as error:
            reasons.append(str(error))
    raise NotProvided(component, reasons[0])


def chosen_plan(
    candidate: Candidate,
    choice: ComponentChoice,
    conventions: Conventions,
    mapping: TargetMapping,
    component: str,
) -> CallPlan:
    """The plan a mapping file asks for: its ``args`` roles if given (else by names), its ``returns``.

    TargetLoadError, naming the file and the key, when the function cannot be called that way.
    """
    layout_for = candidate.layout_for(conventions)
    try:
        if choice.roles is None:
            plan = plan_call(
                candidate.function, candidate.title, candidate.operation, layout_for, method=candidate.method
            )
            return plan if choice.returns is None else replace(plan, returned=choice.returns)
        return plan_with_roles(
            candidate.function,
            candidate.title,
            candidate.operation,
            choice.roles,
            layout_for,
            method=candidate.method,
            returned=choice.returns,
        )
    except UnmappableError as error:
        hint = "" if choice.roles is not None else ' (give the roles: args = ["...", ...])'
        raise TargetLoadError(f"{mapping.source}: components.{component}: {error}{hint}") from error


def missing_function_error(
    mapping: TargetMapping, component: str, what: str, known: list[str]
) -> TargetLoadError:
    """The error for a mapping file naming a function (or method, or class) the target does not have."""
    listed = ", ".join(known) if known else "none"
    return TargetLoadError(
        f"{mapping.source}: components.{component}: the target has no {what} (it has: {listed})"
    )
