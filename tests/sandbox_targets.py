"""A trivial adapter for the sandbox tests: each operation is the target's function of that name."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from conformance.sandbox.protocol import NotProvided


class ForwardingAdapter:
    """``adapter.f(*args)`` calls ``module.f(*args)``; a function the module lacks raises NotProvided."""

    def __init__(self, module: ModuleType):
        self.module = module

    def describe(self) -> dict:
        functions = sorted(name for name, value in vars(self.module).items() if callable(value))
        return {"style": "functional", "functions": functions}

    def __getattr__(self, op: str) -> Any:
        function = getattr(self.module, op, None)
        if function is None:
            raise NotProvided(op, f"the target defines no function {op}")
        return function


def forwarding_adapter(module: ModuleType) -> ForwardingAdapter:
    """The adapter factory the tests pass as ``adapter="sandbox_targets:forwarding_adapter"``."""
    return ForwardingAdapter(module)


def refusing_adapter(module: ModuleType) -> ForwardingAdapter:
    """An adapter factory that finds nothing it can use in the target."""
    raise ValueError("no forward function found")
