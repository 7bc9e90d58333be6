"""Small student targets for the adapter tests: written to files, loaded as the harness loads them."""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import mnist_ref
from conformance.loading import load_target


def problem(hidden: int = 3, batch: int = 4, seed: int = 0) -> types.SimpleNamespace:
    """Reference params, X (784, batch), labels y and the forward cache of a small network."""
    rng = np.random.default_rng(seed)
    params = mnist_ref.init_params(784, hidden, 10, seed=rng)
    params["b1"] = rng.uniform(-0.1, 0.1, (hidden, 1))
    params["b2"] = rng.uniform(-0.1, 0.1, (10, 1))
    X = rng.uniform(0, 1, (784, batch))
    y = rng.integers(0, 10, batch)
    return types.SimpleNamespace(params=params, X=X, y=y, cache=mnist_ref.forward(params, X))


def source_loader(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., types.ModuleType]:
    """load(source, name) -> the module built from ``source`` as the harness builds it (no top-level code)."""
    monkeypatch.setattr(sys, "path", list(sys.path))

    def load_source(source: str, name: str = "student") -> types.ModuleType:
        path = directory / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        return load_target(str(path))

    return load_source
