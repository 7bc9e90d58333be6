"""Row layout (X (m, 784), W1 (784, h), biases (h,) or (1, h)): converting, detecting, and adapting.

The checks stay in column terms: what a row-layout target returns is turned back into column
layout only when it has the target's own shape, so that a wrong shape stays wrong.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from target_helpers import problem

import mnist_ref
from conformance.adapters import discover
from conformance.adapters.choices import TargetMapping
from conformance.adapters.orientation import (
    AMBIGUOUS,
    Orientation,
    bias_shape_of,
    decide_orientation,
    layout_hints,
    layout_of_weights,
)

ROW_BIASES = ("(h,)", "(1, h)", "(h,) or (1, h)")


# -- converting ------------------------------------------------------------------------------------


def test_row_inputs_are_transposed_views_and_biases_take_the_targets_shape():
    X, b1 = np.arange(6.0).reshape(3, 2), np.arange(3.0).reshape(3, 1)
    row = Orientation("row", "(h,)")
    assert row.to_target("X", X).shape == (2, 3) and np.shares_memory(row.to_target("X", X), X)
    assert row.to_target("b1", b1).shape == (3,)
    assert Orientation("row", "(1, h)").to_target("b1", b1).shape == (1, 3)
    assert row.inputs({"params": {"W1": X, "b1": b1}, "lr": 0.1, "Y": np.array([1, 2])})["params"][
        "b1"
    ].shape == (3,)


def test_the_column_layout_hands_everything_over_untouched():
    column = Orientation()
    X = np.ones((784, 2))
    assert column.to_target("X", X) is X
    assert column.to_canonical("db1", X) is X


@pytest.mark.parametrize("bias", ROW_BIASES)
@given(hidden=st.integers(1, 6), batch=st.integers(1, 6))
def test_arrays_of_the_targets_own_shapes_come_back_as_they_went_in(bias, hidden, batch):
    row = Orientation("row", bias)
    canonical = {
        "X": np.ones((784, batch)), "W1": np.ones((hidden, 784)), "b1": np.arange(hidden + 0.0)[:, None],
        "Z1": np.ones((hidden, batch)), "A2": np.ones((10, batch)), "Y_onehot": np.ones((10, batch)),
        "db2": np.arange(10.0).reshape(10, 1),
    }  # fmt: skip
    for name, value in canonical.items():
        back = row.to_canonical(name, row.to_target(name, value))
        assert back.shape == value.shape
        np.testing.assert_array_equal(back, value)


@pytest.mark.parametrize(
    ("bias", "returned", "seen_by_the_checks"),
    [
        ("(h,)", (5,), (5, 1)),  # right: the target's own bias shape
        ("(1, h)", (1, 5), (5, 1)),  # right
        ("(h,)", (1, 5), (1, 5)),  # keepdims where the target's biases are 1-D: stays wrong
        ("(1, h)", (5,), (5,)),  # 1-D where the target's biases are rows: stays wrong
        ("(h,)", (7, 5), (5, 7)),  # one per sample: transposed back, still (h, m)
        ("(h,)", (), ()),  # a scalar stays a scalar
        ("(h,) or (1, h)", (1, 5), (5, 1)),  # no init to say which: both are accepted
        ("(h,) or (1, h)", (5,), (5, 1)),
    ],
)
def test_a_bias_gradient_keeps_a_wrong_shape_wrong(bias, returned, seen_by_the_checks):
    assert Orientation("row", bias).to_canonical("db1", np.zeros(returned)).shape == seen_by_the_checks


def test_weights_of_the_wrong_orientation_never_look_right():
    # dW1 returned as (h, 784) by a row-layout target: transposed back to (784, h), not (h, 784).
    assert Orientation("row", "(h,)").to_canonical("dW1", np.zeros((5, 784))).shape == (784, 5)


# -- detecting -------------------------------------------------------------------------------------


def test_the_shapes_of_an_init_tell_the_layout_and_the_bias_shape():
    assert layout_of_weights(np.zeros((10, 784)), 784) == "column"
    assert layout_of_weights(np.zeros((784, 10)), 784) == "row"
    assert layout_of_weights(np.zeros((10, 10)), 784) is None
    assert layout_of_weights(None, 784) is None
    assert [bias_shape_of(np.zeros(shape)) for shape in [(4,), (1, 4), (4, 1)]] == [*ROW_BIASES]


def never(orientation: Orientation) -> float:
    raise AssertionError("the forward pass must not be probed")


def accepts(*layouts: str):
    """A forward probe: the right output in ``layouts``, else raising before its first line."""
    return lambda orientation: math.inf if orientation.layout in layouts else 0


def test_a_forward_that_raises_every_way_is_read_in_the_layout_it_gets_furthest_with():
    reach = {"column": 74, "row": 71, "hybrid": 71}
    decided = decide_orientation(TargetMapping(), {}, lambda orientation: reach[orientation.layout])
    assert (decided.layout, decided.decided) == ("column", True)
    assert decided.reason == (
        "the forward pass raises with every layout, but gets furthest with X of shape (784, 5) "
        "(to line 74; line 71 with the others)"
    )
    tied = {"column": 74, "row": 74, "hybrid": 71}
    undecided = decide_orientation(TargetMapping(), {}, lambda orientation: tied[orientation.layout])
    assert (undecided.layout, undecided.decided) == ("column", False)
    never_ran = {"column": 74, "row": 0, "hybrid": 0}
    unconfirmed = decide_orientation(TargetMapping(), {}, lambda orientation: never_ran[orientation.layout])
    assert unconfirmed.decided is False


def test_the_layout_comes_from_the_mapping_file_then_the_init_then_a_forward_probe():
    row_init = {"W1": np.zeros((784, 8)), "b1": np.zeros((1, 8))}
    chosen = decide_orientation(TargetMapping("m.toml", layout="row"), {}, never)
    assert (chosen.layout, chosen.bias, chosen.reason) == ("row", "(h,) or (1, h)", "set in m.toml")
    from_init = decide_orientation(TargetMapping(), row_init, accepts("row"))
    assert (from_init.layout, from_init.bias, from_init.decided) == ("row", "(1, h)", True)
    assert from_init.reason == "the target's init returns W1 of shape (784, 8)"
    hybrid = decide_orientation(TargetMapping(), row_init, accepts("column"))
    assert (hybrid.layout, hybrid.decided) == ("column", False)
    assert "(784, 8)" in hybrid.reason and "(784, 5) and not the transpose" in hybrid.reason
    probed = decide_orientation(TargetMapping(), {}, accepts("row"))
    assert probed.layout == "row"
    assert probed.reason == "the forward pass accepts X of shape (5, 784) and not the transpose"


@pytest.mark.parametrize("fits", [accepts("column", "row", "hybrid"), accepts()])
def test_an_undecidable_layout_is_column_with_a_note_on_how_to_set_it(fits):
    decided = decide_orientation(TargetMapping(), {}, fits)
    assert decided.layout == "column"
    assert (decided.reason, decided.decided) == (AMBIGUOUS, False)
    assert 'layout = "row" in a mapping file' in AMBIGUOUS


def test_without_init_or_forward_the_free_functions_decide_when_they_agree():
    def row_softmax(Z):
        return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)

    def row_one_hot(y):
        return np.eye(10)[y]

    hints = layout_hints(row_softmax, row_one_hot)
    assert hints == {"softmax normalises each row": "row", "one_hot returns (m, 10)": "row"}
    decided = decide_orientation(TargetMapping(), {}, accepts(), lambda: hints)
    assert (decided.layout, decided.decided) == ("row", True)
    column_one_hot = layout_hints(None, lambda y: np.eye(10)[y].T)
    conflicting = decide_orientation(TargetMapping(), {}, accepts(), lambda: {**hints, **column_one_hot})
    assert conflicting.decided is False and "one_hot returns (10, m) (column)" in conflicting.reason


# -- adapting a row-layout target -----------------------------------------------------------------

ROW_FUNCTIONS = """
    import numpy as np

    def forward(X, W1, b1, W2, b2):
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2 + b2
        E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        return Z1, A1, Z2, E / E.sum(axis=1, keepdims=True)

    def backward(X, Y, W2, Z1, A1, A2):
        m = X.shape[0]
        dZ2 = (A2 - Y) / m
        dZ1 = dZ2 @ W2.T * (Z1 > 0)
        return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)
"""


def test_a_row_layout_target_without_init_is_detected_by_its_forward_pass(load):
    adapter = discover(load(ROW_FUNCTIONS))
    description = adapter.describe()
    assert description["layout"] == "row"
    assert description["layout_reason"] == (
        "row: X (m, 784), W1 (784, h), biases (h,) or (1, h), one-hot labels (m, 10); "
        "the forward pass accepts X of shape (5, 784) and not the transpose"
    )
    case = problem()
    got = adapter.forward(case.params, case.X)
    for name, expected in case.cache._asdict().items():
        np.testing.assert_allclose(got[name], expected)
    grads = adapter.backward(case.params, case.X, case.y, case.cache)
    for name, expected in mnist_ref.backward(case.params, case.cache, case.X, case.y).items():
        np.testing.assert_allclose(grads[name], expected)


def test_a_row_bias_gradient_of_another_shape_than_the_inits_biases_reaches_the_checks_wrong(load):
    module = load(
        ROW_FUNCTIONS
        + """
    def init_params(n_in, n_hidden, n_out):
        W1, W2 = np.zeros((n_in, n_hidden)), np.zeros((n_hidden, n_out))
        return W1, np.zeros((1, n_hidden)), W2, np.zeros((1, n_out))
    """
    )
    adapter = discover(module)
    assert adapter.orientation == Orientation(
        "row", "(1, h)", "the target's init returns W1 of shape (784, 10)"
    )
    case = problem(hidden=3)
    grads = adapter.backward(case.params, case.X, case.y, case.cache)
    assert grads["db1"].shape == (3,)  # the target's (h,) where its biases are (1, h)
    assert grads["dW1"].shape == (3, 784)
    assert {name: value.shape for name, value in adapter.init(784, 3, 10).items()} == {
        "W1": (3, 784), "b1": (3, 1), "W2": (10, 3), "b2": (10, 1),
    }  # fmt: skip


def test_labels_reach_a_row_layout_target_as_one_hot_rows(load):
    module = load(
        """
        import numpy as np
        seen = []

        def init_params():
            return np.zeros((784, 4)), np.zeros(4), np.zeros((4, 10)), np.zeros(10)

        def compute_loss(A2, Y):
            seen.append(Y.shape)
            return -np.mean(np.sum(Y * np.log(A2), axis=1))
    """
    )
    adapter = discover(module)
    case = problem(batch=6)
    np.testing.assert_allclose(
        adapter.loss(case.params, case.X, case.y), mnist_ref.loss(case.params, case.X, case.y)
    )
    assert module.seen == [(6, 10)]


def test_a_hybrid_is_column_weights_with_row_samples():
    column_init = {"W1": np.zeros((8, 784)), "b1": np.zeros((8, 1))}
    decided = decide_orientation(TargetMapping(), column_init, accepts("hybrid"))
    assert (decided.layout, decided.bias, decided.decided) == ("hybrid", "(h, 1)", True)
    assert decided.reason.endswith("the forward pass accepts X of shape (5, 784) with W1 of shape (h, 784)")
    assert decided.to_target("W1", np.zeros((8, 784))).shape == (8, 784)
    assert decided.to_target("X", np.zeros((784, 5))).shape == (5, 784)
    assert decided.to_target("b1", np.zeros((8, 1))).shape == (8, 1)
    assert decided.to_canonical("Z1", np.zeros((5, 8))).shape == (8, 5)
    assert decided.to_canonical("dW1", np.zeros((8, 784))).shape == (8, 784)
    rows = decide_orientation(
        TargetMapping(), {"W1": np.zeros((8, 784)), "b1": np.zeros(8)}, accepts("hybrid")
    )
    assert rows.bias == "(h,)" and rows.to_target("b1", np.zeros((8, 1))).shape == (8,)


def test_the_free_functions_are_not_called_when_init_or_forward_decides():
    def never_asked() -> dict:
        raise AssertionError("the target's softmax and one_hot must not be called")

    column_init = {"W1": np.zeros((8, 784)), "b1": np.zeros((8, 1))}
    by_init = decide_orientation(TargetMapping(), column_init, accepts(), never_asked)
    by_forward = decide_orientation(TargetMapping(), {}, accepts("row"), never_asked)
    assert (by_init.layout, by_forward.layout) == ("column", "row")
