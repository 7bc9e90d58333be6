"""The wrong answers of the variant bugs students write, computed exactly, so that a result equal to one
names its bug (a diagnosis) instead of "mismatch".

Each model takes the spec, the reference's float64 inputs and its right answer, and gives the answer
the bug would give, or None when the bug changes nothing for this spec (no L2, no sigmoid...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from conformance import diagnose
from conformance.diagnose import (
    BIAS_DECAYED,
    DERIVATIVE_AT_ACTIVATION,
    L2_DOUBLED,
    L2_MISSING,
    MOMENTUM_ON_GRADIENT,
    NO_BIAS_CORRECTION,
)
from mnist_ref.network import Grads, LayerCache, Params, backward_layers, hidden_activation, one_hot, row_sums
from mnist_ref.network import output_delta as reference_output_delta
from mnist_ref.spec import NetworkSpec

DIAGNOSES = {
    code: diagnose.DIAGNOSES[code]
    for code in (
        DERIVATIVE_AT_ACTIVATION, L2_MISSING, L2_DOUBLED, BIAS_DECAYED, NO_BIAS_CORRECTION,
        MOMENTUM_ON_GRADIENT,
    )
}  # fmt: skip
"""The variant bugs' diagnosis codes, each with its one-line description."""

HINTS = {
    DERIVATIVE_AT_ACTIVATION: "the derivative of the activation needs Z (or A itself: sigmoid' = A (1 - A)),"
    " not activation(A)",
    L2_MISSING: "add (lambda / m) * W to each dW",
    L2_DOUBLED: "add (lambda / m) * W to each dW once, not twice (is it in dZ and in dW?)",
    BIAS_DECAYED: "leave db as it is: weight decay applies to the weights only",
    NO_BIAS_CORRECTION: "divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step",
    MOMENTUM_ON_GRADIENT: "step with the velocity: W = W + v (v = beta v - lr dW), not with dW",
}
"""What to change, one line per bug."""


def gradient_bugs(
    spec: NetworkSpec, params: Params, cache: LayerCache, X: np.ndarray, y: np.ndarray, right: Grads
) -> dict[str, Grads]:
    """The gradients each gradient bug gives for this spec and batch, by diagnosis code."""
    models: dict[str, Grads] = {}
    if spec.activation in ("sigmoid", "tanh") and spec.depth > 1:
        models[DERIVATIVE_AT_ACTIVATION] = _derivative_at_activation(spec, params, cache, X, y)
    if spec.l2:
        models[L2_MISSING] = backward_layers(replace(spec, l2=0.0), params, cache, X, y)
        models[L2_DOUBLED] = backward_layers(replace(spec, l2=2 * spec.l2), params, cache, X, y)
        decay = spec.l2 / X.shape[1]
        models[BIAS_DECAYED] = {
            name: grad + decay * params[name[1:]] if name.startswith("db") else grad
            for name, grad in right.items()
        }
    return models


def _derivative_at_activation(
    spec: NetworkSpec, params: Params, cache: LayerCache, X: np.ndarray, y: np.ndarray
) -> Grads:
    """Backpropagation with activation'(A) where activation'(Z) belongs, in every hidden layer."""
    derivative = _derivative_of(spec)
    dZ = reference_output_delta(spec, cache.A[-1], one_hot(y, cache.A[-1].shape[0]), np.float64(1.0))
    m = X.shape[1]
    grads = {}
    for layer in range(spec.depth, 0, -1):
        A_in = X if layer == 1 else cache.A[layer - 2]
        grads[f"dW{layer}"] = dZ @ A_in.T + (spec.l2 / m) * params[f"W{layer}"]
        grads[f"db{layer}"] = row_sums(dZ)
        if layer > 1:
            dZ = (params[f"W{layer}"].T @ dZ) * derivative(cache.A[layer - 2])
    return grads


def _derivative_of(spec: NetworkSpec) -> Callable[[np.ndarray], np.ndarray]:
    """activation'(Z) as a function of Z, for sigmoid and tanh."""

    def derivative(Z: np.ndarray) -> np.ndarray:
        A = hidden_activation(spec, Z)
        return A * (1 - A) if spec.activation == "sigmoid" else 1 - A * A

    return derivative


def update_bugs(
    spec: NetworkSpec, params: Params, grads_by_step: list[Grads], lr: float
) -> dict[str, Params]:
    """The parameters after len(grads_by_step) steps of each update bug of the spec's optimizer."""
    if spec.optimizer == "adam":
        return {NO_BIAS_CORRECTION: _adam_without_correction(spec, params, grads_by_step, lr)}
    if spec.optimizer == "momentum":
        current = dict(params)
        for grads in grads_by_step:
            current = {name: value - lr * grads[f"d{name}"] for name, value in current.items()}
        return {MOMENTUM_ON_GRADIENT: current}
    return {}


def _adam_without_correction(
    spec: NetworkSpec, params: Params, grads_by_step: list[Grads], lr: float
) -> Params:
    current = dict(params)
    first = {name: np.zeros_like(value) for name, value in params.items()}
    second = {name: np.zeros_like(value) for name, value in params.items()}
    for grads in grads_by_step:
        for name in current:
            grad = grads[f"d{name}"]
            first[name] = spec.beta1 * first[name] + (1 - spec.beta1) * grad
            second[name] = spec.beta2 * second[name] + (1 - spec.beta2) * grad**2
            current[name] = current[name] - lr * first[name] / (np.sqrt(second[name]) + spec.epsilon)
    return current
