"""Checks of a network of the family (mnist_ref.spec): any depth, hidden activation, output, loss, L2 and
optimizer, checked against the spec given with ``--layers``, ``--activation``... or a ``[network]`` table.

Which network the target is comes first (``recognise``): its depth from the spec, or from the layer
sizes its own code writes down (``[784, 64, 32, 10]``), its hidden activation and output by comparing
its forward pass with each member of the family of that depth, its loss by probing its loss function.
A target that is another network than the spec fails ``forward.network`` with the diagnosis
``different_network``, naming each difference and the option that would check it as what it is.

Then each component on its own, every layer's gradients a component (dW1, db1, ..., dWL, dbL):

- forward: the outputs equal the reference's for the same parameters and batch;
- loss: the spec's loss (for MSE and binary cross-entropy, also written as a sum over the classes or
  with the 1/2 of Nielsen's book: the gradients are then expected at the same scale);
- each gradient: its values equal the reference's backpropagation (a variant bug is named when the
  values are those it gives), and its projections equal central finite differences of the target's
  own forward pass and the spec's loss, so a gradient is judged against the network the target
  computes even when that is not the spec's;
- update: two steps from a fresh optimizer state equal the spec's optimizer (SGD, momentum, Adam).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from conformance import diagnose, tolerance
from conformance.checks.assertions import expect_verdict
from conformance.checks.base import Check, CheckFailed, Context, Skipped, TargetRaised
from conformance.oracles import bug_models
from mnist_ref.network import backward_layers, forward_layers, l2_penalty, one_hot, output_loss
from mnist_ref.optimizers import Optimizer
from mnist_ref.spec import ACTIVATIONS, CLASSIC, LOSSES_FOR_OUTPUT, OUTPUTS, NetworkSpec

BATCHES = (1, 3, 8)
"""The batch sizes every value check runs on (1: a per-sample network; 8: a sum is told from a mean)."""
LEARNING_RATE = 0.05
FD_STEP = 1e-5
FD_DIRECTIONS = 2


def is_classic(spec: NetworkSpec) -> bool:
    """Whether ``spec`` is the classic network, of any hidden width (the two-layer checks then run)."""
    return len(spec.layers) == 3 and spec == replace(CLASSIC, layers=(784, spec.layers[1], 10))


def components(spec: NetworkSpec) -> tuple[str, ...]:
    """The components checked for ``spec``, in order: its elementwise functions (relu, relu_grad for ReLU
    hidden layers, softmax for softmax outputs, one_hot), forward, loss, dW1, db1, ..., dWL, dbL, update."""
    gradients = [f"d{name}" for layer in range(1, spec.depth + 1) for name in (f"W{layer}", f"b{layer}")]
    elementwise = ("relu", "relu_grad") if spec.activation == "relu" else ()
    elementwise += ("softmax",) if spec.output == "softmax" else ()
    return (*elementwise, "one_hot", "forward", "loss", *gradients, "update")


def required(spec: NetworkSpec) -> tuple[str, ...]:
    """The components a PASS needs: forward, every gradient and the update."""
    return tuple(name for name in components(spec) if name in ("forward", "update") or name.startswith("d"))


def setting(spec: NetworkSpec) -> tuple[int, str, float]:
    """What the child's network operations need to know of the spec: (depth, optimizer, l2)."""
    return (spec.depth, spec.optimizer, float(spec.l2))


def hyperparameters(spec: NetworkSpec) -> dict[str, float]:
    """The optimizer's and L2's values, by the roles a target's parameters take them in."""
    return {
        "beta": spec.momentum,
        "beta1": spec.beta1,
        "beta2": spec.beta2,
        "epsilon": spec.epsilon,
        "l2": spec.l2,
    }


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
    for layer, (fan_in, fan_out) in enumerate(zip(layers, layers[1:], strict=False), start=1):
        params[f"W{layer}"] = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / (fan_in + fan_out))
        params[f"b{layer}"] = rng.standard_normal((fan_out, 1)) * 0.1
    return Batch(params, rng.random((layers[0], m)), rng.integers(0, layers[-1], m))


def batches(ctx: Context, layers: tuple[int, ...] | None = None) -> list[tuple[int, Batch]]:
    """(m, batch) for each of BATCHES, drawn from the run's seed."""
    layers = ctx.spec.layers if layers is None else layers
    return [(m, make_batch(layers, m, ctx.seed * 1000 + m)) for m in BATCHES]


# ---- which network the target is ----


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
            described = _described(ctx)
            optimizers = described.get("optimizers") or [spec.optimizer]
            if spec.optimizer not in optimizers:
                found = _with_optimizer(found, optimizers[-1])
            l2_parameter = None if spec.l2 else described.get("l2_parameter")
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
    written = [tuple(sizes) for sizes in _described(ctx).get("layer_sizes", []) if len(sizes) != len(layers)]
    return list(dict.fromkeys([*written, layers, (layers[0], layers[1], layers[-1])]))


def _described(ctx: Context) -> dict[str, Any]:
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
            if _same(got, expected):
                return member
    return None


def _member(spec: NetworkSpec, activation: str, output: str) -> NetworkSpec:
    loss = spec.loss if spec.loss in LOSSES_FOR_OUTPUT[output] else LOSSES_FOR_OUTPUT[output][0]
    return replace(spec, activation=activation, output=output, loss=loss)


def _spec_first(choice: str, choices: tuple[str, ...]) -> list[str]:
    return [choice, *(other for other in choices if other != choice)]


def _same(got: Any, expected: np.ndarray) -> bool:
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


def doubt_the_scale(ctx: Context, name: str, factor: float | None) -> None:
    """Skipped when ``name`` is off by a factor that another way of writing the spec's loss would give
    and the target has no loss function telling which it means: its scale is then not known."""
    if factor is None or recognise(ctx).loss_probed:
        return
    if any(np.isclose(factor, c, rtol=1e-3) for c in loss_conventions(ctx.spec)[1:]):
        raise Skipped(
            f"{name} is {factor:.4g} times the gradient of the spec's {ctx.spec.loss} taken as a mean over every"
            f" entry, as it is when the loss is written another way ({LOSS_FORMS[ctx.spec.loss]}), and the target has"
            ' no loss function that says which: name it in a mapping file ([components] loss = "...")'
        )


LOSS_FORMS = {
    "cross_entropy": "",
    "mse": "a sum over the classes, 1/2 of that, or 1/2 of the mean",
    "binary_cross_entropy": "a sum over the classes",
}


def _probe_loss(ctx: Context, member: NetworkSpec) -> tuple[str | None, float]:
    """(the loss the target's loss function computes, its scale), (None, 1) when it has none that answers."""
    batch = make_batch(member.layers, 4, ctx.seed + 1)
    try:
        got = float(ctx.call("network_loss", setting(member), batch.params, batch.X, batch.Y))
    except (Skipped, TargetRaised, TypeError, ValueError):
        return None, 1.0
    Z = forward_layers(member, batch.params, batch.X).Z[-1]
    penalty = l2_penalty(member, batch.params, 4)
    for loss in _spec_first(member.loss, LOSSES_FOR_OUTPUT[member.output]):
        candidate = replace(member, loss=loss)
        data = output_loss(candidate, Z, batch.y)
        for scale in loss_conventions(candidate):
            if np.isclose(got, scale * data + penalty, rtol=1e-6, atol=1e-6):
                return loss, scale
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


def check_network(ctx: Context) -> None:
    """The target computes no other network of the family than the one checked, as far as probing its
    depth, hidden activation, outputs, loss, L2 and update tells. A side check: it can fail forward,
    never pass it. Under the classic network, a target that probing cannot call (a row layout, a class
    the two-layer adapter knows) is left to the two-layer checks; under any other, the values of a target
    probing cannot read are not judged (conformance.checks.network.family_mapping)."""
    recognition = recognise(ctx)
    if recognition.found is None and is_classic(ctx.spec):
        return
    if recognition.found is None:
        raise Skipped("the forward pass matches no network of the family: see forward.values")
    found = recognition.found if recognition.loss_probed else replace(recognition.found, loss=ctx.spec.loss)
    listed = differences(found, ctx.spec, recognition.l2_parameter)
    if not listed:
        return
    options = " ".join(option for _, option in listed)
    shown = replace(recognition, found=found).describe()
    raise CheckFailed(
        diagnose.DIFFERENT_NETWORK,
        f"found {shown}, checked as {ctx.spec.describe()}: {'; '.join(what for what, _ in listed)}."
        f" Check it as what it is with {options}",
        {"found": found.to_table(), "options": options},
    )


NOT_RECOGNISED = (
    "its forward pass, called in column layout (X (784, m)) with a params dict W1..WL, b1..bL, computes no "
    "network of the family, so no reading of its results is confirmed"
)


def family_mapping(ctx: Context, mapping: dict[str, Any]) -> dict[str, Any]:
    """The adapter's description as the verdicts read it, for a check under a spec of the family: each
    component's call as the family finder found it (the two-layer adapter's where it calls instead), what
    the two-layer adapter found missing or guessed of the elementwise functions (the network's own
    operations say themselves what they lack), and the reading confirmed only when the forward pass
    computes a member of the family."""
    functions = _described(ctx).get("functions", {})
    calls = {}
    for component in components(ctx.spec):
        operation = "backward" if component.startswith("d") else component
        own = functions.get(operation) or mapping.get("components", {}).get(component)
        if own is not None:
            calls[component] = own
    return {
        **mapping,
        "components": calls,
        "missing": {name: why for name, why in mapping.get("missing", {}).items() if name in ELEMENTWISE},
        "guessed": {name: how for name, how in mapping.get("guessed", {}).items() if name in ELEMENTWISE},
        "layout_decided": recognise(ctx).found is not None,
        "layout_reason": NOT_RECOGNISED,
    }


# ---- each component ----


def _check_forward_values(ctx: Context) -> None:
    for m, batch in batches(ctx):
        got = ctx.call("network_forward", setting(ctx.spec), batch.params, batch.X)
        expected = forward_layers(ctx.spec, batch.params, batch.X).A[-1]
        _expect(ctx, "forward: AL", expected, got, m, floor=tolerance.STABILISER)


def _check_loss_value(ctx: Context) -> None:
    for m, batch in batches(ctx):
        got = ctx.call("network_loss", setting(ctx.spec), batch.params, batch.X, batch.Y)
        Z = forward_layers(ctx.spec, batch.params, batch.X).Z[-1]
        data, penalty = output_loss(ctx.spec, Z, batch.y), l2_penalty(ctx.spec, batch.params, m)
        if any(
            np.isclose(_number(got), c * data + penalty, rtol=1e-6, atol=1e-7)
            for c in loss_conventions(ctx.spec)
        ):
            continue
        expect_verdict(
            diagnose.compare_scalar("loss", data + penalty, got, dtype=ctx.precision, batch_size=m)
        )


def _number(value: Any) -> float:
    try:
        return float(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        return float("nan")


def loss_scale(ctx: Context) -> float:
    """The scale of the target's own loss (see loss_conventions); 1 when it has no loss that answers."""
    recognition = recognise(ctx)
    return recognition.loss_scale if recognition.loss_probed else 1.0


def expected_gradients(ctx: Context, m: int, batch: Batch) -> dict[str, np.ndarray]:
    """The reference's gradients at the target's loss scale: c times the data term, plus the L2 term."""
    cache = forward_layers(ctx.spec, batch.params, batch.X)
    right = backward_layers(ctx.spec, batch.params, cache, batch.X, batch.y)
    data = (
        None
        if loss_scale(ctx) == 1.0
        else backward_layers(replace(ctx.spec, l2=0.0), batch.params, cache, batch.X, batch.y)
    )
    return at_scale(right, data, loss_scale(ctx))


def autograd_gradients(ctx: Context, m: int, batch: Batch) -> dict[str, np.ndarray]:
    """PyTorch autograd's gradients of the spec's network (float64), at the target's loss scale; memoized."""
    if not ctx.torch_available:
        raise Skipped("PyTorch is not installed: pip install 'mnist-ref[torch]' to compare with autograd")
    key = ("network_autograd", m)
    if key not in ctx.memo:
        scale = loss_scale(ctx)
        right = ctx.autograd.network_gradients(ctx.spec.to_table(), batch.params, batch.X, batch.y)[1]
        without_l2 = {**ctx.spec.to_table(), "l2": 0.0}
        data = (
            None
            if scale == 1.0
            else ctx.autograd.network_gradients(without_l2, batch.params, batch.X, batch.y)[1]
        )
        ctx.memo[key] = at_scale(right, data, scale)
    return ctx.memo[key]


def at_scale(
    right: dict[str, np.ndarray], data: dict[str, np.ndarray] | None, scale: float
) -> dict[str, np.ndarray]:
    """Gradients whose data term (``data``: the gradients without L2) is ``scale`` times that of ``right``."""
    if data is None:
        return right
    return {name: right[name] + (scale - 1.0) * data[name] for name in right}


def _target_gradients(ctx: Context, m: int, batch: Batch) -> dict[str, Any]:
    return ctx.call(
        "network_backward",
        setting(ctx.spec),
        batch.params,
        batch.X,
        batch.Y,
        memo_key=("network_backward", m),
    )


def _check_gradient_values(
    ctx: Context, name: str, oracle: Callable[[Context, int, Batch], dict[str, np.ndarray]]
) -> None:
    for m, batch in batches(ctx):
        grads = _target_gradients(ctx, m, batch)
        if name not in grads:
            raise CheckFailed(
                diagnose.MISMATCH, f"backward gave no {name} (it gave {', '.join(grads) or 'nothing'})"
            )
        expected = oracle(ctx, m, batch)
        verdict = diagnose.compare(name, expected[name], grads[name], dtype=ctx.precision, batch_size=m)
        if not verdict.ok:
            _name_gradient_bug(ctx, name, batch, grads[name], verdict)
            doubt_the_scale(ctx, name, verdict.details.get("factor"))
            expect_verdict(_with_mse_cause(ctx.spec, verdict, m))


MSE_CAUSES = {
    0.5: "the MSE gradient is missing its factor 2: d/dA of mean((A - Y)**2) is 2 (A - Y) / (k m)",
    2.0: "the MSE gradient has a factor 2 its loss does not (a loss with 1/2 in front has gradient (A - Y))",
}
"""What a constant factor in the gradients of an MSE network most likely is."""


def _with_mse_cause(spec: NetworkSpec, verdict: diagnose.Verdict, m: int) -> diagnose.Verdict:
    """``verdict`` with the MSE cause of its factor when the spec's loss is MSE and the factor has one."""
    factor = verdict.details.get("factor")
    if verdict.diagnosis != diagnose.SCALED or spec.loss != "mse" or factor is None:
        return verdict
    for known, cause in MSE_CAUSES.items():
        if np.isclose(factor, known, rtol=1e-3):
            return replace(verdict, message=f"{verdict.message.split(':')[0]}: {cause}")
    if np.isclose(factor, m, rtol=1e-3):
        cause = f"the MSE gradient is missing its 1/m (m = {m}): the loss is a mean over the batch"
        return replace(verdict, message=f"{verdict.message.split(':')[0]}: {cause}")
    return verdict


def _name_gradient_bug(ctx: Context, name: str, batch: Batch, got: Any, verdict: diagnose.Verdict) -> None:
    """Raise CheckFailed with a variant bug's diagnosis when ``got`` is what that bug gives."""
    cache = forward_layers(ctx.spec, batch.params, batch.X)
    right = backward_layers(ctx.spec, batch.params, cache, batch.X, batch.y)
    models = bug_models.gradient_bugs(ctx.spec, batch.params, cache, batch.X, batch.y, right)
    for code, wrong in models.items():
        if wrong[name].shape == np.shape(got) and _same(got, wrong[name]) and not _same(got, right[name]):
            raise CheckFailed(
                code, f"{name}: {bug_models.DIAGNOSES[code]}; {bug_models.HINTS[code]}", verdict.details
            )


def _check_gradient_finite_diff(ctx: Context, name: str) -> None:
    """<grad, D> equals (L(theta + hD) - L(theta - hD)) / 2h of the target's own forward and the spec's loss."""
    m, batch = batches(ctx)[1]
    grads = _target_gradients(ctx, m, batch)
    got = np.asarray(grads.get(name), dtype=np.float64)
    parameter = name[1:]
    if got.shape != batch.params[parameter].shape:
        raise Skipped(f"values not compared: {name} has the wrong shape (see {name}.values)")
    rng = np.random.default_rng(ctx.seed)
    scale = loss_scale(ctx)
    for _ in range(FD_DIRECTIONS):
        direction = rng.standard_normal(got.shape)
        slopes = [_own_loss(ctx, batch, parameter, sign * FD_STEP * direction, scale) for sign in (1, -1)]
        numeric = (slopes[0] - slopes[1]) / (2 * FD_STEP)
        analytic = float(np.vdot(got, direction))
        allowed = 1e-5 * max(1.0, abs(numeric)) + 1e-6
        if abs(numeric - analytic) > allowed:
            doubt_the_scale(ctx, name, analytic / numeric if numeric else None)
            raise CheckFailed(
                diagnose.MISMATCH,
                f"{name} is not the gradient of the target's own forward pass under the spec's loss: along a random"
                f" direction it gives {analytic:.6g}, finite differences give {numeric:.6g}",
                {"analytic": analytic, "numeric": numeric},
            )


def _own_loss(ctx: Context, batch: Batch, parameter: str, step: np.ndarray, scale: float) -> float:
    params = {**batch.params, parameter: batch.params[parameter] + step}
    outputs = np.asarray(ctx.call("network_forward", setting(ctx.spec), params, batch.X), dtype=np.float64)
    m = batch.X.shape[1]
    return scale * _loss_of_outputs(ctx.spec, outputs, batch.Y) + l2_penalty(ctx.spec, params, m)


def _loss_of_outputs(spec: NetworkSpec, A: np.ndarray, Y: np.ndarray) -> float:
    """The spec's loss (without L2) of outputs A against one-hot Y, both (k, m)."""
    if spec.loss == "cross_entropy":
        return float(-np.sum(Y * np.log(np.clip(A, 1e-300, None))) / A.shape[1])
    if spec.loss == "mse":
        return float(np.mean((A - Y) ** 2))
    clipped = np.clip(A, 1e-300, 1 - 1e-16)
    return float(-np.mean(Y * np.log(clipped) + (1 - Y) * np.log(1 - clipped)))


def _check_update(ctx: Context) -> None:
    """Two steps from a fresh state equal the spec's optimizer's (its state carried from the first)."""
    m, batch = batches(ctx)[1]
    rng = np.random.default_rng(ctx.seed + 7)
    steps = [
        {f"d{name}": rng.standard_normal(value.shape) * 0.1 for name, value in batch.params.items()}
        for _ in range(2)
    ]
    optimizer, expected, got, state = Optimizer(ctx.spec), batch.params, batch.params, None
    for number, grads in enumerate(steps, start=1):
        expected = optimizer.update(expected, grads, LEARNING_RATE)
        got, state = ctx.call(
            "network_update", setting(ctx.spec), got, grads, LEARNING_RATE, state, hyperparameters(ctx.spec)
        )
        for name in expected:
            verdict = diagnose.compare(
                f"{name} after step {number}", expected[name], got.get(name), dtype=ctx.precision
            )
            if not verdict.ok:
                _name_update_bug(ctx, batch, steps[:number], name, got.get(name), verdict)
                expect_verdict(verdict)


def _name_update_bug(
    ctx: Context,
    batch: Batch,
    steps: list[dict[str, np.ndarray]],
    name: str,
    got: Any,
    verdict: diagnose.Verdict,
) -> None:
    for code, wrong in bug_models.update_bugs(ctx.spec, batch.params, steps, LEARNING_RATE).items():
        if _same(got, wrong[name]):
            raise CheckFailed(
                code, f"update: {bug_models.DIAGNOSES[code]}; {bug_models.HINTS[code]}", verdict.details
            )


def _expect(ctx: Context, name: str, expected: np.ndarray, got: Any, m: int, floor: float = 0.0) -> None:
    expect_verdict(diagnose.compare(name, expected, got, dtype=ctx.precision, batch_size=m, floor=floor))


ELEMENTWISE = ("relu", "relu_grad", "softmax", "one_hot")
"""The components of functions a network of any depth has, checked by the two-layer registry's checks
(one_hot.inside_backward excepted: it goes through the two-layer backward)."""


def elementwise_checks(spec: NetworkSpec) -> list[Check]:
    """The two-layer registry's checks of the elementwise functions the spec's network has, in order."""
    from conformance.checks import ALL_CHECKS  # here: conformance.checks imports this module

    wanted = [name for name in components(spec) if name in ELEMENTWISE]
    return [
        registered
        for registered in ALL_CHECKS
        if registered.component in wanted and registered.id != "one_hot.inside_backward"
    ]


def network_checks(spec: NetworkSpec) -> list[Check]:
    """Every check of a target under ``spec``, in the order of its components: the elementwise functions'
    (relu, softmax, one_hot, as for the classic network), then the network's."""

    def made(
        check_id: str, component: str, description: str, run: Callable[[Context], None], side: bool = False
    ):
        return Check(check_id, component, description, run, side=side)

    checks = [
        *elementwise_checks(spec),
        made("forward.network", "forward", "the target computes the network checked", check_network, side=True),
        made("forward.values", "forward", "the outputs equal the reference's for the same parameters and batch",
             _check_forward_values),
        made("loss.value", "loss", f"the loss is the spec's {spec.loss}", _check_loss_value),
    ]  # fmt: skip
    for name in [component for component in components(spec) if component.startswith("d")]:
        checks += [
            made(f"{name}.values", name, f"{name} equals the reference's backpropagation",
                 lambda ctx, name=name: _check_gradient_values(ctx, name, expected_gradients)),
            Check(f"{name}.autograd", name, f"{name} equals PyTorch autograd's (float64) of the spec's network",
                  lambda ctx, name=name: _check_gradient_values(ctx, name, autograd_gradients), needs_torch=True),
            made(f"{name}.finite_diff", name, f"{name} equals finite differences of the target's own forward pass",
                 lambda ctx, name=name: _check_gradient_finite_diff(ctx, name)),
        ]  # fmt: skip
    checks.append(
        made("update.step", "update", f"two {spec.optimizer} steps equal the reference's", _check_update)
    )
    return checks
