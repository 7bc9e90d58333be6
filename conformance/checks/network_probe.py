"""Which network of the family (mnist_ref.spec) a target computes, found by probing, and how it differs from
the network it is checked as.

Probing calls the target's own functions through the adapter's ``network_*`` operations: its forward
pass on random parameters of a candidate depth (the layer sizes its code writes down, the spec's, the
classic two layers), compared with every member of the family of that depth (hidden activation,
outputs); its loss function, compared with each loss the outputs allow and the usual ways of writing
it; its update's name (momentum, Adam) and a backward requiring an L2 lambda.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np

from conformance.checks.base import Context, Skipped, TargetRaised
from mnist_ref.network import forward_layers, l2_penalty, one_hot, output_loss
from mnist_ref.spec import ACTIVATIONS, LOSSES_FOR_OUTPUT, OUTPUTS, NetworkSpec


def setting(spec: NetworkSpec) -> tuple[int, str, float]:
    """What the child's network operations need to know of the spec: (depth, optimizer, l2)."""
    return (spec.depth, spec.optimizer, float(spec.l2))


@dataclass(frozen=True)
class Batch:
    """Reference inputs for one check: parameters of the spec's widths, X (n_0, m), labels y (m,)."""

    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray

    @property
    def Y(self) -> np.ndarray:
        """The labels as one-hot columns (k, m)."""
        return one_hot(self.y, self.params[f"W{len(self.params) // 2}"].shape[0])


def make_batch(layers: tuple[int, ...], m: int, seed: int) -> Batch:
    """Random parameters (biases nonzero, so a bias bug shows), X in [0, 1) and labels, from ``seed``."""
    rng = np.random.default_rng(seed)
    params = {}
    for layer, (fan_in, fan_out) in enumerate(pairwise(layers), start=1):
        params[f"W{layer}"] = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / (fan_in + fan_out))
        params[f"b{layer}"] = rng.standard_normal((fan_out, 1)) * 0.1
    return Batch(params, rng.random((layers[0], m)), rng.integers(0, layers[-1], m))


@dataclass(frozen=True)
class Recognition:
    """The network the target computes, as far as probing tells (None: it matches no member)."""

    found: NetworkSpec | None
    loss_probed: bool = False
    loss_scale: float = 1.0
    l2_parameter: str | None = None  # the parameter a target's backward takes its L2 lambda in, if any

    def describe(self) -> str:
        """The network found, e.g. "784-64-10, relu hidden, softmax outputs, cross_entropy, adam, with L2"."""
        assert self.found is not None
        return self.found.describe() + (
            f", with L2 (its parameter {self.l2_parameter})" if self.l2_parameter else ""
        )


def recognise(ctx: Context) -> Recognition:
    """Which network of the family the target's forward pass (and loss function) computes; memoized."""
    if "network" not in ctx.memo:
        ctx.memo["network"] = _recognise(ctx)
    return ctx.memo["network"]


def _recognise(ctx: Context) -> Recognition:
    spec = ctx.spec
    for layers in _candidate_layers(ctx):
        member = _member_computed(ctx, replace(spec, layers=layers))
        if member is not None:
            loss, scale = _probe_loss(ctx, member)
            found = member if loss is None else replace(member, loss=loss)
            description = described(ctx)
            optimizers = description.get("optimizers") or [spec.optimizer]
            if spec.optimizer not in optimizers:
                found = _with_optimizer(found, optimizers[-1])
            l2_parameter = None if spec.l2 else description.get("l2_parameter")
            return Recognition(found, loss is not None, scale, l2_parameter)
    return Recognition(None)


def _with_optimizer(spec: NetworkSpec, optimizer: str) -> NetworkSpec:
    """``spec`` with another optimizer, its hyperparameters at their defaults."""
    return NetworkSpec(**{**spec.to_table(), "optimizer": optimizer, "layers": spec.layers})


def _candidate_layers(ctx: Context) -> list[tuple[int, ...]]:
    """The layer sizes the target's own code writes down (of another depth than the spec's), then the
    spec's (code that builds any depth is checked as the network it says it is), then the classic two
    layers with the spec's first hidden width (code written for the classic network only)."""
    layers = ctx.spec.layers
    written = [tuple(sizes) for sizes in described(ctx).get("layer_sizes", []) if len(sizes) != len(layers)]
    return list(dict.fromkeys([*written, layers, (layers[0], layers[1], layers[-1])]))


def described(ctx: Context) -> dict[str, Any]:
    """What the adapter's family finder found (``network_describe``); empty when it could not say."""
    try:
        return ctx.call("network_describe", setting(ctx.spec), memo_key=("network_describe",))
    except (Skipped, TargetRaised):
        return {}


def _member_computed(ctx: Context, spec: NetworkSpec) -> NetworkSpec | None:
    """The member of the family of ``spec``'s layers whose outputs the target's forward pass gives."""
    batch = make_batch(spec.layers, 3, ctx.seed)
    try:
        got = ctx.call("network_forward", setting(spec), batch.params, batch.X)
    except (Skipped, TargetRaised):
        return None
    if np.shape(got) != (spec.layers[-1], 3):
        return None
    for activation in _spec_first(spec.activation, ACTIVATIONS):
        for output in _spec_first(spec.output, OUTPUTS):
            member = _member(spec, activation, output)
            expected = forward_layers(member, batch.params, batch.X).A[-1]
            if same(got, expected):
                return member
    return None


def _member(spec: NetworkSpec, activation: str, output: str) -> NetworkSpec:
    loss = spec.loss if spec.loss in LOSSES_FOR_OUTPUT[output] else LOSSES_FOR_OUTPUT[output][0]
    return replace(spec, activation=activation, output=output, loss=loss)


def _spec_first(choice: str, choices: tuple[str, ...]) -> list[str]:
    return [choice, *(other for other in choices if other != choice)]


def same(got: Any, expected: np.ndarray) -> bool:
    """Whether ``got`` is ``expected`` up to float32 rounding (the test that names a network or a bug)."""
    values = np.asarray(got, dtype=np.float64)
    return values.shape == expected.shape and bool(np.allclose(values, expected, rtol=1e-5, atol=1e-6))


def loss_conventions(spec: NetworkSpec) -> list[float]:
    """The factors c by which a right loss may differ from the spec's (its data term, not its L2 term):
    1 for the mean over every entry; for MSE and binary cross-entropy also k (a sum over the k classes,
    a mean over the batch) and, for MSE, k/2 (Nielsen's 1/2 |a - y|^2) and 1/2 (half the mean)."""
    k = spec.layers[-1]
    if spec.loss == "cross_entropy":
        return [1.0]
    return [1.0, float(k), k / 2.0, 0.5] if spec.loss == "mse" else [1.0, float(k)]


def _probe_loss(ctx: Context, member: NetworkSpec) -> tuple[str | None, float]:
    """(the loss the target's loss function computes, its scale), (None, 1) when it has none that answers."""
    batch = make_batch(member.layers, 4, ctx.seed + 1)
    try:
        got = float(ctx.call("network_loss", setting(member), batch.params, batch.X, batch.Y))
    except (Skipped, TargetRaised, TypeError, ValueError):
        return _mse_from_its_derivative(ctx, member)
    Z = forward_layers(member, batch.params, batch.X).Z[-1]
    penalty = l2_penalty(member, batch.params, 4)
    for loss in _spec_first(member.loss, LOSSES_FOR_OUTPUT[member.output]):
        candidate = replace(member, loss=loss)
        data = output_loss(candidate, Z, batch.y)
        for scale in loss_conventions(candidate):
            if np.isclose(got, scale * data + penalty, rtol=1e-6, atol=1e-6):
                return loss, scale
    return None, 1.0


def _mse_from_its_derivative(ctx: Context, member: NetworkSpec) -> tuple[str | None, float]:
    """("mse", its scale) when the target has no loss function but a derivative of its loss with respect
    to the outputs, for a single sample, that is a multiple c (A - Y) of MSE's (Nielsen's
    ``cost_derivative``, c = k/2 for 1/2 |a - y|^2); (None, 1) otherwise. Only for an MSE spec: for a
    cross-entropy, A - Y is the derivative with respect to Z, not A."""
    if member.loss != "mse":
        return None, 1.0
    batch = make_batch(member.layers, 1, ctx.seed + 2)
    A = forward_layers(member, batch.params, batch.X).A[-1]
    try:
        got = np.asarray(
            ctx.call("network_loss_derivative", setting(member), batch.params, A, batch.Y), float
        )
    except (Skipped, TargetRaised, TypeError, ValueError):
        return None, 1.0
    error = A - batch.Y
    ratio = float(np.vdot(got, error) / np.vdot(error, error)) if got.shape == error.shape else 0.0
    scale = ratio * member.layers[-1] / 2  # MSE's own derivative is 2 (A - Y) / (k m), here m = 1
    if same(got, ratio * error) and any(np.isclose(scale, c) for c in loss_conventions(member)):
        return "mse", scale
    return None, 1.0


def differences(
    found: NetworkSpec, spec: NetworkSpec, l2_parameter: str | None = None
) -> list[tuple[str, str]]:
    """(what differs, the option that checks the target as it is), for each way ``found`` is not ``spec``;
    ``l2_parameter``: the target takes an L2 lambda that the spec (without L2) does not have."""
    listed = []
    if found.depth != spec.depth:
        shown = "-".join(map(str, found.layers))
        listed.append(
            (
                f"it has {found.depth} layers ({shown}), not {spec.depth}",
                f"--layers {shown.replace('-', ',')}",
            )
        )
    for key, what in (("activation", "hidden layers are"), ("output", "outputs are"), ("loss", "loss is")):
        value, expected = getattr(found, key), getattr(spec, key)
        if value != expected:
            listed.append((f"its {what} {value}, not {expected}", f"--{key} {value}"))
    if l2_parameter:
        listed.append((f"it has an L2 term (its backward takes {l2_parameter}), not none", "--l2 LAMBDA"))
    if found.optimizer != spec.optimizer:
        listed.append(
            (f"its update is {found.optimizer}, not {spec.optimizer}", f"--optimizer {found.optimizer}")
        )
    return listed
