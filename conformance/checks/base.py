"""What every check needs: the registry, the context it runs in, and the ways it can end.

A check is a function ``(ctx) -> None`` registered with ``@check(id, component)``.
It passes by returning; it ends otherwise by raising:

- ``CheckFailed(diagnosis, message, details)``: the target gave a wrong answer;
- ``TargetRaised(failure)``: the target raised, hung, crashed, exited or flooded output;
- ``Skipped(reason)``: the check cannot run (component not provided, torch missing...).

Properties over many inputs go through ``ctx.for_all(strategy, body)``, which runs
hypothesis and reports the smallest failing input it finds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

import hypothesis
import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Flaky

from conformance.diagnose import DEPENDS_ON_GLOBAL_STATE, FAILURE_DIAGNOSES
from conformance.oracles.background import BackgroundAutograd
from conformance.report.model import CheckResult
from conformance.sandbox import Sandbox
from conformance.sandbox.protocol import Failure, Outcome
from conformance.strategies import Problem, problems
from conformance.tolerance import coarsest_float
from mnist_ref.spec import CLASSIC, NetworkSpec

FLOAT64 = np.dtype(np.float64)


class CheckFailed(Exception):
    """The target's answer is wrong; ``diagnosis`` is one of the codes in conformance.diagnose."""

    def __init__(self, diagnosis: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.diagnosis = diagnosis
        self.message = message
        self.details = details or {}


class TargetRaised(Exception):
    """The target did not return normally (exception, timeout, crash, exit, memory, output flood)."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


class Skipped(Exception):
    """The check cannot run; the reason is shown to the user, ``details`` what it saw all the same."""

    def __init__(self, reason: str, details: dict[str, Any] | None = None):
        super().__init__(reason)
        self.details = details or {}


OUT_OF_TIME = "not called: the submission used up its time (--submission-timeout) in earlier checks"

# Failures after which calling the target again for the same check only wastes time.
STOP_EXPLORING = ("timeout", "crash", "exit", "memory", "disk", "output_flood", "not_provided")


@dataclass
class Context:
    """What a check runs with: the sandboxed target and the run's settings."""

    sandbox: Sandbox
    seed: int = 0
    dtype: np.dtype = FLOAT64
    examples: int = 10
    autograd: BackgroundAutograd | None = None  # None: compare with the reference and finite differences only
    per_sample: frozenset[str] = frozenset()  # operations the target's own code calls one sample at a time
    computes_in: np.dtype = FLOAT64  # the precision the target's code computes in (float32 when it casts)
    trains_in_batches: bool = False  # its training loop steps on mini-batches or samples, not the batch
    deadline: float | None = None  # time.monotonic() after which the target is not called any more
    spec: NetworkSpec = CLASSIC  # the network checked (conformance.checks.network)

    @property
    def precision(self) -> np.dtype:
        """The dtype whose tolerance judges the target: the coarser of the inputs' and the target's own."""
        return coarsest_float(self.dtype, self.computes_in)

    memo: dict[Any, Any] = field(default_factory=dict)  # shared by checks: target Outcomes, oracle results
    hung: dict[str, Outcome] = field(default_factory=dict)  # operation -> its first timeout

    def problems(self, operation: str, **bounds: int) -> Any:
        """The problems to check ``operation`` on (``strategies.problems(**bounds)``): batches of one for an
        operation the target's own code calls one sample at a time (a sum over a batch is then right)."""
        if operation in self.per_sample:
            bounds = {**bounds, "min_batch": 1, "max_batch": 1}
        return problems(**bounds)

    def sized(self, operation: str, problem: Problem) -> Problem:
        """``problem``, with a batch of one for an operation the target's own code calls sample by sample."""
        return Problem(problem.hidden, 1, problem.seed) if operation in self.per_sample else problem

    def _sandbox_call(self, op: str, *args: Any) -> Outcome:
        """One call into the child; an operation that hung once is not waited for again, and none is
        made once the submission's time (``deadline``) is up."""
        if op in self.hung:
            return self.hung[op]
        if self.deadline is not None and time.monotonic() > self.deadline:
            return Outcome(failure=Failure("timeout", OUT_OF_TIME))
        outcome = self.sandbox.call(op, *args)
        if outcome.failure is not None and outcome.failure.kind == "timeout":
            self.hung[op] = outcome
        return outcome

    @property
    def torch_available(self) -> bool:
        """Whether the autograd oracle can be used (waits for torch to import the first time)."""
        return self.autograd is not None and self.autograd.available()

    def call_outcome(self, op: str, *args: Any, memo_key: Any = None) -> Outcome:
        """Call adapter operation ``op`` in the child; raise Skipped / TargetRaised unless it returned.

        Calls given the same ``memo_key`` are made once (several checks share one backward pass), and
        after a timeout the same operation fails at once: a hang costs its time limit once, not per check.
        """
        if memo_key is None:
            outcome = self._sandbox_call(op, *args)
        elif memo_key in self.memo:
            outcome = self.memo[memo_key]
        else:
            outcome = self.memo[memo_key] = self._sandbox_call(op, *args)
        if outcome.failure is None:
            return outcome
        if outcome.failure.kind == "not_provided":
            raise Skipped(outcome.failure.message)
        raise TargetRaised(outcome.failure)

    def call(self, op: str, *args: Any, memo_key: Any = None) -> Any:
        """The value that adapter operation ``op`` returned (see call_outcome)."""
        return self.call_outcome(op, *args, memo_key=memo_key).value

    def for_all(self, strategy: Any, body: Callable[[Any], None], examples: int | None = None) -> None:
        """Run ``body`` on inputs drawn from ``strategy``; re-raise the failure of the smallest failing input.

        The exception raised carries that input as ``exc.example``. After a hang or a crash the
        remaining examples fail at once with the same error instead of calling the target again.
        """
        stopped: list[Exception] = []

        def property_(example: Any) -> None:
            if stopped:
                raise stopped[0]
            try:
                body(example)
            except (CheckFailed, TargetRaised, Skipped) as exc:
                if not hasattr(exc, "example"):
                    exc.example = example
                if isinstance(exc, Skipped) or (
                    isinstance(exc, TargetRaised) and exc.failure.kind in STOP_EXPLORING
                ):
                    stopped.append(exc)
                raise

        run = settings(
            max_examples=examples or self.examples,
            database=None,
            deadline=None,
            derandomize=False,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            verbosity=Verbosity.quiet,
        )(hypothesis.seed(self.seed)(given(strategy)(property_)))
        try:
            run()
        except Flaky as exc:
            raise CheckFailed(
                "mismatch",
                "the result changes between identical calls (hidden state or randomness?)",
                {"hypothesis": str(exc).splitlines()[0]},
            ) from exc


@dataclass(frozen=True)
class Check:
    """One registered check: ``id`` like "db2.shape", its component, a one-line description.

    ``needs_torch`` checks wait for PyTorch to import; the runner runs them last. ``side`` checks
    probe a side property (globals read, inputs untouched): they can fail a component, and never
    make it pass on their own (conformance.report.verdicts). A check with ``only_when`` runs only for
    targets whose adapter description (``describe()``) has that key set, e.g. "update_within".
    """

    id: str
    component: str
    description: str
    run: Callable[[Context], None]
    needs_torch: bool = False
    side: bool = False
    only_when: str | None = None

    def applies_to(self, description: Mapping[str, Any]) -> bool:
        """Whether the check runs for a target the adapter describes so."""
        return self.only_when is None or bool(description.get(self.only_when))

    def result(self, ctx: Context) -> CheckResult:
        """Run the check and turn how it ended into a CheckResult."""
        try:
            self.run(ctx)
        except CheckFailed as exc:
            return self._result("fail", exc.diagnosis, exc.message, exc.details, exc)
        except TargetRaised as exc:
            return self._result(*_describe_failure(exc.failure), {"detail": exc.failure.detail}, exc)
        except Skipped as exc:
            return self._result("skip", None, str(exc), exc.details, exc)
        return CheckResult(self.id, self.component, "pass", None, self.description, side=self.side)

    def _result(
        self, status: str, diagnosis: str | None, message: str, details: dict, exc: Exception
    ) -> CheckResult:
        example = getattr(exc, "example", None) if status != "skip" else None  # a failing input only
        if is_dataclass(example):
            example = asdict(example)
        return CheckResult(self.id, self.component, status, diagnosis, message, details, example, self.side)


def _describe_failure(failure: Failure) -> tuple[str, str, str]:
    """(status, diagnosis, message) for a target that did not return normally."""
    if failure.missing_name is not None and failure.kind == "exception":
        return "fail", DEPENDS_ON_GLOBAL_STATE, failure.message
    return "error", FAILURE_DIAGNOSES[failure.kind], failure.message


REGISTRY: list[Check] = []


def check(
    check_id: str,
    component: str,
    *,
    needs_torch: bool = False,
    side: bool = False,
    only_when: str | None = None,
) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Register a check function; its docstring's first line is the description shown on success."""

    def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
        description = (function.__doc__ or check_id).strip().splitlines()[0]
        REGISTRY.append(Check(check_id, component, description, function, needs_torch, side, only_when))
        return function

    return register
