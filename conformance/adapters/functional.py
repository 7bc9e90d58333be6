"""The adapter for a target written as module-level functions, the classic notebook style.

Each operation finds the target's function by name (``names.FUNCTION_NAMES``), maps
its parameters (``signatures.plan_call``), calls it, and reads what it returned back
into canonical terms (``layouts.read_arrays``). Components checked on their own get
their other inputs from the reference: ``compute_loss(A2, Y)`` and ``get_predictions(A2)``
receive the reference forward pass's A2.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters.description import by_component, call_text, init_sizes
from conformance.adapters.introspect import called_functions, global_reads, own_functions
from conformance.adapters.labels import LabelForms
from conformance.adapters.layouts import Conventions, Layout, read_arrays
from conformance.adapters.module_globals import data_globals, global_values, set_globals
from conformance.adapters.names import (
    ACTIVATION_NAMES,
    GRAD_NAMES,
    OPERATIONS,
    PARAM_NAMES,
    USUAL_NAMES,
    operation_of,
    ranked_matches,
    roles_for,
)
from conformance.adapters.signatures import OPERATIONS as CALL_OPERATIONS
from conformance.adapters.signatures import CallPlan, Operation, UnmappableError, plan_call
from conformance.adapters.values import (
    DEFAULT_CLASSES,
    batch_values,
    cache_values,
    class_count,
    copied,
    grad_values,
    param_values,
    reference_cache,
)
from conformance.sandbox.protocol import NotProvided

Params = dict[str, np.ndarray]

REFERENCE_INPUT_NOTE = "A2 / Z2 from the reference forward pass"


class FunctionalAdapter:
    """Calls a target's module-level functions in canonical terms (column layout, params dicts)."""

    style = "functional"

    def __init__(self, module: types.ModuleType):
        self.module = module
        self.functions = own_functions(module)
        self.conventions = Conventions.of(self.functions.values())
        self.labels = LabelForms()
        self.plans: dict[str, CallPlan] = {}
        self.missing: dict[str, str] = {}
        for operation in OPERATIONS:
            try:
                self.plans[operation] = self._plan(operation)
            except NotProvided as missing:
                self.missing[operation] = missing.reason
        self.init_function = self.plans.get("init")  # what a training loop calls for its first parameters

    # -- what was found -------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """``{"style", "components": {component: how it is called}, "missing": {component: why},
        "init_sizes": "free" | "fixed (784, 10, 10)"}``."""
        texts = {name: call_text(plan, self.labels, self._notes(plan)) for name, plan in self.plans.items()}
        return {
            "style": self.style,
            "components": by_component(texts),
            "missing": by_component(self.missing),
            "init_sizes": init_sizes(self.plans.get("init"), self.init),
        }

    def data_globals(self, component: str) -> dict[str, str]:
        """The module's numbers and arrays that the component's function (or what it calls) reads, described:
        ``{"m": "int 1000"}``. ``component`` may also be an operation ("backward")."""
        return data_globals(self.module, self._functions_of(component))

    def global_values(self, component: str) -> dict[str, Any]:
        """The same globals with their values, to change and restore them (``set_globals``)."""
        return global_values(self.module, self._functions_of(component))

    def set_globals(self, values: dict[str, Any]) -> None:
        """Overwrite module globals (the global-state check changes ``m`` or ``alpha`` this way)."""
        set_globals(self.module, values)

    # -- the operations -------------------------------------------------------------------------

    def init(self, n_in: int, hidden: int, n_out: int) -> dict[str, np.ndarray]:
        """The target's initial W1, b1, W2, b2 (sizes passed when its init takes them)."""
        plan = self._require("init")
        sizes = {"n_in": n_in, "hidden": hidden, "n_out": n_out, "layer_sizes": [n_in, hidden, n_out]}
        return read_arrays(self._call(plan, {**sizes, "seed": 0}), PARAM_NAMES, plan.returned)

    def relu(self, Z: np.ndarray) -> np.ndarray:
        """The target's relu of Z."""
        return np.asarray(self._call(self._require("relu"), {"Z": Z}))

    def relu_grad(self, Z: np.ndarray) -> np.ndarray:
        """relu'(Z); a ``relu_backward(dA, Z)`` gets dA = ones so that it returns relu'(Z) itself."""
        return np.asarray(self._call(self._require("relu_grad"), {"Z": Z, "dA": np.ones_like(Z)}))

    def softmax(self, Z: np.ndarray) -> np.ndarray:
        """The target's softmax of logits Z."""
        return np.asarray(self._call(self._require("softmax"), {"Z": Z}))

    def one_hot(self, y: np.ndarray) -> np.ndarray:
        """The target's one-hot of labels y (m,); a required class-count parameter gets 10."""
        return np.asarray(self._call(self._require("one_hot"), {"Y": y, "n_out": DEFAULT_CLASSES}))

    def forward(self, params: Params, X: np.ndarray) -> dict[str, np.ndarray]:
        """Z1, A1, Z2, A2 as far as the target returns them (a lone returned array is A2)."""
        plan = self._require("forward")
        result = self._call(plan, {**param_values(params), "X": X})
        return read_arrays(result, ACTIVATION_NAMES, plan.returned, lone="A2")

    def loss(self, params: Params, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The target's loss; a loss of (A2, Y) gets the reference forward pass's A2."""
        plan = self._require("loss")
        values = {**param_values(params), **batch_values(X, y, class_count(params))}
        if plan.uses("Z1", "A1", "Z2", "A2", "cache"):
            values.update(cache_values(reference_cache(params, X)))
        return np.asarray(self._call(plan, values))

    def backward(self, params: Params, X: np.ndarray, y: np.ndarray, cache: Any) -> dict[str, np.ndarray]:
        """dW1, db1, dW2, db2 as the target returns them, from the given (reference) cache."""
        plan = self._require("backward")
        values = {**param_values(params), **cache_values(cache), **batch_values(X, y, class_count(params))}
        return read_arrays(self._call(plan, values), GRAD_NAMES, plan.returned)

    def update(self, params: Params, grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
        """The updated parameters; when the target returns None, the ones it was given (updated in place)."""
        plan = self._require("update")
        prepared = plan.prepare({**param_values(params), **grad_values(grads), "lr": lr})
        result = plan.call(prepared)
        if result is None:
            return read_arrays(params_handed(plan, prepared), PARAM_NAMES)
        return read_arrays(result, PARAM_NAMES, plan.returned)

    def predict(self, params: Params, X: np.ndarray) -> np.ndarray:
        """Labels (m,): ``predict(X, ...)`` on the data, or ``get_predictions(A2)`` on the reference A2."""
        plan = self._require("predict")
        if plan.operation.name == "predict_from_probabilities":
            values = cache_values(reference_cache(params, X))
        else:
            values = {**param_values(params), "X": X}
        return np.asarray(self._call(plan, values))

    def accuracy(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The target's accuracy of predictions (m,) against labels y (m,)."""
        values = {"predictions": predictions, **batch_values(None, y)}
        return np.asarray(self._call(self._require("accuracy"), values))

    def train(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Params:
        """The parameters after the target's own training loop ran ``steps`` full-batch steps from ``params``.

        The loop gets copies of ``params``: as arguments if it takes them, and from the
        target's init function, replaced for the duration of the call, if it calls one.
        """
        plan = self._require("train")
        init = self.init_function
        init_layout = self.conventions.layout("params", init.function if init else None)

        def run(values: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
            """(what the loop returned, the parameters it was given, as they are after the loop)."""
            start = param_values(copied(params))
            prepared = plan.prepare({**values, **start})
            init_value = init_layout.pack(start)
            with self._init_returning(init_value):
                result = plan.call(prepared)
            takes_params = plan.uses("params", *PARAM_NAMES)
            return result, params_handed(plan, prepared) if takes_params else init_layout.unpack(init_value)

        values = {**batch_values(X, y, class_count(params)), "lr": lr, "steps": steps}
        result, given = self.labels.call(plan, values, run)
        if result is None:
            return read_arrays(given, PARAM_NAMES)
        return read_arrays(result, PARAM_NAMES, plan.returned)

    # -- helpers ----------------------------------------------------------------------------------

    def _functions_of(self, component: str) -> list[Any]:
        """The target function behind a component, as a list (empty when it is missing)."""
        plan = self.plans.get(operation_of(component))
        return [plan.function] if plan else []

    def _require(self, operation: str) -> CallPlan:
        """The plan of ``operation``, or NotProvided saying why there is none."""
        if operation not in self.plans:
            raise NotProvided(operation, self.missing[operation])
        return self.plans[operation]

    def _call(self, plan: CallPlan, values: Mapping[str, Any]) -> Any:
        """Call the plan's function, with labels in the form it takes."""
        return self.labels.call(plan, plan.prepare(values), plan.call)

    def _plan(self, operation: str) -> CallPlan:
        """The plan for the best-named function of ``operation``; NotProvided if none fits."""
        names = ranked_matches(self.functions, operation)
        if not names:
            raise NotProvided(operation, f"no function named like {USUAL_NAMES[operation]}")
        candidates = [Candidate.of(name, self.functions[name], operation) for name in names]
        plan = first_plan(candidates, self.conventions, operation)
        if operation == "train":
            self._check_train_start(plan)
        return plan

    def _check_train_start(self, plan: CallPlan) -> None:
        """A training loop must take the parameters or call the target's init, to start from given ones."""
        if plan.uses("params", *PARAM_NAMES):
            return
        init = self.plans.get("init")  # planned before train
        callees = called_functions(plan.function, self.module)
        reads = global_reads(plan.function).union(*map(global_reads, callees))
        if init is None or init.title not in reads:
            raise NotProvided(
                "train",
                f"{plan.title} neither takes the parameters nor calls an init function, so the checker "
                "cannot make it start from given parameters",
            )

    @contextmanager
    def _init_returning(self, value: Any) -> Iterator[None]:
        """Within the block, the module's init function returns ``value`` whatever it is asked."""
        init = self.init_function
        if init is None:
            yield
            return
        original = getattr(self.module, init.title)
        setattr(self.module, init.title, lambda *args, **kwargs: value)
        try:
            yield
        finally:
            setattr(self.module, init.title, original)

    def _notes(self, plan: CallPlan) -> tuple[str, ...]:
        """What describe() adds to a call: inputs taken from the reference, init replaced for training."""
        checked_alone = plan.operation.name in ("loss", "predict_from_probabilities")
        if checked_alone and plan.uses("Z1", "A1", "Z2", "A2", "cache"):
            return (REFERENCE_INPUT_NOTE,)
        init = self.init_function
        if plan.operation.name == "train" and init is not None and not plan.uses("params", *PARAM_NAMES):
            return (f"{init.title} replaced during the call to return the starting parameters",)
        return ()


def call_operation(operation: str, function: Callable[..., Any]) -> Operation:
    """How ``function`` is called for the adapter's ``operation``.

    A predictor is called on the data (``predict(X, W1, ...)``) if it takes the data, else on
    the probabilities (``get_predictions(A2)``).
    """
    if operation != "predict":
        return CALL_OPERATIONS[operation]
    data_roles = {"X", "params", *PARAM_NAMES}
    takes_data = any(data_roles & set(roles_for(name)) for name in inspect.signature(function).parameters)
    return CALL_OPERATIONS["predict_from_data" if takes_data else "predict_from_probabilities"]


@dataclass(frozen=True)
class Candidate:
    """A target function that may implement an operation: its title, the function, how it would be called."""

    title: str
    function: types.FunctionType
    operation: Operation
    method: bool = False  # a method taking the instance first

    @classmethod
    def of(cls, title: str, function: types.FunctionType, operation: str, method: bool = False) -> Candidate:
        """The candidate ``function`` for the adapter's ``operation``."""
        return cls(title, function, call_operation(operation, function), method)


def first_plan(candidates: list[Candidate], conventions: Conventions, component: str) -> CallPlan:
    """The plan of the first candidate whose parameters can all be given a value.

    Predictors on the probabilities come first (they check predict on its own). NotProvided,
    with the first candidate's reason, when no candidate fits.
    """
    ordered = sorted(candidates, key=lambda candidate: candidate.operation.name == "predict_from_data")
    reasons = []
    for candidate in ordered:

        def layout_for(container: str, function: types.FunctionType = candidate.function) -> Layout:
            return conventions.layout(container, function)

        try:
            return plan_call(
                candidate.function, candidate.title, candidate.operation, layout_for, method=candidate.method
            )
        except UnmappableError as error:
            reasons.append(str(error))
    raise NotProvided(component, reasons[0])


def params_handed(plan: CallPlan, prepared: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the plan handed to the target, by canonical name (to read back in-place changes)."""
    layout = plan.layouts.get("params")
    if layout is not None:
        return layout.unpack(prepared["params"])
    return {name: prepared[name] for name in PARAM_NAMES}
