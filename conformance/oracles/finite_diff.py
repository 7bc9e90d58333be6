"""Central finite differences of the reference loss: a cheap, kink-safe check of a claimed gradient.

A full finite-difference gradient of a 784-128-10 network costs two loss evaluations
per weight, 200,000 in all. This oracle measures a few projections instead: for each
parameter, the rate of change of the loss along two random directions and at three
coordinates (the largest claimed entry, and entries that can be nonzero: a weight
whose pixel is nonzero in the batch and whose hidden unit fires), each from

    (loss(theta + step * v) - loss(theta - step * v)) / (2 * step)  ~  <gradient, v>

That is about ten evaluations per parameter, so a wrong gradient (scaled by m,
transposed, sign-flipped, one row missing) is caught without rebuilding it.

Kinks. The ReLU has no derivative at 0, so a step that moves a pre-activation
Z1 across 0 measures a mixture of two slopes. Three guards keep that from ever
failing a correct gradient:

1. Entries of Z1 within KINK_MARGIN of 0 are *at* a kink; a probe may not move them,
   so directions and coordinates are drawn only where they leave those entries alone.
2. Z1 is affine in W1 and b1, so the step that reaches the nearest other kink is known
   exactly; the step goes at most KINK_SAFETY of the way there.
3. The ReLU pattern (Z1 > 0) at theta +- step * v is compared with the one at theta;
   if it differs anyway, the step shrinks tenfold (up to MAX_SHRINKS times), then the
   probe is dropped. A parameter left with no probe is reported as not checked.

Steps are measured in logits: a probe moves no logit Z2 by more than STEP, whatever
the scale of the parameter. Within one ReLU pattern the logits are affine in the step,
so the only curvature is the cross-entropy's, and the error of each measurement is
bounded (see ``_measurement_error``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from conformance import diagnose
from conformance.diagnose import Verdict
from conformance.oracles.reference import as_float64
from conformance.tolerance import coarsest_float, projection_tolerance
from mnist_ref import network
from mnist_ref.validation import check_labels

STEP = 1e-4
"""The largest change of any logit Z2 a probe makes."""

KINK_MARGIN = 1e-6
"""Entries of Z1 with |Z1| <= KINK_MARGIN count as sitting on a ReLU kink: no probe moves them."""

KINK_SAFETY = 0.5
"""A step covers at most this fraction of the distance to the nearest ReLU kink."""

MAX_SHRINKS = 3
"""How many times a step is divided by 10 when the ReLU pattern changes anyway."""

LOSS_NOISE = 1e3 * float(np.finfo(np.float64).eps)
"""Rounding error of one float64 loss evaluation, relative to (1 + |loss| + max |Z2|)."""

THIRD_DERIVATIVE = 8.0
"""Bound on the cross-entropy's third derivative along a logit change of at most 1 per entry."""


@dataclass(frozen=True)
class Probe:
    """One measured projection along a direction named ``label`` ("random direction 1", "W1[3, 415]").

    ``finite_difference`` is the loss's measured rate of change, ``claimed`` the claimed
    <gradient, direction>, ``transposed`` <gradient.T, direction> (None unless the gradient
    is square) and ``tolerance`` the difference allowed between the first two.
    """

    label: str
    finite_difference: float
    claimed: float
    transposed: float | None
    tolerance: float


@dataclass(frozen=True)
class ProjectionResult:
    """What finite differences found for one parameter.

    ``evaluations`` counts the loss evaluations spent on this parameter (the one forward
    pass at theta, shared by all parameters, is not counted). ``kinks`` counts the entries
    of Z1 within KINK_MARGIN of 0, which no probe moves: when it is not 0, other inputs
    give a more complete check.
    """

    parameter: str
    probes: tuple[Probe, ...]
    evaluations: int
    kinks: int
    verdict: Verdict


@dataclass(frozen=True)
class _Point:
    """The network at theta: float64 params, X (n_in, m), y (m,) and the forward pass there."""

    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray
    cache: network.ForwardCache

    @property
    def at_kink(self) -> np.ndarray:
        """(h, m) True where Z1 sits on a ReLU kink."""
        return np.abs(self.cache.Z1) <= KINK_MARGIN


def check_gradients(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    claimed: dict[str, Any],
    *,
    rng: np.random.Generator,
    dtype: np.dtype | type | str | None = None,
    directions: int = 2,
    coordinates: int = 3,
) -> dict[str, ProjectionResult]:
    """Check each claimed gradient ("dW1", "db1", "dW2", "db2": any subset) against finite differences.

    ``params`` {"W1" (h, n_in), "b1" (h, 1), "W2" (k, h), "b2" (k, 1)}, X (n_in, m) and labels
    y (m,) define theta; the loss is mnist_ref's mean cross-entropy, in float64. ``dtype``
    is the precision the gradients were computed in (default: the claimed arrays' own).
    Returns one result per claimed gradient, keyed by parameter name ("W1"). A claimed value
    that is not a finite array of the parameter's shape is diagnosed without evaluations.
    Total cost: 1 + the results' ``evaluations``, at most 1 + 4 * 2 * (directions +
    coordinates) * (1 + MAX_SHRINKS).
    """
    for grad_name in claimed:
        if grad_name not in network.GRAD_NAMES:
            raise ValueError(f"claimed gradients must be named {network.GRAD_NAMES}, got {grad_name!r}")
    # Products this small only lose time to BLAS threads waiting for each other.
    with threadpool_limits(limits=1, user_api="blas"):
        point = _point(params, X, y)
        return {
            grad_name[1:]: _check_parameter(point, grad_name[1:], got, rng, dtype, directions, coordinates)
            for grad_name, got in claimed.items()
        }


def _point(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> _Point:
    """theta in float64, with its forward pass; the only place params, X and y are validated."""
    params, X = as_float64(params, X)
    y = check_labels(y, params["W2"].shape[0])
    return _Point(params, X, y, network.forward(params, X))


def _check_parameter(
    point: _Point,
    name: str,
    got: Any,
    rng: np.random.Generator,
    dtype: np.dtype | type | str | None,
    directions: int,
    coordinates: int,
) -> ProjectionResult:
    """Probe parameter ``name`` and compare the claimed gradient ``got`` with what the loss does."""
    grad_name, m = "d" + name, point.X.shape[1]
    kinks = int(point.at_kink.sum())
    invalid = _invalid_claim(grad_name, point.params[name].shape, got, m)
    if invalid is not None:
        return ProjectionResult(name, (), 0, kinks, invalid)
    own_dtype = np.asarray(got).dtype
    precision = coarsest_float(own_dtype, own_dtype if dtype is None else dtype)
    got = np.asarray(got, dtype=np.float64)
    movable, informative = _probe_masks(point, name)
    probes, evaluations = [], 0
    for label, direction in _draw_probes(name, got, movable, informative, rng, directions, coordinates):
        measurement, used = _measure(point, name, direction)
        evaluations += used
        if measurement is not None:
            rate, error = measurement
            transposed = float(np.vdot(got.T, direction)) if _is_square(got.shape) else None
            allowed = projection_tolerance(got, direction, precision, terms=m) + error
            probes.append(Probe(label, rate, float(np.vdot(got, direction)), transposed, allowed))
    return ProjectionResult(name, tuple(probes), evaluations, kinks, _verdict(grad_name, probes, kinks, m))


def _invalid_claim(grad_name: str, shape: tuple[int, ...], got: Any, batch_size: int) -> Verdict | None:
    """Why ``got`` cannot be a gradient of this ``shape`` (not an array, wrong shape, NaN), or None."""
    invalid = diagnose.compare_shape(grad_name, shape, got, batch_size=batch_size)
    if invalid is None and not np.all(np.isfinite(np.asarray(got, dtype=np.float64))):
        return diagnose.nonfinite(grad_name, np.asarray(got))
    return invalid


def _verdict(grad_name: str, probes: list[Probe], kinks: int, batch_size: int) -> Verdict:
    """The verdict of the measured ``probes``; ok but marked unchecked when there are none."""
    if not probes:
        message = (
            f"{grad_name} not checked by finite differences: every probe would cross a ReLU kink "
            f"({kinks} entries of Z1 are within {KINK_MARGIN:g} of 0)"
        )
        return Verdict(True, None, message, {"checked": False, "kinks": kinks})
    square = probes[0].transposed is not None
    return diagnose.compare_projections(
        grad_name,
        [probe.finite_difference for probe in probes],
        [probe.claimed for probe in probes],
        [probe.tolerance for probe in probes],
        probes=[probe.label for probe in probes],
        transposed=[probe.transposed for probe in probes] if square else None,
        batch_size=batch_size,
    )


def _is_square(shape: tuple[int, ...]) -> bool:
    """A 2-D shape whose transpose has the same shape, and more than one entry."""
    return len(shape) == 2 and shape[0] == shape[1] > 1


def _probe_masks(point: _Point, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Two boolean arrays of the parameter's shape: entries a probe may move, entries the loss depends on.

    Moving W1[i, j] moves Z1[i, s] for every sample s with X[j, s] != 0, and b1[i] moves
    all of row i: those entries may not move when any such Z1[i, s] sits on a kink. The
    loss depends on W1[i, j] only if pixel j is nonzero for a sample where unit i fires,
    on W2[:, j] only if hidden unit j fires for some sample.
    """
    shape = point.params[name].shape
    at_kink = point.at_kink
    fires = (point.cache.Z1 > 0) & ~at_kink
    if name == "W1":
        pixels = (point.X != 0).astype(np.float64).T
        return (at_kink.astype(np.float64) @ pixels) == 0, (fires.astype(np.float64) @ pixels) > 0
    if name == "b1":
        return ~at_kink.any(axis=1, keepdims=True), fires.any(axis=1, keepdims=True)
    everywhere = np.ones(shape, dtype=bool)
    if name == "W2":
        return everywhere, np.broadcast_to(fires.any(axis=1), shape)
    return everywhere, everywhere


def _draw_probes(
    name: str,
    got: np.ndarray,
    movable: np.ndarray,
    informative: np.ndarray,
    rng: np.random.Generator,
    directions: int,
    coordinates: int,
) -> list[tuple[str, np.ndarray]]:
    """(label, direction) pairs: random Gaussian directions over the movable entries, then coordinates.

    The first coordinate is the movable entry where the claimed gradient ``got`` (float64,
    the parameter's shape) is largest; the others are random movable entries the loss
    depends on (any movable ones if there are none). ``movable`` and ``informative`` are
    the masks of ``_probe_masks``.
    """
    probes = []
    for number in range(1, directions + 1):
        direction = rng.standard_normal(movable.shape) * movable
        if direction.any():
            probes.append((f"random direction {number}", direction))
    candidates = np.flatnonzero(movable & informative)
    if candidates.size == 0:
        candidates = np.flatnonzero(movable)
    chosen: list[int] = []
    magnitude = np.where(movable, np.abs(got), -1.0)
    if coordinates > 0 and magnitude.max(initial=-1.0) > 0:
        chosen.append(int(np.argmax(magnitude)))
    remaining = np.setdiff1d(candidates, chosen, assume_unique=True)  # both come from flatnonzero
    count = min(coordinates - len(chosen), remaining.size)
    chosen += [int(i) for i in rng.choice(remaining, size=count, replace=False)]
    for flat in chosen:
        index = np.unravel_index(flat, movable.shape)
        direction = np.zeros(movable.shape)
        direction[index] = 1.0
        probes.append((f"{name}[{', '.join(str(int(i)) for i in index)}]", direction))
    return probes


def _measure(point: _Point, name: str, direction: np.ndarray) -> tuple[tuple[float, float] | None, int]:
    """The loss's rate of change along ``direction`` and its error bound, and the evaluations spent.

    The measurement is None when the ReLU pattern kept changing after MAX_SHRINKS shrinks.
    """
    z1_change, z2_change = _linear_change(point, name, direction)
    reach = float(np.abs(z2_change).max(initial=0.0))
    if reach == 0:
        return (0.0, 0.0), 0  # no logit moves: the loss is constant along this direction
    step = STEP / reach
    if z1_change is not None and z1_change.any():
        moving = z1_change != 0
        step = min(step, KINK_SAFETY * float(np.min(np.abs(point.cache.Z1[moving] / z1_change[moving]))))
    evaluations = 0
    for _ in range(MAX_SHRINKS + 1):
        (plus, same_plus), (minus, same_minus) = (
            _loss_at(point, name, sign * step * direction) for sign in (1, -1)
        )
        evaluations += 2
        if same_plus and same_minus:
            rate = (plus - minus) / (2 * step)
            return (rate, _measurement_error(point, step, reach, max(abs(plus), abs(minus)))), evaluations
        step /= 10
    return None, evaluations


def _linear_change(point: _Point, name: str, direction: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """How Z1 (h, m) and Z2 (k, m) change per unit step along ``direction`` (Z1's is None for W2, b2).

    Exact while the ReLU pattern holds: both are affine in every parameter there.
    """
    m = point.X.shape[1]
    if name == "W2":
        return None, direction @ point.cache.A1
    if name == "b2":
        return None, np.repeat(direction, m, axis=1)
    z1_change = direction @ point.X if name == "W1" else np.repeat(direction, m, axis=1)
    return z1_change, point.params["W2"] @ (z1_change * (point.cache.Z1 > 0))


def _loss_at(point: _Point, name: str, change: np.ndarray) -> tuple[float, bool]:
    """The loss with ``change`` added to parameter ``name``, and whether the ReLU pattern is the same."""
    params = dict(point.params, **{name: point.params[name] + change})
    cache = network.forward(params, point.X, validate=False)
    same_pattern = bool(np.array_equal(cache.Z1 > 0, point.cache.Z1 > 0))
    return network.cross_entropy(cache.Z2, point.y, validate=False), same_pattern


def _measurement_error(point: _Point, step: float, reach: float, loss: float) -> float:
    """A bound on |measured rate - true rate| for a central difference of ``step`` along a direction.

    In logit units (t = step * reach, the largest logit change) the truncation error is
    THIRD_DERIVATIVE * t**2 / 6 and the rounding error is the loss's noise divided by t;
    both scale by ``reach`` back to the direction's units.
    """
    t = step * reach
    noise = LOSS_NOISE * (1 + loss + float(np.abs(point.cache.Z2).max()))
    return reach * (THIRD_DERIVATIVE * t**2 / 6 + noise / t)
