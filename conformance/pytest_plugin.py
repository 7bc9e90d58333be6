"""A pytest plugin: ``pytest --mnist-impl TARGET`` runs the conformance checks as test items.

One item per check, named like ``test_mnist_impl[db2.shape]``, so ``-k``, ``-x``, ``--junitxml``
and pytest-xdist work as for any test. A failed check fails its item with the diagnosis and
the message (no traceback of the harness); a skipped check is a skip; a check whose call into
the target raised, hung or crashed fails with "errored".

Registered through the ``pytest11`` entry point, so it is loaded in every pytest run: without
``--mnist-impl`` it adds nothing, and it imports the harness (NumPy, hypothesis) only when the
option is given. The target runs in one sandbox per pytest process, started by the first item
that needs it and closed when the session ends.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.checks.base import Check, Context
    from conformance.report.model import CheckResult

COLLECTOR_NAME = "mnist_impl"


def item_name(check_id: str) -> str:
    """The test item of a check: "db2.shape" -> "test_mnist_impl[db2.shape]"."""
    return f"test_mnist_impl[{check_id}]"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mnist-ref", "conformance checks of a two-layer MNIST network (mnist-ref)")
    group.addoption(
        "--mnist-impl",
        metavar="TARGET",
        help="check this .py file or importable module, one test item per check "
        "(without this option the plugin does nothing)",
    )
    group.addoption(
        "--mnist-seed",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the generated inputs, as `mnist-ref check --seed` (default: 0)",
    )
    group.addoption(
        "--mnist-dtype",
        choices=("float64", "float32"),
        default="float64",
        help="dtype of the arrays fed to the target (default: float64)",
    )


class TargetSession:
    """The target's sandbox and check context, shared by every item of one pytest process."""

    def __init__(self, target: str, seed: int, dtype: str):
        self.target = target
        self.seed = seed
        self.dtype = dtype
        self._processes = ExitStack()
        self._context: Context | None = None
        self._start_error: Exception | None = None

    def context(self) -> Context:
        """The check context, loading the target at the first call; TargetLoadError if it cannot be loaded.

        A target that failed to load is not loaded again: every later item gets the same error.
        """
        if self._start_error is not None:
            raise self._start_error
        if self._context is None:
            try:
                self._context = self._start()
            except Exception as exc:
                self.close()
                self._start_error = exc
                raise
        return self._context

    def _start(self) -> Context:
        """Load the target and start the autograd helper, as ``conformance.runner.run_checks`` does."""
        from conformance.runner import checking

        context, _mapping = self._processes.enter_context(
            checking(self.target, seed=self.seed, dtype=self.dtype)
        )
        return context

    def close(self) -> None:
        """Stop the target's sandbox and the autograd helper."""
        self._processes.close()
        self._context = None


SESSION_KEY = pytest.StashKey[TargetSession]()


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("mnist_impl")
    if target is not None:
        seed, dtype = config.getoption("mnist_seed"), config.getoption("mnist_dtype")
        config.stash[SESSION_KEY] = TargetSession(target, seed, dtype)


def pytest_report_header(config: pytest.Config) -> str | None:
    session = config.stash.get(SESSION_KEY, None)
    if session is None:
        return None
    return f"mnist-ref: checking {session.target} (seed {session.seed}, {session.dtype})"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """Add the checks to what the session collects, so they are reported, selected and run like tests."""
    report = yield
    target_session = collector.config.stash.get(SESSION_KEY, None)
    if isinstance(collector, pytest.Session) and target_session is not None and report.passed:
        target_path = Path(target_session.target).resolve()
        report.result.append(
            ImplementationChecks.from_parent(
                collector,
                name=COLLECTOR_NAME,
                nodeid=COLLECTOR_NAME,
                path=target_path if target_path.is_file() else collector.path,  # where reports point
            )
        )
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    target_session = session.config.stash.get(SESSION_KEY, None)
    if target_session is not None:
        target_session.close()


class ImplementationChecks(pytest.Collector):
    """Every registered check of the harness, as items."""

    def collect(self) -> list[pytest.Item]:
        from conformance.checks import ALL_CHECKS

        return [CheckItem.from_parent(self, name=item_name(check.id), check=check) for check in ALL_CHECKS]


class CheckDidNotPass(Exception):
    """A check failed or errored; carries its result for ``CheckItem.repr_failure``."""

    def __init__(self, result: CheckResult):
        super().__init__(result.message)
        self.result = result


class CheckItem(pytest.Item):
    """One check (e.g. "db2.shape") run against the session's target."""

    def __init__(self, *, check: Check, **kwargs: Any):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        result = self.check.result(self.config.stash[SESSION_KEY].context())
        if result.status == "skip":
            pytest.skip(result.message)
        if result.status != "pass":
            raise CheckDidNotPass(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The check's diagnosis, message and smallest failing input, or why the target cannot be loaded."""
        from conformance.report.summary import problem_lines
        from conformance.sandbox.protocol import TargetLoadError

        if isinstance(excinfo.value, CheckDidNotPass):
            return "\n".join(problem_lines(excinfo.value.result))
        if isinstance(excinfo.value, TargetLoadError):
            return f"cannot load the target: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name
