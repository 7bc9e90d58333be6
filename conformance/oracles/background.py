"""The autograd oracle in a process of its own, so that the second torch takes to import is not waited for.

`mnist-ref check` must answer in about two seconds, and importing torch alone takes one.
Here torch is imported by a helper process (the same sandbox machinery that runs targets,
running conformance/oracles/autograd.py) while the checks that do not need it run.
"""

from __future__ import annotations

import types

import numpy as np

from conformance.oracles import autograd
from conformance.sandbox import Sandbox

TORCH_IMPORT_SECONDS = 120.0  # a slow disk on a first import; never hit in practice
TORCH_MEMORY_MB = 16384  # torch maps a lot of virtual memory while importing


def serve(module: types.ModuleType) -> types.ModuleType:
    """Adapter factory for the helper process: import torch now, then serve the module's functions."""
    module.available()
    return module


class BackgroundAutograd:
    """``available()``, ``gradients()`` and ``network_gradients()`` of conformance.oracles.autograd, computed
    in a helper process."""

    def __init__(self) -> None:
        self._sandbox = Sandbox(
            autograd.__file__,
            adapter=f"{__name__}:serve",
            timeout=TORCH_IMPORT_SECONDS,
            memory_mb=TORCH_MEMORY_MB,
            load_timeout=TORCH_IMPORT_SECONDS,
            trusted=True,
        )
        self._available: bool | None = None

    def start(self) -> None:
        """Start the helper process; torch starts importing at once."""
        self._sandbox.start()

    def available(self) -> bool:
        """True when torch imported in the helper process (waits for the import the first time)."""
        if self._available is None:
            outcome = self._sandbox.call("available")
            self._available = outcome.failure is None and bool(outcome.value)
        return self._available

    def gradients(self, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """dW1, db1, dW2, db2 by torch autograd in float64 (see autograd.gradients)."""
        outcome = self._sandbox.call("gradients", params, X, y)
        if outcome.failure is not None:
            raise RuntimeError(f"the autograd oracle failed: {outcome.failure.message}")
        return outcome.value

    def network_gradients(
        self, table: dict, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """(loss, gradients) of a network of the family by torch autograd (see autograd.network_gradients)."""
        outcome = self._sandbox.call("network_gradients", table, params, X, y)
        if outcome.failure is not None:
            raise RuntimeError(f"the autograd oracle failed: {outcome.failure.message}")
        return outcome.value

    def close(self) -> None:
        """Stop the helper process."""
        self._sandbox.close()

    def __enter__(self) -> BackgroundAutograd:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
