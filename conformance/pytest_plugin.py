"""A pytest plugin: ``pytest --mnist-impl TARGET`` runs the conformance checks as test items.

One item per check, named like ``test_mnist_impl[db2.shape]``, so ``-k``, ``-x``, ``--junitxml``
and pytest-xdist work as for any test. A failed check fails its item with the diagnosis and
the message (no traceback of the harness); a skipped check is a skip; a check whose call into
the target raised, hung or crashed fails with "errored".

Then one item per required component, named like ``test_mnist_component[db2]``, carrying the
component's verdict as `mnist-ref check` gives it (conformance.report.verdicts): it passes when
the component was checked and is right, fails when it is wrong, and is an *error* (at setup) when
the component could not be checked, saying why and the one-line fix. So a session passes only
when `mnist-ref check` would say PASSED: a file with nothing to check errors, it does not pass.
A component item runs the checks its verdict needs that this process has not run yet (under
``-k`` or on another xdist worker), so its verdict is the same however the items are spread.

A target file that does not exist, a folder, or a module name that nothing can import is a usage
error (exit status 4), before anything is collected.

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

from conformance.required import DEFAULT_REQUIRED

if TYPE_CHECKING:
    from conformance.checks.base import Check, Context
    from conformance.report.model import CheckResult
    from conformance.report.verdicts import ComponentVerdict
    from mnist_ref.spec import NetworkSpec

COLLECTOR_NAME = "mnist_impl"
TARGET_SUFFIXES = (".py", ".ipynb")


def item_name(check_id: str) -> str:
    """The test item of a check: "db2.shape" -> "test_mnist_impl[db2.shape]"."""
    return f"test_mnist_impl[{check_id}]"


def component_item_name(component: str) -> str:
    """The test item of a required component's verdict: "db2" -> "test_mnist_component[db2]"."""
    return f"test_mnist_component[{component}]"


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
    group.addoption(
        "--mnist-require",
        metavar="COMPONENTS",
        default=None,
        help="comma-separated components that must be checked and right, one test item each "
        f"(default: {','.join(DEFAULT_REQUIRED)}, or the network's forward, gradients and update)",
    )
    group.addoption(
        "--mnist-spec",
        metavar="FILE",
        default=None,
        help="TOML file whose [network] table names the network to check against, as `mnist-ref check"
        " --spec` (default: the classic network)",
    )


class TargetSession:
    """The target's sandbox and check context, shared by every item of one pytest process."""

    def __init__(
        self,
        target: str,
        seed: int,
        dtype: str,
        required: tuple[str, ...] = DEFAULT_REQUIRED,
        spec: NetworkSpec | None = None,
    ):
        self.target = target
        self.seed = seed
        self.dtype = dtype
        self.required = required
        self.spec = spec
        self._processes = ExitStack()
        self._context: Context | None = None
        self._mapping: dict = {}
        self._start_error: Exception | None = None
        self.results: dict[str, CheckResult] = {}
        """The result of every check run in this process, by check id."""

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

        context, self._mapping = self._processes.enter_context(
            checking(self.target, seed=self.seed, dtype=self.dtype, **self._network())
        )
        return context

    def _network(self) -> dict[str, Any]:
        return {} if self.spec is None else {"spec": self.spec}

    def checks(self) -> list[Check]:
        """The checks of the session's network: the classic registry, or those of its spec."""
        from conformance.checks import ALL_CHECKS, network

        return ALL_CHECKS if self.spec is None else network.network_checks(self.spec)

    def result(self, check: Check) -> CheckResult:
        """The result of ``check``, run at the first call (TargetLoadError if the target cannot be loaded)."""
        from conformance.report.model import CheckResult

        if check.id not in self.results:
            context = self.context()
            self.results[check.id] = (
                check.result(context)
                if check.applies_to(self._mapping)
                else CheckResult(
                    check.id, check.component, "skip", None, f"does not apply: no {check.only_when}"
                )
            )
        return self.results[check.id]

    def verdict(self, component: str) -> ComponentVerdict:
        """The verdict on ``component``, as `mnist-ref check` gives it.

        It needs the checks of every component its call produces (the four gradients come from one
        backward): whether that call returned anywhere tells a confirmed reading from a guess.
        """
        from conformance.checks import network
        from conformance.report.verdicts import judge, operation_of

        operation = operation_of(component)
        context = self.context()
        related = [
            check
            for check in self.checks()
            if operation_of(check.component) == operation and check.applies_to(self._mapping)
        ]
        results = [self.result(check) for check in related]
        mapping = self._mapping if self.spec is None else network.family_mapping(context, self._mapping)
        (verdict,) = [v for v in judge(results, mapping, self.required) if v.name == component]
        return verdict

    def close(self) -> None:
        """Stop the target's sandbox and the autograd helper."""
        self._processes.close()
        self._context = None


SESSION_KEY = pytest.StashKey[TargetSession]()


def target_problem(target: str) -> str | None:
    """Why ``--mnist-impl target`` cannot be a target at all, or None.

    A file that does not exist, a folder, or a name that is neither a file nor a module the
    sandbox could find (looked up without importing anything) is a usage error, not one failure
    per check.
    """
    path = Path(target)
    if path.suffix in TARGET_SUFFIXES or path.exists():
        if path.is_dir():
            return f"--mnist-impl {target}: a folder, not a file: give its .py or .ipynb file"
        return None if path.is_file() else f"--mnist-impl {target}: no such file"
    if not all(part.isidentifier() for part in target.split(".")):
        return f"--mnist-impl {target}: no such file, and not a module name"
    from conformance.sandbox.staging import find_top_level

    if find_top_level(target.partition(".")[0]) is None:
        return f"--mnist-impl {target}: no such file, and no importable module of that name"
    return None


def required_components(value: str | None, spec: NetworkSpec | None = None) -> tuple[str, ...]:
    """``--mnist-require``'s components, in their usual order (the network's default when it is None);
    UsageError for an unknown one."""
    from conformance.checks import network
    from conformance.report.model import COMPONENTS

    known = COMPONENTS if spec is None else network.components(spec)
    if value is None:
        return DEFAULT_REQUIRED if spec is None else network.required(spec)
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise pytest.UsageError(
            f"--mnist-require: unknown component {unknown[0]!r}; the components are {', '.join(known)}"
        )
    return tuple(name for name in known if name in names)


def network_spec(path: str | None) -> NetworkSpec | None:
    """The spec of ``--mnist-spec``'s ``[network]`` table (None without it; a classic one is None too);
    UsageError, in one line, for a file that names no network of the family."""
    if path is None:
        return None
    from conformance.checks import network
    from mnist_ref.spec import SpecError, load_spec

    try:
        spec = load_spec(Path(path), {})
    except SpecError as error:
        raise pytest.UsageError(f"--mnist-spec: {error}") from None
    return None if network.is_classic(spec) else spec


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("mnist_impl")
    if target is not None:
        problem = target_problem(target)
        if problem is not None:
            raise pytest.UsageError(problem)
        seed, dtype = config.getoption("mnist_seed"), config.getoption("mnist_dtype")
        spec = network_spec(config.getoption("mnist_spec"))
        required = required_components(config.getoption("mnist_require"), spec)
        config.stash[SESSION_KEY] = TargetSession(target, seed, dtype, required, spec)


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
    """Every registered check of the harness, as items; then every required component's verdict."""

    def collect(self) -> list[pytest.Item]:
        session = self.config.stash[SESSION_KEY]
        checks: list[pytest.Item] = [
            CheckItem.from_parent(self, name=item_name(check.id), check=check) for check in session.checks()
        ]
        required = session.required
        components = [
            ComponentItem.from_parent(self, name=component_item_name(name), component=name)
            for name in required
        ]
        return checks + components


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
        result = self.config.stash[SESSION_KEY].result(self.check)
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


class ComponentFailed(Exception):
    """A required component's verdict is fail; carries it for ``ComponentItem.repr_failure``."""

    def __init__(self, verdict: ComponentVerdict):
        super().__init__(verdict.reason)
        self.verdict = verdict


class ComponentItem(pytest.Item):
    """The verdict on one required component (e.g. "db2"): pass, fail, or an error when it was not checked."""

    def __init__(self, *, component: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.component = component
        self.verdict: ComponentVerdict | None = None

    def setup(self) -> None:
        """Judge the component; one that could not be checked (or a target that cannot load) is an error."""
        from conformance.report.summary import verdict_lines
        from conformance.sandbox.protocol import TargetLoadError

        try:
            self.verdict = self.config.stash[SESSION_KEY].verdict(self.component)
        except TargetLoadError as error:
            unloadable = f"cannot load the target: {error}"
        else:
            unloadable = None
        if unloadable is not None:
            pytest.fail(unloadable, pytrace=False)
        assert self.verdict is not None
        if self.verdict.verdict == "unchecked":
            pytest.fail("\n".join(verdict_lines(self.verdict)), pytrace=False)

    def runtest(self) -> None:
        assert self.verdict is not None
        if self.verdict.verdict == "not_required":
            pytest.skip(f"{self.component}: {self.verdict.reason}")
        if self.verdict.verdict == "fail":
            raise ComponentFailed(self.verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The verdict, the call made, and each cause of the failure once."""
        from conformance.report.summary import grouped, problem_lines, problems, verdict_lines

        if isinstance(excinfo.value, ComponentFailed):
            verdict = excinfo.value.verdict
            lines = verdict_lines(verdict)
            for group in grouped(problems(verdict)):
                lines += ["", *problem_lines(group)]
            return "\n".join(lines)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name
