"""The child process: loads the target, then runs the adapter operations the parent sends, one at a time.

    python -m conformance.sandbox.worker FD TARGET ADAPTER MEMORY_MB OUTPUT_LIMIT CAPTURE_LIMIT CONFIG \
        MODULE_NAME SCRATCH ISOLATION CPU_SECONDS ALLOWED_IMPORTS

conformance.sandbox.Sandbox starts it with fd 1 and 2 on a capture file (opened for appending) and
FD one end of a socket pair, in its scratch folder holding a copy of the target. The target's code
runs only after the child has entered its boundary (conformance.sandbox.boundary). Whatever the
target does during a call (return, raise, exit, print, modify its arguments) ends up in the Outcome
sent back; the loop ends when the parent hangs up.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import inspect
import os
import resource
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any

import numpy as np

from conformance.loading import (
    LINES_ATTRIBUTE,
    SKIPPED_ATTRIBUTE,
    explain_missing_global,
    read_target,
    run_target,
    setter_of,
)
from conformance.sandbox import boundary
from conformance.sandbox.capture import format_megabytes, read_tail
from conformance.sandbox.confine import ConfinementError
from conformance.sandbox.imports import ForbiddenImport, forbidden_message
from conformance.sandbox.orphan import empty, exit_when_orphaned
from conformance.sandbox.protocol import (
    MAX_MESSAGE_BYTES,
    Failure,
    Loaded,
    LoadFailed,
    NotProvided,
    Outcome,
    Request,
    TargetLoadError,
    WorkerSettings,
    decode_reply,
    decode_request,
    encode,
)
from conformance.sandbox.time_limits import install_time_limits
from conformance.sandbox.tracebacks import exception_summary, innermost_frame, target_traceback
from conformance.source_lines import PLAIN_FILE, LineMap


def main(argv: list[str]) -> None:
    """Load the target, say whether that worked, then answer requests until the parent hangs up."""
    settings = WorkerSettings.from_argv(argv)
    # first: its thread's stack must not count against the memory limit
    exit_when_orphaned(os.getppid(), settings.scratch)
    _limit_resources(settings)
    faulthandler.enable()  # a segfault writes the Python stack into the capture file
    faulthandler.register(
        signal.SIGUSR1, all_threads=True
    )  # the parent asks for it before killing a hung call
    install_time_limits()  # now: the confinement refuses setting signal handlers
    connection = Connection(settings.connection_fd)
    try:
        module, adapter = _load_target(settings)
    except TargetLoadError as error:
        connection.send_bytes(encode(LoadFailed(str(error))))
        return
    lines = getattr(module, LINES_ATTRIBUTE, PLAIN_FILE)
    connection.send_bytes(encode(Loaded(str(module.__file__), lines.cell_starts)))
    calls = CallRunner(module, adapter, settings)
    while True:
        try:
            request = decode_request(connection.recv_bytes())
        except EOFError:  # the harness ended without closing the sandbox (it kills the child when it does)
            empty(settings.scratch)
            return
        connection.send_bytes(calls.reply(request))


class CallRunner:
    """Runs requests against the adapter and turns whatever happens into an Outcome."""

    def __init__(self, module: ModuleType, adapter: Any, settings: WorkerSettings):
        self.adapter = adapter
        self.settings = settings
        self.target_file = str(module.__file__)
        self.skipped = getattr(module, SKIPPED_ATTRIBUTE, ())
        self.lines: LineMap = getattr(module, LINES_ATTRIBUTE, PLAIN_FILE)

    def reply(self, request: Request) -> bytes:
        """The encoded Outcome of ``request``; a value the parent could not take becomes a failure."""
        outcome = self.run(request)
        try:
            data = encode(outcome)
            decode_reply(data)  # the parent accepts plain data only: refuse here what it would refuse
        except Exception as error:  # pickling can fail in many ways (generators, lambdas, locks, classes)
            return _refused(outcome, f"returned an object that cannot be sent back: {error}")
        if len(data) > MAX_MESSAGE_BYTES:
            size, limit = format_megabytes(len(data)), format_megabytes(MAX_MESSAGE_BYTES)
            return _refused(outcome, f"returned {size}, more than the {limit} the checker accepts")
        return data

    def run(self, request: Request) -> Outcome:
        """Call the operation with the captured output emptied first and the array arguments watched."""
        arguments = _named_arguments(self.adapter, request)
        snapshots = [(path, array, array.copy()) for path, array in _arrays_in(arguments)]
        _restart_capture()
        value, failure = None, None
        try:
            value = getattr(self.adapter, request.op)(*request.args, **request.kwargs)
        except BaseException as error:  # whatever the target raises, the worker goes on
            failure = self.failure(error)
        printed = _captured_bytes()
        if printed > self.settings.output_limit:
            failure = self.flood_failure(printed)
        mutated = tuple(path for path, array, copy in snapshots if _changed(array, copy))
        return Outcome(
            value=value if failure is None else None, failure=failure, mutated=mutated, output_bytes=printed
        )

    def failure(self, error: BaseException) -> Failure:
        """The Failure for an exception that ended a call, located in the target's code."""
        frame = self.lines.locate(innermost_frame(error, self.target_file))
        where = f" in {frame}" if frame else ""
        detail = self.lines.relabel(target_traceback(error, self.target_file), self.target_file)
        exc_type = type(error).__name__
        match error:
            case NotProvided(reason=reason):
                return Failure("not_provided", reason)
            case ForbiddenImport(module=module, line=line):
                problem = forbidden_message(module, self.lines.where(line) if line else None)
                return Failure("forbidden_import", f"ForbiddenImport: {problem}{where}", detail, exc_type)
            case SystemExit(code=code):
                argument = "" if code is None else repr(code)
                return Failure("exit", f"called sys.exit({argument}){where}", detail, exc_type)
            case MemoryError():
                limit = f"(memory limit {self.settings.memory_mb} MB)"
                return Failure("memory", f"{exception_summary(error)}{where} {limit}", detail, exc_type)
            case NameError(name=str(name)) if type(error) is NameError and setter_of(self.skipped, name):
                # a global that top-level code or an import would set: not an undefined name of the target's
                explanation = (
                    explain_missing_global(self.skipped, name, str(frame), self.lines) if frame else None
                )
                message = explanation or f"{exception_summary(error)}{where}"
                missing = setter_of(self.skipped, name)
                kind = "import_failed" if missing.import_error else "exception"
                return Failure(kind, message, detail, exc_type, missing_name=name)
        return Failure("exception", f"{exception_summary(error)}{where}", detail, exc_type)

    def flood_failure(self, printed: int) -> Failure:
        """The Failure for a call that printed more than the output limit."""
        amount = format_megabytes(printed)
        if printed >= self.settings.capture_limit:
            amount = f"more than {amount}"
        limit = format_megabytes(self.settings.output_limit)
        return Failure("output_flood", f"printed {amount} during the call (limit {limit})", read_tail(1))


def _refused(outcome: Outcome, problem: str) -> bytes:
    """``outcome`` encoded without its value, failed with ``problem``."""
    return encode(replace(outcome, value=None, failure=Failure("exception", problem)))


def _limit_resources(settings: WorkerSettings) -> None:
    """Cap the address space at memory_mb, every file written (the capture file too) at capture_limit
    and the process's CPU time at cpu_seconds (SIGXCPU then ends it, as a crash)."""
    _lower_limit(resource.RLIMIT_AS, settings.memory_mb * 2**20)
    _lower_limit(resource.RLIMIT_FSIZE, settings.capture_limit)
    if settings.cpu_seconds:
        _lower_limit(resource.RLIMIT_CPU, settings.cpu_seconds + 1)  # the hard limit: SIGKILL
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (min(settings.cpu_seconds, hard), hard))  # SIGXCPU
    signal.signal(
        signal.SIGXFSZ, signal.SIG_IGN
    )  # a write past the cap then raises OSError instead of killing


def _lower_limit(kind: int, value: int) -> None:
    """Set both the soft and the hard limit ``kind`` to ``value``, or to the hard limit if that is lower."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _load_target(settings: WorkerSettings) -> tuple[ModuleType, Any]:
    """The target module and its adapter; the target's code runs only once the boundary is entered.

    Everything the harness needs in this process is imported first: the adapter, the mapping, the
    target's source (a notebook's reader), since nothing of the harness can be read afterwards.
    """
    factory = _adapter_factory(settings.adapter, settings.config)
    # A file is read now; a module name (nothing staged) only inside, since finding it imports its packages.
    source = read_target(settings.target, settings.module_name) if os.path.isfile(settings.target) else None
    try:
        boundary.enter(settings)
    except ConfinementError as error:
        raise TargetLoadError(f"{settings.target}: cannot confine the checker's process ({error})") from None
    module = run_target(source or read_target(settings.target))
    return module, _make_adapter(factory, module, settings.target, settings.adapter)


def _adapter_factory(spec: str, config: str) -> Callable[[ModuleType], Any]:
    """The adapter factory ``"package.module:function"``, given the mapping read from the file ``config``
    first if there is one."""
    module_name, _, function_name = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), function_name)
    if not config:
        return factory
    # Here, not at the top: it imports the adapters, which the torch helper process does not use.
    from conformance.mapping import MappingError, load_mapping

    try:
        mapping = load_mapping(config)
    except MappingError as error:
        raise TargetLoadError(str(error)) from error
    return lambda module: factory(module, mapping)


def _make_adapter(factory: Callable[[ModuleType], Any], module: ModuleType, target: str, spec: str) -> Any:
    """The adapter ``factory`` (the one named ``spec``) makes for the loaded target module."""
    try:
        return factory(module)
    except TargetLoadError:
        raise
    except Exception as error:
        raise TargetLoadError(f"{target}: {spec} cannot use it: {exception_summary(error)}") from error


def _named_arguments(adapter: Any, request: Request) -> dict[str, Any]:
    """The request's arguments by the operation's parameter names ("args[0]" where they cannot be bound)."""
    try:
        signature = inspect.signature(getattr(adapter, request.op))
        return dict(signature.bind(*request.args, **request.kwargs).arguments)
    except Exception:  # no such operation or arguments that do not fit: the call itself will say so
        return {**{f"args[{index}]": arg for index, arg in enumerate(request.args)}, **request.kwargs}


def _arrays_in(arguments: dict[str, Any]) -> Iterator[tuple[str, np.ndarray]]:
    """(path, array) for every NumPy array among the arguments: "X", "params['W1']", "cache.Z1"."""
    for name, value in arguments.items():
        yield from _arrays_at(value, name)


def _arrays_at(value: Any, path: str) -> Iterator[tuple[str, np.ndarray]]:
    """(path, array) for ``value`` and what it holds, looking into dicts, lists and (named) tuples."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays_at(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple):
        fields = getattr(value, "_fields", None)
        for index, item in enumerate(value):
            yield from _arrays_at(item, f"{path}.{fields[index]}" if fields else f"{path}[{index}]")


def _changed(array: np.ndarray, copy: np.ndarray) -> bool:
    """True when ``array`` no longer holds what ``copy`` took (compared bit for bit, NaN included)."""
    return array.shape != copy.shape or array.dtype != copy.dtype or array.tobytes() != copy.tobytes()


def _flush_standard_streams() -> None:
    """Push what Python buffered for stdout and stderr into the capture file."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed or replaced by the target, or past the size cap
            stream.flush()


def _restart_capture() -> None:
    """Empty the capture file so that it holds only the coming call's output."""
    _flush_standard_streams()
    os.ftruncate(1, 0)


def _captured_bytes() -> int:
    """How much the current call printed."""
    _flush_standard_streams()
    return os.fstat(1).st_size


if __name__ == "__main__":
    main(sys.argv[1:])
