"""Run every check against one target and gather the Report."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from conformance.checks import ALL_CHECKS, Check, Context
from conformance.oracles.background import BackgroundAutograd
from conformance.report.model import CheckResult, Report
from conformance.sandbox import Sandbox

TORCH_NOTICE = "PyTorch is not installed: autograd comparisons are skipped (pip install 'mnist-ref[torch]')"


def run_checks(
    target: str,
    *,
    seed: int = 0,
    dtype: str = "float64",
    examples: int = 10,
    timeout: float = 10.0,
    memory_mb: int = 2048,
    on_result: Callable[[CheckResult], None] | None = None,
    checks: list[Check] | None = None,
) -> Report:
    """Check ``target`` (a .py file or a module name) component by component.

    Raises conformance.sandbox.protocol.TargetLoadError when the target cannot be loaded.
    ``on_result`` is called after each check (for progress display).
    """
    # torch imports in a process of its own while the target loads and the first checks run.
    with BackgroundAutograd() as autograd, Sandbox(target, timeout=timeout, memory_mb=memory_mb) as sandbox:
        sandbox.start()
        mapping = sandbox.describe()
        ctx = Context(sandbox, seed=seed, dtype=np.dtype(dtype), examples=examples, autograd=autograd)
        results = []
        for registered in ALL_CHECKS if checks is None else checks:
            result = registered.result(ctx)
            results.append(result)
            if on_result is not None:
                on_result(result)
        torch_available = ctx.torch_available
    notices = [] if torch_available else [TORCH_NOTICE]
    return Report(target, seed, str(np.dtype(dtype)), results, mapping, notices)
