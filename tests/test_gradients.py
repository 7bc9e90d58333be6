"""The reference's loss and gradients against PyTorch autograd (float64) and central finite differences.

Both are measured at the network's exact values: a float32 network is upcast to float64 first, so the
only error left is the reference's own rounding in its dtype, which the tolerance allows for.
"""

import numpy as np
import torch
from hypothesis import assume, given
from strategies import (
    Network,
    finite_difference_step,
    finite_difference_tolerance,
    networks,
    rounding_tolerance,
    seeds,
    value_scale,
)

from mnist_ref import Grads, Params, backward, forward, loss

COORDINATES_PER_PARAMETER = 2
RANDOM_DIRECTIONS = 3


def torch_loss_and_gradients(network: Network) -> tuple[float, Grads]:
    """Mean cross-entropy and its gradients from PyTorch autograd, computed in float64."""
    leaves = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for name, value in network.params.items()
    }
    X = torch.tensor(network.X, dtype=torch.float64)
    Z2 = leaves["W2"] @ torch.relu(leaves["W1"] @ X + leaves["b1"]) + leaves["b2"]
    mean_loss = torch.nn.functional.cross_entropy(Z2.T, torch.tensor(network.y))
    mean_loss.backward()
    return mean_loss.item(), {"d" + name: leaf.grad.numpy() for name, leaf in leaves.items()}


def reference_gradients(network: Network) -> Grads:
    """backward of the reference at the network's parameters, on its own batch."""
    return backward(network.params, forward(network.params, network.X), network.X, network.y)


def gradient_tolerance(network: Network) -> float:
    """Rounding the reference may add to a gradient entry, in the network's dtype."""
    A1 = forward(network.params, network.X).A1
    return rounding_tolerance(network.dtype, value_scale(network, A1), network.sizes.reduction_terms)


@given(networks())
def test_loss_matches_torch(network):
    expected, _ = torch_loss_and_gradients(network)
    actual = loss(network.params, network.X, network.y)
    assert abs(actual - expected) <= gradient_tolerance(network)


@given(networks())
def test_gradients_match_torch_autograd(network):
    _, expected = torch_loss_and_gradients(network)
    actual = reference_gradients(network)
    tolerance = gradient_tolerance(network)
    for name, grad in expected.items():
        assert actual[name].shape == grad.shape, name
        assert actual[name].dtype == network.dtype, name
        np.testing.assert_allclose(actual[name], grad, rtol=0, atol=tolerance, err_msg=name)


def coordinate_directions(params: Params, rng: np.random.Generator) -> dict[str, Params]:
    """Unit vectors along randomly chosen single entries, COORDINATES_PER_PARAMETER in every parameter.

    Keyed by the entry they move, e.g. ``"b1[2]"`` (flat index).
    """
    directions = {}
    for name, param in params.items():
        for flat_index in rng.integers(0, param.size, COORDINATES_PER_PARAMETER):
            direction = {other: np.zeros(value.shape) for other, value in params.items()}
            direction[name].flat[flat_index] = 1.0
            directions[f"{name}[{flat_index}]"] = direction
    return directions


def random_directions(params: Params, rng: np.random.Generator) -> dict[str, Params]:
    """RANDOM_DIRECTIONS Gaussian directions through all parameters at once, of unit Euclidean norm."""
    directions = {}
    for number in range(RANDOM_DIRECTIONS):
        direction = {name: rng.standard_normal(param.shape) for name, param in params.items()}
        norm = np.sqrt(sum(float((value**2).sum()) for value in direction.values()))
        directions[f"random direction {number}"] = {name: value / norm for name, value in direction.items()}
    return directions


def crosses_relu_kink(params: Params, X: np.ndarray, direction: Params, step: float) -> bool:
    """Whether moving the parameters by ±step * direction changes the sign of some Z1 entry.

    Z1 = W1 @ X + b1 is linear in W1 and b1, so it moves by exactly step * (dW1 @ X + db1).
    """
    Z1 = forward(params, X).Z1
    movement = step * np.abs(direction["W1"] @ X + direction["b1"])
    return bool(np.any(np.abs(Z1) <= movement))


def central_difference(params: Params, X: np.ndarray, y: np.ndarray, direction: Params, step: float) -> float:
    """(loss(params + step * direction) - loss(params - step * direction)) / (2 * step), all in float64."""
    ahead = {name: params[name] + step * direction[name] for name in params}
    behind = {name: params[name] - step * direction[name] for name in params}
    return (loss(ahead, X, y) - loss(behind, X, y)) / (2 * step)


@given(networks(), seeds)
def test_gradients_match_central_differences(network, direction_seed):
    params = {name: value.astype(np.float64) for name, value in network.params.items()}
    X = network.X.astype(np.float64)
    rng = np.random.default_rng(direction_seed)
    directions = coordinate_directions(params, rng) | random_directions(params, rng)
    step = finite_difference_step()
    assume(not any(crosses_relu_kink(params, X, direction, step) for direction in directions.values()))

    grads = reference_gradients(network)
    for name, param in params.items():
        assert grads["d" + name].shape == param.shape, name
    magnitude = value_scale(network, forward(params, X).A1)
    difference_error = finite_difference_tolerance(magnitude * (1 + loss(params, X, network.y)))
    entry_error = gradient_tolerance(network)
    for label, direction in directions.items():
        slope = sum(float(np.vdot(grads["d" + name], value)) for name, value in direction.items())
        rounding_error = entry_error * sum(float(np.abs(value).sum()) for value in direction.values())
        measured = central_difference(params, X, network.y, direction, step)
        assert abs(slope - measured) <= difference_error + rounding_error, f"along {label}"
