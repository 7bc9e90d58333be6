"""Single-bug versions of the variant networks (tests/corpus/variants): each is a correct file with one
textual replacement (the old text occurs exactly once), and the diagnosis of each component it must
fail under the file's own spec; every other component keeps the correct file's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VARIANTS = Path(__file__).parent / "variants"
EVERY_GRADIENT_OF_3 = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


@dataclass(frozen=True)
class VariantBug:
    """One bug written into a correct variant network, and what the checker must say of it."""

    name: str
    base: str  # a correct file of tests/corpus/variants, without .py
    old: str
    new: str
    fails: dict[str, str]  # component -> diagnosis
    why: str

    def source(self) -> str:
        """The correct file with the bug written in; ValueError unless ``old`` occurs exactly once."""
        text = (VARIANTS / f"{self.base}.py").read_text()
        if text.count(self.old) != 1:
            raise ValueError(f"{self.name}: {self.old!r} occurs {text.count(self.old)} times in {self.base}.py")
        return text.replace(self.old, self.new)

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}.py"
        path.write_text(self.source())
        return path


VARIANT_BUGS = {
    bug.name: bug
    for bug in (
        VariantBug(
            "sigmoid_derivative_at_activation", "three_layer_sigmoid_mse",
            "        dZ = dA * A * (1 - A)",
            "        s = sigmoid(A) if l < L else A\n        dZ = dA * s * (1 - s)",
            dict.fromkeys(("dW1", "db1", "dW2", "db2"), "derivative_at_activation"),
            "the hidden layers' derivative sigma(A)(1 - sigma(A)): every layer below the last is wrong",
        ),
        VariantBug(
            "mse_missing_factor_2", "three_layer_sigmoid_mse",
            "dA = 2 * (AL - Y) / (k * m)", "dA = (AL - Y) / (k * m)",
            dict.fromkeys(EVERY_GRADIENT_OF_3, "scaled"),
            "half of every gradient of its own loss mean((AL - Y)**2)",
        ),
        VariantBug(
            "mse_missing_1_over_m", "three_layer_sigmoid_mse",
            "dA = 2 * (AL - Y) / (k * m)", "dA = 2 * (AL - Y) / k",
            dict.fromkeys(EVERY_GRADIENT_OF_3, "scaled"),
            "m times every gradient",
        ),
        VariantBug(
            "l2_missing", "l2_adam_two_layer",
            '    return {"dW1": dW1,',
            '    dW1, dW2 = dW1 - lambd / m * parameters["W1"], dW2 - lambd / m * parameters["W2"]\n'
            '    return {"dW1": dW1,',
            {"dW1": "l2_missing", "dW2": "l2_missing"},
            "the weight gradients lack the L2 term the cost has",
        ),
        VariantBug(
            "l2_doubled", "l2_adam_two_layer",
            '    return {"dW1": dW1,',
            '    dW1, dW2 = dW1 + lambd / m * parameters["W1"], dW2 + lambd / m * parameters["W2"]\n'
            '    return {"dW1": dW1,',
            {"dW1": "l2_doubled", "dW2": "l2_doubled"},
            "the L2 term added a second time",
        ),
        VariantBug(
            "bias_decayed", "l2_adam_two_layer",
            '    return {"dW1": dW1,',
            '    db1, db2 = db1 + lambd / m * parameters["b1"], db2 + lambd / m * parameters["b2"]\n'
            '    return {"dW1": dW1,',
            {"db1": "bias_decayed", "db2": "bias_decayed"},
            "the biases decayed as the weights are",
        ),
        VariantBug(
            "adam_without_bias_correction", "l2_adam_two_layer",
            "            vc = v[k] / (1 - beta1 ** t)\n            sc = s[k] / (1 - beta2 ** t)",
            "            vc = v[k]\n            sc = s[k]",
            {"update": "no_bias_correction"},
            "Adam's first steps far too small",
        ),
        VariantBug(
            "momentum_on_gradient", "leaky_momentum_three_layer",
            '        parameters[k] = parameters[k] + v["d" + k]',
            '        parameters[k] = parameters[k] - learning_rate * grads["d" + k]',
            {"update": "momentum_on_gradient"},
            "the velocity is kept but the step is plain gradient descent",
        ),
    )
}  # fmt: skip
"""Every variant bug the issue names, once: derivative at the activation, MSE missing 2 or 1/m, L2
missing or twice, decayed biases, Adam without bias correction, momentum on the gradient."""
