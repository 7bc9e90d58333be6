"""Networks of any depth (the family of mnist_ref.spec): finding a target's own init, forward, loss,
backward and update, and calling them with a params dict W1..WL, b1..bL.

The two-layer adapters (functional, class_style) know the many ways the classic network is written;
this module knows the ways deeper and variant networks usually are, by the names of functions and of
their parameters, compared after ``normalize``:

- functions over a params dict, as the well-known deep learning course writes them:
  ``initialize_parameters_deep(layer_dims)``, ``L_model_forward(X, parameters) -> AL, caches``,
  ``compute_cost(AL, Y)``, ``L_model_backward(AL, Y, caches) -> grads``,
  ``update_parameters(parameters, grads, learning_rate)``, and the optimizers
  ``update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)`` or
  ``update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)`` with the states
  ``initialize_adam(parameters) -> v, s`` and ``initialize_velocity(parameters) -> v``;
- a class built from its layer sizes that keeps that dict as an attribute (``self.params``), with
  ``forward(X) -> AL``, ``backward(Y) -> grads`` (its own cache kept by forward) and
  ``step(grads, lr)`` updating the dict.

Labels go to a ``Y`` parameter as one-hot columns (k, m), or as integer labels (m,) when the
function raises on one-hot ones. Everything is column layout: X (n_0, m), W_l (n_l, n_{l-1}).
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from conformance.adapters.introspect import class_functions, own_classes, own_functions
from conformance.adapters.names import normalize
from conformance.sandbox.protocol import NotProvided

Params = dict[str, np.ndarray]

ROLE_NAMES: dict[str, frozenset[str]] = {
    role: frozenset(names)
    for role, names in {
        "params": ("parameters", "params", "param", "p", "network", "model", "theta", "weights"),
        "X": ("x", "a0", "inputs", "input", "data", "xbatch", "images", "features"),
        "Y": ("y", "labels", "ytrue", "targets", "target", "yonehot", "onehot", "ybatch"),
        "AL": (
            "al",
            "alast",
            "aout",
            "output",
            "outputs",
            "yhat",
            "ypred",
            "probs",
            "a",
            "predictions",
            "outputactivations",
            "outputactivation",
            "prediction",
            "predicted",
        ),
        "cache": ("cache", "caches", "forwardcache", "memory", "store"),
        "grads": ("grads", "gradients", "grad", "g", "derivatives"),
        "lr": ("learningrate", "lr", "alpha", "eta", "rate", "stepsize"),
        "l2": ("lambd", "lambda", "lam", "l2", "reg", "regularization", "lambdareg", "weightdecay"),
        "v": ("v", "velocity", "vel", "velocities"),
        "s": ("s",),
        "t": ("t", "timestep", "iteration"),
        "beta": ("beta", "momentum"),
        "beta1": ("beta1",),
        "beta2": ("beta2",),
        "epsilon": ("epsilon", "eps"),
        "layer_sizes": ("layerdims", "layersdims", "layers", "sizes", "layersizes", "dims", "architecture"),
        "n_x": ("nx", "inputsize", "ninput", "ninputs", "inputdim"),
        "n_h": ("nh", "hiddensize", "nhidden", "hiddendim"),
        "n_y": ("ny", "outputsize", "noutput", "outputdim", "nclasses", "numclasses"),
        "seed": ("seed", "randomstate"),
    }.items()
}
"""The roles a function's parameters can take, by their normalized names."""

FUNCTION_NAMES: dict[str, tuple[str, ...]] = {
    "init": (
        "initializeparametersdeep", "initializeparameters", "initparams", "initparameters", "initnetwork",
        "initialize", "initweights", "init",
    ),
    "forward": (
        "lmodelforward", "forwardpropagation", "forwardprop", "forward", "feedforward", "forwardpass",
    ),
    "loss": (
        "computecostwithregularization", "computecost", "computeloss", "cost", "loss", "costfunction",
        "lossfunction",
    ),
    "backward": (
        "lmodelbackward", "backwardpropagationwithregularization", "backwardpropagation", "backwardprop",
        "backward", "backprop", "backpropagation", "backwardpass",
    ),
    "update": (
        "updateparameterswithadam", "updateparameterswithmomentum", "updateparameters", "updateparams",
        "update", "step",
    ),
    "loss_derivative": ("costderivative", "lossderivative", "costprime", "lossprime"),
    "adam_state": ("initializeadam", "initadam"),
    "velocity_state": ("initializevelocity", "initvelocity"),
}  # fmt: skip
"""The usual names of each operation's function, the most specific first."""

SUPPLIED: dict[str, frozenset[str]] = {
    operation: frozenset(roles)
    for operation, roles in {
        "init": ("layer_sizes", "n_x", "n_h", "n_y", "seed"),
        "forward": ("params", "X"),
        "loss": ("AL", "Y", "params", "l2", "X"),
        "backward": ("AL", "Y", "cache", "params", "X", "l2"),
        "update": ("params", "grads", "lr", "v", "s", "t", "beta", "beta1", "beta2", "epsilon", "l2"),
        "loss_derivative": ("AL", "Y"),
        "adam_state": ("params",),
        "velocity_state": ("params",),
    }.items()
}
"""The roles each operation has values for (a class's methods get X, Y, grads and lr; the rest it holds)."""

OPTIMIZER_WORDS = {"adam": "adam", "momentum": "momentum"}
"""The word in an update function's name that says which optimizer it is (none: plain SGD)."""


def role_of(name: str, depth: int) -> str | None:
    """The role of a parameter called ``name``; None when its name says nothing. ``A3`` is AL at depth 3."""
    key = normalize(name)
    if key == f"a{depth}":
        return "AL"
    return next((role for role, names in ROLE_NAMES.items() if key in names), None)


@dataclass
class Found:
    """The functions (or methods) a target has for each operation, by operation."""

    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    network_class: type | None = None
    optimizers: tuple[str, ...] = ()  # those it has an update function for: sgd, momentum, adam

    def describe(self) -> dict[str, str]:
        """Each operation's function, as ``name(parameters)``."""
        return {operation: _signature_text(function) for operation, function in self.functions.items()}


def find(module: types.ModuleType, optimizer: str, l2: bool) -> Found:
    """The target's functions for each operation; a class's methods when it has a network class."""
    network = _network_class(module)
    functions = own_functions(module) if network is None else class_functions(network)
    return Found(_pick_all(functions, optimizer, l2), network, _optimizers(functions))


def _optimizers(functions: Mapping[str, Callable[..., Any]]) -> tuple[str, ...]:
    """The optimizers the functions have an update for, by their names (sgd for a plain update)."""
    keys = [normalize(name) for name in functions if normalize(name) in FUNCTION_NAMES["update"]]
    found = {next((word for word in OPTIMIZER_WORDS if word in key), "sgd") for key in keys}
    return tuple(name for name in ("sgd", "momentum", "adam") if name in found)


def _network_class(module: types.ModuleType) -> type | None:
    """The module's class with both a forward and a backward method, if it has one."""
    for cls in own_classes(module).values():
        keys = {normalize(name) for name in class_functions(cls)}
        if keys & set(FUNCTION_NAMES["forward"]) and keys & set(FUNCTION_NAMES["backward"]):
            return cls
    return None


def _pick_all(functions: Mapping[str, Callable[..., Any]], optimizer: str, l2: bool) -> dict[str, Any]:
    by_key = {normalize(name): function for name, function in functions.items() if not name.startswith("__")}
    picked = {}
    for operation, names in FUNCTION_NAMES.items():
        candidates = [name for name in names if name in by_key]
        if operation == "update":
            word = OPTIMIZER_WORDS.get(optimizer)
            candidates = [
                name for name in candidates if (word in name if word else not _names_optimizer(name))
            ]
        if operation in ("loss", "backward") and not l2:
            candidates = [name for name in candidates if "regulariz" not in name] or candidates
        if candidates:
            picked[operation] = by_key[candidates[0]]
    return picked


def _names_optimizer(name: str) -> bool:
    return any(word in name for word in OPTIMIZER_WORDS)


def _signature_text(function: Callable[..., Any]) -> str:
    parameters = [name for name in inspect.signature(function).parameters if name != "self"]
    return f"{function.__name__}({', '.join(parameters)})"


class NetworkCalls:
    """The ``network_*`` operations on one loaded target, for a network of ``depth`` layers."""

    def __init__(
        self,
        module: types.ModuleType,
        depth: int,
        optimizer: str = "sgd",
        l2: float = 0.0,
        trees: list[ast.AST] = (),  # type: ignore[assignment]
    ):
        self.depth = depth
        self.optimizer = optimizer
        self.l2 = l2
        self.found = find(module, optimizer, bool(l2))
        self.own_keywords = {
            operation: keywords_in_own_calls(trees, function.__name__, vars(module))
            for operation, function in self.found.functions.items()
        }
        backward = self.found.functions.get("backward")
        self.per_sample = backward is not None and called_on_pairs(trees, backward.__name__)
        self.labels_as_integers: dict[str, bool] = {}

    def has(self, operation: str) -> bool:
        return operation in self.found.functions

    def usable(self, operation: str) -> bool:
        """Whether the target has a function for ``operation`` whose every parameter can be given a value."""
        function = self.found.functions.get(operation)
        if function is None:
            return False
        roles = SUPPLIED[operation]
        if operation == "forward" and _single_input(function):
            return True
        return all(
            parameter.default is not inspect.Parameter.empty
            or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
            or role_of(name, self.depth) in roles
            or name in self.own_keywords.get(operation, {})
            for name, parameter in inspect.signature(function).parameters.items()
            if not (name == "self" and self.found.network_class is not None)
        )

    def describe(self) -> dict[str, Any]:
        """The functions found, the network class, the optimizers it has an update for, and the name of
        the parameter its backward (or loss) takes a required L2 lambda in, if any."""
        return {
            "functions": self.found.describe(),
            "class": None if self.found.network_class is None else self.found.network_class.__name__,
            "optimizers": list(self.found.optimizers),
            "l2_parameter": self._l2_parameter(),
            "per_sample_backward": self.per_sample,
        }

    def _l2_parameter(self) -> str | None:
        for operation in ("backward", "loss"):
            function = self.found.functions.get(operation)
            if function is None:
                continue
            for name, parameter in inspect.signature(function).parameters.items():
                if role_of(name, self.depth) == "l2" and parameter.default is inspect.Parameter.empty:
                    return name
        return None

    # ---- the target's own objects ----

    def instance(self, params: Params | None, sizes: list[int]) -> Any:
        """A fresh instance of the network class holding copies of ``params`` (its own when None)."""
        cls = self.found.network_class
        assert cls is not None
        built = self._call(
            cls, {"layer_sizes": list(sizes), "n_x": sizes[0], "n_h": sizes[1], "n_y": sizes[-1]}
        )
        if params is not None:
            self._set_params(built, params)
        return built

    def _set_params(self, instance: Any, params: Params) -> None:
        held = held_params(instance)
        copies = {name: value.copy() for name, value in params.items()}
        if held == OWN_ATTRIBUTES:
            for name, value in copies.items():
                setattr(instance, name, value)
        elif held == LISTS:
            weights, biases = _list_attributes(instance)
            setattr(instance, weights, [copies[f"W{layer}"] for layer in range(1, self.depth + 1)])
            setattr(instance, biases, [copies[f"b{layer}"] for layer in range(1, self.depth + 1)])
        else:
            setattr(instance, held, copies)

    def params_of(self, instance: Any) -> Params:
        """W1..WL, b1..bL as the instance holds them."""
        held = held_params(instance)
        if held == LISTS:
            weights, biases = (getattr(instance, name) for name in _list_attributes(instance))
            pairs = enumerate(zip(weights, biases, strict=False), start=1)
            return {
                name: np.asarray(value)
                for layer, (W, b) in pairs
                for name, value in ((f"W{layer}", W), (f"b{layer}", b))
            }
        source = vars(instance) if held == OWN_ATTRIBUTES else getattr(instance, held)
        return {name: np.asarray(source[name]) for name in _param_names(self.depth) if name in source}

    def _function(self, operation: str, holder: Any = None) -> Callable[..., Any]:
        function = self.found.functions.get(operation)
        if function is None:
            raise NotProvided(
                operation, f"no {operation} function found for a network of {self.depth} layers"
            )
        return function if holder is None else types.MethodType(function, holder)

    def _call(self, function: Callable[..., Any], values: Mapping[str, Any], operation: str = "") -> Any:
        """``function`` called with each parameter given the value of its role. Labels go as one-hot
        columns, or as integers when the one-hot call raises and the integer one does not (remembered per
        operation); when both raise, the one-hot call's error is the one raised."""
        arguments = self._arguments(function, values, operation)
        if "Y" not in values:
            return function(**arguments)
        if operation in self.labels_as_integers:
            return function(**self._labels(arguments, values, self.labels_as_integers[operation]))
        try:
            result = function(**arguments)
        except Exception as error:
            try:
                result = function(**self._labels(arguments, values, integers=True))
            except Exception:
                raise error from None
            self.labels_as_integers[operation] = True
            return result
        self.labels_as_integers[operation] = False
        return result

    def _labels(self, arguments: dict[str, Any], values: Mapping[str, Any], integers: bool) -> dict[str, Any]:
        """``arguments`` with the labels as integers (m,) instead of one-hot columns when ``integers``."""
        if not integers:
            return arguments
        return {
            name: (np.argmax(values["Y"], axis=0) if role_of(name, self.depth) == "Y" else value)
            for name, value in arguments.items()
        }

    def _arguments(
        self, function: Callable[..., Any], values: Mapping[str, Any], operation: str
    ) -> dict[str, Any]:
        arguments = {}
        for name, parameter in inspect.signature(function).parameters.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            role = "X" if operation == "forward" and _single_input(function) else role_of(name, self.depth)
            if role in values:
                arguments[name] = values[role]
            elif name in self.own_keywords.get(operation, {}):
                arguments[name] = self.own_keywords[operation][name]
            elif parameter.default is inspect.Parameter.empty:
                title = getattr(function, "__qualname__", operation)
                raise NotProvided(
                    operation or title, f"cannot tell what to give parameter {name!r} of {title}"
                )
        return arguments

    # ---- the operations ----

    def init(self, sizes: list[int]) -> Params:
        """The parameters the target's init (or constructor) makes for layer ``sizes``."""
        if self.found.network_class is not None:
            return self.params_of(self.instance(None, sizes))
        values = {"layer_sizes": list(sizes), "n_x": sizes[0], "n_h": sizes[1], "n_y": sizes[-1], "seed": 0}
        return read_params(self._call(self._function("init"), values, "init"), self.depth)

    def forward(self, params: Params, X: np.ndarray) -> tuple[np.ndarray, Any, Any]:
        """(the outputs AL (k, m), the cache the target keeps, the instance for a class) of one pass."""
        if self.found.network_class is not None:
            sizes = [X.shape[0], *(params[f"W{layer}"].shape[0] for layer in range(1, self.depth + 1))]
            instance = self.instance(params, sizes)
            result = self._call(self._function("forward", instance), {"X": X}, "forward")
            return read_output(result, self.depth), None, instance
        result = self._call(self._function("forward"), {"params": params, "X": X}, "forward")
        return read_output(result, self.depth), own_cache(result), None

    def loss(self, params: Params, X: np.ndarray, Y: np.ndarray) -> float:
        AL, _, instance = self.forward(params, X)
        values = {"AL": AL, "Y": Y, "params": params, "l2": self.l2, "X": X}
        return float(np.asarray(self._call(self._function("loss", instance), values, "loss")))

    def loss_derivative(self, params: Params, AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """The target's derivative of its loss with respect to the outputs AL (``cost_derivative``)."""
        instance = None
        if self.found.network_class is not None:
            sizes = [
                params["W1"].shape[1],
                *(params[f"W{layer}"].shape[0] for layer in range(1, self.depth + 1)),
            ]
            instance = self.instance(params, sizes)
        return self._call(self._function("loss_derivative", instance), {"AL": AL, "Y": Y}, "loss_derivative")

    def backward(self, params: Params, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
        """dW1..dWL, db1..dbL from the target's backward, after its own forward pass on X."""
        AL, cache, instance = self.forward(params, X)
        values = {"AL": AL, "Y": Y, "cache": cache, "params": params, "X": X, "l2": self.l2}
        returned = self._call(self._function("backward", instance), values, "backward")
        return read_grads(returned, self.depth, params)

    def update(
        self,
        params: Params,
        grads: dict[str, np.ndarray],
        lr: float,
        state: dict[str, Any] | None,
        hyper: dict,
    ) -> tuple[Params, dict[str, Any]]:
        """The parameters after one step of the target's update, and the optimizer state it leaves."""
        if self.found.network_class is not None:
            sizes = [
                params["W1"].shape[1],
                *(params[f"W{layer}"].shape[0] for layer in range(1, self.depth + 1)),
            ]
            instance = self.instance(params, sizes)
            self._call(self._function("update", instance), {"grads": grads, "lr": lr, **hyper}, "update")
            return self.params_of(instance), {}
        held = {name: value.copy() for name, value in params.items()}
        state = self._fresh_state(held) if state is None else state
        values = {"params": held, "grads": grads, "lr": lr, **state, **hyper}
        result = self._call(self._function("update"), values, "update")
        return read_update(result, held, state, self.depth)

    def _fresh_state(self, params: Params) -> dict[str, Any]:
        """The optimizer's state before its first step: the target's own initializer's, else zeros."""
        zeros = {f"d{name}": np.zeros_like(value) for name, value in params.items()}
        if self.optimizer == "adam":
            if self.has("adam_state"):
                v, s = self._call(self._function("adam_state"), {"params": params}, "adam_state")
                return {"v": v, "s": s, "t": 1}
            return {"v": zeros, "s": {key: value.copy() for key, value in zeros.items()}, "t": 1}
        if self.optimizer == "momentum":
            if self.has("velocity_state"):
                return {
                    "v": self._call(self._function("velocity_state"), {"params": params}, "velocity_state")
                }
            return {"v": zeros}
        return {}


def keywords_in_own_calls(trees: list[ast.AST], function: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the target's own code always gives ``function`` the same value in, when that
    value is a literal or a module-level name (``L_model_forward(X, p, use_batchnorm=BATCHNORM_USAGE)``)."""
    seen: dict[str, list[Any]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) == function:
                for keyword in node.keywords:
                    if keyword.arg is not None:
                        seen.setdefault(keyword.arg, []).append(_simple_value(keyword.value, namespace))
    return _consistent(seen)


def called_on_pairs(trees: list[ast.AST], function: str) -> bool:
    """Whether the target's own code calls ``function`` in a loop over (x, y) pairs with the loop's
    variables (``for x, y in mini_batch: self.backprop(x, y)``): it computes one sample's gradients."""
    for tree in trees:
        for loop in ast.walk(tree):
            if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Tuple)):
                continue
            variables = {node.id for node in loop.target.elts if isinstance(node, ast.Name)}
            for call in ast.walk(loop):
                given = [arg.id for arg in getattr(call, "args", []) if isinstance(arg, ast.Name)]
                if isinstance(call, ast.Call) and _callee(call) == function and variables & set(given):
                    return True
    return False


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


UNKNOWN = object()
"""A keyword argument's value that is neither a literal nor a module-level name."""


def _simple_value(node: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in namespace:
        value = namespace[node.id]
        return value if isinstance(value, bool | int | float | str | type(None)) else UNKNOWN
    return UNKNOWN


def _consistent(seen: dict[str, list[Any]]) -> dict[str, Any]:
    """The keywords given one value everywhere, with that value."""
    return {
        name: values[0]
        for name, values in seen.items()
        if values[0] is not UNKNOWN and all(value is not UNKNOWN and value == values[0] for value in values)
    }


OWN_ATTRIBUTES = ""
"""``held_params`` of an instance keeping W1, b1... as attributes of their own."""
LISTS = "[lists]"
"""``held_params`` of an instance keeping lists of weights and biases (``self.weights``, ``self.biases``)."""


def held_params(instance: Any) -> str:
    """How a network instance holds its parameters: the name of its attribute holding a dict with W1,
    OWN_ATTRIBUTES (``self.W1``) or LISTS (``self.weights = [W1, W2, ...]``, ``self.biases``, as
    Nielsen's book writes them); NotProvided when it holds them in none of these ways."""
    for name, value in vars(instance).items():
        if isinstance(value, Mapping) and "W1" in value:
            return name
    if hasattr(instance, "W1"):
        return OWN_ATTRIBUTES
    if _list_attributes(instance) is not None:
        return LISTS
    raise NotProvided(
        "forward",
        f"{type(instance).__name__} keeps W1 neither as an attribute, nor in a dict, nor in lists"
        " weights and biases",
    )


def _list_attributes(instance: Any) -> tuple[str, str] | None:
    """The names of the instance's lists of weight matrices and of bias columns, if it has both."""
    lists = {
        normalize(name): name for name, value in vars(instance).items() if isinstance(value, list) and value
    }
    weights = next((lists[key] for key in ("weights", "w", "ws") if key in lists), None)
    biases = next((lists[key] for key in ("biases", "b", "bs") if key in lists), None)
    return None if weights is None or biases is None else (weights, biases)


def _param_names(depth: int) -> tuple[str, ...]:
    return tuple(f"{kind}{layer}" for layer in range(1, depth + 1) for kind in ("W", "b"))


def read_params(result: Any, depth: int) -> Params:
    """W1..WL, b1..bL from what an init returned: a dict, or a tuple holding one."""
    held = _first_holding(result, "W1")
    if held is None:
        raise NotProvided(
            "init", f"cannot read W1..W{depth} from what init returned ({type(result).__name__})"
        )
    return {name: np.asarray(held[name]) for name in _param_names(depth) if name in held}


def read_output(result: Any, depth: int) -> np.ndarray:
    """The outputs AL from what a forward pass returned: AL, (AL, caches), or a dict holding A<L>."""
    if isinstance(result, np.ndarray):
        return result
    if isinstance(result, Mapping):
        for key in (f"A{depth}", "AL", "output", "A_L"):
            if key in result:
                return np.asarray(result[key])
    if isinstance(result, tuple | list):
        arrays = [item for item in result if isinstance(item, np.ndarray)]
        if len(result) == 2 and isinstance(result[0], np.ndarray):
            return result[0]  # (AL, caches)
        if arrays:
            return arrays[-1]  # (Z1, A1, ..., ZL, AL)
    raise NotProvided(
        "forward", f"cannot read the outputs from what forward returned ({type(result).__name__})"
    )


def own_cache(result: Any) -> Any:
    """What a forward pass keeps for its backward pass: the rest of what it returned besides AL."""
    if isinstance(result, tuple | list) and len(result) == 2:
        return result[1]
    return result


GRAD_KEY = re.compile(r"d_?(w|b)_?(\d+)")


def read_grads(result: Any, depth: int, params: Params | None = None) -> dict[str, np.ndarray]:
    """dW1..dWL, db1..dbL from what a backward pass returned: a dict (or a tuple holding one) keyed dW1...,
    or two lists, one per kind, told apart by their shapes against ``params`` (Nielsen's
    ``(nabla_b, nabla_w)``)."""
    held = result if isinstance(result, Mapping) else _first_holding(result, None)
    if held is None and params is not None:
        held = _lists_by_shape(result, depth, params)
    if held is None:
        raise NotProvided("backward", f"cannot read dW1..dW{depth} from what backward returned")
    grads = {}
    for key, value in held.items():
        match = GRAD_KEY.fullmatch(str(key).lower())
        if match is not None:
            grads[f"d{match[1].upper() if match[1] == 'w' else 'b'}{match[2]}"] = value
    return grads


def _lists_by_shape(result: Any, depth: int, params: Params) -> dict[str, Any] | None:
    """{"dW1": ..., "db1": ...} from two lists of ``depth`` arrays each, one with the weights' shapes and
    one with the biases'; None for anything else."""
    if not (isinstance(result, tuple | list) and len(result) == 2):
        return None
    grads: dict[str, Any] = {}
    for part in result:
        if not (isinstance(part, list | tuple) and len(part) == depth):
            return None
        for kind in ("W", "b"):
            shapes = [np.shape(params[f"{kind}{layer}"]) for layer in range(1, depth + 1)]
            if [np.shape(item) for item in part] == shapes and f"d{kind}1" not in grads:
                grads.update({f"d{kind}{layer}": item for layer, item in enumerate(part, start=1)})
                break
    return grads if len(grads) == 2 * depth else None


def _single_input(function: Callable[..., Any]) -> bool:
    """Whether ``function`` (a bound method, or a function) takes exactly one argument without a default:
    a forward pass ``feedforward(a)`` whose input may be called anything."""
    required = [
        parameter
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "self"
        and parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    return len(required) == 1


def read_update(
    result: Any, held: Params, state: dict[str, Any], depth: int
) -> tuple[Params, dict[str, Any]]:
    """(parameters, optimizer state) after an update that returned ``result``: params, (params, v[, s])
    or nothing (the dict ``held`` it was given changed in place)."""
    parts = list(result) if isinstance(result, tuple | list) else [result]
    new = _first_holding(parts, "W1")
    params = held if new is None else new
    rest = [part for part in parts if isinstance(part, Mapping) and part is not new]
    kept = {key: value for key, value in state.items()}
    for key, part in zip(("v", "s"), rest, strict=False):
        kept[key] = part
    if "t" in kept:
        kept["t"] += 1
    return {name: np.asarray(params[name]) for name in _param_names(depth) if name in params}, kept


def _first_holding(result: Any, key: str | None) -> Mapping[str, Any] | None:
    """``result`` or the first of its items that is a dict holding ``key`` (any dict when key is None)."""
    candidates = [result] + (list(result) if isinstance(result, tuple | list) else [])
    for candidate in candidates:
        if isinstance(candidate, Mapping) and (key is None or key in candidate):
            return candidate
    return None
