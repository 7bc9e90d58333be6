"""Running a student's target in a child process, so that nothing the target does can stop the harness.

    with Sandbox("student.py") as sandbox:
        sandbox.start()                     # returns at once: the child loads the target meanwhile
        mapping = sandbox.describe()        # waits for it; TargetLoadError if the target cannot be loaded
        outcome = sandbox.call("relu", Z)   # an Outcome: the value, or a Failure saying what went wrong

The child (``python -m conformance.sandbox.worker``) runs single-threaded BLAS under memory and CPU
limits, with its fd 1 and 2 on a size-capped temporary file, in a scratch folder of its own holding a
copy of the target's files (conformance.sandbox.staging) and deleted with it. Where the kernel offers
Landlock (``Sandbox.isolation == "landlock"``) the child is confined before the target's code runs: it
reads only the standard library, NumPy and its copy, writes only its scratch folder, has no network
and starts no process (conformance.sandbox.confine). A call that hangs is killed after its timeout;
after a timeout, a crash or a memory failure the next call gets a fresh child.
"""

from __future__ import annotations

import fcntl
import multiprocessing.connection
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from conformance.sandbox.capture import dump_location, format_megabytes, read_tail
from conformance.sandbox.confine import PROCESS_ONLY, isolation
from conformance.sandbox.protocol import (
    MAX_MESSAGE_BYTES,
    Failure,
    LoadFailed,
    NotProvided,
    Outcome,
    Request,
    TargetLoadError,
    WorkerSettings,
    decode_reply,
    encode,
)
from conformance.sandbox.staging import Staged, child_environment, relabel, stage
from conformance.source_lines import PLAIN_FILE, LineMap

__all__ = ["Failure", "NotProvided", "Outcome", "Sandbox", "TargetLoadError"]

CHILD_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "1",  # every print reaches the capture file at once, so each call's output is counted
    "PYTHONBREAKPOINT": "0",  # a breakpoint() left in the code does nothing (no one answers its prompt)
}
CAPTURE_LIMIT_FACTOR = 16
"""The capture file is capped at this many output limits: a flood is measured, yet cannot fill the disk."""
REPLACE_CHILD_AFTER = ("timeout", "crash", "memory", "disk")
DISK_MB = 100
"""What the target may write to its scratch folder in all, by default: a saved model of this network
takes under 1 MB (each file is also capped, at the capture file's limit)."""
DISK_POLL_SECONDS = 0.25
"""How often the parent measures the scratch folder while a call runs."""
CPU_SECONDS_PER_TIMEOUT = 30
"""The child's CPU time limit, by default: the load timeout and this many call timeouts."""
SCRATCH_PREFIX = "tmp"
"""The scratch folder's name starts like any temporary folder's: nothing in it names the checker."""
STACK_DUMP_WAIT = 0.2  # seconds given to a hung child to write its stack before it is killed
EXIT_WAIT = 2.0  # seconds given to a child that hung up to end by itself


class Sandbox:
    """The target's adapter, run in a child process; every call comes back as an Outcome.

    ``adapter`` is the factory ``"module:function"`` the child calls with the loaded target, and
    with the mapping read from ``config`` (a mapping file, see conformance.mapping) when one is given.
    ``cpu_seconds`` caps the CPU time of each child (by default load_timeout + 30 timeouts);
    ``allowed_imports`` are packages the target may import besides the standard library and NumPy.
    ``isolation`` is "landlock" when the child is confined, "process only" where the kernel cannot.
    ``trusted`` is for the harness's own code (the autograd helper): it runs as it is, unconfined,
    with the harness's environment, its imports unguarded.
    """

    def __init__(
        self,
        target: str,
        *,
        timeout: float = 10.0,
        memory_mb: int = 2048,
        output_limit: int = 1_000_000,
        adapter: str = "conformance.adapters:discover",
        load_timeout: float = 60.0,
        config: str | None = None,
        cpu_seconds: int | None = None,
        allowed_imports: tuple[str, ...] = (),
        trusted: bool = False,
        disk_mb: int = DISK_MB,
    ):
        if cpu_seconds is None:
            cpu_seconds = int(load_timeout + CPU_SECONDS_PER_TIMEOUT * timeout) + 1
        limits = {
            "timeout": timeout,
            "memory_mb": memory_mb,
            "output_limit": output_limit,
            "load_timeout": load_timeout,
            "cpu_seconds": cpu_seconds,
            "disk_mb": disk_mb,
        }
        for name, value in limits.items():
            if not value > 0:
                raise ValueError(f"Sandbox: {name} must be positive, got {value!r}")
        self.target = target
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.output_limit = output_limit
        self.adapter = adapter
        self.load_timeout = load_timeout
        self.config = config
        self.cpu_seconds = cpu_seconds
        self.allowed_imports = allowed_imports
        self.trusted = trusted
        self.disk_bytes = disk_mb * 1_000_000
        self.isolation = PROCESS_ONLY if trusted else isolation()
        self._child: _Child | None = None
        self._load_error: str | None = None

    def start(self) -> None:
        """Spawn the child if there is none, without waiting for it to load the target."""
        self._spawned_child()

    def describe(self) -> dict:
        """The adapter's description of the target (see conformance.adapters); raises TargetLoadError."""
        outcome = self.call("describe")
        if outcome.failure is not None:
            raise TargetLoadError(f"{self.target}: cannot describe it: {outcome.failure.message}")
        return outcome.value

    def call(self, op: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Outcome:
        """Run ``adapter.op(*args, **kwargs)`` in the child within ``timeout`` s (default: the Sandbox's).

        Raises TargetLoadError only, when the target cannot be loaded.
        """
        child = self._loaded_child()
        try:
            outcome = child.run(
                Request(op, args, kwargs), self.timeout if timeout is None else timeout, self.disk_bytes
            )
        except (
            BaseException
        ):  # e.g. Ctrl-C while waiting: a reply may still come, out of step with the next call
            self._stop_child()
            raise
        if outcome.failure is not None and outcome.failure.kind in REPLACE_CHILD_AFTER:
            self._stop_child()
            self.start()
        return outcome

    def close(self) -> None:
        """Kill the child, if any."""
        self._stop_child()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _loaded_child(self) -> _Child:
        """The running child, once it has loaded the target."""
        if self._load_error is not None:
            raise TargetLoadError(self._load_error)
        child = self._spawned_child()
        if child.target_file is None:
            try:
                child.wait_loaded(self.load_timeout, self.target)
            except TargetLoadError as error:
                self._load_error = str(error)
                self._stop_child()
                raise
        return child

    def _spawned_child(self) -> _Child:
        """The child, spawned now if there is none."""
        if self._child is None:
            self._child = _Child.spawn(self._settings(), self.trusted)
        return self._child

    def _settings(self) -> WorkerSettings:
        """The child's settings, but for its connection, target and scratch folder (see _Child.spawn)."""
        return WorkerSettings(
            -1,
            self.target,
            self.adapter,
            self.memory_mb,
            self.output_limit,
            CAPTURE_LIMIT_FACTOR * self.output_limit,
            os.path.abspath(self.config) if self.config else "",  # the child starts in its scratch folder
            isolation=self.isolation,
            cpu_seconds=self.cpu_seconds,
            allowed_imports=self.allowed_imports,
        )

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None


@dataclass
class _Child:
    """One worker process, the parent's end of its socket pair, the file its fd 1 and 2 write to
    and its scratch folder (what was copied there: ``staged``)."""

    process: subprocess.Popen
    connection: multiprocessing.connection.Connection
    output: IO[bytes]
    staged: Staged
    target_file: str | None = None  # the target's source file, known once it is loaded
    lines: LineMap = PLAIN_FILE  # where its lines are (a notebook's cells), known once it is loaded

    @classmethod
    def spawn(cls, settings: WorkerSettings, trusted: bool) -> _Child:
        """Start a worker process on a fresh copy of the target (on the target itself when ``trusted``);
        it loads it while the parent goes on."""
        if trusted:
            staged, environment = Staged(settings.target, "", "", ""), {**os.environ, **CHILD_ENVIRONMENT}
        else:
            scratch = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
            staged = stage(settings.target, Path(scratch))
            environment = child_environment(scratch, CHILD_ENVIRONMENT)
        ours, theirs = multiprocessing.connection.Pipe()  # duplex: a socket pair
        output = _capture_file()
        settings = replace(
            settings,
            connection_fd=theirs.fileno(),
            target=staged.target,
            module_name=staged.module_name,
            scratch=staged.scratch,
        )
        process = subprocess.Popen(
            # -P: the working folder (the target's copy) is not on sys.path while the harness is
            # imported, so no file of the target can stand in for a module of the harness; -s: no
            # user site-packages (HOME is the scratch folder).
            [sys.executable, "-P", "-s", "-m", "conformance.sandbox.worker", *settings.to_argv()],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            pass_fds=(theirs.fileno(),),
            cwd=staged.scratch or None,
            env=environment,
            start_new_session=True,  # its own process group, killed as a whole
        )
        theirs.close()
        return cls(process, ours, output, staged)

    def wait_loaded(self, timeout: float, target: str) -> None:
        """Wait for the child's first message; raises TargetLoadError when the target did not load."""
        try:
            data = self._receive(timeout)
        except (EOFError, OSError) as error:
            last_lines = self.output_tail().splitlines()[-1:]
            reason = f"the checker's process ended while loading it ({self.exit_status()})"
            raise TargetLoadError(": ".join([f"{target}: {reason}", *last_lines])) from error
        if data is None:
            raise TargetLoadError(
                f"{target}: not loaded within {timeout:g} s (an imported module running long top-level code?)"
            )
        message = relabel(decode_reply(data), self.staged)
        if isinstance(message, LoadFailed):
            raise TargetLoadError(message.reason)
        self.target_file = message.target_file
        self.lines = LineMap(message.cell_starts)

    def run(self, request: Request, timeout: float, disk_bytes: int) -> Outcome:
        """Send ``request`` and wait for its Outcome; a hang, a death or a scratch folder grown past
        ``disk_bytes`` becomes a Failure."""
        try:
            self.connection.send_bytes(encode(request))
            data = self._receive_watching(timeout, disk_bytes)
        except (EOFError, OSError):
            return Outcome(failure=self.crash_failure())
        except DiskFull as full:
            self.kill()
            return Outcome(failure=Failure("disk", str(full)))
        if data is None:
            return Outcome(failure=self.timeout_failure(timeout))
        try:
            outcome = decode_reply(data)
        except Exception as error:  # the worker refuses such values itself: this is a second line of defence
            return Outcome(
                failure=Failure("exception", f"returned an object that cannot be sent back: {error}")
            )
        # the messages name the original files; the values are what the target returned
        return replace(outcome, failure=relabel(outcome.failure, self.staged))

    def timeout_failure(self, seconds: float) -> Failure:
        """Have the hung child write its stack (faulthandler on SIGUSR1), kill it and say where it was."""
        with suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGUSR1)
        time.sleep(STACK_DUMP_WAIT)
        self.kill()
        tail = self.output_tail()
        frame = self.lines.locate(dump_location(tail, str(self.target_file)))
        running = f"; it was running {frame}" if frame else ""
        message = f"did not return within {seconds:g} s (infinite loop?){running}"
        return Failure("timeout", message, self.lines.relabel(tail, str(self.target_file)))

    def crash_failure(self) -> Failure:
        """The Failure for a child that died during a call, located by faulthandler's dump if there is one."""
        status = self.exit_status()
        tail = self.output_tail()
        frame = self.lines.locate(dump_location(tail, str(self.target_file)))
        message = f"{status} in {frame}" if frame else status
        return Failure("crash", message, self.lines.relabel(tail, str(self.target_file)))

    def exit_status(self) -> str:
        """'the process exited with code 3' or 'killed by signal SIGSEGV' (killed if it does not end)."""
        try:
            code = self.process.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:  # it closed its end of the connection but lives on
            self.kill()
            code = self.process.returncode
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"the process exited with code {code}"

    def output_tail(self) -> str:
        """The last lines the child wrote to fd 1 and 2 (with the original paths of the target's files)."""
        return relabel(read_tail(self.output.fileno()), self.staged)

    def kill(self) -> None:
        """Kill the child's whole process group and reap the child."""
        with suppress(ProcessLookupError, PermissionError):  # the group is already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        """Kill the child, close the connection and the capture file and delete the scratch folder."""
        self.kill()
        self.connection.close()
        self.output.close()
        if self.staged.scratch:
            shutil.rmtree(self.staged.scratch, ignore_errors=True)

    def _receive_watching(self, timeout: float, disk_bytes: int) -> bytes | None:
        """The reply, waited for ``timeout`` s in slices between which the scratch folder is measured;
        DiskFull when it holds more than ``disk_bytes``, during the call or after it."""
        deadline = time.monotonic() + timeout
        while True:
            waited = min(DISK_POLL_SECONDS, max(0.0, deadline - time.monotonic()))
            arrived = self.connection.poll(waited)
            self._check_disk(disk_bytes)
            if arrived:
                return self.connection.recv_bytes(MAX_MESSAGE_BYTES)
            if time.monotonic() >= deadline:
                return None

    def _check_disk(self, disk_bytes: int) -> None:
        if not self.staged.scratch:
            return
        used = folder_bytes(self.staged.scratch, stop_above=disk_bytes)
        if used > disk_bytes:
            raise DiskFull(
                f"wrote more than {format_megabytes(disk_bytes)} to its scratch folder (files of a check are"
                " capped in all, not only one by one); the check was stopped and the files deleted"
            )

    def _receive(self, timeout: float) -> bytes | None:
        """The next message, or None if none came within ``timeout`` s; EOFError if the child is gone."""
        if not self.connection.poll(timeout):
            return None
        return self.connection.recv_bytes(MAX_MESSAGE_BYTES)


class DiskFull(Exception):
    """The target's scratch folder holds more than it may; the message says how much."""


def folder_bytes(folder: str, stop_above: int) -> int:
    """The bytes of the files under ``folder`` (links not followed), counted until past ``stop_above``."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
            if total > stop_above:
                return total
    return total


def _capture_file() -> IO[bytes]:
    """An anonymous temporary file in append mode, so writes go to its start again once it is truncated."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the child lives, closed by _Child.close)
    flags = fcntl.fcntl(output.fileno(), fcntl.F_GETFL)
    fcntl.fcntl(output.fileno(), fcntl.F_SETFL, flags | os.O_APPEND)
    return output
