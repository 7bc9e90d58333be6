"""conformance.adapters: names, parameter mapping, bundles, labels, globals, and both adapters.

The small targets are written to files and loaded as the harness loads them (top-level code skipped).
"""

from __future__ import annotations

import ast
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from target_helpers import problem

import mnist_ref
from conformance.adapters import ClassAdapter, FunctionalAdapter, description, discover
from conformance.adapters.introspect import called_per_sample, trains_in_batches
from conformance.adapters.labels import LabelForms, guess_label_form, one_hot_columns
from conformance.adapters.layers import LayerListLayout, layer_layout
from conformance.adapters.layouts import (
    Conventions,
    DictLayout,
    TupleLayout,
    dict_layout,
    read_arrays,
    read_forward,
    read_loss,
    read_mapping,
    tuple_order,
)
from conformance.adapters.names import GRAD_NAMES, PARAM_NAMES, normalize, ranked_matches, roles_for
from conformance.adapters.signatures import OPERATIONS, UnmappableError, plan_call, plan_with_roles
from conformance.mapping import load_mapping
from conformance.sandbox.protocol import NotProvided


def plan(function, operation):
    """A call plan with canonical layouts (enough for functions that take no bundles)."""
    return plan_call(function, function.__name__, OPERATIONS[operation], lambda container: TupleLayout(()))


def roles(call_plan):
    return [argument.role for argument in call_plan.arguments]


CLASSIC_GRADIENTS = """
    import numpy as np

    def one_hot(Y):
        columns = np.zeros((10, Y.size))
        columns[Y, np.arange(Y.size)] = 1
        return columns

    def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
        m = X.shape[1]
        dZ2 = A2 - one_hot(Y)
        dZ1 = W2.T.dot(dZ2) * (Z1 > 0)
        return dZ1.dot(X.T) / m, np.sum(dZ1, axis=1, keepdims=True) / m, dZ2.dot(A1.T) / m, np.sum(dZ2) / m
"""


# -- names -----------------------------------------------------------------------------------------


def test_names_compare_without_case_and_underscores():
    assert normalize("ReLU_deriv") == normalize("relu_deriv") == normalize("reluDeriv") == "reluderiv"


def test_a_cyrillic_look_alike_or_stray_letter_does_not_hide_a_name():
    stray_ve, cyrillic_o = "ReLU\u0412Der", "f\u043erward"  # as a Cyrillic keyboard layout types them
    assert ranked_matches([stray_ve, "ReLU"], "relu_grad") == [stray_ve]
    assert ranked_matches([cyrillic_o], "forward") == [cyrillic_o]
    assert ranked_matches(["f\u0431rward"], "forward") == []  # a Cyrillic letter that looks like no Latin one


def test_roles_of_parameter_names():
    assert roles_for("one_hot_Y") == roles_for("Y_onehot") == ("Y_onehot",)
    assert roles_for("y") == roles_for("labels") == ("Y",)
    assert roles_for("output") == ("A2", "n_out")
    assert roles_for("learning_rate") == ("lr",)
    assert roles_for("whatever") == ()


def test_ranked_matches_prefer_usual_names_and_skip_dunders():
    names = ["train", "helper", "gradient_descent", "fit"]
    assert ranked_matches(names, "train") == ["gradient_descent", "train", "fit"]
    assert ranked_matches(["__init__", "setup"], "init") == []
    assert ranked_matches(["ReLU_deriv", "relu_backward"], "relu_grad") == ["ReLU_deriv", "relu_backward"]


# -- mapping parameters ----------------------------------------------------------------------------


def test_backward_parameters_map_by_name_with_or_without_W1():
    def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y): ...
    def back_prop(z1, a1, z2, a2, w2, x, y): ...

    assert roles(plan(backward_prop, "backward")) == ["Z1", "A1", "Z2", "A2", "W1", "W2", "X", "Y"]
    assert roles(plan(back_prop, "backward")) == ["Z1", "A1", "Z2", "A2", "W2", "X", "Y"]


def test_unknown_names_are_placed_by_the_usual_order():
    def forward(a, b, c, d, X): ...
    def forward_pass(p, data): ...

    assert roles(plan(forward, "forward")) == ["W1", "b1", "W2", "b2", "X"]
    assert roles(plan(forward_pass, "forward")) == ["params", "X"]


def test_a_one_input_function_may_call_its_input_anything():
    def relu(x): ...
    def relu_backward(dout, cache): ...

    assert roles(plan(relu, "relu")) == ["Z"]
    assert roles(plan(relu_backward, "relu_grad")) == ["dA", "Z"]


def test_a_parameter_the_operation_cannot_supply_is_refused():
    def accuracy(X, y): ...

    with pytest.raises(UnmappableError, match="takes `X`"):
        plan(accuracy, "accuracy")


def test_parameters_whose_names_say_nothing_and_fit_no_usual_order_are_refused():
    def forward(foo, bar, baz): ...

    with pytest.raises(UnmappableError, match=r"cannot tell what `foo`, `bar`, `baz` of forward\(foo, bar"):
        plan(forward, "forward")


def test_optional_roles_keep_the_functions_own_default():
    def one_hot(y, num_classes=10): ...
    def one_hot_encode(y, k): ...

    assert roles(plan(one_hot, "one_hot")) == ["Y", None]
    assert roles(plan(one_hot_encode, "one_hot")) == ["Y", "n_out"]


def test_plan_text_shows_what_each_renamed_parameter_receives():
    def gradient_descent(X, Y, alpha, iterations, print_every=10): ...
    def relu_backward(dA, Z): ...

    assert plan(gradient_descent, "train").text() == "gradient_descent(X, Y, alpha=lr, iterations=steps)"
    assert plan(relu_backward, "relu_grad").text() == "relu_backward(dA=ones_like(Z), Z)"


# -- bundles of arrays -----------------------------------------------------------------------------


def test_dict_keys_are_read_from_the_string_literals():
    layout = dict_layout("params", {"w1", "b1", "w2", "b2", "unrelated"})
    assert layout == DictLayout({"W1": "w1", "b1": "b1", "W2": "w2", "b2": "b2"})
    assert layout.pack({"W1": 1, "b1": 2, "W2": 3, "b2": 4}) == {"w1": 1, "b1": 2, "w2": 3, "b2": 4}
    assert dict_layout("params", {"accuracy: ", "d"}) is None


def test_keys_built_in_a_loop_from_a_prefix():
    assert dict_layout("params", {"W", "b"}).keys == {"W1": "W1", "b1": "b1", "W2": "W2", "b2": "b2"}
    assert dict_layout("grads", {"dW", "db"}).keys == {"dW1": "dW1", "db1": "db1", "dW2": "dW2", "db2": "db2"}


def test_gradient_keys_follow_the_parameter_keys():
    assert dict_layout("grads", {"W1", "b1", "W2", "b2", "d"}).keys["dW1"] == "dW1"
    assert dict_layout("grads", {"W1", "b1", "W2", "b2"}).keys["dW1"] == "W1"


def test_tuple_order_comes_from_returns_and_unpackings():
    assert tuple_order("params", [("A2", "cache"), ("w1", "W2", "b1", "b2")]) == ("W1", "W2", "b1", "b2")
    assert tuple_order("params", [None, ("W1", "b1", "W2")]) is None
    assert TupleLayout(("W1", "W2", "b1", "b2")).pack({"W1": 1, "b1": 2, "W2": 3, "b2": 4}) == (1, 3, 2, 4)


def test_each_function_bundles_by_its_own_code_first_then_by_the_targets(load):
    module = load("""
        def init_params():
            return {"w1": 1, "b1": 2, "w2": 3, "b2": 4}

        def forward(params, X):
            W1, W2, b1, b2 = params
            return W1

        def update(params, grads, lr):
            return {key: params[key] - lr * grads[key] for key in params}
    """)
    conventions = Conventions.of([module.init_params, module.forward, module.update])
    assert conventions.layout("params", module.forward) == TupleLayout(("W1", "W2", "b1", "b2"))
    lower_case = DictLayout({"W1": "w1", "b1": "b1", "W2": "w2", "b2": "b2"})
    assert conventions.layout("params", module.update) == lower_case
    assert conventions.layout("grads", module.update).keys["dW1"] == "w1"
    assert Conventions.of([]).layout("cache") == DictLayout(
        {"Z1": "Z1", "A1": "A1", "Z2": "Z2", "A2": "A2"}, guessed=True
    )


def test_results_are_read_from_dicts_tuples_and_lone_arrays():
    a, b, c, d = (np.full((1, 1), value) for value in range(4))
    assert read_arrays({"w1": a, "B1": b}, PARAM_NAMES).keys() == {"W1", "b1"}
    assert read_arrays((a, b, c, d), PARAM_NAMES)["W2"] is c
    assert read_arrays((d, c, b, a), GRAD_NAMES, returned=("dW2", "db2", "dW1", "db1"))["dW1"] is b
    assert (
        read_arrays((d, {"Z1": a, "A1": b, "Z2": c}), ("Z1", "A1", "Z2", "A2"), returned=("A2", "cache"))[
            "A2"
        ]
        is d
    )
    assert read_arrays(([a, b, c, d], [0.5]), PARAM_NAMES) == {}
    assert read_arrays((a, b, c, d, [2.3, 1.9]), PARAM_NAMES)["b2"] is d
    assert read_arrays(d, ("Z1", "A1", "Z2", "A2"), lone="A2")["A2"] is d
    record = types.SimpleNamespace(dW1=a, db1=b, dW2=c, db2=d, note="not an array")
    assert read_arrays(record, GRAD_NAMES) == {"dW1": a, "db1": b, "dW2": c, "db2": d}


def test_a_loss_is_read_from_what_returns_it_with_other_values():
    grads = {"W1": np.ones((2, 2))}
    assert read_loss(2.5, None) == 2.5
    assert read_loss((np.float64(2.5), grads), None) == 2.5  # CS231n: (loss, grads)
    assert read_loss((grads, np.array(2.5)), None) == 2.5
    assert read_loss((0.9, 2.5), ("accuracy", "total_loss")) == 2.5  # named in its return statement
    assert read_loss((0.9, 2.5), None) == (0.9, 2.5)  # two numbers, no names: left for the check to refuse
    assert read_loss((True, grads), None) == (True, grads)  # a flag is no loss


@given(st.floats(-10, 10) | st.integers(-10, 10))
def test_a_scalar_result_stays_a_scalar(value):
    read = read_arrays({"db2": np.float64(value)}, GRAD_NAMES)["db2"]
    assert read.shape == () and read == value


def test_exact_names_win_over_aliases():
    params, grad = np.zeros(1), np.ones(1)
    assert read_mapping({"W1": params, "dW1": grad}, GRAD_NAMES)["dW1"] is grad
    assert read_mapping({"W1": params}, GRAD_NAMES)["dW1"] is params
    assert read_mapping({"W1": params}, GRAD_NAMES, aliases=False) == {}


# -- labels ----------------------------------------------------------------------------------------

LABEL_USES = """
    import numpy as np

    def converts(A2, Y):
        return A2 - one_hot(Y)

    def indexes(A2, Y):
        return -np.log(A2[Y, np.arange(Y.size)]).mean()

    def subtracts(A2, Y):
        return A2 - Y

    def reads_columns(A2, Y):
        return -np.sum(Y * np.log(A2)) / Y.shape[1]

    def says_nothing(A2, Y):
        return Y.size
"""


def test_the_code_says_which_label_form_it_wants(load):
    module = load(LABEL_USES)
    assert guess_label_form(module.converts, "Y") == "labels"
    assert guess_label_form(module.indexes, "Y") == "labels"
    assert guess_label_form(module.subtracts, "Y") == "one-hot"
    assert guess_label_form(module.reads_columns, "Y") == "one-hot"
    assert guess_label_form(module.says_nothing, "Y") is None


def test_one_hot_columns_refuses_what_is_not_integer_labels():
    np.testing.assert_array_equal(one_hot_columns(np.array([2, 0]), 3, np.float32), [[0, 1], [0, 0], [1, 0]])
    assert one_hot_columns(np.array([2, 0]), 3, np.float32).dtype == np.float32
    assert one_hot_columns(np.array([0.5]), 3, np.float64) is None
    assert one_hot_columns(np.array([3]), 3, np.float64) is None


def test_labels_switch_to_one_hot_once_and_remember_it(load):
    module = load("""
        import numpy as np
        calls = []

        def backward_prop(Z1, A1, Z2, A2, W2, X, Y):
            calls.append(np.ndim(Y))
            dZ2 = A2 - Y.reshape(A2.shape)
            m = X.shape[1]
            dZ1 = W2.T @ dZ2 * (Z1 > 0)
            db1, db2 = dZ1.sum(axis=1, keepdims=True) / m, dZ2.sum(axis=1, keepdims=True) / m
            return dZ1 @ X.T / m, db1, dZ2 @ A1.T / m, db2
    """)
    adapter = FunctionalAdapter(module)
    case = problem()
    for _ in range(2):
        got = adapter.backward(case.params, case.X, case.y, case.cache)
    np.testing.assert_allclose(got["dW1"], mnist_ref.backward(case.params, case.cache, case.X, case.y)["dW1"])
    assert module.calls == [1, 2, 2]
    assert "Y as one-hot columns (10, m) (that worked)" in adapter.describe()["components"]["dW1"]


def test_when_both_label_forms_fail_the_first_error_is_reported(load):
    module = load("""
        import numpy as np

        def compute_loss(A2, Y):
            if np.ndim(Y) == 1:
                raise ZeroDivisionError("the first error")
            raise KeyError("the second error")
    """)
    case = problem()
    with pytest.raises(ZeroDivisionError, match="the first error"):
        FunctionalAdapter(module).loss(case.params, case.X, case.y)


def test_label_forms_call_without_labels_runs_once():
    def relu(Z):
        return np.maximum(Z, 0)

    relu_plan = plan(relu, "relu")
    result = LabelForms().call(relu_plan, {"Z": np.array([-1.0, 2.0])}, relu_plan.call)
    assert result.tolist() == [0, 2]


# -- the functional adapter ------------------------------------------------------------------------


def test_a_scalar_bias_gradient_reaches_the_checks_as_a_scalar(load):
    adapter = discover(load(CLASSIC_GRADIENTS))
    case = problem()
    got = adapter.backward(case.params, case.X, case.y, case.cache)
    assert got["db2"].shape == ()
    assert got["db1"].shape == (3, 1)
    assert adapter.describe()["style"] == "functional"


def test_arrays_are_handed_over_as_they_are(load):
    module = load("""
        seen = []

        def forward_prop(W1, b1, W2, b2, X):
            seen.extend([W1, X])
            return W1 @ X + b1, None, None, None
    """)
    case = problem()
    adapter = FunctionalAdapter(module)  # without an init, it probes the forward pass for the layout
    module.seen.clear()
    adapter.forward(case.params, case.X)
    assert module.seen[0] is case.params["W1"] and module.seen[1] is case.X


def test_an_update_in_place_that_returns_nothing_is_read_back(load):
    module = load("""
        def sgd_step(params, grads, lr):
            for key in params:
                params[key] -= lr * grads["d" + key]
    """)
    case = problem()
    grads = mnist_ref.backward(case.params, case.cache, case.X, case.y)
    expected = mnist_ref.sgd_update(case.params, grads, 0.5)
    updated = FunctionalAdapter(module).update(case.params, grads, 0.5)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(updated[name], expected[name])
        np.testing.assert_allclose(case.params[name], expected[name])  # it did modify its inputs


def test_dict_params_with_lower_case_keys_and_loop_built_keys(load):
    module = load("""
        import numpy as np

        def initialize_parameters(layer_dims):
            parameters = {}
            for l in range(1, len(layer_dims)):
                parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
                parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
            return parameters

        def forward(params, X):
            Z1 = params["w1"] @ X + params["b1"]
            return {"z1": Z1}
    """)
    adapter = FunctionalAdapter(module)
    assert {name: value.shape for name, value in adapter.init(784, 5, 10).items()} == {
        "W1": (5, 784), "b1": (5, 1), "W2": (10, 5), "b2": (10, 1),
    }  # fmt: skip
    case = problem()
    np.testing.assert_allclose(adapter.forward(case.params, case.X)["Z1"], case.cache.Z1)
    assert "params as dict with keys 'w1', 'b1', 'W2', 'b2'" in adapter.describe()["components"]["forward"]


TRAINING = """
    import numpy as np

    def init_params():
        return np.zeros((10, 784)), np.zeros((10, 1)), np.zeros((10, 10)), np.zeros((10, 1))

    def gradient_descent(X, Y, alpha, iterations):
        W1, b1, W2, b2 = init_params()
        for i in range(iterations):
            if alpha > 1:
                raise ValueError("alpha too large")
            W1 = W1 - alpha * np.ones_like(W1)
            print("iteration", i)
        return W1, b1, W2, b2
"""


def test_training_starts_from_the_given_params_and_restores_init(load):
    module = load(TRAINING)
    original = module.init_params
    adapter = FunctionalAdapter(module)
    case = problem()
    trained = adapter.train(case.params, case.X, case.y, 0.25, 3)
    np.testing.assert_allclose(trained["W1"], case.params["W1"] - 0.75)
    np.testing.assert_array_equal(trained["b2"], case.params["b2"])
    assert trained["b2"] is not case.params["b2"]  # the loop got copies
    assert module.init_params is original
    with pytest.raises(ValueError, match="alpha too large"):
        adapter.train(case.params, case.X, case.y, 2.0, 1)
    assert module.init_params is original
    assert adapter.describe()["init_sizes"] == "fixed (784, 10, 10)"


def test_a_loop_that_trains_given_params_in_place_is_read_back(load):
    module = load("""
        def train(params, X, Y, lr, epochs):
            for _ in range(epochs):
                params["b2"] -= lr
    """)
    case = problem()
    trained = FunctionalAdapter(module).train(case.params, case.X, case.y, 0.5, 2)
    np.testing.assert_allclose(trained["b2"], case.params["b2"] - 1.0)
    np.testing.assert_array_equal(trained["W1"], case.params["W1"])


def test_a_loop_that_cannot_start_from_given_params_is_not_provided(load):
    module = load("""
        import numpy as np

        def train(X, Y, lr, epochs):
            W1 = np.random.randn(10, 784)
            return W1
    """)
    adapter = FunctionalAdapter(module)
    case = problem()
    with pytest.raises(NotProvided, match="neither takes the parameters nor calls an init function"):
        adapter.train(case.params, case.X, case.y, 0.1, 1)
    missing = adapter.describe()["missing"]
    assert "train" in missing and missing["softmax"] == "no function named like softmax"
    assert {"dW1", "db1", "dW2", "db2"} <= set(missing)


def test_predict_prefers_the_predictions_from_probabilities(load):
    module = load("""
        import numpy as np

        def make_predictions(X, W1, b1, W2, b2):
            raise RuntimeError("not this one")

        def get_predictions(A2):
            return np.argmax(A2, 0)
    """)
    adapter = FunctionalAdapter(module)
    case = problem(batch=9)
    expected = mnist_ref.predict(case.params, case.X)
    np.testing.assert_array_equal(adapter.predict(case.params, case.X), expected)
    assert adapter.describe()["components"]["predict"].startswith("get_predictions(A2); A2 / Z2 from the")


def test_describe_reports_free_fixed_and_partly_fixed_init_sizes(load):
    free = load("def init_params(n_x, n_h, n_y):\n    return None\n", "free")
    partly = load(
        """
        import numpy as np

        def init_params(hidden_size):
            return np.zeros((hidden_size, 784)), np.zeros((hidden_size, 1)), np.zeros((10, hidden_size)), 0
    """,
        "partly",
    )
    assert FunctionalAdapter(free).describe()["init_sizes"] == "free"
    assert FunctionalAdapter(partly).describe()["init_sizes"] == (
        "partly fixed: n_in=784, n_out=10; hidden from the arguments"
    )


def test_describe_gives_up_on_a_fixed_init_that_hangs(load, monkeypatch):
    monkeypatch.setattr(description, "INIT_TIME_LIMIT", 0.2)
    module = load("def init_params():\n    while True:\n        pass\n")
    assert FunctionalAdapter(module).describe()["init_sizes"] == (
        "fixed (sizes unknown: init_params raised TimeoutError: did not return within 0.2 s)"
    )


def test_data_globals_lists_the_numbers_and_arrays_a_component_reads(load):
    module = load("""
        import numpy as np
        m = 1000
        alpha = 0.1
        DEBUG = True

        def scale(dZ):
            return alpha * dZ

        def backward_prop(Z1, A1, Z2, A2, W2, X, Y):
            if DEBUG:
                print(np.shape(X))
            dW2 = scale(A2 @ A1.T) / m
            return dW2, dW2, dW2, dW2
    """)
    adapter = FunctionalAdapter(module)
    assert adapter.data_globals("dW2") == {"m": "int 1000", "alpha": "float 0.1"}
    assert adapter.global_values("backward") == {"alpha": 0.1, "m": 1000}
    assert adapter.data_globals("softmax") == {}
    case = problem()
    before = adapter.backward(case.params, case.X, case.y, case.cache)["dW2"]
    adapter.set_globals({"m": 500})
    np.testing.assert_allclose(adapter.backward(case.params, case.X, case.y, case.cache)["dW2"], 2 * before)
    with pytest.raises(ValueError, match="not a valid global name"):
        adapter.set_globals({"not a name": 1})


# -- the class adapter -----------------------------------------------------------------------------

DICT_CLASS = """
    import numpy as np

    class MLP:
        def __init__(self, n_in, n_hidden, n_out, lr=0.5):
            self.lr = lr
            self.params = {"W1": np.random.randn(n_hidden, n_in), "b1": np.zeros((n_hidden, 1)),
                           "W2": np.random.randn(n_out, n_hidden), "b2": np.zeros((n_out, 1))}

        @staticmethod
        def relu(z):
            return np.maximum(z, 0)

        def forward(self, X):
            p = self.params
            Z1 = p["W1"] @ X + p["b1"]
            A1 = self.relu(Z1)
            Z2 = p["W2"] @ A1 + p["b2"]
            E = np.exp(Z2 - Z2.max(axis=0))
            self.cache = {"Z1": Z1, "A1": A1, "Z2": Z2}
            return E / E.sum(axis=0)

        def backward(self, X, y):
            m = X.shape[1]
            dZ2 = self.cache["A2"] - np.eye(10)[:, y]
            dZ1 = self.params["W2"].T @ dZ2 * (self.cache["Z1"] > 0)
            return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
                    "dW2": dZ2 @ self.cache["A1"].T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}

        def step(self):
            for key in self.params:
                self.params[key] = self.params[key] - self.lr * self.grads["d" + key]
"""


def test_a_class_keeping_its_arrays_in_dicts(load):
    adapter = discover(load(DICT_CLASS))
    assert isinstance(adapter, ClassAdapter)
    case = problem()
    forward = adapter.forward(case.params, case.X)
    for name, expected in case.cache._asdict().items():
        np.testing.assert_allclose(forward[name], expected)
    expected_grads = mnist_ref.backward(case.params, case.cache, case.X, case.y)
    grads = adapter.backward(case.params, case.X, case.y, case.cache)
    for name in GRAD_NAMES:
        np.testing.assert_allclose(grads[name], expected_grads[name])
    updated = adapter.update(case.params, expected_grads, 0.3)
    for name, value in mnist_ref.sgd_update(case.params, expected_grads, 0.3).items():
        np.testing.assert_allclose(updated[name], value)
    np.testing.assert_array_equal(adapter.relu(np.array([-1.0, 3.0])), [0.0, 3.0])
    components = adapter.describe()["components"]
    assert "self.params as dict with keys 'W1', 'b1', 'W2', 'b2'" in components["forward"]
    assert components["relu"].startswith("MLP.relu(z); a static method")


LOSS_METHOD_CLASS = """
    import numpy as np

    class TwoLayerNet:
        def __init__(self, input_size, hidden_size, output_size, std=1e-4):
            self.params = {"W1": std * np.random.randn(input_size, hidden_size), "b1": np.zeros(hidden_size),
                           "W2": std * np.random.randn(hidden_size, output_size), "b2": np.zeros(output_size)}

        def loss(self, X, y=None, reg=0.0):
            hidden = np.maximum(0, X @ self.params["W1"] + self.params["b1"])
            scores = hidden @ self.params["W2"] + self.params["b2"]
            if y is None:
                return scores
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
            dscores = probs
            dscores[np.arange(len(y)), y] -= 1
            dscores /= len(y)
            dhidden = dscores @ self.params["W2"].T * (hidden > 0)
            grads = {"W1": X.T @ dhidden + 2 * reg * self.params["W1"], "b1": dhidden.sum(axis=0),
                     "W2": hidden.T @ dscores, "b2": dscores.sum(axis=0)}
            return loss + reg * np.sum(self.params["W1"] ** 2), grads

        def train(self, X, y, learning_rate=1e-3, reg=5e-6, num_iters=100):
            for _ in range(num_iters):
                loss, grads = self.loss(X, y, reg=reg)
                for name in grads:
                    self.params[name] -= learning_rate * grads[name]

        def predict(self, X):
            return np.argmax(self.loss(X), axis=1)
"""


def test_a_loss_method_is_also_the_forward_pass_without_labels_and_the_backward_pass_with_them(load):
    adapter = discover(load(LOSS_METHOD_CLASS))
    case = problem()
    components = adapter.describe()["components"]
    assert components["forward"].startswith("TwoLayerNet.loss(X); on a new TwoLayerNet")
    assert components["dW1"].startswith("TwoLayerNet.loss(X, y, reg=0); on a new TwoLayerNet")
    np.testing.assert_allclose(adapter.forward(case.params, case.X)["Z2"], case.cache.Z2)
    loss = adapter.loss(case.params, case.X, case.y)  # (loss, grads) read for its loss; reg given 0
    np.testing.assert_allclose(loss, mnist_ref.loss(case.params, case.X, case.y))
    grads = adapter.backward(case.params, case.X, case.y, case.cache)
    for name, expected in mnist_ref.backward(case.params, case.cache, case.X, case.y).items():
        np.testing.assert_allclose(grads[name], expected, err_msg=name)


def test_a_class_whose_weights_cannot_be_found_is_reported(load):
    module = load("""
        class Net:
            def __init__(self, sizes):
                self.layers = [None for _ in sizes]

            def forward(self, X):
                return X

            def backward(self, X, y):
                return None
    """)
    adapter = discover(module)
    with pytest.raises(NotProvided, match="cannot find where Net keeps W1, b1, W2, b2"):
        adapter.forward(problem().params, problem().X)
    assert adapter.describe()["missing"]["init"].startswith("cannot find where Net keeps")


# -- other shapes of API ---------------------------------------------------------------------------


def test_lists_of_layers_are_read_as_pairs_or_dicts_and_packed_back():
    a, b, c, d = (np.full((1, 1), value) for value in range(4))
    assert read_arrays([(a, b), (c, d)], PARAM_NAMES) == {"W1": a, "b1": b, "W2": c, "b2": d}
    assert read_arrays([{"dW": a, "db": b}, {"dW": c, "db": d}], GRAD_NAMES)["db2"] is d
    assert read_arrays(([(a, b), (c, d)], [0.5, 0.4]), PARAM_NAMES)["W2"] is c  # (layers, history)
    assert layer_layout([(a, b), (c,)], PARAM_NAMES) is None
    dicts = layer_layout([{"weights": a, "bias": b}, {"weights": c, "bias": d}], PARAM_NAMES)
    assert dicts == LayerListLayout(PARAM_NAMES, ("weights", "bias"))
    assert dicts.pack({"W1": 1, "b1": 2, "W2": 3, "b2": 4}) == [
        {"weights": 1, "bias": 2},
        {"weights": 3, "bias": 4},
    ]
    assert dicts.text() == "list of layers [{'weights': W1, 'bias': b1}, ...]"


def test_a_network_held_as_a_list_of_layer_dicts_is_driven_through_its_init(load):
    module = load("""
        import numpy as np

        def initialize_network(sizes):
            pairs = zip(sizes, sizes[1:])
            return [{"W": np.ones((n_out, n_in)), "b": np.zeros((n_out, 1))} for n_in, n_out in pairs]

        def forward(network, X):
            hidden = np.maximum(network[0]["W"] @ X + network[0]["b"], 0)
            return network[1]["W"] @ hidden + network[1]["b"]

        def update(network, grads, lr):
            steps = zip(network, grads)
            return [{"W": layer["W"] - lr * g["dW"], "b": layer["b"] - lr * g["db"]} for layer, g in steps]
    """)
    adapter = discover(module)
    assert (
        "network as list of layers [{'W': W1, 'b': b1}, ...]" in adapter.describe()["components"]["forward"]
    )
    case = problem()
    assert set(adapter.forward(case.params, case.X)) == {"Z2"}  # logits: the values say so
    np.testing.assert_allclose(adapter.forward(case.params, case.X)["Z2"], case.cache.Z2)
    grads = mnist_ref.backward(case.params, case.cache, case.X, case.y)
    updated = adapter.update(case.params, grads, 0.5)
    for name, expected in mnist_ref.sgd_update(case.params, grads, 0.5).items():
        np.testing.assert_allclose(updated[name], expected)


@pytest.mark.parametrize(
    ("returned", "values", "name"),
    [
        (("logits",), [[0.2, 0.8]], "Z2"),
        (("A2",), [[-1.0, 2.0]], "A2"),  # named A2: compared as probabilities, however wrong
        (("out",), [[-1.0, 2.0]], "Z2"),  # probabilities are never negative
        (("out",), [[0.2, 0.8]], "A2"),
        (None, [[0.2, 0.8]], "A2"),
    ],
)
def test_a_lone_forward_output_is_logits_or_probabilities(returned, values, name):
    assert set(read_forward(np.array(values), returned)) == {name}


UPDATING_CLASS = """
    import numpy as np

    class Net:
        def __init__(self, n_in, n_hidden, n_out, step=0.1):
            self.step = step
            self.W1, self.b1 = np.zeros((n_hidden, n_in)), np.zeros((n_hidden, 1))
            self.W2, self.b2 = np.zeros((n_out, n_hidden)), np.zeros((n_out, 1))

        def forward(self, X):
            return self.W1 @ X

        def backward(self, X, y):
            m = X.shape[1]
            dZ2 = self.A2 - np.eye(10)[:, y]
            dZ1 = self.W2.T @ dZ2 * (self.Z1 > 0)
            self.W2 = self.W2 - self.step * dZ2 @ self.A1.T / m
            self.b2 = self.b2 - self.step * dZ2.sum(axis=1, keepdims=True) / m
            self.W1 = self.W1 - self.step * dZ1 @ X.T / m
            self.b1 = self.b1 - self.step * dZ1.sum(axis=1, keepdims=True) / m
"""


def test_gradients_are_recovered_from_a_backward_that_applies_the_update(load):
    adapter = discover(load(UPDATING_CLASS.replace("step", "lr")))
    case = problem()
    got = adapter.backward(case.params, case.X, case.y, case.cache)
    for name, expected in mnist_ref.backward(case.params, case.cache, case.X, case.y).items():
        np.testing.assert_allclose(got[name], expected, atol=1e-12)
    assert adapter.describe()["missing"]["update"].startswith("Net.backward applies the update itself")


def test_a_backward_updating_with_an_unknown_learning_rate_is_not_provided(load, tmp_path):
    adapter = discover(load(UPDATING_CLASS))
    case = problem()
    with pytest.raises(
        NotProvided, match=r"the checker cannot find its learning rate: name the attribute with"
    ):
        adapter.backward(case.params, case.X, case.y, case.cache)
    (tmp_path / "m.toml").write_text('[class]\nlearning_rate_attribute = "step"\n')
    named = discover(load(UPDATING_CLASS, "named"), load_mapping(tmp_path / "m.toml"))
    got = named.backward(case.params, case.X, case.y, case.cache)
    np.testing.assert_allclose(got["dW1"], mnist_ref.backward(case.params, case.cache, case.X, case.y)["dW1"])


def test_a_backward_that_gives_nothing_and_changes_nothing_is_not_provided(load):
    adapter = discover(
        load("""
        import numpy as np

        class Net:
            def __init__(self, n_in, n_hidden, n_out, lr=0.1):
                self.lr = lr
                self.W1, self.b1 = np.zeros((n_hidden, n_in)), np.zeros((n_hidden, 1))
                self.W2, self.b2 = np.zeros((n_out, n_hidden)), np.zeros((n_out, 1))

            def forward(self, X):
                return self.W1 @ X

            def backward(self, X, y):
                self.gradient_of_W1 = X @ X.T
    """)
    )
    case = problem()
    with pytest.raises(NotProvided, match="returns no dW1, db1, dW2, db2, stores none"):
        adapter.backward(case.params, case.X, case.y, case.cache)


def test_roles_given_in_order_plan_the_call():
    def grads(a, b, c=None, *rest): ...

    planned = plan_with_roles(
        grads, "grads", OPERATIONS["backward"], ("X", "Y", None), lambda container: None
    )
    assert roles(planned) == ["X", "Y", None]
    with pytest.raises(UnmappableError, match=r"^1 role given for the 3 parameters of grads\(a, b, c\)$"):
        plan_with_roles(grads, "grads", OPERATIONS["backward"], ("X",), lambda container: None)
    with pytest.raises(UnmappableError, match=r"^backward cannot give steps to `b` of grads\(a, b, c\)$"):
        plan_with_roles(grads, "grads", OPERATIONS["backward"], ("X", "steps", None), lambda container: None)


@pytest.mark.parametrize(
    ("loop", "batched"),
    [
        ("def train(X, Y, alpha, iterations):\n    for i in range(iterations):\n        step(X, Y)", False),
        (
            "def train(X, Y, lr, epochs, batch_size=32):\n    for e in range(epochs):\n        step(X, Y)",
            True,
        ),
        (
            "def train(X, Y, lr, epochs):\n    for s in range(0, len(Y), 32):\n        step(X[s:s+32], Y)",
            True,
        ),
        ("def train(X, Y, lr):\n    for x, y in zip(X, Y):\n        step(x, y)", True),
        ("def train(X, Y, lr):\n    for i in range(len(Y)):\n        step(X[i], Y[i])", True),
    ],
)
def test_a_training_loop_that_steps_on_batches_or_samples_is_told_from_a_full_batch_one(load, loop, batched):
    module = load(f"import numpy as np\n\ndef step(X, Y):\n    return X\n\n{loop}\n")
    assert trains_in_batches(module.train) is batched


def test_a_backward_fed_sample_by_sample_is_told_from_one_fed_the_batch():
    per_sample = ast.parse("for x, y in zip(X.T, Y):\n    grads = back_prop(Z1, A1, x, y)")
    whole = ast.parse("for i in range(iterations):\n    grads = back_prop(Z1, A1, X, Y)")
    keyword = ast.parse("for i in range(n):\n    self.back_prop(X=X[:, i:i+1], Y=Y[i])")
    assert called_per_sample([per_sample], "back_prop", 2, "X")
    assert not called_per_sample([whole], "back_prop", 2, "X")
    assert called_per_sample([keyword], "back_prop", 2, "X")


ONE_HOT_UNDER_ANOTHER_NAME = """
import numpy as np

def actual(Y):
    encoded = np.zeros((Y.size, 10))
    encoded[np.arange(Y.size), Y] = 1
    return encoded.T

def scale(Y):
    return Y / 255.0
"""


def test_a_one_hot_under_another_name_is_found_by_what_it_does(load):
    adapter = discover(load(ONE_HOT_UNDER_ANOTHER_NAME))
    assert adapter.describe()["components"]["one_hot"] == "actual(Y)"
    wrong_place = ONE_HOT_UNDER_ANOTHER_NAME.replace("encoded[np.arange(Y.size), Y] = 1", "encoded[:, 0] = 1")
    assert "one_hot" in discover(load(wrong_place, "wrong")).describe()["missing"]


LAYERS_AS_DICTS = """
import numpy as np

class Net:
    def __init__(self, layers):
        self.params = {}
        for i, layer in enumerate(layers):
            if layer["activation"] not in ("relu", "softmax"):
                raise ValueError(layer["activation"])
            self.params[f"W{i + 1}"] = np.random.randn(layer["output_dim"], layer["input_dim"])
            self.params[f"b{i + 1}"] = np.zeros((layer["output_dim"], 1))

    def forward(self, X):
        Z1 = self.params["W1"] @ X + self.params["b1"]
        return self.params["W2"] @ np.maximum(Z1, 0) + self.params["b2"]

    def train(self, X, Y):
        pass
"""


def test_a_constructor_taking_one_entry_per_layer_is_given_the_layers_so(load):
    adapter = discover(load(LAYERS_AS_DICTS))
    params = adapter.init(784, 6, 10)
    assert {name: value.shape for name, value in params.items()} == {
        "W1": (6, 784), "b1": (6, 1), "W2": (10, 6), "b2": (10, 1)
    }  # fmt: skip
    assert adapter.describe()["components"]["init"].endswith(
        'the layers as one dict per layer: [{"input_dim": 784, "output_dim": h, "activation": "relu"}, ...]'
    )
    as_pairs = LAYERS_AS_DICTS.replace(
        """        for i, layer in enumerate(layers):
            if layer["activation"] not in ("relu", "softmax"):
                raise ValueError(layer["activation"])
            self.params[f"W{i + 1}"] = np.random.randn(layer["output_dim"], layer["input_dim"])
            self.params[f"b{i + 1}"] = np.zeros((layer["output_dim"], 1))""",
        """        sizes, activations = zip(*layers)
        assert set(activations) <= {"relu", "softmax"}
        for i in range(1, len(sizes)):
            self.params[f"W{i}"] = np.random.randn(sizes[i], sizes[i - 1])
            self.params[f"b{i}"] = np.zeros((sizes[i], 1))""",
    )
    found = discover(load(as_pairs, "pairs"))
    assert "(size, activation) pairs" in found.describe()["components"]["init"]
    assert found.init(784, 6, 10)["W2"].shape == (10, 6)


LAYER_OPTIMIZER = """
import numpy as np

class SGD:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update_params(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases
"""


def test_an_optimizer_object_that_steps_one_layer_is_the_update(load):
    adapter = discover(load(LAYER_OPTIMIZER))
    assert adapter.describe()["components"]["update"] == (
        "SGD(learning_rate=lr).update_params(layer) per layer; the layer holding layer.weights, "
        "layer.biases, layer.dweights, layer.dbiases"
    )
    case = problem()
    grads = mnist_ref.backward(case.params, mnist_ref.forward(case.params, case.X), case.X, case.y)
    updated = adapter.update(case.params, grads, 0.5)
    expected = mnist_ref.sgd_update(case.params, grads, 0.5)
    assert all(np.allclose(updated[name], expected[name]) for name in PARAM_NAMES)
    needs_more = LAYER_OPTIMIZER.replace("(self, learning_rate=1.0)", "(self, learning_rate, beta)")
    assert (
        "update" in discover(load(needs_more, "beta")).describe()["missing"]
    )  # it cannot be built with lr alone


ACTIVATION_GIVEN_TO_THE_CONSTRUCTOR = """
import numpy as np

def relu(x):
    return np.maximum(0, x)

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

class Net:
    def __init__(self, input_size, hidden_size, output_size, activation_function=None):
        self.W1 = np.random.randn(hidden_size, input_size)
        self.b1 = np.zeros((hidden_size, 1))
        self.W2 = np.random.randn(output_size, hidden_size)
        self.b2 = np.zeros((output_size, 1))
        self.act = activation_function if activation_function is not None else sigmoid

    def forward(self, X):
        self.Z1 = self.W1 @ X + self.b1
        self.A1 = self.act(self.Z1)
        return self.W2 @ self.A1 + self.b2

    def train(self, X, Y):
        pass
"""


def test_the_targets_own_relu_is_given_to_a_constructor_that_takes_the_activation(load):
    case = problem()
    adapter = discover(load(ACTIVATION_GIVEN_TO_THE_CONSTRUCTOR))
    assert "activation_function=hidden_activation" in adapter.describe()["components"]["init"]
    assert np.allclose(adapter.forward(case.params, case.X)["A1"], case.cache.A1)
    by_name = ACTIVATION_GIVEN_TO_THE_CONSTRUCTOR.replace(
        "activation_function=None", "activation='sigmoid'"
    ).replace(
        "self.act = activation_function if activation_function is not None else sigmoid",
        "self.act = relu if activation == 'relu' else sigmoid",
    )
    assert np.allclose(discover(load(by_name, "named")).forward(case.params, case.X)["A1"], case.cache.A1)


PREDICT_WITH_LABELS = """
import numpy as np

def predict(X, y, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    Z2 = parameters["W2"] @ np.maximum(Z1, 0) + parameters["b2"]
    p = np.argmax(Z2, axis=0).reshape(1, -1)
    return np.mean(p == y), p, Z2
"""


def test_a_predict_that_takes_the_labels_is_given_them_and_its_labels_are_found(load):
    case = problem(batch=5)
    adapter = discover(load(PREDICT_WITH_LABELS))
    assert np.array_equal(
        adapter.predict(case.params, case.X, case.y), mnist_ref.predict(case.params, case.X)
    )
    accuracy_only = PREDICT_WITH_LABELS.replace("return np.mean(p == y), p, Z2", "return np.mean(p == y)")
    with pytest.raises(NotProvided, match="takes the labels and returns float64, no predicted labels"):
        discover(load(accuracy_only, "accuracy_only")).predict(case.params, case.X, case.y)
