"""Run every check against one target and gather the Report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from conformance.checks import ALL_CHECKS, Check, Context, network, network_probe
from conformance.oracles.background import BackgroundAutograd
from conformance.report.model import CheckResult, Report
from conformance.report.verdicts import DEFAULT_REQUIRED
from conformance.sandbox import Sandbox
from conformance.sandbox.confine import LANDLOCK
from conformance.sandbox.imports import allowed_in
from conformance.sandbox.protocol import TargetLoadError
from mnist_ref.spec import CLASSIC, NetworkSpec

PER_SAMPLE_NOTICE = (
    "the target's own code calls its {operation} one sample at a time: it is checked on single samples"
)
FLOAT32_NOTICE = "the target's code casts to float32: its results are judged with float32 tolerances"
TORCH_NOTICE = "PyTorch is not installed: autograd comparisons are skipped (pip install 'mnist-ref[torch]')"
ISOLATION_NOTICE = (
    "isolation: process only (this system offers no Landlock: the target ran with your user's rights, "
    "able to read and write your files; see the README's isolation section)"
)


class AutogradOracle(Protocol):
    """What the gradient checks ask of the autograd oracle (see conformance.oracles.autograd)."""

    def available(self) -> bool: ...

    def gradients(
        self, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
    ) -> dict[str, np.ndarray]: ...


@contextmanager
def checking(
    target: str,
    *,
    seed: int = 0,
    dtype: str = "float64",
    examples: int = 10,
    timeout: float = 10.0,
    memory_mb: int = 2048,
    config: str | None = None,
    autograd: AutogradOracle | None = None,
    sandbox: Sandbox | None = None,
    submission_timeout: float | None = None,
    spec: NetworkSpec = CLASSIC,
    allowed_imports: tuple[str, ...] = (),
) -> Iterator[tuple[Context, dict]]:
    """The target loaded in its sandbox, ready for checks: (the checks' Context, the target's mapping).

    Raises conformance.sandbox.protocol.TargetLoadError when the target cannot be loaded.
    ``config`` is a mapping file (conformance.mapping) fixing what auto-detection gets wrong.
    ``autograd`` is the oracle to use, such as the module conformance.oracles.autograd in a
    process that keeps torch imported across many runs; by default a BackgroundAutograd
    imports torch in a process of its own while the target loads and the first checks run.
    ``sandbox`` is the target's Sandbox when the caller has made it already (`mnist-ref check`
    starts it first thing, so that the target loads while the harness is imported); by default
    one is made here with ``timeout``, ``memory_mb`` and ``config``. An oracle or a sandbox
    given is not closed here: its owner closes it. ``submission_timeout`` caps the seconds the
    checks may spend calling the target, loading included; past it, the rest end as timeouts.
    ``spec`` is the network checked (conformance.checks.network), the classic one by default.
    ``allowed_imports`` are packages the target may import besides the standard library and NumPy
    (and those the mapping file allows).
    """
    if sandbox is None:
        allowed_imports = (*allowed_imports, *allowed_by_mapping(config))
    box = (
        Sandbox(target, timeout=timeout, memory_mb=memory_mb, config=config, allowed_imports=allowed_imports)
        if sandbox is None
        else nullcontext(sandbox)
    )
    oracle = BackgroundAutograd() if autograd is None else nullcontext(autograd)
    with oracle as autograd, box as sandbox:
        started = time.monotonic()
        sandbox.start()
        mapping = sandbox.describe()
        yield (
            Context(
                sandbox,
                seed=seed,
                dtype=np.dtype(dtype),
                examples=examples,
                autograd=autograd,
                per_sample=frozenset(mapping.get("per_sample", ())),
                computes_in=np.dtype(mapping.get("computes_in") or "float64"),
                trains_in_batches=bool(mapping.get("trains_in_batches")),
                deadline=None if submission_timeout is None else started + submission_timeout,
                spec=spec,
            ),
            mapping,
        )


def run_checks(
    target: str,
    *,
    seed: int = 0,
    dtype: str = "float64",
    on_result: Callable[[CheckResult], None] | None = None,
    checks: list[Check] | None = None,
    required: tuple[str, ...] | None = None,
    spec: NetworkSpec = CLASSIC,
    **options: Any,
) -> Report:
    """Check ``target`` (a .py file, a notebook or a module name) component by component.

    ``options`` are those of :func:`checking` (examples, timeout, memory_mb, config, autograd, sandbox).
    Raises conformance.sandbox.protocol.TargetLoadError when the target cannot be loaded.
    ``on_result`` is called after each check (for progress display). ``required`` are the components
    a PASS needs (by default those of the network: forward, every gradient and the update). ``spec`` is
    the network checked: the classic one (of any hidden width) gets the two-layer checks, any other
    network of the family those of conformance.checks.network.

    While the checks run, NumPy computes with a single BLAS thread here, as in the target's process:
    the arrays are small, and idle BLAS threads spin, taking ~0.2 s of CPU that the child processes
    (the target's, and torch importing) need.
    """
    if checks is None:
        checks = ALL_CHECKS if network.is_classic(spec) else network.network_checks(spec)
    if required is None:
        required = DEFAULT_REQUIRED if network.is_classic(spec) else network.required(spec)
    with (
        checking(target, seed=seed, dtype=dtype, spec=spec, **options) as (ctx, mapping),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        selected = [c for c in checks if c.applies_to(mapping)]
        results, durations = {}, {}
        # Checks that need PyTorch run last, while it finishes importing; they are reported in place.
        for registered in sorted(selected, key=lambda registered: registered.needs_torch):
            started = time.perf_counter()
            results[registered.id] = registered.result(ctx)
            durations[registered.id] = time.perf_counter() - started
            if on_result is not None:
                on_result(results[registered.id])
        torch_available = ctx.torch_available
        confined = ctx.sandbox.isolation == LANDLOCK
        if not network.is_classic(spec):
            mapping = network.family_mapping(ctx, mapping)
        found = network_found(ctx)
        if found is not None:
            mapping["network"] = found
    notices = [network_notice(mapping["network"])] if "network" in mapping else []
    notices += [f"import failed: {line}" for line in mapping.get("failed_imports", [])]
    notices += [PER_SAMPLE_NOTICE.format(operation=operation) for operation in mapping.get("per_sample", [])]
    if mapping.get("computes_in"):
        notices.append(FLOAT32_NOTICE)
    notices += ([] if torch_available else [TORCH_NOTICE]) + ([] if confined else [ISOLATION_NOTICE])
    ordered = [results[registered.id] for registered in selected]
    return Report(
        target, seed, str(np.dtype(dtype)), ordered, mapping, notices, durations=durations, required=required
    )


def allowed_by_mapping(config: str | None) -> tuple[str, ...]:
    """The mapping file's ``allowed_imports``; TargetLoadError for a wrong list."""
    try:
        return allowed_in(config)
    except ValueError as error:
        raise TargetLoadError(str(error)) from None


def network_found(ctx: Context) -> dict[str, Any] | None:
    """The network checked and the one the target was found to compute (None when probing found none);
    None for the classic network when the target was found to be it, or not found at all."""
    recognition = ctx.memo.get("network")
    found = None if recognition is None or recognition.found is None else recognition.found
    if network.is_classic(ctx.spec) and (
        found is None or not network_probe.differences(found, ctx.spec, recognition.l2_parameter)
    ):
        return None
    return {"checked": ctx.spec.describe(), "found": None if found is None else recognition.describe()}


def network_notice(network: dict[str, Any]) -> str:
    """E.g. "network: checked as 784-128-10, relu hidden, ...; found 784-64-10, tanh hidden, ..."."""
    found = network["found"]
    return f"network: checked as {network['checked']}" + ("" if found is None else f"; found {found}")


def describe_target(
    target: str, *, config: str | None = None, timeout: float = 10.0, memory_mb: int = 2048
) -> dict:
    """What the adapter finds in ``target`` (its describe(), with the found mapping), without any check.

    Raises TargetLoadError when the target cannot be loaded.
    """
    allowed = allowed_by_mapping(config)
    with Sandbox(
        target, timeout=timeout, memory_mb=memory_mb, config=config, allowed_imports=allowed
    ) as sandbox:
        return sandbox.describe()
