"""The adapter for a target written as module-level functions, the classic notebook style.

Each operation finds the target's function by name (``names.FUNCTION_NAMES``) or as a mapping
file says (``candidates``), maps its parameters (``signatures.plan_call``), turns the canonical
inputs into the target's layout (``orientation``), calls it, and reads what it returned back
into canonical terms (``layouts.read_arrays``, then ``orientation``). Components checked on
their own get their other inputs from the reference: ``compute_loss(A2, Y)`` and
``get_predictions(A2)`` receive the reference forward pass's A2.

When the adapter is made it calls the target's init once, to learn how the parameters travel
(a list of layers?) and which layout it uses; without a usable init, a forward pass on a
batch of each layout tells (``orientation.decide_orientation``).
"""

from __future__ import annotations

import inspect
import math
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np

from conformance.adapters.candidates import Candidate, chosen_plan, first_plan, missing_function_error
from conformance.adapters.choices import NO_MAPPING, ComponentChoice, TargetMapping
from conformance.adapters.description import (
    SIZE_PROBE,
    by_component,
    call_text,
    found_mapping,
    init_sizes,
)
from conformance.adapters.introspect import (
    attribute_calls,
    called_functions,
    called_per_sample,
    casts_to_float32,
    global_reads,
    line_reached,
    methods_without_self,
    own_classes,
    own_functions,
    positional_calls,
    source_trees,
    string_constants,
    trains_in_batches,
    unpacked_calls,
)
from conformance.adapters.labels import LabelForms
from conformance.adapters.layers import gradient_layout, layer_layout
from conformance.adapters.layouts import (
    Conventions,
    activation_of,
    cache_of,
    canonical_name,
    read_arrays,
    read_forward,
    read_loss,
)
from conformance.adapters.module_globals import data_globals, global_values, set_globals
from conformance.adapters.names import (
    GRAD_NAMES,
    OPERATIONS,
    PARAM_NAMES,
    USUAL_NAMES,
    normalize,
    operation_of,
    ranked_matches,
    roles_for,
)
from conformance.adapters.network_operations import NetworkOperations
from conformance.adapters.optimizers import LayerOptimizer, find_layer_optimizer
from conformance.adapters.orientation import Orientation, decide_orientation, layout_hints, probe_problem
from conformance.adapters.signatures import CallPlan
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
from conformance.loading import LINES_ATTRIBUTE, SKIPPED_ATTRIBUTE
from conformance.sandbox.protocol import NotProvided
from conformance.sandbox.time_limits import time_limit
from conformance.source_lines import PLAIN_FILE

Params = dict[str, np.ndarray]

REFERENCE_INPUT_NOTE = "A2 / Z2 from the reference forward pass"
PROBE_TIME_LIMIT = 2.0
"""Seconds the adapter gives the target's init (or forward pass) to show its layout when it is made."""
RECOVERY_LEARNING_RATE = 1.0
"""The learning rate handed to a backward pass that takes one (it may apply the update itself)."""


class FunctionalAdapter(NetworkOperations):
    """Calls a target's module-level functions in canonical terms (column layout, params dicts)."""

    style = "functional"
    update_within: str | None = None  # the function that applies the update itself, when there is no update
    layer_optimizer: LayerOptimizer | None = None  # an optimizer object stepping one layer, if no update

    def __init__(self, module: types.ModuleType, mapping: TargetMapping = NO_MAPPING):
        self.module = module
        self.mapping = mapping
        self.functions = own_functions(module)
        self.on_instances = self._methods_without_self()
        self.conventions = Conventions.of(self.functions.values())
        self.labels = LabelForms()
        self.plans: dict[str, CallPlan] = {}
        self.missing: dict[str, str] = {}
        self.orientation = Orientation()  # column until decided, once every component is found
        self.initial: dict[str, Any] = {}  # the arrays the target's init returned, in its own layout
        self.init_function: CallPlan | None = None  # what a training loop calls for its first parameters
        self._find_components()
        self.per_sample = self._called_per_sample()
        self.computes_in = "float32" if any(map(casts_to_float32, self.own_code())) else None
        self.orientation = decide_orientation(mapping, self.initial, self._forward_reach, self._layout_hints)
        self.labels.one_hot_text = self.orientation.one_hot_text()
        self.labels.samples_as_rows = self.orientation.layout != "column"

    def _find_components(self) -> None:
        """Plan every operation; after init, learn from what it returns how the parameters travel."""
        for operation in OPERATIONS:
            self._plan_operation(operation)
            if operation == "init":
                self._learn_from_init()
        if "one_hot" in self.missing:
            self._find_one_hot_by_behaviour()
        if "update" in self.missing:
            self.layer_optimizer = find_layer_optimizer(own_classes(self.module))
            if self.layer_optimizer is not None:
                del self.missing["update"]
        self.init_function = self.plans.get("init")

    def _find_one_hot_by_behaviour(self) -> None:
        """A one_hot under a name of its own (``actual(Y)``): the one function of the labels alone, taken by
        no other component, that turns labels into a 0/1 matrix with a single 1 per sample, at each label."""
        taken = {plan.function for plan in self.plans.values()}
        found = [
            name
            for name, function in self.functions.items()
            if function not in taken and _takes_labels_alone(function) and _encodes_one_hot(function)
        ]
        if len(found) == 1:
            (name,) = found
            candidate = Candidate.of(name, self.functions[name], "one_hot")
            self.plans["one_hot"] = first_plan([candidate], self.conventions, "one_hot")
            del self.missing["one_hot"]

    def _plan_operation(self, operation: str) -> None:
        """Plan ``operation``, or record why it cannot be checked."""
        try:
            self.plans[operation] = self._plan(operation)
        except NotProvided as missing:
            self.missing[operation] = missing.reason

    def _learn_from_init(self) -> None:
        """Call the init once: its arrays show the layout; a list of layers is how parameters travel."""
        try:
            with time_limit(PROBE_TIME_LIMIT):
                value = self._initial_value()
        except Exception:  # a missing or broken init shows nothing; the checks will say what is wrong
            return
        layers = layer_layout(value, PARAM_NAMES)
        if layers is not None:
            gradients = gradient_layout(layers, self.conventions.strings)
            self.conventions = self.conventions.knowing("params", layers).knowing("grads", gradients)
        plan = self.plans.get("init")
        self.initial = read_arrays(value, PARAM_NAMES, plan.returned if plan else None)

    def _initial_value(self) -> Any:
        """What the target's init returns for the sizes SIZE_PROBE (NotProvided without one)."""
        n_in, hidden, n_out = SIZE_PROBE
        return self._call(self._require("init"), size_values(n_in, hidden, n_out))

    def own_code(self) -> list[types.FunctionType]:
        """The target's own functions (and a class adapter's methods)."""
        return list(self.functions.values())

    def _trains_in_batches(self) -> bool:
        """Whether the training loop steps on mini-batches or samples rather than the whole batch."""
        plan = self.plans.get("train")
        return bool(self.per_sample) or (plan is not None and trains_in_batches(plan.function))

    def _methods_without_self(self) -> dict[str, type]:
        """Methods written without ``self`` in a class meant for instances, that no code calls on the class
        itself: taken as functions, and called as the class's users would, on an instance (name -> class)."""
        methods = {
            name: found
            for name, found in methods_without_self(self.module).items()
            if name not in self.functions
        }
        self.functions.update({name: function for name, (_, function) in methods.items()})
        trees = self._source_trees
        return {
            name: cls
            for name, (cls, _) in methods.items()
            if name not in attribute_calls(trees, cls.__name__)
        }

    def _called_per_sample(self) -> set[str]:
        """The operations (forward, backward) the target's own code calls one sample at a time."""
        trees = self._source_trees
        found = set()
        for operation in ("forward", "backward"):
            plan = self.plans.get(operation)
            x = plan.argument_for("X") if plan else None
            if x is None:
                continue
            position = [argument.name for argument in plan.arguments].index(x.name)
            if called_per_sample(trees, plan.title.split(".")[-1], position, x.name):
                found.add(operation)
        return found

    def _layout_hints(self) -> dict[str, str]:
        """The layout the target's softmax and one_hot show, called as they are (``layout_hints``)."""

        def raw(operation: str) -> Any:
            plan = self.plans.get(operation)
            if plan is None or not plan.arguments:
                return None

            def call(value: np.ndarray) -> Any:
                with time_limit(PROBE_TIME_LIMIT):
                    return plan.call(plan.prepare({"Z": value, "Y": value, "n_out": DEFAULT_CLASSES}))

            return call

        return layout_hints(raw("softmax"), raw("one_hot"))

    def _forward_reach(self, orientation: Orientation) -> float:
        """How far the forward pass gets on a probe batch in ``orientation``: ``inf`` when it returns that
        layout's output, else the line of its own code where it raised (0 when it returned something else)."""
        if "forward" not in self.plans:
            return 0
        params, X = probe_problem()
        try:
            with time_limit(PROBE_TIME_LIMIT):
                got = self._forward(params, X, orientation)
        except Exception as error:  # a forward pass fed the other layout raises: where it did tells
            return line_reached(error, self.plans["forward"].function)
        output = got.get("A2", got.get("Z2"))
        fits = isinstance(output, np.ndarray) and output.shape == (DEFAULT_CLASSES, X.shape[1])
        return math.inf if fits else 0

    # -- what was found -------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """``{"style", "components": {component: how it is called}, "missing": {component: why},
        "init_sizes": "free" | "fixed (784, 10, 10)", "layout": "column" | "row", "layout_reason": the
        layout in words and how it was decided, "mapping": what was found as a mapping file's data}``."""
        texts = {name: call_text(plan, self.labels, self._notes(plan)) for name, plan in self.plans.items()}
        if self.layer_optimizer is not None:
            texts["update"] = self.layer_optimizer.text()
        return {
            "style": self.style,
            "components": by_component(texts),
            "missing": by_component(self.missing),
            "init_sizes": init_sizes(self.plans.get("init"), self.init),
            "layout": self.orientation.layout,
            "layout_reason": f"{self.orientation.text()}; {self.orientation.reason}",
            "layout_decided": self.orientation.decided,
            "guessed": {name: plan.guessed for name, plan in self.plans.items() if plan.guessed},
            "failed_imports": failed_imports(self.module),
            "per_sample": sorted(self.per_sample),
            "update_within": self.update_within,
            "computes_in": self.computes_in,
            "trains_in_batches": self._trains_in_batches(),
            "family_probe": self.family_probe(),
            "mapping": self.found_mapping(),
        }

    def found_mapping(self) -> dict[str, Any]:
        """What was found, as a mapping file's data (``conformance.mapping.render_mapping`` writes it)."""
        disabled = [name for name, choice in self.mapping.components.items() if choice.function is None]
        return found_mapping(self.plans, disabled, self.orientation.layout)

    @cached_property
    def _source_trees(self) -> list[Any]:
        """The target's own functions and its skipped top-level statements, parsed (once)."""
        top_level = [
            (statement.lineno, statement.code) for statement in getattr(self.module, SKIPPED_ATTRIBUTE, ())
        ]
        return source_trees(self.own_code(), top_level)

    def wiring(self) -> list[str]:
        """Where the target's own code hands the gradients on in another order than they come or go:
        ``dW1, dW2, db1, db2 = backward_prop(...)`` against ``return dW1, db1, dW2, db2``, or
        ``update_params(W1, b1, W2, b2, dW1, dW2, ...)`` against ``def update_params(..., dW1, db1, ...)``."""
        self._require("update")
        trees = self._source_trees
        return [*self._unpacked_in_another_order(trees), *self._passed_in_another_order(trees)]

    def _unpacked_in_another_order(self, trees: list[Any]) -> list[str]:
        """``dW1, dW2, db1, db2 = backward_prop(...)`` where it returns (dW1, db1, dW2, db2)."""
        plan = self.plans.get("backward")
        returned = None if plan is None or plan.returned is None else _canonical(plan.returned, GRAD_NAMES)
        if returned is None:
            return []
        problems = []
        for line, names in unpacked_calls(trees, plan.title.split(".")[-1]):
            received = _canonical(names, GRAD_NAMES)
            if received and len(received) == len(returned) and received != returned:
                problems.append(
                    f"{self._where(line)}: `{', '.join(names)} = {plan.title}(...)` "
                    f"{_swaps(returned, received, 'received')}"
                )
        return problems

    def _passed_in_another_order(self, trees: list[Any]) -> list[str]:
        """``update_params(W1, b1, W2, b2, dW1, dW2, ...)`` where it takes ``(..., dW1, db1, ...)``."""
        plan = self.plans.get("update")
        if plan is None:
            return []
        taken = tuple(argument.role for argument in plan.arguments)
        problems = []
        for line, names in positional_calls(trees, plan.title.split(".")[-1]):
            given = tuple(canonical_name(name, GRAD_NAMES) for name in names)
            if _swaps(taken, given, "given"):
                problems.append(f"{self._where(line)}: {plan.title}(...) {_swaps(taken, given, 'given')}")
        return problems

    def _where(self, line: int) -> str:
        """``line 12``, or ``cell 3, line 2`` in a notebook."""
        return getattr(self.module, LINES_ATTRIBUTE, PLAIN_FILE).where(line)

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
        result = self._call(plan, size_values(n_in, hidden, n_out))
        arrays = readable(result, read_arrays(result, PARAM_NAMES, plan.returned), PARAM_NAMES, plan)
        return self.orientation.outputs(arrays)

    def relu(self, Z: np.ndarray) -> np.ndarray:
        """The target's relu of Z."""
        return self._elementwise("relu", {"Z": Z})

    def relu_grad(self, Z: np.ndarray) -> np.ndarray:
        """relu'(Z); a ``relu_backward(dA, Z)`` gets dA = ones so that it returns relu'(Z) itself."""
        return self._elementwise("relu_grad", {"Z": Z, "dA": np.ones_like(Z)})

    def softmax(self, Z: np.ndarray) -> np.ndarray:
        """The target's softmax of logits Z."""
        return self._elementwise("softmax", {"Z": Z})

    def one_hot(self, y: np.ndarray) -> np.ndarray:
        """The target's one-hot of labels y (m,); a required class-count parameter gets 10."""
        result = self._call(self._require("one_hot"), {"Y": y, "n_out": DEFAULT_CLASSES})
        return self.orientation.to_canonical("Y_onehot", np.asarray(result))

    def forward(self, params: Params, X: np.ndarray) -> dict[str, np.ndarray]:
        """Z1, A1, Z2, A2 as far as the target returns them (a lone returned array is A2, or Z2: logits)."""
        return self._forward(params, X, self.orientation)

    def loss(self, params: Params, X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> np.ndarray:
        """The target's loss (with the L2 strength ``l2`` where it takes one); a loss of (A2, Y) gets the
        reference forward pass's A2."""
        plan = self._require("loss")
        values = {**param_values(params), **batch_values(X, y, class_count(params), l2)}
        if plan.uses("Z1", "A1", "Z2", "A2", "cache"):
            values.update(cache_values(reference_cache(params, X)))
        return np.asarray(read_loss(self._call(plan, values), plan.returned))

    def backward(
        self, params: Params, X: np.ndarray, y: np.ndarray, cache: Any, l2: float = 0.0
    ) -> dict[str, np.ndarray]:
        """dW1, db1, dW2, db2 as the target returns them (with the L2 strength ``l2`` where it takes one),
        from the given (reference) cache, or from the target's own forward pass's cache when nothing in
        its code shows how its cache is keyed."""
        plan = self._require("backward")
        values = {
            **param_values(params),
            **cache_values(cache),
            **batch_values(X, y, class_count(params), l2),
            "lr": RECOVERY_LEARNING_RATE,
        }
        own = self._own_cache(plan, params, X)
        result = self._call(plan, values, own=own)
        return self.orientation.outputs(
            readable(result, read_arrays(result, GRAD_NAMES, plan.returned), GRAD_NAMES, plan)
        )

    def update(self, params: Params, grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
        """The updated parameters; when the target returns None, the ones it was given (updated in place)."""
        if self.layer_optimizer is not None:
            return self.layer_optimizer.update(params, grads, lr)
        plan = self._require("update")
        prepared = plan.prepare(
            self.orientation.inputs({**param_values(params), **grad_values(grads), "lr": lr})
        )
        result = plan.call(prepared)
        if result is None:
            return self.orientation.outputs(read_arrays(params_handed(plan, prepared), PARAM_NAMES))
        return self.orientation.outputs(
            readable(result, read_arrays(result, PARAM_NAMES, plan.returned), PARAM_NAMES, plan)
        )

    def predict(self, params: Params, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """Labels (m,): ``predict(X, ...)`` on the data (given the labels y (m,) too if it takes them,
        ``predict(X, y, parameters)``), or ``get_predictions(A2)`` on the reference A2."""
        plan = self._require("predict")
        if plan.operation.name == "predict_from_probabilities":
            return np.asarray(self._call(plan, cache_values(reference_cache(params, X))))
        result = either_way_round(lambda data: self._call(plan, predict_values(plan, params, data, y)), X)
        return self.orientation.labels(predictions_in(result, plan, X.shape[1]), X.shape[1])

    def accuracy(
        self,
        predictions: np.ndarray,
        y: np.ndarray,
        params: Params | None = None,
        X: np.ndarray | None = None,
    ) -> np.ndarray:
        """The target's accuracy of predictions (m,) against labels y (m,); one that makes its own
        predictions (``evaluate(X, y)``) is given ``params`` and the data X (784, m) they came from."""
        plan = self._require("accuracy")
        if plan.operation.name != "accuracy_from_data":
            return np.asarray(self._call(plan, {"predictions": predictions, **batch_values(None, y)}))
        return one_accuracy(
            either_way_round(
                lambda data: self._call(plan, {**param_values(params), **batch_values(data, y)}), X
            ),
            plan,
        )

    def applied_step(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float) -> Params:
        """The parameters after a step that applies the update inside the target's own code (a class's)."""
        raise NotProvided("update", "the update is not applied inside another function")

    def train(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Params:
        """The parameters after the target's own training loop ran ``steps`` full-batch steps from ``params``.

        The loop gets copies of ``params``: as arguments if it takes them, and from the
        target's init function, replaced for the duration of the call, if it calls one.
        """
        plan = self._require("train")
        init = self.init_function
        init_layout = self.conventions.returned_layout("params", init.function if init else None)

        def run(values: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
            """(what the loop returned, the parameters it was given, as they are after the loop)."""
            start = self.orientation.inputs(param_values(copied(params)))
            prepared = plan.prepare({**values, **start})
            init_value = init_layout.pack(start)
            with self._init_returning(init_value):
                result = plan.call(prepared)
            takes_params = plan.uses("params", *PARAM_NAMES)
            return result, params_handed(plan, prepared) if takes_params else init_layout.unpack(init_value)

        def attempt(data: np.ndarray) -> tuple[Any, dict[str, Any]]:
            values = {**batch_values(data, y, class_count(params)), "lr": lr, "steps": steps}
            return self.labels.call(plan, self.orientation.inputs(values), run)

        result, given = either_way_round(attempt, X)
        if result is None:
            return self.orientation.outputs(read_arrays(given, PARAM_NAMES))
        return self.orientation.outputs(
            readable(result, read_arrays(result, PARAM_NAMES, plan.returned), PARAM_NAMES, plan)
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _functions_of(self, component: str) -> list[Any]:
        """The target function behind a component, as a list (empty when it is missing)."""
        plan = self.plans.get(operation_of(component))
        return [plan.function] if plan else []

    def own_functions_for(self, plan: CallPlan) -> dict[str, Any]:
        """The target's own functions a call passes on (``activation_function=relu``,
        ``error_function=cross_entropy``): its ReLU function (or, where the parameter's default is a
        string, the name its code gives ReLU) and its loss function. A role with no such value is left
        out: the parameter keeps its default."""
        values: dict[str, Any] = {}
        relu, loss = self.plans.get("relu"), self.plans.get("loss")
        if plan.uses("hidden_activation"):
            default = plan.argument_for("hidden_activation").default
            if isinstance(default, str):
                spelled = [text for text in self._code_strings() if normalize(text) == "relu"]
                if normalize(default) != "relu" and spelled:
                    values["hidden_activation"] = spelled[0]
            elif relu is not None and not relu.method:
                values["hidden_activation"] = relu.function
        if plan.uses("loss_function") and loss is not None and not loss.method:
            values["loss_function"] = loss.function
        return values

    def _code_strings(self) -> list[str]:
        """The string literals of the target's own code, sorted."""
        return sorted({text for function in self.own_code() for text in string_constants(function)})

    def _require(self, operation: str) -> CallPlan:
        """The plan of ``operation``, or NotProvided saying why there is none."""
        if operation not in self.plans:
            raise NotProvided(operation, self.missing.get(operation, f"no {operation} function of its own"))
        return self.plans[operation]

    def _call(
        self,
        plan: CallPlan,
        values: Mapping[str, Any],
        orientation: Orientation | None = None,
        own: Mapping[str, Any] | None = None,
    ) -> Any:
        """Call the plan's function with canonical ``values`` in the target's layout (or ``orientation``'s),
        labels in the form it takes; ``own`` holds values of the target's own making, passed as they are
        (``{"cache": what its forward pass returned}``)."""
        own = {**self.own_functions_for(plan), **(own or {})}
        prepared = {**plan.prepare((orientation or self.orientation).inputs(values)), **own}
        return self.labels.call(plan, prepared, plan.call)

    def _own_cache(self, plan: CallPlan, params: Params, X: np.ndarray) -> dict[str, Any]:
        """``{"cache": the cache the target's forward pass returns for (params, X)}`` when ``plan`` takes a
        cache whose keys nothing in the target showed; else {} (the reference cache, packed its way)."""
        if not getattr(plan.layouts.get("cache"), "guessed", False) or "forward" not in self.plans:
            return {}
        try:
            result = self._call(self.plans["forward"], {**param_values(params), "X": X})
        except Exception:  # a forward pass that raises shows no cache; the forward checks report it
            return {}
        own = cache_of(result)
        return {} if own is None else {"cache": own}

    def _elementwise(self, operation: str, values: Mapping[str, Any]) -> np.ndarray:
        """The result of relu, relu_grad or softmax of ``values["Z"]``, in column layout."""
        return self.orientation.to_canonical("Z", activation_of(self._call(self._require(operation), values)))

    def _forward(self, params: Params, X: np.ndarray, orientation: Orientation) -> dict[str, np.ndarray]:
        """The forward pass with the arrays in ``orientation``'s layout, read back into column layout."""
        plan = self._require("forward")
        result = self._call(plan, {**param_values(params), "X": X}, orientation)
        return orientation.outputs(forward_arrays(result, read_forward(result, plan.returned), plan))

    def _plan(self, operation: str) -> CallPlan:
        """The plan for the function a mapping file names, else for the best-named function of ``operation``;
        NotProvided if none fits."""
        choice = self.mapping.components.get(operation)
        if choice is not None:
            return self._chosen(operation, choice)
        names = ranked_matches(self.functions, operation)
        if not names:
            raise NotProvided(operation, f"no function named like {USUAL_NAMES[operation]}")
        candidates = [Candidate.of(name, self.functions[name], operation) for name in names]
        plan = first_plan(candidates, self.conventions, operation)
        owner = self.on_instances.get(plan.title)
        if owner is not None:
            instance = owner.__new__(owner)
            plan = replace(
                plan,
                function=types.MethodType(plan.function, instance),
                title=f"{owner.__name__}().{plan.title}",
            )
        if operation == "train":
            self._check_train_start(plan)
        return plan

    def _chosen(self, operation: str, choice: ComponentChoice) -> CallPlan:
        """The plan of the module function a mapping file chose for ``operation``.

        A method or a class (its constructor) is left to the class adapter: NotProvided here.
        """
        if choice.function is None:
            raise NotProvided(operation, f"not checked: {self.mapping.source} sets {operation} = false")
        if choice.class_name or choice.function in own_classes(self.module):
            raise NotProvided(operation, f"{choice.function} belongs to a class")
        function = vars(self.module).get(choice.function)  # its own functions, or one it imports
        if not isinstance(function, types.FunctionType):
            known = list(self.functions)
            raise missing_function_error(self.mapping, operation, f"function `{choice.function}`", known)
        candidate = Candidate.of(choice.function, function, operation, roles=choice.roles)
        return chosen_plan(candidate, choice, self.conventions, self.mapping, operation)

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
        """What describe() adds to a call: a method called on an instance although written without self,
        inputs taken from the reference, init replaced for training."""
        notes = []
        if isinstance(plan.function, types.MethodType) and plan.function.__name__ in self.on_instances:
            notes.append(
                "a method written without self: on an instance, the instance arrives as its first parameter"
            )
        checked_alone = plan.operation.name in ("loss", "predict_from_probabilities")
        if checked_alone and plan.uses("Z1", "A1", "Z2", "A2", "cache"):
            notes.append(REFERENCE_INPUT_NOTE)
        init = self.init_function
        if plan.operation.name == "train" and init is not None and not plan.uses("params", *PARAM_NAMES):
            notes.append(f"{init.title} replaced during the call to return the starting parameters")
        return tuple(notes)


ONE_HOT_PROBE = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
"""Labels a function is probed with to see whether it one-hot encodes them (12 samples, up to 9)."""


def predict_values(plan: CallPlan, params: Params, X: np.ndarray, y: np.ndarray | None) -> dict[str, Any]:
    """What a predict on the data is given: the parameters and X, and the labels when it takes them."""
    if not plan.uses("Y", "Y_onehot"):
        return {**param_values(params), "X": X}
    if y is None:
        raise NotProvided("predict", f"{plan.title} takes the labels too, and none were given")
    return {**param_values(params), **batch_values(X, y)}


def predictions_in(result: Any, plan: CallPlan, m: int) -> Any:
    """The predicted labels in what a predict returned: the result itself, or the one item of a returned
    tuple of unlike things that is an array of m whole numbers (``return accuracy, p, probas``: not the
    accuracy, a lone number); NotProvided when none or several are, or when a predict that takes the
    labels returns nothing or one number."""
    several = isinstance(result, tuple | list)
    if plan.uses("Y", "Y_onehot") and (result is None or (not several and np.ndim(result) == 0)):
        raise NotProvided(
            "predict",
            f"{plan.title} takes the labels and returns {type(result).__name__}, no predicted labels (an "
            "accuracy, or a printed report?): name the function that predicts with `predict = ...` in a "
            "mapping file",
        )
    if not several or len({np.shape(item) for item in result}) < 2:
        return result  # an array, or a list of labels (or of same-shaped rows): the labels themselves
    found = [item for item in result if np.ndim(item) >= 1 and np.size(item) == m and _whole_numbers(item)]
    if len(found) != 1:
        raise NotProvided(
            "predict",
            f"cannot tell the predicted labels among the {len(result)} things {plan.title} returns: say "
            "which with `returns` in a mapping file",
        )
    return found[0]


def _whole_numbers(value: Any) -> bool:
    """Whether ``value`` is an array of whole numbers (labels), not probabilities."""
    array = np.asarray(value)
    return np.issubdtype(array.dtype, np.integer) or (
        np.issubdtype(array.dtype, np.floating) and bool(np.all(array == np.round(array)))
    )


def one_accuracy(result: Any, plan: CallPlan) -> np.ndarray:
    """What an accuracy of the data returned, when it is one number; NotProvided for anything else (an
    ``evaluate`` returning (loss, accuracy) or a report), which the checker cannot tell apart."""
    value = np.asarray(result)
    if value.ndim != 0 or not np.issubdtype(value.dtype, np.number):
        raise NotProvided(
            "accuracy",
            f"{plan.title} returns {type(result).__name__}, not one number: say which part is the accuracy "
            "with `returns` in a mapping file",
        )
    return value


def _takes_labels_alone(function: Callable[..., Any]) -> bool:
    """Whether the function has exactly one parameter without a default, named like the labels."""
    required = [
        parameter
        for parameter in inspect.signature(function).parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    return len(required) == 1 and "Y" in roles_for(required[0].name)


def _encodes_one_hot(function: Callable[..., Any]) -> bool:
    """Whether ``function(ONE_HOT_PROBE)`` is a 0/1 matrix with one 1 per sample, at the sample's label."""
    try:
        with time_limit(PROBE_TIME_LIMIT):
            result = np.asarray(function(ONE_HOT_PROBE.copy()), dtype=np.float64)
    except Exception:  # a function that raises on labels is no one_hot
        return False
    m = ONE_HOT_PROBE.size
    if result.ndim != 2 or m not in result.shape or not np.isin(result, (0, 1)).all():
        return False
    per_sample = result if result.shape[1] == m else result.T
    return bool((per_sample.sum(axis=0) == 1).all() and (per_sample.argmax(axis=0) == ONE_HOT_PROBE).all())


def _swaps(expected: tuple[str | None, ...], got: tuple[str | None, ...], verb: str) -> str:
    """``is given dW2 as dW1, dW1 as dW2``: where gradient names stand in another's place; "" if nowhere."""
    pairs = [
        f"{actual} as {wanted}"
        for wanted, actual in zip(expected, got, strict=False)
        if wanted in GRAD_NAMES and actual in GRAD_NAMES and wanted != actual
    ]
    return f"is {verb} {', '.join(pairs)}: each parameter would move by another's gradient" if pairs else ""


def _canonical(names: tuple[str, ...], among: tuple[str, ...]) -> tuple[str, ...] | None:
    """``names`` as canonical names among ``among`` ("dw1" is dW1), None unless every one is one."""
    canonical = tuple(canonical_name(name, among) for name in names)
    return None if None in canonical else canonical


def readable(result: Any, arrays: dict[str, Any], names: tuple[str, ...], plan: CallPlan) -> dict[str, Any]:
    """``arrays`` read from ``result``, when they are all there or the target returned nothing (a missing
    ``return``: its own bug); NotProvided when it returned something the checker cannot read."""
    missing = [name for name in names if name not in arrays]
    if result is None or not missing:
        return arrays
    shown = (
        f"dict with keys {', '.join(map(repr, list(result)[:8]))}"
        if isinstance(result, Mapping)
        else (
            f"{type(result).__name__} of {len(result)}"
            if isinstance(result, tuple | list)
            else type(result).__name__
        )
    )
    raise NotProvided(
        plan.operation.name,
        f"cannot read {', '.join(missing)} from what {plan.title} returned ({shown}): say what it returns "
        "with `returns = [...]` in a mapping file",
    )


def forward_arrays(result: Any, arrays: dict[str, Any], plan: CallPlan) -> dict[str, Any]:
    """Z1..A2 read from what a forward pass returned; NotProvided when it returned something (not None,
    which is the target's missing ``return``) in which none of them can be found."""
    if arrays or result is None:
        return arrays
    raise NotProvided(
        "forward",
        f"cannot read Z1, A1, Z2 or A2 from what {plan.title} returned ({type(result).__name__}): say what "
        "it returns with `returns = [...]` in a mapping file",
    )


def either_way_round(call: Callable[[np.ndarray], Any], X: np.ndarray) -> Any:
    """``call(X)``; when it raises, ``call(X.T)`` (a predict(X) that takes samples as rows in a network
    that holds them as columns, or the other way round); the first error when both raise."""
    try:
        return call(X)
    except Exception as error:  # the target's error, unless the other way round is how it is called
        try:
            return call(X.T)
        except Exception:
            raise error from None


def failed_imports(module: types.ModuleType) -> list[str]:
    """One line per top-level import of the target that failed here, and what it left undefined."""
    lines = getattr(module, LINES_ATTRIBUTE, PLAIN_FILE)
    return [
        f"{lines.where(statement.lineno)}: `{statement.code}` failed ({statement.import_error}); "
        f"{', '.join(statement.assigns) or 'nothing'} undefined: code that uses them raises NameError"
        for statement in getattr(module, SKIPPED_ATTRIBUTE, ())
        if statement.import_error
    ]


def size_values(n_in: int, hidden: int, n_out: int) -> dict[str, Any]:
    """The values an init or a constructor may take: the three sizes, as a list too, and a seed."""
    return {
        "n_in": n_in,
        "hidden": hidden,
        "n_out": n_out,
        "layer_sizes": [n_in, hidden, n_out],
        "hidden_sizes": [hidden],
        "seed": 0,
    }


def params_handed(plan: CallPlan, prepared: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the plan handed to the target, by canonical name (to read back in-place changes)."""
    layout = plan.layouts.get("params")
    if layout is not None:
        return layout.unpack(prepared["params"])
    return {name: prepared[name] for name in PARAM_NAMES}
