"""Student-style implementations for the tests: correct bases, and variants of them with one bug each.

A variant is a base plus textual replacements (each old text must occur exactly once in the
base) and the diagnosis the harness should give each component it must flag. Every other
component must pass, or be skipped where the base has no such component (``Base.lacks``).
``why`` says, in one line, why those are the expected results.

Every base has top-level code (reading a CSV, a training run, plots) that the harness must
not run: none of those files exist. A notebook base is a .py base written out as a Jupyter
notebook (``notebooks.to_notebook``): its variants are the .py base's, patched, then converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from corpus.notebooks import patched, to_notebook

from conformance.report.verdicts import DEFAULT_REQUIRED

CORPUS = Path(__file__).parent
GRADIENTS = ("dW1", "db1", "dW2", "db2")


@dataclass(frozen=True)
class Base:
    """A correct implementation in ``tests/corpus/<name>.py`` (or a notebook made of ``<notebook_of>.py``)."""

    name: str
    style: str  # what discover() should find: "functional" or "class"
    lacks: tuple[str, ...] = ()  # components it does not provide (reported as skipped)
    layout: str = "column"  # the layout describe() should report
    forward_gives: tuple[str, ...] = ("Z1", "A1", "Z2", "A2")  # what its forward pass returns or stores
    notebook_of: str = ""  # for a notebook base: the .py base it is written from
    judged_elsewhere: tuple[str, ...] = ()  # components it lacks that the checker judges through another

    @property
    def incomplete(self) -> bool:
        """Whether a required component it lacks stays unchecked (a right file then exits 3, INCOMPLETE)."""
        return bool((set(self.lacks) - set(self.judged_elsewhere)) & set(DEFAULT_REQUIRED))

    @property
    def path(self) -> Path:
        """The Python source the base (and its variants' replacements) are written in."""
        return CORPUS / f"{self.notebook_of or self.name}.py"

    @property
    def suffix(self) -> str:
        return ".ipynb" if self.notebook_of else ".py"


BASES = {
    base.name: base
    for base in (
        # Samson Zhang's notebook, fixed: tuple returns, global-free, keepdims sums, 10-row one-hot.
        Base("classic", "functional", lacks=("loss",)),
        # Parameters, cache and gradients in dicts; float32; forward(params, X) -> (A2, cache).
        Base("dict_params", "functional"),
        # class NeuralNetwork storing Z1..A2 and dW1..db2 on the instance.
        Base("class_style", "class"),
        # back_prop(Z1, A1, Z2, A2, W2, X, Y) without W1, relu gradient Z >= 0, He init.
        Base("no_w1", "functional"),
        # Rows are samples: X (m, 784), W1 (784, h), 1-D biases, one-hot rows, grads keyed like params.
        Base("row_layout", "functional", layout="row"),
        # [(W1, b1), (W2, b2)] from init_network(layer_sizes); forward returns logits; loss on logits.
        Base("layers_list", "functional", forward_gives=("Z2",)),
        # class MLP(layer_sizes, eta) in row layout, (1, h) biases; backward applies the update itself.
        Base(
            "class_applies_update", "class", lacks=("relu_grad", "one_hot", "update"), layout="row",
            judged_elsewhere=("update",),  # the update its backward applies, through the gradients read from it
        ),
        # NamedTuple cache, dataclass of gradients, Enum, logging: standard library code reading frames.
        Base("stdlib_records", "functional"),
        # classic.py as a notebook: markdown, !pip, %matplotlib, %%time cells of top-level work.
        Base("classic_notebook", "functional", lacks=("loss",), notebook_of="classic"),
    )
}


@dataclass(frozen=True)
class Variant:
    """A base with replacements, and the diagnosis expected for each component it must flag."""

    name: str
    base: str
    replacements: tuple[tuple[str, str], ...]
    expected: dict[str, str]  # component -> diagnosis code; components not listed must pass
    why: str
    load_error: bool = False  # the target cannot even be loaded
    notes: tuple[str, ...] = ()  # other defensible outcomes, for whoever settles a disagreement

    def source(self) -> str:
        """The source with the replacements applied; AssertionError unless each old text occurs once."""
        text = BASES[self.base].path.read_text()
        for old, new in self.replacements:
            count = text.count(old)
            assert count == 1, f"{self.name}: {old!r} occurs {count} times in {self.base}.py, not once"
            text = text.replace(old, new)
        return text


def write_variant(variant: Variant, directory: Path) -> Path:
    """Write the variant to ``directory/<name>.py`` (``.ipynb`` for a notebook base) and return that path."""
    base = BASES[variant.base]
    path = Path(directory) / f"{variant.name}{base.suffix}"
    if base.notebook_of:
        notebook = to_notebook(base.path.read_text(), variant.name)
        patched(notebook, variant.replacements)
        nbformat.write(notebook, path)
    else:
        path.write_text(variant.source())
    return path


def each(components: tuple[str, ...], code: str) -> dict[str, str]:
    """The same diagnosis for several components."""
    return dict.fromkeys(components, code)


CORRECT = tuple(
    Variant(f"{base.name}_correct", base.name, (), {}, "the base itself: every component it has is right")
    for base in BASES.values()
)

SINGLE_BUGS = (
    Variant(
        "classic_db2_scalar", "classic",
        (("db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)", "db2 = 1 / m * np.sum(dZ2)"),),
        {"db2": "shape_mismatch", "train": "mismatch"},
        "np.sum without axis gives a scalar db2, shape () not (10, 1); it sums all of dZ2, which is 0, so "
        "training never moves b2",
    ),
    Variant(
        "classic_db1_per_sample", "classic",
        (("db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1 / m * dZ1"),),
        {"db1": "shape_mismatch", "train": "shape_mismatch"},
        "db1 is dZ1 / m, one column per sample (h, m) instead of (h, 1); b1 - alpha * db1 broadcasts to "
        "(h, m), so training returns a b1 of the wrong shape",
    ),
    Variant(
        "classic_db1_no_keepdims", "classic",
        (("db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1 / m * np.sum(dZ1, axis=1)"),),
        {"db1": "shape_mismatch", "train": "exception"},
        "without keepdims db1 has shape (h,); b1 - alpha * db1 becomes (h, h) and the next forward pass "
        "cannot add it to W1 X (h, m): training raises",
        notes=("train: shape_mismatch if the train check's batch size equals its hidden size",),
    ),
    Variant(
        "dict_params_dW2_no_mean", "dict_params",
        (('grads["dW2"] = dZ2 @ cache["A1"].T / m', 'grads["dW2"] = dZ2 @ cache["A1"].T'),),
        {"dW2": "scaled", "train": "mismatch"},
        "dW2 misses its 1 / m: m times too large (factor = batch size); W2 takes m times too large steps",
    ),
    Variant(
        "classic_dW1_stray_2", "classic",
        (("dW1 = 1 / m * dZ1.dot(X.T)", "dW1 = 2 / m * dZ1.dot(X.T)"),),
        {"dW1": "scaled", "train": "mismatch"},
        "a stray 2 (as from a squared-error derivative) doubles dW1: scaled by a constant factor 2",
    ),
    Variant(
        "classic_m_constant", "classic",
        (
            ("    m = X.shape[1]\n    one_hot_Y = one_hot(Y)\n", "    one_hot_Y = one_hot(Y)\n"),
            ("\n\ndef backward_prop(", "\n\nm = 1000  # number of training examples\n\n\ndef backward_prop("),
        ),
        {**each(GRADIENTS, "depends_on_global_state"), "train": "mismatch"},
        "backward_prop divides by the module constant m = 1000, not by the batch size: every gradient "
        "changes when that global does (and is scaled by m_batch / 1000); training runs backward_prop",
        notes=("gradients: scaled (factor batch / 1000) from the value checks", "train: mismatch, scaled"),
    ),
    Variant(
        "classic_m_from_data_shape", "classic",
        (("    m = X.shape[1]\n    one_hot_Y = one_hot(Y)\n", "    one_hot_Y = one_hot(Y)\n"),),
        {**each(GRADIENTS, "depends_on_global_state"), "train": "depends_on_global_state"},
        "as in Zhang's notebook, m comes from the top-level `m, n = data.shape`, which the checker does not "
        "run: NameError for the global m, explained by the skipped line",
    ),
    Variant(
        "classic_dW2_transposed", "classic",
        (("dW2 = 1 / m * dZ2.dot(A1.T)", "dW2 = 1 / m * A1.dot(dZ2.T)"),),
        {"dW2": "transposed", "train": "exception"},
        "A1 dZ2^T is dW2 transposed, (h, 10); W2 (10, h) - alpha * dW2 cannot broadcast unless h == 10",
        notes=("train: mismatch when the train check's hidden size is 10",),
    ),
    Variant(
        "classic_update_plus", "classic",
        tuple((f"{p} = {p} - alpha * d{p}", f"{p} = {p} + alpha * d{p}") for p in ("W1", "b1", "W2", "b2")),
        {"update": "sign_flipped", "train": "mismatch"},
        "gradient ascent: every step has the opposite sign; the loss goes up during training",
        notes=("train: sign_flipped is fair too (the first step is exactly negated)",),
    ),
    Variant(
        "dict_params_update_global_lr", "dict_params",
        (
            ("NUM_CLASSES = 10\n", "NUM_CLASSES = 10\nLEARNING_RATE = 0.05\n"),
            ('params[key] - lr * grads["d" + key]', 'params[key] - LEARNING_RATE * grads["d" + key]'),
        ),
        {"update": "ignores_argument", "train": "mismatch"},
        "sgd_step uses the global LEARNING_RATE, never its lr argument; train passes its lr to sgd_step, "
        "which ignores it (steps are 0.05 / lr of the expected ones)",
        notes=("update: depends_on_global_state is true too", "train: scaled or mismatch (trajectory)"),
    ),
    Variant(
        "classic_softmax_no_shift", "classic",
        (
            (
                "    Z_shift = Z - np.max(Z, axis=0, keepdims=True)\n    expZ = np.exp(Z_shift)\n",
                "    expZ = np.exp(Z)\n",
            ),
        ),
        {"softmax": "nonfinite"},
        "without the max shift exp overflows for logits above ~710 (float64): inf / inf = NaN; the forward "
        "pass and training only see moderate logits and pass",
    ),
    Variant(
        "classic_softmax_global_max", "classic",
        (("Z - np.max(Z, axis=0, keepdims=True)", "Z - np.max(Z)"),),
        {"softmax": "nonfinite"},
        "subtracting the matrix's max is exact while columns are within ~700 of each other, but a column "
        "900 below the max underflows to all zeros: 0 / 0 = NaN (a mismatch only for offsets small enough to "
        "leave subnormal values)",
    ),
    Variant(
        "classic_one_hot_max_plus_1", "classic",
        (("one_hot_Y = np.zeros((Y.size, 10))", "one_hot_Y = np.zeros((Y.size, Y.max() + 1))"),),
        {"one_hot": "shape_mismatch"},
        "Y.max() + 1 rows: a batch without a 9 gets fewer than 10 rows; backward_prop builds the one-hot "
        "inside, so it fails on such a batch too, which one_hot.inside_backward reports (an exception) under "
        "one_hot; the gradient checks always include a 9 and pass",
    ),
    Variant(
        "classic_forward_mutates_X", "classic",
        (
            (
                "def forward_prop(W1, b1, W2, b2, X):\n    Z1",
                "def forward_prop(W1, b1, W2, b2, X):\n    X /= 255.0  # scale the pixels\n    Z1",
            ),
        ),
        {"forward": "mutates_input", "train": "mismatch"},
        "X /= 255 divides the caller's X in place (and Z1 changes, so forward.values fails too); the "
        "training loop shrinks its X at every step",
        notes=("forward: mismatch from forward.values as well",),
    ),
    Variant(
        "classic_relu_grad_bool", "classic",
        (("return (Z > 0).astype(float)", "return Z > 0"),),
        {},
        "a boolean mask is a fine relu gradient: True / False multiply as 1 / 0",
    ),
    Variant(
        "classic_relu_in_place", "classic",
        (("def ReLU(Z):\n    return np.maximum(Z, 0)", "def ReLU(Z):\n    Z[Z < 0] = 0\n    return Z"),),
        {"relu": "mutates_input", "forward": "mismatch"},
        "ReLU zeroes the negatives of its input in place, so forward_prop's Z1 is A1 (its negatives lost); "
        "backward still works (A1 > 0 exactly where Z1 > 0), so training matches",
    ),
    Variant(
        "classic_predict_axis1", "classic",
        (("return np.argmax(A2, 0)", "return np.argmax(A2, 1)"),),
        {"predict": "shape_mismatch", "train": "exception"},
        "argmax over axis 1 gives one label per class, shape (10,) not (m,); gradient_descent prints "
        "get_accuracy(predictions, Y), and (10,) == (m,) raises in NumPy 2",
        notes=("predict: mismatch for a batch of exactly 10 samples",),
    ),
    Variant(
        "dict_params_loss_summed", "dict_params",
        (("return -np.sum(log_probs) / m", "return -np.sum(log_probs)"),),
        {"loss": "scaled"},
        "the loss is summed, not averaged: scaled by the batch size; training only prints it",
    ),
    Variant(
        "class_style_db2_no_keepdims", "class_style",
        (
            (
                "self.db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)",
                "self.db2 = (1 / m) * np.sum(dZ2, axis=1)",
            ),
        ),
        {"db2": "shape_mismatch", "train": "exception"},
        "db2 has shape (10,); in training, self.b2 -= lr * self.db2 cannot broadcast (10,) into (10, 1)",
    ),
    Variant(
        "class_style_gradients_sign_flipped", "class_style",
        (("dZ2 = self.A2 - one_hot_y", "dZ2 = one_hot_y - self.A2"),),
        {**each(GRADIENTS, "sign_flipped"), "train": "mismatch"},
        "dZ2 = Y - A2 flips the sign of every gradient; training climbs the loss",
    ),
    Variant(
        "class_style_update_fixed_lr", "class_style",
        tuple(
            (f"self.{p} -= self.learning_rate * self.d{p}", f"self.{p} -= 0.01 * self.d{p}")
            for p in ("W1", "b1", "W2", "b2")
        ),
        {"update": "ignores_argument", "train": "mismatch"},
        "update_parameters uses a hard-coded 0.01 instead of the instance's learning rate, which the adapter "
        "sets to the lr it is given",
        notes=("train: scaled (factor 0.01 / lr) or mismatch from the trajectory",),
    ),
    Variant(
        "no_w1_relu_grad_of_A1", "no_w1",
        (("dZ1 = W2.T @ dZ2 * deriv_ReLU(Z1)", "dZ1 = W2.T @ dZ2 * deriv_ReLU(A1)"),),
        {"dW1": "mismatch", "db1": "mismatch", "train": "mismatch"},
        "the relu gradient of A1 with `>=` is 1 everywhere (A1 >= 0), so dZ1 is not masked: dW1, db1 wrong",
    ),
)

OTHER_STYLES = (
    Variant(
        "row_layout_db1_keepdims", "row_layout",
        (('grads["b1"] = dz1.sum(axis=0)', 'grads["b1"] = dz1.sum(axis=0, keepdims=True)'),),
        {"db1": "transposed", "train": "shape_mismatch"},
        "db1 is (1, h) where the target's own b1 is (h,): a wrong shape in its layout, which reaches the "
        "column-layout checks as (1, h) against (h, 1), the right numbers the other way round; b1 - lr * db1 "
        "becomes (1, h), so training returns a b1 of another shape",
        notes=("db1: shape_mismatch is as fair (an extra axis rather than a transpose)",),
    ),
    Variant(
        "row_layout_dW1_transposed", "row_layout",
        (('grads["W1"] = X.T @ dz1', 'grads["W1"] = dz1.T @ X'),),
        {"dW1": "transposed", "train": "exception"},
        "dz1^T X is dW1 transposed, (h, 784) instead of the target's (784, h); W1 - lr * dW1 cannot broadcast",
    ),
    Variant(
        "row_layout_loss_sum", "row_layout",
        (("return -np.mean(np.log(np.sum(probs * Y, axis=1)))", "return -np.sum(np.log(np.sum(probs * Y, axis=1)))"),),
        {"loss": "scaled"},
        "the loss is summed over the batch, not averaged: scaled by the batch size; training only prints it",
    ),
    Variant(
        "layers_list_update_plus", "layers_list",
        (("(W - lr * dW, b - lr * db)", "(W + lr * dW, b + lr * db)"),),
        {"update": "sign_flipped", "train": "mismatch"},
        "gradient ascent on a list of layers: every step has the opposite sign",
        notes=("train: sign_flipped is fair too (the first step is exactly negated)",),
    ),
    Variant(
        "layers_list_db2_no_mean", "layers_list",
        (("dZ2.sum(axis=1, keepdims=True))]", "dZ2.sum(axis=1, keepdims=True) * m)]"),),
        {"db2": "scaled", "train": "mismatch"},
        "db2 is m times too large (the 1 / m of dZ2 undone): scaled by the batch size",
    ),
    Variant(
        "class_applies_update_ascent", "class_applies_update",
        tuple((f"self.{p} -= self.eta * d{p}", f"self.{p} += self.eta * d{p}") for p in ("W1", "b1", "W2", "b2")),
        {**each(GRADIENTS, "sign_flipped"), "train": "mismatch"},
        "backward climbs the loss: the gradients recovered from the parameter change, (old - new) / lr, "
        "have the opposite sign",
    ),
    Variant(
        "class_applies_update_fixed_step", "class_applies_update",
        tuple((f"self.{p} -= self.eta * d{p}", f"self.{p} -= 0.01 * d{p}") for p in ("W1", "b1", "W2", "b2")),
        {**each(GRADIENTS, "scaled"), "update": "ignores_argument", "train": "mismatch"},
        "backward ignores its learning rate eta and always steps 0.01: its step does not follow lr "
        "(update.within_step), the recovered gradients are scaled by 0.01 / lr; training moves 0.01 / lr as "
        "far as it should",
    ),
    Variant(
        "classic_notebook_db2_scalar", "classic_notebook",
        (("db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)", "db2 = 1 / m * np.sum(dZ2)"),),
        {"db2": "shape_mismatch", "train": "mismatch"},
        "the notebook form of classic_db2_scalar: the same flags",
    ),
    Variant(
        "classic_notebook_m_from_data_shape", "classic_notebook",
        (("    m = X.shape[1]\n    one_hot_Y = one_hot(Y)\n", "    one_hot_Y = one_hot(Y)\n"),),
        {**each(GRADIENTS, "depends_on_global_state"), "train": "depends_on_global_state"},
        "m comes from `m, n = data.shape` in a %%time cell the checker does not run: NameError for the "
        "global m, explained by the skipped cell",
    ),
    Variant(
        "classic_notebook_syntax_error", "classic_notebook",
        (("def ReLU(Z):\n", "def ReLU(Z):\n    return max(Z, 0))\n"),),
        {},
        "an unbalanced parenthesis in the ReLU cell: the notebook cannot be loaded, and the error names the cell",
        load_error=True,
    ),
)

HOSTILE = (
    Variant(
        "classic_relu_hangs", "classic",
        (("def ReLU(Z):\n    return np.maximum(Z, 0)", "def ReLU(Z):\n    while True:\n        pass"),),
        {"relu": "timeout", "forward": "timeout", "train": "timeout"},
        "ReLU never returns; forward_prop and gradient_descent call it (backward and predict do not)",
    ),
    Variant(
        "classic_softmax_exits", "classic",
        (
            ("import numpy as np\nimport pandas as pd", "import os\nimport numpy as np\nimport pandas as pd"),
            ("def softmax(Z):\n", "def softmax(Z):\n    os._exit(3)\n"),
        ),
        {"softmax": "crash", "forward": "crash", "train": "crash"},
        "softmax ends the process (os._exit(3)): the child dies in softmax and in everything that calls it",
        notes=("exception, if the harness folds process deaths into exception",),
    ),
    Variant(
        "dict_params_backprop_floods_output", "dict_params",
        (
            (
                "    m = X.shape[1]\n    Y_onehot = one_hot(Y)\n",
                '    m = X.shape[1]\n    print("debug:", "#" * 5_000_000)\n    Y_onehot = one_hot(Y)\n',
            ),
        ),
        {**each(GRADIENTS, "output_flood"), "train": "output_flood"},
        "backprop prints 5 MB per call, over the 1 MB output limit: an error wherever it runs",
        notes=("exception, if the harness folds output floods into exception",),
    ),
    Variant(
        "no_w1_update_raises", "no_w1",
        (
            (
                "def update(W1, b1, W2, b2, dW1, db1, dW2, db2, lr):\n",
                "def update(W1, b1, W2, b2, dW1, db1, dW2, db2, lr):\n"
                '    raise ValueError("update is not implemented yet")\n',
            ),
        ),
        {"update": "exception", "train": "exception"},
        "update raises ValueError; the training loop calls it",
    ),
    Variant(
        "class_style_fails_at_import", "class_style",
        (
            (
                "class NeuralNetwork:\n",
                'class NeuralNetwork:\n    raise RuntimeError("this notebook needs a GPU runtime")\n',
            ),
        ),
        {},
        "the class body raises while the module is loaded: nothing can be checked, the target is unusable",
        load_error=True,
    ),
)

VARIANTS = {variant.name: variant for variant in (*CORRECT, *SINGLE_BUGS, *OTHER_STYLES, *HOSTILE)}
