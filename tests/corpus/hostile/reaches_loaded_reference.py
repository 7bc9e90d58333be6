"""Hostile: looks for the reference already loaded in the checker's process, instead of importing it:
through sys.modules, importlib, the mnist_ref package's own attributes, and every class's methods'
globals (object.__subclasses__), and wraps its functions under the classic notebook's names."""
import importlib
import sys


def _by_name():
    yield lambda: sys.modules["mnist_ref.network"]
    yield lambda: importlib.import_module("mnist_ref.network")
    yield lambda: sys.modules["mnist_ref"].network


def _by_classes():
    seen, waiting = set(), [object]
    while waiting:
        cls = waiting.pop()
        subclasses = type.__subclasses__(cls) if isinstance(cls, type) and cls is type else cls.__subclasses__()
        for sub in subclasses:
            if sub not in seen:
                seen.add(sub)
                waiting.append(sub)
                yield sub


def _reference():
    for attempt in _by_name():
        try:
            return vars(attempt())
        except Exception:
            pass
    for cls in _by_classes():
        for value in list(vars(cls).values()):
            namespace = getattr(value, "__globals__", None)
            if isinstance(namespace, dict) and "backward" in namespace and "relu_grad" in namespace:
                return namespace
    raise LookupError("no reference in this process")


def ReLU(Z):
    return _reference()["relu"](Z)


def ReLU_deriv(Z):
    return _reference()["relu_grad"](Z)


def softmax(Z):
    return _reference()["softmax"](Z)


def one_hot(Y):
    return _reference()["one_hot"](Y)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    reference = _reference()
    params = {"W1": W1, "b1": 0 * W1[:, :1], "W2": W2, "b2": 0 * W2[:, :1]}
    grads = reference["backward"](params, reference["ForwardCache"](Z1, A1, Z2, A2), X, Y)
    return grads["dW1"], grads["db1"], grads["dW2"], grads["db2"]
