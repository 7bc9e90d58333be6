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
from dataclasses import replace
from typing import Any

import numpy as np

from conformance import diagnose, tolerance
from conformance.checks.assertions import expect_verdict
from conformance.checks.base import Check, CheckFailed, Context, Skipped
from conformance.checks.network_probe import (
    Batch,
    described,
    differences,
    loss_conventions,
    make_batch,
    recognise,
    same,
    setting,
)
from conformance.oracles import bug_models
from mnist_ref.network import backward_layers, forward_layers, l2_penalty, output_loss
from mnist_ref.optimizers import Optimizer
from mnist_ref.spec import CLASSIC, NetworkSpec

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


def hyperparameters(spec: NetworkSpec) -> dict[str, float]:
    """The optimizer's and L2's values, by the roles a target's parameters take them in."""
    return {
        "beta": spec.momentum,
        "beta1": spec.beta1,
        "beta2": spec.beta2,
        "epsilon": spec.epsilon,
        "l2": spec.l2,
    }


def batches(ctx: Context, operation: str = "forward") -> list[tuple[int, Batch]]:
    """(m, batch) of the spec's widths for each of BATCHES, drawn from the run's seed; batches of one
    for a backward pass the target's own code calls one sample at a time."""
    sizes = (1,) if operation == "backward" and described(ctx).get("per_sample_backward") else BATCHES
    return [(m, make_batch(ctx.spec.layers, m, ctx.seed * 1000 + m)) for m in sizes]


LOSS_FORMS = {
    "cross_entropy": "",
    "mse": "a sum over the classes, 1/2 of that, or 1/2 of the mean",
    "binary_cross_entropy": "a sum over the classes",
}


def doubt_the_scale(ctx: Context, name: str, factor: float | None) -> None:
    """Skipped when ``name`` is off by a factor that another way of writing the spec's loss would give
    and the target has no loss function telling which it means: its scale is then not known."""
    if factor is None or recognise(ctx).loss_probed:
        return
    if any(np.isclose(factor, c, rtol=1e-3) for c in loss_conventions(ctx.spec)[1:]):
        raise Skipped(
            f"{name} is {factor:.4g} times the gradient of the spec's {ctx.spec.loss} taken as a mean over"
            f" every entry, as it is when the loss is written another way ({LOSS_FORMS[ctx.spec.loss]}), and"
            ' the target has no loss function that says which: name it in a mapping file (loss = "...")'
        )


def check_network(ctx: Context) -> None:
    """The target computes no other network of the family than the one checked, as far as probing its
    depth, hidden activation, outputs, loss, L2 and update tells. A side check: it can fail forward,
    never pass it. Under the classic network it runs for targets that show signs of another network
    (``family_probe``), and one that probing cannot read is left to the two-layer checks (a row layout);
    under any other, the values of a target probing cannot read are not judged (family_mapping)."""
    recognition = recognise(ctx)
    if recognition.found is None and is_classic(ctx.spec):
        return
    if recognition.found is None:
        raise Skipped("its forward pass matches no network of the family: see forward.values")
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
    functions = described(ctx).get("functions", {})
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
        verdict = diagnose.compare(
            "forward: AL", expected, got, dtype=ctx.precision, batch_size=m, floor=tolerance.STABILISER
        )
        expect_verdict(verdict)


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
    for m, batch in batches(ctx, "backward"):
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
    """Raise CheckFailed with a variant bug's diagnosis when ``got`` is what that bug gives (at the scale
    of the target's own loss: the bugs are modelled on the spec's, without L2 when that scale is not 1)."""
    cache = forward_layers(ctx.spec, batch.params, batch.X)
    right = backward_layers(ctx.spec, batch.params, cache, batch.X, batch.y)
    models = bug_models.gradient_bugs(ctx.spec, batch.params, cache, batch.X, batch.y, right)
    scale = loss_scale(ctx) if not ctx.spec.l2 else 1.0
    for code, model in models.items():
        wrong = model[name] * scale
        if wrong.shape == np.shape(got) and same(got, wrong) and not same(got, right[name] * scale):
            raise CheckFailed(
                code, f"{name}: {bug_models.DIAGNOSES[code]}; {bug_models.HINTS[code]}", verdict.details
            )


def _check_gradient_finite_diff(ctx: Context, name: str) -> None:
    """<grad, D> = (L(theta + hD) - L(theta - hD)) / 2h for L the spec's loss of the target's own forward."""
    m, batch = batches(ctx, "backward")[: BATCHES.index(3) + 1][-1]  # m = 3, or 1 for a per-sample backward
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
                f"{name} is not the gradient of the target's own forward pass under the spec's loss: along a"
                " random"
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
    _, batch = batches(ctx)[1]
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
        if same(got, wrong[name]):
            raise CheckFailed(
                code, f"update: {bug_models.DIAGNOSES[code]}; {bug_models.HINTS[code]}", verdict.details
            )


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
        made("forward.network", "forward", "the target computes the network checked", check_network,
             side=True),
        made("forward.values", "forward",
             "the outputs equal the reference's for the same parameters and batch", _check_forward_values),
        made("loss.value", "loss", f"the loss is the spec's {spec.loss}", _check_loss_value),
    ]  # fmt: skip
    for name in [component for component in components(spec) if component.startswith("d")]:
        checks += [
            made(f"{name}.values", name, f"{name} equals the reference's backpropagation",
                 lambda ctx, name=name: _check_gradient_values(ctx, name, expected_gradients)),
            Check(f"{name}.autograd", name, f"{name} equals PyTorch autograd's (float64) of the network",
                  lambda ctx, name=name: _check_gradient_values(ctx, name, autograd_gradients),
                  needs_torch=True),
            made(f"{name}.finite_diff", name,
                 f"{name} equals finite differences of the target's own forward pass",
                 lambda ctx, name=name: _check_gradient_finite_diff(ctx, name)),
        ]  # fmt: skip
    checks.append(
        made("update.step", "update", f"two {spec.optimizer} steps equal the reference's", _check_update)
    )
    return checks
