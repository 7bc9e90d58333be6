"""The adapter for a target written as a network class (``class NeuralNetwork``).

Every call gets a fresh instance, built with the sizes of the parameters it is about
to receive and with the learning rate. Then the canonical values are written into the
instance's attributes (``self.W1`` or ``self.params["W1"]``; Z1..A2 before a backward
pass, dW1..db2 before an update), in the target's layout, the method is called, and the
results are read from what it returned and from the instance's attributes. A backward
method that returns no gradients but updates the weights itself gives them through the
change it makes: gradient = (old - new) / lr. Components the class has no method for are
looked up among the module's functions (``FunctionalAdapter``).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from conformance.adapters.candidates import Candidate, chosen_plan, first_plan, missing_function_error
from conformance.adapters.choices import NO_MAPPING, ComponentChoice, TargetMapping
from conformance.adapters.description import SIZE_PROBE, call_text, found_mapping
from conformance.adapters.functional import (
    PROBE_TIME_LIMIT,
    RECOVERY_LEARNING_RATE,
    FunctionalAdapter,
    Params,
    either_way_round,
    forward_arrays,
    one_accuracy,
    predict_values,
    predictions_in,
    readable,
    size_values,
)
from conformance.adapters.introspect import (
    class_functions,
    modified_attributes,
    own_classes,
    referenced_names,
    returned_names,
    stored_attributes,
    string_constants,
    trains_in_batches,
)
from conformance.adapters.layer_specs import LayerAdder, LayerSpec, layer_adder, layer_spec_forms
from conformance.adapters.layouts import (
    Conventions,
    DictLayout,
    activation_of,
    cache_of,
    read_arrays,
    read_forward,
    read_loss,
    read_mapping,
)
from conformance.adapters.names import (
    ACTIVATION_NAMES,
    CONTAINER_NAMES,
    GRAD_NAMES,
    PARAM_NAMES,
    normalize,
    operation_of,
    ranked_matches,
    roles_for,
)
from conformance.adapters.orientation import Orientation, probe_problem
from conformance.adapters.signatures import OPERATIONS as CALL_OPERATIONS
from conformance.adapters.signatures import CallPlan, UnmappableError, plan_call
from conformance.adapters.storage import PathStorage
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
from conformance.sandbox.protocol import NotProvided, TargetLoadError
from conformance.sandbox.time_limits import time_limit

OPTIMIZER_STATE = frozenset(
    {"beta", "beta1", "beta2", "momentum", "velocity", "adam", "rmsprop", "decay", "reg"}
)
"""Names that show a training step may be more than plain gradient descent (normalised)."""
METHOD_OPERATIONS = (
    "relu", "relu_grad", "softmax", "one_hot", "forward", "loss", "backward", "update", "predict", "accuracy",
    "train",
)  # fmt: skip
PLAIN_OPERATIONS = ("relu", "relu_grad", "softmax", "one_hot", "accuracy")
"""Methods that need no parameters: they run on an instance of DEFAULT_SIZES."""
DEFAULT_SIZES = (784, 10, 10)
"""The sizes of an instance built only to call a method that needs no parameters (relu, softmax...)."""
DEFAULT_LEARNING_RATE = 0.1


def network_class(module: types.ModuleType, mapping: TargetMapping = NO_MAPPING) -> type | None:
    """The class a mapping file names (TargetLoadError if there is none such), else ``find_network_class``.

    A file names it in ``[class]``, in a "ClassName.method", or as the ``init`` (its constructor).
    """
    classes = own_classes(module)
    init = mapping.components.get("init")
    name = mapping.class_named() or (init.function if init and init.function in classes else None)
    if name is None:
        return find_network_class(module)
    if name not in classes:
        known = ", ".join(classes) or "none"
        raise TargetLoadError(
            f"{mapping.source}: class.name: the target has no class `{name}` (it has: {known})"
        )
    return classes[name]


def find_network_class(module: types.ModuleType) -> type | None:
    """The module's class with a forward (or predict) method and a backward or training method (the most
    complete one if several): a class whose forward pass and gradients are written inside its predict and
    training methods is a network too."""
    scored = []
    for cls in own_classes(module).values():
        methods = class_functions(cls)
        if (ranked_matches(methods, "forward") or ranked_matches(methods, "predict")) and (
            ranked_matches(methods, "backward") or ranked_matches(methods, "train")
        ):
            scored.append((sum(bool(ranked_matches(methods, op)) for op in METHOD_OPERATIONS), cls))
    used = {cls: set().union(*map(referenced_names, class_functions(cls).values())) for _, cls in scored}
    # a layer class that another candidate builds (``self.layer1 = Layer(...)``) is a part, not the network
    wholes = [
        (score, cls)
        for score, cls in scored
        if not any(cls.__name__ in used[other] for other in used if other is not cls)
    ]
    scored = wholes or scored
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


@dataclass(frozen=True)
class InstanceLayout:
    """Where an instance keeps arrays: as attributes (``self.W1``) or in a dict (``self.params["W1"]``).

    Read from the attribute names the class's code uses, so it is known before any instance exists
    (the forward values and gradients appear only once the methods have run). A dict attribute is
    used only for a bundle whose arrays are not all attributes of their own.
    """

    attributes: Mapping[str, str]  # canonical name -> attribute, e.g. "A2" -> "output"
    containers: Mapping[str, tuple[str, DictLayout]]  # "params" -> ("params", its keys), for dict attributes
    learning_rate: str | None  # the attribute holding the learning rate

    @classmethod
    def of(cls, network: type, conventions: Conventions, learning_rate: str | None = None) -> InstanceLayout:
        """Read from the class's code; ``learning_rate`` names the learning-rate attribute (mapping file)."""
        used = sorted(set().union(*map(referenced_names, class_functions(network).values())))
        attributes = {}
        containers = {}
        for container, names in CONTAINER_NAMES.items():
            found = {name: _attribute_for(name, used) for name in names}
            attributes.update({name: attribute for name, attribute in found.items() if attribute is not None})
            holder = _attribute_for(container, used)
            layout = conventions.layout(container)
            if None in found.values() and holder is not None and isinstance(layout, DictLayout):
                containers[container] = (holder, layout)
        return cls(attributes, containers, learning_rate or _attribute_for("lr", used))

    def locates(self, container: str) -> bool:
        """True when every array of ``container`` has an attribute, or the container has a dict attribute."""
        names = CONTAINER_NAMES[container]
        return container in self.containers or all(name in self.attributes for name in names)

    def text(self, container: str) -> str:
        """Where the container is, in words: "attributes W1, b1, W2, b2" or "self.params as dict ..."."""
        if container in self.containers:
            holder, layout = self.containers[container]
            return f"self.{holder} as {layout.text()}"
        names = [self.attributes[name] for name in CONTAINER_NAMES[container] if name in self.attributes]
        return f"attributes {', '.join(names)}" if names else "attributes of those names (the code uses none)"

    def write(self, instance: Any, container: str, values: Mapping[str, Any]) -> None:
        """Store copies of the container's arrays in the instance (which then owns them)."""
        arrays = {name: np.array(values[name], copy=True) for name in CONTAINER_NAMES[container]}
        if container in self.containers:
            holder, layout = self.containers[container]
            stored = getattr(instance, holder, None)
            if not isinstance(stored, dict):
                stored = {}
                setattr(instance, holder, stored)
            stored.update(layout.pack(arrays))
            return
        for name, value in arrays.items():
            if name in self.attributes:
                setattr(instance, self.attributes[name], value)

    def holds_dicts(self, instance: Any) -> bool:
        """False when ``instance`` keeps something else than a dict where a dict of parameters was assumed
        (``self.layers = [...]``); True when there is no instance to look at."""
        if instance is None or "params" not in self.containers:
            return True
        return isinstance(getattr(instance, self.containers["params"][0], {}), Mapping)

    def read(self, instance: Any, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The arrays among ``names`` the instance holds: by the attributes its code uses for them
        (``self.w_out`` for W2), else by exact names among its attributes and dict attributes."""
        state = vars(instance)
        by_attribute = {
            name: np.asarray(state[self.attributes[name]])
            for name in names
            if self.attributes.get(name) in state and not isinstance(state[self.attributes[name]], Mapping)
        }
        return {**read_mapping(state, names, aliases=False), **by_attribute}


def _attribute_for(role: str, attribute_names: Iterable[str]) -> str | None:
    """The attribute name that stands for ``role`` ("W1", "A2", "params", "lr"), exact spelling first."""
    names = list(attribute_names)
    exact = [name for name in names if normalize(name) == normalize(role)]
    return next(iter(exact), None) or next((name for name in names if role in roles_for(name)), None)


class ClassAdapter(FunctionalAdapter):
    """Calls a network class's methods on fresh instances, in canonical terms; module functions otherwise."""

    style = "class"

    def __init__(self, module: types.ModuleType, network: type, mapping: TargetMapping = NO_MAPPING):
        self.network = network
        self.methods = class_functions(network)
        self.method_plans: dict[str, CallPlan] = {}
        self.construct: CallPlan | None = None
        self.backward_within: CallPlan | None = None  # a training step that is the only backward there is
        self.layer_spec: tuple[str, LayerSpec] | None = None  # layers given one entry each, if not as sizes
        self.layer_adder: tuple[str, LayerAdder] | None = None  # layers added to an instance built empty
        super().__init__(module, mapping)

    def _find_components(self) -> None:
        """The module's functions first, then the constructor and the class's methods, which win."""
        super()._find_components()
        self.conventions = Conventions.of([*self.functions.values(), *self.methods.values()])
        self.instances = InstanceLayout.of(
            self.network, self.conventions, self.mapping.learning_rate_attribute
        )
        try:
            self.construct = self._plan_constructor()
        except UnmappableError as error:
            self._give_up(str(error))
            return
        instance = self._sample_instance()
        storages = self._storages(instance)
        if not storages:
            self._give_up(
                f"cannot find where {self.network.__name__} keeps W1, b1, W2, b2 (attributes with those "
                f"names, a dict attribute such as self.params, or {self._path_problem})"
            )
            return
        self.instances = storages[0]
        self.initial = {} if instance is None else self.instances.read(instance, PARAM_NAMES)
        init_choice = self.mapping.components.get("init")
        if init_choice is None or init_choice.function == self.network.__name__:
            self.plans["init"] = self.construct
            self.missing.pop("init", None)
        for operation in METHOD_OPERATIONS:
            self._plan_method(operation)
        self._doubt_prediction_form()
        if instance is not None and not self._choose_read_storage(instance, storages):
            for operation in [*self.method_plans, "init"]:
                self.plans.pop(operation, None)
            self.method_plans.clear()
            self.initial = {}
            where = " or ".join(storage.text("params") for storage in storages)
            self._give_up(
                f"{self.network.__name__}'s forward pass does not change when the checker writes other "
                f"W1, b1, W2, b2 to {where}: it keeps its weights elsewhere"
            )
            return
        self._backward_through_training()
        self._explain_missing_update()
        if instance is None:
            self._construction_guessed()

    def _storages(self, instance: Any) -> list[InstanceLayout | PathStorage]:
        """Where the instance may keep its parameters, most likely first: attributes named like them or a
        dict attribute (read from the class's code), then the one reading of the sample instance's
        lists and layer objects (``storage.STORAGE_KINDS``); ``_path_problem`` says why there is none."""
        storages: list[InstanceLayout | PathStorage] = []
        if self.instances.locates("params") and self.instances.holds_dicts(instance):
            storages.append(self.instances)
        self._path_problem = "lists or layer objects (no instance could be built to look at)"
        if instance is not None:
            own_types = tuple(own_classes(self.module).values())
            found = PathStorage.find(instance, self.instances, own_types)
            flat = isinstance(found, PathStorage) and found.flat_samples(instance)
            if flat and self.mapping.layout is None:
                found = (
                    f"{found.text('params')} hold W1 as (h, 784) with 1-D biases (h,), which only a sample "
                    'at a time or samples as rows can use: write `layout = "hybrid"` (X (m, 784)) or '
                    '`layout = "column"` in a mapping file'
                )
            if isinstance(found, PathStorage):
                storages.append(found)
            else:
                self._path_problem = f"lists or layer objects: {found}"
        return storages

    def _doubt_prediction_form(self) -> None:
        """An accuracy method whose predictions parameter is named like probabilities too (``y_pred``,
        ``y_hat``) may take either: its call is a guess (a failure under it is unchecked)."""
        plan = self.method_plans.get("accuracy")
        argument = plan.argument_for("predictions") if plan else None
        if argument is None or "A2" not in roles_for(argument.name):
            return
        guess = f"whether `{argument.name}` takes predicted labels or probabilities"
        self.method_plans["accuracy"] = self.plans["accuracy"] = replace(plan, guessed=plan.guessed or guess)

    def _choose_read_storage(self, instance: Any, storages: list[InstanceLayout | PathStorage]) -> bool:
        """Keep the first storage whose parameters the forward pass reads (``_ignores_written_params``);
        False when it ignores all of them."""
        for storage in storages:
            self.instances = storage
            if not self._ignores_written_params():
                self.initial = self.instances.read(instance, PARAM_NAMES)
                return True
        return False

    def own_code(self) -> list[types.FunctionType]:
        """The target's own functions and the network class's methods."""
        return [*self.functions.values(), *self.methods.values()]

    def _ignores_written_params(self) -> bool:
        """True when the class's forward method (else its predict method) returns the same for two different
        sets of parameters written where the checker believes it keeps them (in either layout); False when
        it shows they are read, or when neither can be run at all (the checks then say why)."""
        probe = self._probe_output()
        if probe is None:
            return False
        params, X = probe_problem()
        other = {name: value * 2 + 0.5 for name, value in params.items()}
        answered = False
        for layout in ("column", "row"):
            orientation = Orientation(layout, "(h,) or (1, h)" if layout == "row" else "(h, 1)")
            try:
                with time_limit(PROBE_TIME_LIMIT):
                    np.random.seed(0)  # each instance draws its own weights: the same ones both times
                    first = probe(params, X, orientation)
                    np.random.seed(0)
                    second = probe(other, X, orientation)
            except Exception:  # the other layout, or a forward pass that raises: shows nothing
                continue
            if not first:  # nothing the checker can read came back: shows nothing either
                continue
            answered = True
            if any(not _same_array(first[name], second.get(name)) for name in first):
                return False
        return answered

    def _probe_output(self) -> Callable[[Params, np.ndarray, Orientation], dict[str, Any]] | None:
        """What shows whether an instance reads the parameters written to it: its forward pass, else what
        its predict method returns for X; None when it has neither."""
        if "forward" in self.method_plans:
            return self._forward
        plan = self.method_plans.get("predict")
        if plan is None or plan.operation.name == "predict_from_probabilities":
            return None

        def predicted(params: Params, X: np.ndarray, orientation: Orientation) -> dict[str, Any]:
            instance = self._instance_with(params, orientation=orientation)
            values = predict_values(plan, params, X, np.zeros(X.shape[1], dtype=int))
            return {"predicted": np.asarray(self._call_method("predict", values, instance, orientation))}

        return predicted

    def _construction_guessed(self) -> None:
        """The checker could not build an instance its way: every call through one is a guess."""
        guess = f"how to build a {self.network.__name__}: {self.construct.text()} raised"
        for operation, plan in list(self.plans.items()):
            if plan is self.construct or self.method_plans.get(operation) is plan:
                self.plans[operation] = replace(plan, guessed=plan.guessed or guess)
                if operation in self.method_plans:
                    self.method_plans[operation] = self.plans[operation]
                if plan is self.construct:
                    self.construct = self.plans[operation]

    def _sample_instance(self) -> Any:
        """An instance of sizes SIZE_PROBE, to see how it keeps its arrays; None if it cannot be made.

        A constructor that takes the layers and fails on a list of sizes is tried with the layers written
        one entry each, in the forms the class's code allows (``layer_specs``); the first form that builds
        an instance holding a (784, h) weight matrix is kept. An instance built empty gets its layers
        from a method that adds one (``add_layer``), when the class has one."""
        names = {
            *self.methods,
            *self.functions,
            *(text for method in self.methods.values() for text in string_constants(method)),
        }
        try:
            with time_limit(PROBE_TIME_LIMIT):
                instance = self._construct(*SIZE_PROBE)
        except Exception:  # a constructor that fails shows nothing; the init checks will say what is wrong
            return self._built_from_layer_specs(names) if self.construct.uses("layer_sizes") else None
        if holds_input_weights(instance, SIZE_PROBE[0]):
            return instance
        self.layer_adder = layer_adder(self.methods, names)
        try:
            with time_limit(PROBE_TIME_LIMIT):
                built = self._construct(*SIZE_PROBE) if self.layer_adder else None
        except Exception:  # adding layers that way fails: the instance is what the constructor made
            built = None
        if built is not None and holds_input_weights(built, SIZE_PROBE[0]):
            return built
        self.layer_adder = None
        return instance

    def _built_from_layer_specs(self, names: set[str]) -> Any:
        """An instance built from the layers written one entry each, in the first form that builds one
        holding a (784, h) weight matrix (kept in ``layer_spec``); None if no form does."""
        for form in layer_spec_forms(names):
            self.layer_spec = form
            try:
                with time_limit(PROBE_TIME_LIMIT):
                    instance = self._construct(*SIZE_PROBE)
            except Exception:  # that form is not the one: try the next
                continue
            if holds_input_weights(instance, SIZE_PROBE[0]):
                return instance
        self.layer_spec = None
        return None

    def _plan_constructor(self) -> CallPlan:
        """How to build an instance: as a mapping file's ``init`` says if it names the class, else by name."""
        title = self.network.__name__
        candidate = Candidate(title, self.network, CALL_OPERATIONS["construct"])
        choice = self.mapping.components.get("init")
        if choice is not None and choice.function == title:
            return chosen_plan(candidate, choice, self.conventions, self.mapping, "init")
        return plan_call(self.network, title, candidate.operation, candidate.layout_for(self.conventions))

    def _backward_through_training(self) -> None:
        """A class with neither backward nor update, whose training method takes one step a call and sets
        the parameters itself (``train_epoch``), has its gradients read from that step: (old - new) / lr,
        on one sample when it draws samples. Not when the step may be something else than gradient
        descent (momentum, Adam, weight decay: names such as ``beta`` or ``velocity`` in its code)."""
        train = self.method_plans.get("train")
        if train is None or train.uses("steps") or {"backward", "update"} - set(self.missing):
            return
        attributes = self.instances.attributes
        sets_parameters = {
            attributes[name] for name in PARAM_NAMES if name in attributes
        } & stored_attributes(train.function)
        names = {
            normalize(name) for name in referenced_names(train.function) | stored_attributes(train.function)
        }
        if (
            not sets_parameters
            or names & OPTIMIZER_STATE
            or not (train.uses("lr") or self.instances.learning_rate)
        ):
            return
        self.backward_within = train
        for gradient in GRAD_NAMES:
            self.missing.pop(gradient, None)
        self.missing.pop("backward", None)
        self.update_within = train.title
        self.missing["update"] = (
            f"{train.title} applies the update itself: there is no separate update to check "
            "(its gradients are read from the change of the parameters)"
        )

    def _changed_by(self, method: Any) -> set[str]:
        """The attributes a method changes, itself or through the class's methods it calls."""
        called = [self.methods[name] for name in referenced_names(method) if name in self.methods]
        return set().union(*(modified_attributes(function) for function in [method, *called]))

    def _explain_missing_update(self) -> None:
        """A missing update whose work the backward method (or a training method that takes one step a
        call) does itself is said to be so."""
        backward = self.method_plans.get("backward")
        attributes = self.instances.attributes
        parameters = {attributes[name] for name in PARAM_NAMES if name in attributes}
        if "update" in self.missing and backward and parameters & self._changed_by(backward.function):
            self.update_within = backward.title
            self.missing["update"] = (
                f"{backward.title} applies the update itself: there is no separate update to check "
                "(its gradients are read from the change of the parameters)"
            )
        elif "update" in self.missing and self._trains_a_step_a_call():
            train = self.method_plans["train"]
            if parameters & stored_attributes(train.function):
                self.update_within = train.title
                self.missing["update"] = (
                    f"{train.title} applies the update itself: there is no separate update"
                )

    # -- what was found -------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The FunctionalAdapter's, with the gradients' call when they are read through a training step."""
        found = super().describe()
        built = self.layer_spec or self.layer_adder
        if built is not None and "init" in found["components"]:
            found["components"]["init"] += f"; the layers as {built[0]}"
        if self.backward_within is not None:
            step = call_text(self.backward_within, self.labels, self._notes(self.backward_within))
            read = f"{step}; called once, dW1, db1, dW2, db2 read as (old - new) / lr"
            found["components"].update(dict.fromkeys(GRAD_NAMES, read))
        return found

    def _called_per_sample(self) -> set[str]:
        """The FunctionalAdapter's, and backward when it is read through a step that draws samples."""
        found = super()._called_per_sample()
        if self.backward_within is not None and trains_in_batches(self.backward_within.function):
            found.add("backward")
        return found

    def found_mapping(self) -> dict[str, Any]:
        """The FunctionalAdapter's, with the class: its name and learning-rate attribute."""
        disabled = [name for name, choice in self.mapping.components.items() if choice.function is None]
        network = {"name": self.network.__name__}
        if self.instances.learning_rate is not None:
            network["learning_rate_attribute"] = self.instances.learning_rate
        return found_mapping(self.plans, disabled, self.orientation.layout, network)

    def _functions_of(self, component: str) -> list[Any]:
        """The method (or function) behind a component and the methods it calls on self."""
        plan = self.plans.get(operation_of(component))
        if plan is None:
            return []
        main = self.methods.get("__init__") if plan == self.construct else plan.function
        if main is None:
            return []
        called = [self.methods[name] for name in sorted(referenced_names(main)) if name in self.methods]
        return [main, *called]

    # -- the operations -------------------------------------------------------------------------

    def init(self, n_in: int, hidden: int, n_out: int) -> dict[str, np.ndarray]:
        """The weights the constructor draws for these sizes."""
        if self.plans.get("init") is not self.construct:
            return super().init(n_in, hidden, n_out)
        plan = self._require("init")
        instance = self._construct(n_in, hidden, n_out)
        return readable(instance, self._read(instance, PARAM_NAMES), PARAM_NAMES, plan)

    def relu(self, Z: np.ndarray) -> np.ndarray:
        """The class's relu method of Z (the module's relu if the class has none)."""
        if "relu" not in self.method_plans:
            return super().relu(Z)
        return self.orientation.to_canonical("Z", activation_of(self._call_plain("relu", {"Z": Z})))

    def relu_grad(self, Z: np.ndarray) -> np.ndarray:
        """The class's relu-gradient method of Z (dA = ones for a relu_backward(dA, Z))."""
        if "relu_grad" not in self.method_plans:
            return super().relu_grad(Z)
        result = self._call_plain("relu_grad", {"Z": Z, "dA": np.ones_like(Z)})
        return self.orientation.to_canonical("Z", activation_of(result))

    def softmax(self, Z: np.ndarray) -> np.ndarray:
        """The class's softmax method of logits Z."""
        if "softmax" not in self.method_plans:
            return super().softmax(Z)
        return self.orientation.to_canonical("Z", activation_of(self._call_plain("softmax", {"Z": Z})))

    def one_hot(self, y: np.ndarray) -> np.ndarray:
        """The class's one-hot method of labels y (m,)."""
        if "one_hot" not in self.method_plans:
            return super().one_hot(y)
        result = self._call_plain("one_hot", {"Y": y, "n_out": DEFAULT_CLASSES})
        return self.orientation.to_canonical("Y_onehot", np.asarray(result))

    def loss(self, params: Params, X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> np.ndarray:
        """The method's loss, with the reference forward pass stored on the instance and offered as A2."""
        if "loss" not in self.method_plans:
            return super().loss(params, X, y, l2)
        activations = cache_values(reference_cache(params, X))
        instance = self._instance_with(params)
        self._write(instance, "cache", activations)
        values = {**param_values(params), **activations, **batch_values(X, y, class_count(params), l2)}
        result = self._call_method("loss", values, instance)
        return np.asarray(read_loss(result, self.method_plans["loss"].returned))

    def backward(
        self, params: Params, X: np.ndarray, y: np.ndarray, cache: Any, l2: float = 0.0
    ) -> dict[str, np.ndarray]:
        """dW1..db2 from what the method returned, completed by what it stored on the instance; when it
        gives none, from the change it made to the parameters: (old - new) / lr."""
        if self.backward_within is not None:
            after = self.train(params, X, y, RECOVERY_LEARNING_RATE, 1)
            return {f"d{name}": (params[name] - after[name]) / RECOVERY_LEARNING_RATE for name in PARAM_NAMES}
        if "backward" not in self.method_plans:
            return super().backward(params, X, y, cache, l2)
        plan = self.method_plans["backward"]
        result, instance, before = self._run_backward(params, X, y, cache, RECOVERY_LEARNING_RATE, l2)
        grads = {
            **self.instances.read(instance, GRAD_NAMES),
            **read_arrays(result, GRAD_NAMES, plan.returned),
        }
        if len(grads) < len(GRAD_NAMES):
            grads = {**self._gradients_from_update(plan, before, instance), **grads}
        return self.orientation.outputs(grads)

    def _run_backward(
        self, params: Params, X: np.ndarray, y: np.ndarray, cache: Any, lr: float, l2: float = 0.0
    ) -> tuple[Any, Any, dict[str, np.ndarray]]:
        """(what the backward method returned, the instance it ran on, copies of the parameters before)."""
        activations = cache_values(cache)
        instance = self._instance_with(params, lr)
        own = self._run_own_forward(instance, params, X)
        self._write(instance, "cache", activations)
        before = {
            name: np.array(value, copy=True)
            for name, value in self.instances.read(instance, PARAM_NAMES).items()
        }
        values = {
            **param_values(params),
            **activations,
            **batch_values(X, y, class_count(params), l2),
            "lr": lr,
        }
        return self._call_method("backward", values, instance, own=own), instance, before

    def applied_step(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float) -> Params:
        """The parameters after the one step that applies the update in the target's own code, at ``lr``:
        its backward method's when that sets the parameters itself, else one call of a training method
        that takes one step a call. NotProvided when the update is a method of its own (or nowhere)."""
        if self.backward_within is not None or ("update" in self.missing and self._trains_a_step_a_call()):
            return self.train(params, X, y, lr, 1)
        if self.update_within is None:
            raise NotProvided("update", "the update is not applied inside another method")
        _, instance, _ = self._run_backward(params, X, y, reference_cache(params, X), lr)
        return self.orientation.outputs(self.instances.read(instance, PARAM_NAMES))

    def _trains_a_step_a_call(self) -> bool:
        """Whether the class's training method takes one step a call (``train_epoch``: no step count)."""
        train = self.method_plans.get("train")
        return train is not None and not train.uses("steps")

    def update(self, params: Params, grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
        """The parameters the method returned, else the ones it left on the instance."""
        if "update" not in self.method_plans:
            return super().update(params, grads, lr)
        instance = self._instance_with(params, lr)
        self._write(instance, "grads", grad_values(grads))
        values = {**param_values(params), **grad_values(grads), "lr": lr}
        result = self._call_method("update", values, instance)
        return self._params_after(result, instance, "update")

    def predict(self, params: Params, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """Labels (m,) from the class's predict method on an instance holding ``params`` (given the labels
        y (m,) too if it takes them)."""
        if "predict" not in self.method_plans:
            return super().predict(params, X, y)
        plan = self.method_plans["predict"]
        if plan.operation.name == "predict_from_probabilities":
            values = cache_values(reference_cache(params, X))
            return np.asarray(self._call_method("predict", values, self._instance_with(params)))
        instance = self._instance_with(params)
        result = either_way_round(
            lambda data: self._call_method("predict", predict_values(plan, params, data, y), instance), X
        )
        return self.orientation.labels(predictions_in(result, plan, X.shape[1]), X.shape[1])

    def accuracy(
        self,
        predictions: np.ndarray,
        y: np.ndarray,
        params: Params | None = None,
        X: np.ndarray | None = None,
    ) -> np.ndarray:
        """The class's accuracy method of predictions (m,) against labels y (m,); one that makes its own
        predictions (``evaluate(X, y)``) runs on an instance holding ``params``, given the data X."""
        if "accuracy" not in self.method_plans:
            return super().accuracy(predictions, y, params, X)
        if self.method_plans["accuracy"].operation.name != "accuracy_from_data":
            values = {"predictions": predictions, **batch_values(None, y)}
            return np.asarray(self._call_plain("accuracy", values))
        instance = self._instance_with(params)
        return one_accuracy(
            either_way_round(
                lambda data: self._call_method(
                    "accuracy", {**param_values(params), **batch_values(data, y)}, instance
                ),
                X,
            ),
            self.method_plans["accuracy"],
        )

    def train(self, params: Params, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Params:
        """The parameters after the method trained a fresh instance holding copies of ``params``."""
        if "train" not in self.method_plans:
            return super().train(params, X, y, lr, steps)
        plan = self.method_plans["train"]
        instances = []

        def run(values: Mapping[str, Any]) -> Any:
            instances.append(self._instance_with(params, lr))
            start = self.orientation.inputs(param_values(copied(params)))
            prepared = {**plan.prepare({**values, **start}), **self.own_functions_for(plan)}
            result = plan.call(prepared, instances[-1])
            for _ in range(0 if plan.uses("steps") else steps - 1):  # one epoch (or step) a call
                result = plan.call(prepared, instances[-1])
            return result

        def attempt(data: np.ndarray) -> Any:
            values = {**batch_values(data, y, class_count(params)), "lr": lr, "steps": steps}
            return self.labels.call(plan, self.orientation.inputs(values), run)

        return self._params_after(either_way_round(attempt, X), instances[-1], "train")

    # -- helpers ----------------------------------------------------------------------------------

    def _plan_method(self, operation: str) -> None:
        """Plan the method a mapping file names, else the class's best-named method for ``operation``,
        if it has one (else the module function stays)."""
        choice = self.mapping.components.get(operation)
        if choice is not None and choice.class_name is None:
            return  # a module function (planned already), or not checked at all
        if choice is not None:
            plan = self._chosen_method(operation, choice)
        else:
            names = ranked_matches(self.methods, operation) or self._within_loss(operation)
            if not names:
                return
            title = self.network.__name__
            candidates = [
                Candidate.of(f"{title}.{name}", self.methods[name], operation, self._takes_instance(name))
                for name in names
            ]
            try:
                plan = first_plan(candidates, self.conventions, operation)
            except NotProvided as missing:
                if operation not in self.plans:
                    self.missing[operation] = missing.reason
                return
        self.method_plans[operation] = self.plans[operation] = plan
        self.missing.pop(operation, None)

    def _within_loss(self, operation: str) -> list[str]:
        """For a forward or backward pass the class has no method for, its loss method when that does the
        job (CS231n's ``loss(X, y=None)``): called without labels (they default to None) it returns the
        scores; with them, it returns gradients (``return loss, grads``)."""
        losses = ranked_matches(self.methods, "loss")
        if operation == "forward":
            return [name for name in losses if _labels_optional(self.methods[name])]
        if operation == "backward":
            return [name for name in losses if _returns_gradients(self.methods[name])]
        return []

    def _chosen_method(self, operation: str, choice: ComponentChoice) -> CallPlan:
        """The plan of the method "ClassName.method" a mapping file chose for ``operation``."""
        function = self.methods.get(choice.method)
        if function is None:
            known = [name for name in self.methods if not name.startswith("__")]
            what = f"method `{choice.method}` in class {self.network.__name__}"
            raise missing_function_error(self.mapping, operation, what, known)
        candidate = Candidate.of(
            choice.function, function, operation, self._takes_instance(choice.method), roles=choice.roles
        )
        return chosen_plan(candidate, choice, self.conventions, self.mapping, operation)

    def _takes_instance(self, name: str) -> bool:
        """False for a static method, which is called without the instance."""
        return not isinstance(inspect.getattr_static(self.network, name), staticmethod)

    def _notes(self, plan: CallPlan) -> tuple[str, ...]:
        """What describe() adds: the instance a method runs on, what is stored in it and read back from it."""
        if plan == self.construct:
            return (f"W1, b1, W2, b2 read from {self.instances.text('params')}",)
        if plan not in self.method_plans.values():
            return super()._notes(plan)
        operation = operation_of(plan.operation.name.split("_from_")[0])
        network = self.network.__name__
        if not plan.method:
            instance = "a static method, called without an instance"
        elif operation in PLAIN_OPERATIONS and not plan.operation.name.endswith("_from_data"):
            instance = f"on a new {network} of sizes {DEFAULT_SIZES}"
        else:
            instance = f"on a new {network} holding the params as {self.instances.text('params')}"
        held = self.instances.learning_rate
        rate = f", the learning rate as self.{held}" if held else ""
        stored = {
            "forward": f"Z1, A1, Z2, A2 read from the result or {self.instances.text('cache')}",
            "loss": f"the reference forward pass stored as {self.instances.text('cache')}",
            "backward": (
                f"the given Z1, A1, Z2, A2 stored as {self.instances.text('cache')}; dW1, db1, dW2, db2 read "
                f"from the result or {self.instances.text('grads')}, else (old - new) / lr from the "
                "parameters it updates"
            ),
            "update": (
                f"dW1, db1, dW2, db2 stored as {self.instances.text('grads')}{rate}; W1, b1, W2, b2 read "
                "from the result or the instance"
            ),
            "train": (f"{rate.removeprefix(', ')}; W1, b1, W2, b2 read afterwards".removeprefix("; ")),
        }
        return (instance, stored[operation]) if operation in stored else (instance,)

    def _call_method(
        self,
        operation: str,
        values: Mapping[str, Any],
        instance: Any,
        orientation: Orientation | None = None,
        own: Mapping[str, Any] | None = None,
    ) -> Any:
        """Call the operation's method on ``instance`` with canonical ``values`` in the target's layout (or
        ``orientation``'s), labels in the form it takes; ``own`` values are passed as they are."""
        plan = self.method_plans[operation]
        own = {**self.own_functions_for(plan), **(own or {})}
        prepared = {**plan.prepare((orientation or self.orientation).inputs(values)), **own}
        return self.labels.call(plan, prepared, lambda prepared: plan.call(prepared, instance))

    def _forward(self, params: Params, X: np.ndarray, orientation: Orientation) -> dict[str, np.ndarray]:
        """Z1..A2 from what the method returned, completed by what it stored on the instance."""
        if "forward" not in self.method_plans:
            return super()._forward(params, X, orientation)
        instance = self._instance_with(params, orientation=orientation)
        result = self._call_method("forward", {**param_values(params), "X": X}, instance, orientation)
        arrays = {
            **self.instances.read(instance, ACTIVATION_NAMES),
            **read_forward(result, self.method_plans["forward"].returned),
        }
        return orientation.outputs(forward_arrays(result, arrays, self.method_plans["forward"]))

    def _gradients_from_update(
        self, plan: CallPlan, before: Mapping[str, np.ndarray], instance: Any
    ) -> dict[str, np.ndarray]:
        """The gradients a backward method applied itself, in the target's layout: (old - new) / lr.

        NotProvided when the method changed nothing or its learning rate is unknown.
        """
        after = self.instances.read(instance, PARAM_NAMES)
        changed = [name for name in before if not _same(before[name], after.get(name))]
        if not changed:
            raise NotProvided(
                "backward",
                f"{plan.title} returns no dW1, db1, dW2, db2, stores none as {self.instances.text('grads')} "
                "and leaves the parameters unchanged: name what it returns with `returns` in a mapping file",
            )
        if not plan.uses("lr") and self.instances.learning_rate is None:
            raise NotProvided(
                "backward",
                f"{plan.title} updates the parameters itself, but the checker cannot find its learning rate: "
                "name the attribute with learning_rate_attribute under [class] in a mapping file",
            )
        return {f"d{name}": _step(before[name], after[name]) / RECOVERY_LEARNING_RATE for name in before}

    def _call_plain(self, operation: str, values: Mapping[str, Any]) -> Any:
        """Call a method that needs no parameters: on an instance of DEFAULT_SIZES, a static one on none."""
        instance = self._construct(*DEFAULT_SIZES) if self.method_plans[operation].method else None
        return self._call_method(operation, values, instance)

    def _construct(self, n_in: int, hidden: int, n_out: int, lr: float = DEFAULT_LEARNING_RATE) -> Any:
        """A new instance, built by the class's own constructor."""
        values = {**size_values(n_in, hidden, n_out), "lr": lr}
        if self.layer_spec is not None:
            values["layer_sizes"] = self.layer_spec[1](n_in, hidden, n_out)
        instance = self.construct.call(
            {**self.construct.prepare(values), **self.own_functions_for(self.construct)}
        )
        if self.layer_adder is not None:
            self.layer_adder[1](instance, n_in, hidden, n_out)
        return instance

    def _run_own_forward(self, instance: Any, params: Params, X: np.ndarray) -> dict[str, Any]:
        """Run the instance's own forward method on X, so that what it keeps for backward (``self.X``,
        its own cache attributes) is there; ``{"cache": the cache it returned}`` when backward takes a
        cache whose keys nothing showed, else {}."""
        if "forward" not in self.method_plans:
            return {}
        try:
            result = self._call_method("forward", {**param_values(params), "X": X}, instance)
        except Exception:  # a forward pass that raises keeps nothing; the forward checks report it
            return {}
        layout = self.method_plans["backward"].layouts.get("cache")
        own = cache_of(result) if getattr(layout, "guessed", False) else None
        return {} if own is None else {"cache": own}

    def _instance_with(
        self, params: Params, lr: float = DEFAULT_LEARNING_RATE, orientation: Orientation | None = None
    ) -> Any:
        """A new instance sized like ``params``, holding copies of them (in the target's layout, or in
        ``orientation``'s), with learning rate ``lr``."""
        W1, W2 = params["W1"], params["W2"]
        instance = self._construct(W1.shape[1], W1.shape[0], W2.shape[0], lr)
        self._write(instance, "params", params, orientation)
        if self.instances.learning_rate is not None:
            setattr(instance, self.instances.learning_rate, lr)
        return instance

    def _params_after(self, result: Any, instance: Any, operation: str) -> dict[str, np.ndarray]:
        """The parameters a method returned, completed by the ones on the instance, in column layout."""
        plan = self.method_plans[operation]
        arrays = {
            **self.instances.read(instance, PARAM_NAMES),
            **read_arrays(result, PARAM_NAMES, plan.returned),
        }
        return self.orientation.outputs(readable(result, arrays, PARAM_NAMES, plan))

    def _write(
        self, instance: Any, container: str, values: Mapping[str, Any], orientation: Orientation | None = None
    ) -> None:
        """Store canonical ``values`` of ``container`` in the instance, in the target's layout."""
        self.instances.write(instance, container, (orientation or self.orientation).inputs(values))

    def _read(self, instance: Any, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The arrays among ``names`` the instance holds, in column layout."""
        return self.orientation.outputs(self.instances.read(instance, names))

    def _give_up(self, reason: str) -> None:
        """The class cannot be driven: what only it provides is reported missing with ``reason``."""
        for operation in ("init", *METHOD_OPERATIONS):
            class_has_it = operation == "init" or ranked_matches(self.methods, operation)
            if class_has_it and operation not in self.plans:
                self.missing[operation] = reason


def _returns_gradients(function: Any) -> bool:
    """True when one of the names ``function`` returns is gradients (``return loss, grads``)."""
    return any("grads" in roles_for(name) for name in returned_names(function) or ())


def _labels_optional(function: Any) -> bool:
    """True when ``function`` has a labels parameter (``y``, ``labels``...) whose default is None."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any("Y" in roles_for(parameter.name) and parameter.default is None for parameter in parameters)


def holds_input_weights(instance: Any, n_in: int) -> bool:
    """Whether the instance keeps a 2-D array with a side of ``n_in`` (the first layer's weights, built as
    asked): as an attribute, in a dict or list attribute, or in a layer object held so."""

    def arrays(value: Any, depth: int) -> list[Any]:
        if isinstance(value, np.ndarray) or depth == 0:
            return [value]
        if isinstance(value, dict):
            inside = list(value.values())
        elif isinstance(value, list | tuple):
            inside = list(value)
        else:
            inside = list(getattr(value, "__dict__", {}).values())
        return [found for item in inside for found in arrays(item, depth - 1)]

    return any(
        isinstance(value, np.ndarray) and value.ndim == 2 and n_in in value.shape
        for value in arrays(instance, 3)
    )


def _same(before: np.ndarray, after: Any) -> bool:
    """True when ``after`` is still ``before``: same shape, same values."""
    return isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(after, before)


def _step(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """old - new; a new array whose shape cannot meet the old one's is returned as it is (a wrong shape)."""
    try:
        return before - after
    except ValueError:
        return after


def _same_array(first: Any, second: Any) -> bool:
    """True when two results are arrays of the same shape and values."""
    return (
        isinstance(first, np.ndarray)
        and isinstance(second, np.ndarray)
        and first.shape == second.shape
        and bool(np.array_equal(first, second))
    )
