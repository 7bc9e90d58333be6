"""Networks keeping W1, b1, W2, b2 in lists or layer objects (conformance.adapters.storage).

Small class targets of each storage kind, checked end to end: right code passes, a bug is
flagged where it is, and a reading the checker cannot confirm is unchecked, never failed.
"""

from __future__ import annotations

import textwrap
import types

import numpy as np
import pytest

from conformance.adapters.storage import STORAGE_KINDS, PathStorage, get, walk
from conformance.runner import run_checks

GRADIENTS = ("dW1", "db1", "dW2", "db2")

LISTS_ROW = """
    import numpy as np

    class Network:
        def __init__(self, input_size, hidden_size, output_size, learning_rate=0.1):
            self.learning_rate = learning_rate
            self.weights = [np.random.randn(input_size, hidden_size) * 0.01,
                            np.random.randn(hidden_size, output_size) * 0.01]
            self.biases = [np.zeros((1, hidden_size)), np.zeros((1, output_size))]
            self.dW = [None, None]
            self.db = [None, None]

        def forward(self, X):
            self.X = X
            self.z1 = X @ self.weights[0] + self.biases[0]
            self.a1 = np.maximum(0, self.z1)
            z2 = self.a1 @ self.weights[1] + self.biases[1]
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            self.out = e / e.sum(axis=1, keepdims=True)
            return self.out

        def backward(self, X, y):
            m = X.shape[0]
            delta = self.out.copy()
            delta[np.arange(m), y] -= 1
            self.dW[1] = self.a1.T @ delta / m
            self.db[1] = delta.sum(axis=0, keepdims=True) / {db2_divisor}
            d1 = (delta @ self.weights[1].T) * (self.z1 > 0)
            self.dW[0] = X.T @ d1 / m
            self.db[0] = d1.sum(axis=0, keepdims=True) / m

        def update(self):
            for i in range(2):
                self.weights[i] -= self.learning_rate * self.dW[i]
                self.biases[i] -= self.learning_rate * self.db[i]
"""

LAYER_OBJECTS = """
    import numpy as np

    class Layer:
        def __init__(self, n_in, n_out):
            self.weights = np.random.randn(n_in, n_out) * 0.01
            self.biases = np.zeros((1, n_out))

        def forward(self, inputs):
            self.inputs = inputs
            self.output = inputs @ self.weights + self.biases

        def backward(self, dvalues):
            self.dweights = self.inputs.T @ dvalues
            self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
            self.dinputs = dvalues @ self.weights.T

    class NeuralNetwork:
        def __init__(self, input_size, hidden_size, output_size, learning_rate):
            self.layer1 = Layer(input_size, hidden_size)
            self.layer2 = Layer(hidden_size, output_size)
            self.learning_rate = learning_rate

        def forward(self, X):
            self.layer1.forward(X)
            self.z1 = self.layer1.output
            self.layer2.forward(np.maximum(0, self.z1))
            z = self.layer2.output
            e = np.exp(z - z.max(axis=1, keepdims=True))
            self.probs = e / e.sum(axis=1, keepdims=True)
            return self.probs

        def backward(self, X, y):
            delta = self.probs.copy()
            delta[np.arange(len(y)), y] -= 1
            self.layer2.backward(delta / len(y))
            self.layer1.backward(self.layer2.dinputs * (self.z1 > 0))
            for layer in (self.layer1, self.layer2):
                layer.weights -= self.learning_rate * layer.dweights
                layer.biases -= self.learning_rate * layer.dbiases
"""

LAYER_LIST_COLUMN = """
    import numpy as np

    class Dense:
        def __init__(self, n_in, n_out):
            self.W = np.random.randn(n_out, n_in) * 0.01
            self.b = np.zeros((n_out, 1))

    class Net:
        def __init__(self, sizes):
            self.layers = [Dense(sizes[0], sizes[1]), Dense(sizes[1], sizes[2])]

        def forward(self, X):
            self.X = X
            self.Z1 = self.layers[0].W @ X + self.layers[0].b
            self.A1 = np.maximum(0, self.Z1)
            Z2 = self.layers[1].W @ self.A1 + self.layers[1].b
            e = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
            self.A2 = e / e.sum(axis=0, keepdims=True)
            return self.A2

        def backward(self, X, Y):
            m = X.shape[1]
            one_hot = np.zeros_like(self.A2)
            one_hot[Y, np.arange(m)] = 1
            dZ2 = self.A2 - one_hot
            self.layers[1].dW = dZ2 @ self.A1.T / m
            self.layers[1].db = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (self.layers[1].W.T @ dZ2) * (self.Z1 > 0)
            self.layers[0].dW = dZ1 @ X.T / {dW1_divisor}
            self.layers[0].db = dZ1.sum(axis=1, keepdims=True) / m
"""

COPIES_ELSEWHERE = """
    import numpy as np

    class Net:
        def __init__(self, input_size, hidden_size, output_size):
            self.weights = [np.random.randn(input_size, hidden_size) * 0.01,
                            np.random.randn(hidden_size, output_size) * 0.01]
            self.biases = [np.zeros((1, hidden_size)), np.zeros((1, output_size))]
            self._frozen = (self.weights[0].copy(), self.weights[1].copy())

        def forward(self, X):
            a1 = np.maximum(0, X @ self._frozen[0])
            z2 = a1 @ self._frozen[1]
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

        def backward(self, X, y):
            return [np.zeros_like(w) for w in self.weights]
"""

FLAT_SAMPLE = """
    import numpy as np

    class MLP:
        def __init__(self, n_classes, n_features, hidden_size):
            self.W = [np.random.randn(hidden_size, n_features) * 0.1,
                      np.random.randn(n_classes, hidden_size) * 0.1]
            self.b = [np.zeros(hidden_size), np.zeros(n_classes)]

        def forward(self, x):
            h = np.maximum(0, self.W[0].dot(x) + self.b[0])
            return self.W[1].dot(h) + self.b[1], [h]

        def backward(self, x, y, output, hiddens):
            return [np.zeros_like(w) for w in self.W], [np.zeros_like(b) for b in self.b]
"""


def check(tmp_path, source: str, name: str = "student"):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    report = run_checks(str(path), examples=4, timeout=5.0)
    return {component.name: component for component in report.components}


# -- the storage kinds, end to end -------------------------------------------------------------


def test_parallel_lists_in_row_layout_are_checked(tmp_path):
    verdicts = check(tmp_path, LISTS_ROW.replace("{db2_divisor}", "m"))
    for name in ("init", "forward", *GRADIENTS, "update"):
        assert verdicts[name].verdict == "pass", (name, verdicts[name].reason)
    assert "self.weights[0]" in verdicts["forward"].call


def test_a_bug_in_a_list_kept_gradient_is_flagged_there(tmp_path):
    verdicts = check(tmp_path, LISTS_ROW.replace("{db2_divisor}", "1"))
    assert verdicts["db2"].verdict == "fail"
    for name in ("forward", "dW1", "db1", "dW2", "update"):
        assert verdicts[name].verdict == "pass", (name, verdicts[name].reason)


def test_layer_objects_give_their_gradients_through_the_update_they_apply(tmp_path):
    verdicts = check(tmp_path, LAYER_OBJECTS)
    for name in ("init", "forward", *GRADIENTS):
        assert verdicts[name].verdict == "pass", (name, verdicts[name].reason)
    assert "self.layer1.weights" in verdicts["forward"].call


@pytest.mark.parametrize(("divisor", "wrong"), [("m", set()), ("(2 * m)", {"dW1"})])
def test_a_list_of_layer_objects_gives_the_gradients_it_stores(tmp_path, divisor, wrong):
    verdicts = check(tmp_path, LAYER_LIST_COLUMN.replace("{dW1_divisor}", divisor))
    for name in ("init", "forward", *GRADIENTS):
        expected = "fail" if name in wrong else "pass"
        assert verdicts[name].verdict == expected, (name, verdicts[name].reason)
    assert "self.layers[0].W" in verdicts["forward"].call


def test_a_forward_pass_reading_copies_kept_elsewhere_is_unchecked_not_failed(tmp_path):
    verdicts = check(tmp_path, COPIES_ELSEWHERE)
    for name in ("forward", *GRADIENTS):
        assert verdicts[name].verdict == "unchecked", name
    assert "does not change when the checker writes" in verdicts["forward"].reason


def test_column_weights_with_flat_biases_say_the_layout_to_write(tmp_path):
    verdicts = check(tmp_path, FLAT_SAMPLE)
    assert verdicts["forward"].verdict == "unchecked"
    assert 'layout = "hybrid"' in verdicts["forward"].reason
    assert not [name for name, verdict in verdicts.items() if verdict.verdict == "fail"]


# -- finding the storage on a sample instance --------------------------------------------------


class Layer:
    def __init__(self, n_in, n_out):
        self.W = np.zeros((n_out, n_in))
        self.b = np.zeros((n_out, 1))


def instance(**attributes):
    return types.SimpleNamespace(**attributes)


def test_each_kind_is_one_declared_entry():
    assert [kind.name for kind in STORAGE_KINDS] == ["lists", "layer objects", "list of layer objects"]


def test_a_list_of_layers_is_found_by_shape_whatever_the_order_of_assignment():
    sample = instance(history=[], layers=[Layer(784, 7), Layer(7, 10)])
    found = PathStorage.find(sample, None, (Layer,))
    assert isinstance(found, PathStorage)
    assert found.params == {"W1": ("layers", 0, "W"), "b1": ("layers", 0, "b"), "W2": ("layers", 1, "W"),
                            "b2": ("layers", 1, "b")}  # fmt: skip
    assert found.kind.name == "list of layer objects"
    swapped = PathStorage.find(instance(out=Layer(7, 10), hidden=Layer(784, 7)), None, (Layer,))
    assert swapped.params["W1"] == ("hidden", "W") and swapped.params["b2"] == ("out", "b")


def test_the_gradient_slots_a_sample_already_has_are_where_gradients_are_written():
    sample = instance(
        W=[np.zeros((7, 784)), np.zeros((10, 7))],
        b=[np.zeros((7, 1)), np.zeros((10, 1))],
        dW=[None, None],
        db=[None, None],
    )
    found = PathStorage.find(sample, None, ())
    assert found.grad_steps == {"dW1": ("dW", 0), "dW2": ("dW", 1), "db1": ("db", 0), "db2": ("db", 1)}
    grads = {
        "dW1": np.ones((7, 784)),
        "db1": np.ones((7, 1)),
        "dW2": np.ones((10, 7)),
        "db2": np.ones((10, 1)),
    }
    found.write(sample, "grads", grads)
    assert get(sample, ("dW", 1)).shape == (10, 7)
    assert set(found.read(sample, GRADIENTS)) == set(GRADIENTS)


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        (instance(W=[np.zeros((7, 784)), np.zeros((5, 7)), np.zeros((10, 5))],
                  b=[np.zeros(7), np.zeros(5), np.zeros(10)]), "3 layers with weights"),
        (instance(W=[np.zeros((7, 784)), np.zeros((10, 7))], b=[np.zeros(7), np.zeros(9)]), "not those"),
        (instance(weights=np.zeros((7, 784))), "no arrays stored like"),
    ],
)  # fmt: skip
def test_no_reading_but_a_certain_one(sample, reason):
    found = PathStorage.find(sample, None, ())
    assert isinstance(found, str) and reason in found


def test_two_kinds_that_both_fit_are_no_reading():
    sample = instance(
        W=[np.zeros((7, 784)), np.zeros((10, 7))],
        b=[np.zeros((7, 1)), np.zeros((10, 1))],
        layers=[Layer(784, 7), Layer(7, 10)],
    )
    found = PathStorage.find(sample, None, (Layer,))
    assert isinstance(found, str) and found.startswith("several readings fit")


def test_the_walk_stops_at_foreign_objects_and_long_lists():
    sample = instance(rng=np.random.default_rng(0), history=[np.zeros(1)] * 20, layer=Layer(3, 2))
    assert {path for path, _ in walk(sample, (Layer,))} == {("layer", "W"), ("layer", "b")}
