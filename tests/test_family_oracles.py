"""The family against PyTorch: losses, gradients (autograd in float64, and central finite differences) and
optimizer steps (torch.optim) for drawn specs of 1-4 hidden layers, every activation, output and loss,
L2 and optimizer.

A float32 network is compared with PyTorch at its exact values upcast to float64, so the only error
allowed is the reference's own rounding in its dtype.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import (
    FamilyNetwork,
    family_networks,
    finite_difference_step,
    finite_difference_tolerance,
    rounding_tolerance,
    seeds,
    specs,
)
from test_gradients import coordinate_directions, random_directions

from conformance.oracles import autograd
from mnist_ref.network import Grads, Params, backward_layers, forward_layers, network_loss
from mnist_ref.optimizers import Optimizer
from mnist_ref.spec import NetworkSpec

float64_networks = family_networks(st.just(np.dtype(np.float64)))


def torch_loss_and_gradients(network: FamilyNetwork) -> tuple[float, Grads]:
    """The spec's loss, L2 term included, and its gradients by PyTorch autograd in float64."""
    return autograd.network_gradients(network.spec.to_table(), network.params, network.X, network.y)


def reference_gradients(network: FamilyNetwork) -> Grads:
    cache = forward_layers(network.spec, network.params, network.X)
    return backward_layers(network.spec, network.params, cache, network.X, network.y)


def magnitude(network: FamilyNetwork) -> float:
    """A bound on the terms of a loss or gradient entry: the largest |value| among X, the activations and
    the parameters (at least 1), to the power depth + 1, the most factors a term has (every activation
    derivative is at most 1)."""
    cache = forward_layers(network.spec, network.params, network.X)
    arrays = (network.X, *cache.A, *network.params.values())
    largest = max(1.0, *(float(np.abs(array).max()) for array in arrays))
    return largest ** (network.spec.depth + 1)


def rounding(network: FamilyNetwork) -> float:
    """The rounding the reference may add to a loss or a gradient entry, in the network's dtype."""
    terms = sum(network.spec.layers) + network.X.shape[1]
    return rounding_tolerance(network.dtype, magnitude(network), terms) * network.spec.depth


@given(family_networks())
def test_loss_matches_the_torch_loss(network: FamilyNetwork) -> None:
    expected, _ = torch_loss_and_gradients(network)
    actual = network_loss(network.spec, network.params, network.X, network.y)
    assert abs(actual - expected) <= rounding(network) * (1 + abs(expected)), (actual, expected)


@given(family_networks())
def test_gradients_match_torch_autograd(network: FamilyNetwork) -> None:
    _, expected = torch_loss_and_gradients(network)
    actual = reference_gradients(network)
    assert list(actual) == list(expected)
    for name, grad in expected.items():
        assert actual[name].shape == grad.shape and actual[name].dtype == network.dtype, name
        np.testing.assert_allclose(actual[name], grad, rtol=0, atol=rounding(network), err_msg=name)


def kink_pattern(spec: NetworkSpec, params: Params, X: np.ndarray) -> list[np.ndarray]:
    """Which hidden pre-activations are positive: a piecewise-linear activation's piece for each entry."""
    return [Z > 0 for Z in forward_layers(spec, params, X, validate=False).Z[:-1]]


def stays_on_its_pieces(
    spec: NetworkSpec, params: Params, X: np.ndarray, directions: list[Params], step: float
) -> bool:
    """Whether no move by ±step along a direction crosses a kink of a relu or leaky_relu network."""
    if spec.activation not in ("relu", "leaky_relu"):
        return True
    here = kink_pattern(spec, params, X)
    for direction in directions:
        for signed_step in (step, -step):
            there = kink_pattern(spec, moved(params, direction, signed_step), X)
            if not all(np.array_equal(a, b) for a, b in zip(here, there, strict=True)):
                return False
    return True


def moved(params: Params, direction: Params, step: float) -> Params:
    return {name: params[name] + step * direction[name] for name in params}


@given(float64_networks, seeds)
def test_gradients_match_central_differences(network: FamilyNetwork, direction_seed: int) -> None:
    spec, params, X, y = network.spec, network.params, network.X, network.y
    rng = np.random.default_rng(direction_seed)
    directions = coordinate_directions(params, rng) | random_directions(params, rng)
    step = finite_difference_step()
    assume(stays_on_its_pieces(spec, params, X, list(directions.values()), step))
    grads = reference_gradients(network)
    loss = network_loss(spec, params, X, y)
    tolerance = finite_difference_tolerance(magnitude(network) * (1 + loss))
    for label, direction in directions.items():
        slope = sum(float(np.vdot(grads["d" + name], value)) for name, value in direction.items())
        ahead = network_loss(spec, moved(params, direction, step), X, y)
        behind = network_loss(spec, moved(params, direction, -step), X, y)
        measured = (ahead - behind) / (2 * step)
        assert abs(slope - measured) <= tolerance, f"along {label}: {slope} against {measured}"


def torch_optimizer(spec: NetworkSpec, leaves: list[torch.Tensor], lr: float) -> torch.optim.Optimizer:
    """torch.optim's optimizer for the spec: SGD, SGD with momentum beta (no dampening), or Adam.

    Heavy-ball v <- beta v - lr g and torch's b <- beta b + g, theta -= lr b are one rule with v = -lr b.
    """
    if spec.optimizer == "sgd":
        return torch.optim.SGD(leaves, lr=lr)
    if spec.optimizer == "momentum":
        return torch.optim.SGD(leaves, lr=lr, momentum=spec.momentum)
    return torch.optim.Adam(leaves, lr=lr, betas=(spec.beta1, spec.beta2), eps=spec.epsilon)


@given(specs(), st.sampled_from([1e-3, 0.1, 1.0]), seeds)
def test_three_optimizer_steps_match_torch_optim(spec: NetworkSpec, lr: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    params = {name: rng.standard_normal(shape) for name, shape in shapes(spec).items()}
    leaves = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    theirs = torch_optimizer(spec, list(leaves.values()), lr)
    ours = Optimizer(spec)
    for _ in range(3):
        grads = {"d" + name: rng.standard_normal(value.shape) for name, value in params.items()}
        before = {name: value.copy() for name, value in params.items()}
        params = ours.update(params, grads, lr)
        for name, leaf in leaves.items():
            leaf.grad = torch.tensor(grads["d" + name])
        theirs.step()
        for name, leaf in leaves.items():
            np.testing.assert_allclose(
                params[name], leaf.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name
            )
            assert not np.array_equal(params[name], before[name]), name


def shapes(spec: NetworkSpec) -> dict[str, tuple[int, int]]:
    """{"W1": (n_1, n_0), "b1": (n_1, 1), ...} for the spec's layers."""
    result = {}
    for layer, (fan_in, fan_out) in enumerate(pairwise(spec.layers), start=1):
        result[f"W{layer}"], result[f"b{layer}"] = (fan_out, fan_in), (fan_out, 1)
    return result


@given(specs(), seeds)
def test_an_optimizer_keeps_float32_and_leaves_its_inputs_untouched(spec: NetworkSpec, seed: int) -> None:
    rng = np.random.default_rng(seed)
    params = {name: rng.standard_normal(shape).astype(np.float32) for name, shape in shapes(spec).items()}
    grads = {
        "d" + name: rng.standard_normal(value.shape).astype(np.float32) for name, value in params.items()
    }
    copies = {name: value.copy() for name, value in (params | grads).items()}
    optimizer = Optimizer(spec)
    updated = optimizer.update(params, grads, 0.1)
    updated = optimizer.update(updated, grads, 0.1)
    assert {value.dtype for value in updated.values()} == {np.dtype(np.float32)}
    for name, value in (params | grads).items():
        np.testing.assert_array_equal(value, copies[name], err_msg=name)
