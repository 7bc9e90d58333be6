"""Seeded, class-stratified splits of a labelled set."""

from __future__ import annotations

import math

import numpy as np


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays ``(rest, held_out)`` that hold out ``fraction`` of every class.

    ``labels`` is (m,). The held-out set has round(fraction * m) indices, and each class
    contributes its share fraction * count rounded down or up (largest remainders get
    the extra ones), so class proportions survive even when a file is sorted by class.
    Both index arrays come in a seeded random order; the same labels, fraction and seed
    always give the same split.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D of shape (m,), got shape {labels.shape}")
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must be in [0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    held_counts = held_out_counts(counts, fraction)
    rest_parts, held_parts = [], []
    for label, n_held in zip(classes, held_counts, strict=True):
        members = rng.permutation(np.flatnonzero(labels == label))
        held_parts.append(members[:n_held])
        rest_parts.append(members[n_held:])
    no_indices = np.empty(0, dtype=np.int64)
    rest = rng.permutation(np.concatenate([no_indices, *rest_parts]))
    held_out = rng.permutation(np.concatenate([no_indices, *held_parts]))
    return rest, held_out


def held_out_counts(class_counts: np.ndarray, fraction: float) -> np.ndarray:
    """How many of each class to hold out: floor(fraction * count), plus one for the classes with
    the largest remainders until the total is round(fraction * total count) (halves round up)."""
    quotas = fraction * np.asarray(class_counts, dtype=np.float64)
    counts = np.floor(quotas).astype(np.int64)
    total = math.floor(fraction * int(np.sum(class_counts)) + 0.5)
    extra = total - int(counts.sum())
    largest_remainders = np.argsort(-(quotas - counts), kind="stable")[:extra]
    counts[largest_remainders] += 1
    return counts
