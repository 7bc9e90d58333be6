"""How far a result may be from the exact (float64) answer and still be right.

A fixed per-element relative error is the wrong test for a neural network. Most
gradient entries of an MNIST network are tiny (a weight that only sees a pixel
that is almost always 0), and the rounding error of an entry does not scale with
the entry itself: it scales with the numbers that were summed to make it. So the
allowed error is absolute, the same for every entry of an array::

    atol = SAFETY * eps(dtype) * max|expected| * sqrt(terms) + floor

- ``eps(dtype)`` is the precision the target computed in: 2.2e-16 for float64,
  1.2e-7 for float32, so a correct float32 implementation passes.
- ``max|expected|`` is the scale of the array: every entry is accurate to a few
  ulps of the largest one, never to a few ulps of itself.
- ``sqrt(terms)``: an entry that sums ``terms`` rounded numbers (the batch for a
  gradient, the inputs for a pre-activation) carries a random-walk error.
- ``SAFETY``: over 300 random 784-h-10 networks (h up to 128, m up to 1000, both
  init schemes) the float32 reference's errors stayed below 9 in these units for the
  gradients and 13 for softmax outputs of large logits; 32 leaves room for other,
  equally correct orders of computation.
- ``floor``: any noise the caller knows about; never below the smallest normal
  number, so an all-zero expected array still has a tolerance.

A real mistake (a missing 1/m, a transposed matrix, a wrong sign) is wrong by a
fraction of the array's scale, many orders of magnitude above this tolerance.
"""

from __future__ import annotations

import math

import numpy as np

SAFETY = 32.0
"""Multiple of the unit roundoff a correct implementation may be off by."""

STABILISER = 1e-7
"""The largest change a numerical safeguard may make to a probability: a softmax written as
e / (sum(e) + 1e-8), or probabilities clipped to [1e-8, 1]. Accepted in softmax and carried into
the gradients, where it moves an entry by at most this times the entry's scale."""

PROJECTION_SIGMAS = 5.0
"""Standard deviations allowed for rounding noise projected onto a random direction."""


def coarsest_float(*dtypes: np.dtype | type | str) -> np.dtype:
    """The least precise floating dtype among ``dtypes``; non-float dtypes (ints, bools) are ignored.

    A float64 input computed in float32 by the target has float32 precision: compare
    with the coarser of the dtype that was given and the dtype that came back.
    """
    floats = [np.dtype(d) for d in dtypes if np.issubdtype(np.dtype(d), np.floating)]
    if not floats:
        return np.dtype(np.float64)
    return max(floats, key=lambda d: np.finfo(d).eps)


def absolute_tolerance(
    expected: np.ndarray | float, dtype: np.dtype | type | str, *, terms: int = 1, floor: float = 0.0
) -> float:
    """The largest absolute error allowed in any entry of a result that should equal ``expected``.

    ``expected`` is the exact answer (any shape), ``dtype`` the floating dtype the target
    computed in, ``terms`` how many rounded numbers were summed into one entry.
    """
    info = np.finfo(coarsest_float(dtype))
    scale = float(np.max(np.abs(expected), initial=0.0))
    noise = SAFETY * float(info.eps) * scale * math.sqrt(max(terms, 1))
    return noise + max(floor, float(info.smallest_normal))


def gradient_floor(
    name: str,
    params: dict[str, np.ndarray],
    X: np.ndarray,
    A1: np.ndarray,
    dZ2: np.ndarray,
    dtype: np.dtype | type | str,
) -> float:
    """The rounding noise a gradient carries from cancellations its own value does not show.

    dZ2 = A2 - Y: A2 and Y are of size 1 while their difference can be tiny (a confident, right
    network), so each dZ2 entry is off by a few ulps of 1. A1 = relu(W1 X + b1): the sum can cancel
    to far below its terms, so A1 is off by a few ulps of their random-walk size,
    sqrt(W1**2 @ X**2 + b1**2). Carried through the
    products, these set a floor for ``name`` ("dW1", "db1", "dW2", "db2") that ``max|expected|``
    alone misses; a softmax safeguard (STABILISER) moves dZ2 by as much again, carried the same way.
    Shapes in column layout: params, X (784, m), A1 (h, m), dZ2 (10, m).
    """
    m = X.shape[1]
    back = float(np.max(np.abs(params["W2"]).sum(axis=0), initial=0.0))  # |W2^T dZ2| per unit of |dZ2|
    pre_activation = float(np.max(np.sqrt(params["W1"] ** 2 @ X**2 + params["b1"] ** 2), initial=0.0))
    largest_dZ2 = float(np.max(np.abs(dZ2), initial=0.0))
    scales = {
        "db2": 1.0,
        "dW2": max(float(np.max(np.abs(A1), initial=0.0)), largest_dZ2 * pre_activation),
        "db1": back,
        "dW1": back * float(np.max(np.abs(X), initial=0.0)),
    }
    return absolute_tolerance(np.array(scales[name]), dtype, terms=m) + STABILISER * scales[name]


def projection_tolerance(
    claimed: np.ndarray, direction: np.ndarray, dtype: np.dtype | type | str, *, terms: int = 1
) -> float:
    """The error allowed in ``<claimed, direction>`` when each entry of ``claimed`` may carry rounding noise.

    ``claimed`` and ``direction`` have the same shape. Each entry may be off by
    ``absolute_tolerance(claimed)``; the errors are not aligned with a random direction, so
    their projection grows like ``||direction||_2`` (PROJECTION_SIGMAS standard deviations),
    not like the worst case ``||direction||_1``. For a single coordinate this is the entry's
    own tolerance times PROJECTION_SIGMAS.
    """
    entry = absolute_tolerance(claimed, dtype, terms=terms)
    return PROJECTION_SIGMAS * entry * float(np.linalg.norm(direction))
