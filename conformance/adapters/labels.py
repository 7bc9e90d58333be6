"""Labels in the form the target wants: integer labels (m,), one-hot columns (k, m), or, for code
that holds samples as rows, integer labels as a column (m, 1).

A parameter named ``Y`` (or ``y``, ``labels``...) is ambiguous. The code often says
which: ``one_hot(Y)`` or ``A2[Y, range(m)]`` use integer labels, ``A2 - Y`` or
``Y * np.log(A2)`` use one-hot columns. That guess is tried first (integer labels when
the code says nothing); if the call raises, each other form is tried once, and what
worked is remembered for that function.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from conformance.adapters.introspect import function_tree
from conformance.adapters.names import is_one_hot_function, normalize
from conformance.adapters.signatures import CallPlan

LabelForm = Literal["labels", "one-hot", "label-column"]
LABELS_TEXT = "integer labels (m,)"
COLUMNS_TEXT = "one-hot columns (10, m)"
LABEL_COLUMN_TEXT = "integer labels as a column (m, 1)"


def one_hot_columns(y: Any, n_out: int, dtype: np.dtype) -> np.ndarray | None:
    """Labels (m,) as one-hot columns (n_out, m), or None when they are not integers in [0, n_out)."""
    labels = np.asarray(y)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        return None
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        return None
    columns = np.zeros((n_out, labels.size), dtype=dtype)
    columns[labels, np.arange(labels.size)] = 1
    return columns


def guess_label_form(function: Callable[..., Any], parameter: str) -> LabelForm | None:
    """What the function's code does with ``parameter``: "labels", "one-hot", or None if it does not say.

    Labels: passed to a one-hot function, used as an index (``A2[Y, ...]``, ``np.eye(10)[Y]``).
    One-hot: added or multiplied elementwise (``A2 - Y``, ``Y * log(A2)``), transposed,
    ``Y.shape[1]``, ``np.argmax(Y, ...)``. Conversion to one-hot wins over the rest.
    """
    tree = function_tree(function)
    if tree is None:
        return None
    signs = {_label_sign(node, parameter) for node in ast.walk(tree)}
    if "labels" in signs:
        return "labels"
    return "one-hot" if "one-hot" in signs else None


def _label_sign(node: ast.AST, parameter: str) -> LabelForm | None:
    """What one syntax node says about the form of ``parameter``, if anything."""
    if isinstance(node, ast.Call) and any(_is_name(arg, parameter) for arg in node.args):
        called = _called_name(node)
        if is_one_hot_function(called):
            return "labels"
        if normalize(called) == "argmax":
            return "one-hot"
    if isinstance(node, ast.Subscript):
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if any(_is_name(element, parameter) for element in index):
            return "labels"
        if _is_shape_of(node.value, parameter) and _is_constant(node.slice, 1):
            return "one-hot"
    elementwise = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub | ast.Mult | ast.Add)
    if elementwise and (_is_name(node.left, parameter) or _is_name(node.right, parameter)):
        return "one-hot"
    if isinstance(node, ast.Attribute) and node.attr == "T" and _is_name(node.value, parameter):
        return "one-hot"
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_constant(node: ast.AST, value: Any) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _is_shape_of(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "shape" and _is_name(node.value, name)


def _called_name(call: ast.Call) -> str:
    """``one_hot`` for ``one_hot(Y)`` and for ``self.one_hot(Y)``; "" for anything fancier."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


class LabelForms:
    """Calls target functions with labels in the form that works for each, and remembers it."""

    def __init__(self, one_hot_text: str = COLUMNS_TEXT, samples_as_rows: bool = False) -> None:
        self._worked: dict[str, LabelForm] = {}
        self.one_hot_text = one_hot_text  # how one-hot labels are laid out, for describe()
        self.samples_as_rows = samples_as_rows  # then labels (m, 1) are a form too

    def _other_forms(self, first: LabelForm) -> list[LabelForm]:
        """The forms tried, in order, when ``first`` raises."""
        forms: list[LabelForm] = ["labels", "one-hot", *(["label-column"] if self.samples_as_rows else [])]
        return [form for form in forms if form != first]

    def first_form(self, plan: CallPlan) -> LabelForm:
        """The form tried first: what worked before, else what the code suggests, else integer labels."""
        if plan.title in self._worked:
            return self._worked[plan.title]
        argument = plan.argument_for("Y")
        guess = guess_label_form(plan.function, argument.name) if argument else None
        return guess or "labels"

    def call(self, plan: CallPlan, values: Mapping[str, Any], run: Callable[[Mapping[str, Any]], Any]) -> Any:
        """``run(values)`` with ``values["Y"]`` in the form the plan's function wants.

        When the first form raises (and no form is known to work yet), each other one is
        tried once; if they raise too, the first error is reported, unless only a later form got as
        far as a name defined nowhere (a NameError, which no form of the labels causes or cures).
        """
        if not (plan.operation.flexible_labels and plan.uses("Y")):
            return run(values)
        first = self.first_form(plan)
        if plan.title in self._worked or values.get("Y_onehot") is None:
            return run(_in_form(values, first))
        try:
            result = run(_in_form(values, first))
        except Exception as error:
            reported = error
            for other in self._other_forms(first):
                try:
                    result = run(_in_form(values, other))
                except Exception as other_error:  # the target's function may raise anything: try the next
                    if isinstance(other_error, NameError) and not isinstance(reported, NameError):
                        reported = other_error
                    continue
                self._worked[plan.title] = other
                return result
            raise reported from None
        self._worked[plan.title] = first
        return result

    def text(self, plan: CallPlan) -> str | None:
        """How the plan's ``Y`` parameter is filled, for describe(); None if it has none."""
        argument = plan.argument_for("Y")
        if argument is None or not plan.operation.flexible_labels:
            return None
        first = self.first_form(plan)
        if plan.title in self._worked:
            return f"{argument.name} as {self._text(first)} (that worked)"
        others = " or ".join(map(self._text, self._other_forms(first)))
        return f"{argument.name} as {self._text(first)}, {others} if that raises"

    def _text(self, form: LabelForm) -> str:
        return {"labels": LABELS_TEXT, "label-column": LABEL_COLUMN_TEXT}.get(form, self.one_hot_text)


def _in_form(values: Mapping[str, Any], form: LabelForm) -> Mapping[str, Any]:
    """``values`` with ``Y`` in the form asked for: one-hot (as laid out), or integer labels (m, 1)."""
    if form == "one-hot":
        return {**values, "Y": values["Y_onehot"]}
    if form == "label-column":
        return {**values, "Y": np.reshape(values["Y"], (-1, 1))}
    return values
