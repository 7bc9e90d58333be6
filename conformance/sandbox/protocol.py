"""What the harness and its child process say to each other, and how it travels over the pipe.

The parent sends a ``Request``; the child answers the first time with ``Loaded`` or ``LoadFailed``
and then with one ``Outcome`` per request. Messages are pickled. The parent unpickles the child's
replies with ``decode_reply``, which accepts only plain data (numbers, strings, containers, NumPy
arrays and the classes below), so whatever the target returns can neither run code in the parent
nor need the target's classes there.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field
from typing import Any, Literal

FailureKind = Literal[
    "exception",
    "timeout",
    "crash",
    "exit",
    "memory",
    "output_flood",
    "not_provided",
    "import_failed",
    "forbidden_import",
    "disk",
]


@dataclass(frozen=True)
class Failure:
    """Why a call did not return a value."""

    kind: FailureKind
    message: (
        str  # one line a student can read: "ZeroDivisionError: division by zero in backward_prop (line 31)"
    )
    detail: str = ""  # traceback (target frames only) or the last lines of captured output
    exc_type: str | None = None
    missing_name: str | None = None  # NameError of a global that skipped top-level code or an import sets


@dataclass(frozen=True)
class Outcome:
    """The result of one call of an adapter operation in the child."""

    value: Any = None  # what the adapter op returned (numpy arrays, dicts of arrays, floats)
    failure: Failure | None = None
    mutated: tuple[str, ...] = ()  # array arguments changed in place, as paths: "params['W1']", "X"
    output_bytes: int = 0  # bytes the target printed during this call

    @property
    def ok(self) -> bool:
        """True when the call returned a value."""
        return self.failure is None


class TargetLoadError(Exception):
    """The target cannot be loaded; the message is one line: "student.py, line 12: SyntaxError: ..."."""


class NotProvided(Exception):
    """Raised by an adapter operation when the target has no such component."""

    def __init__(self, component: str, reason: str):
        super().__init__(component, reason)
        self.component = component
        self.reason = reason


@dataclass(frozen=True)
class Request:
    """Parent to child: run ``getattr(adapter, op)(*args, **kwargs)``."""

    op: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """Child to parent, first message: the target and its adapter are ready."""

    target_file: str  # the target's source file, to find its frames in a crash dump
    cell_starts: tuple[tuple[int, int], ...] = ()  # a notebook's LineMap, to name the cell of a line


@dataclass(frozen=True)
class LoadFailed:
    """Child to parent, first message: the target cannot be loaded."""

    reason: str  # the TargetLoadError message


@dataclass(frozen=True)
class WorkerSettings:
    """What the child is started with; travels as command-line arguments."""

    connection_fd: int
    target: str
    adapter: str  # "module:function", called with the loaded module
    memory_mb: int
    output_limit: int  # bytes one call may print before it counts as an output flood
    capture_limit: int  # hard cap (RLIMIT_FSIZE) of the file that receives fd 1 and 2
    config: str = ""  # the mapping file handed to the adapter factory ("": none)
    module_name: str = ""  # load the file ``target`` as this module of a package ("": under its stem)
    scratch: str = ""  # the child's private folder, holding the copy of the target ("": none)
    isolation: str = "process only"  # "landlock": confine the process (conformance.sandbox.confine)
    cpu_seconds: int = 0  # RLIMIT_CPU of the child (0: none)
    allowed_imports: tuple[str, ...] = ()  # packages the target may import besides the stdlib and numpy

    def to_argv(self) -> list[str]:
        """The settings as command-line arguments, in field order."""
        return [",".join(value) if isinstance(value, tuple) else str(value) for value in vars(self).values()]

    @classmethod
    def from_argv(cls, argv: list[str]) -> WorkerSettings:
        """Read back what ``to_argv`` wrote."""
        fd, target, adapter, memory_mb, output_limit, capture_limit, config, *rest = argv
        module_name, scratch, isolation, cpu_seconds, allowed = rest
        return cls(
            int(fd),
            target,
            adapter,
            int(memory_mb),
            int(output_limit),
            int(capture_limit),
            config,
            module_name,
            scratch,
            isolation,
            int(cpu_seconds),
            tuple(filter(None, allowed.split(","))),
        )


MAX_MESSAGE_BYTES = 256 * 2**20
"""The largest reply the parent reads; a bigger value is refused by the child before it is sent."""

_NUMPY_GLOBALS = {("numpy", "dtype"), ("numpy", "ndarray")} | {
    (f"numpy.{core}.{module}", name)
    for core in ("core", "_core")  # NumPy 1.x and 2.x
    for module, name in (("multiarray", "_reconstruct"), ("multiarray", "scalar"), ("numeric", "_frombuffer"))
}
_REPLY_GLOBALS = _NUMPY_GLOBALS | {("builtins", "complex")}
MESSAGES = {cls.__name__: cls for cls in (Request, Outcome, Failure, Loaded, LoadFailed)}
"""The messages, sent as plain data: (class name, the instance's fields), a Failure inside an Outcome too.
Neither end needs the other's classes to read them, and a class patched in the child (its methods,
its properties) changes nothing of what is sent: the fields are read from the instance itself."""


class _ReplyUnpickler(pickle.Unpickler):
    """Unpickles plain data only: any other class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _REPLY_GLOBALS:
            raise pickle.UnpicklingError(
                f"a {module}.{name} object (only numbers, strings, NumPy arrays and dicts, lists or "
                "tuples of them can be checked)"
            )
        return super().find_class(module, name)


def encode(message: Any) -> bytes:
    """The message (one of MESSAGES) as bytes for ``Connection.send_bytes``: plain data only."""
    return pickle.dumps(_plain(message), protocol=pickle.HIGHEST_PROTOCOL)


def _plain(message: Any) -> tuple[str, dict[str, Any]]:
    """(class name, fields) of a message, read from the instance's own ``__dict__``."""
    fields = dict(vars(message))
    if isinstance(fields.get("failure"), Failure):
        fields["failure"] = _plain(fields["failure"])
    return type(message).__name__, fields


def _message(plain: Any) -> Any:
    """The message ``_plain`` gave ``plain`` for; ValueError for anything else."""
    if not (
        isinstance(plain, tuple) and len(plain) == 2 and plain[0] in MESSAGES and isinstance(plain[1], dict)
    ):
        raise ValueError("not a message of the checker's protocol")
    fields = dict(plain[1])
    if isinstance(fields.get("failure"), tuple):
        fields["failure"] = _message(fields["failure"])
    return MESSAGES[plain[0]](**fields)


def decode_request(data: bytes) -> Request:
    """A request from the parent (trusted: plain unpickling)."""
    return _message(pickle.loads(data))


def decode_reply(data: bytes) -> Outcome | Loaded | LoadFailed:
    """A reply from the child; raises pickle.UnpicklingError for anything but plain data."""
    try:
        return _message(_ReplyUnpickler(io.BytesIO(data)).load())
    except (ValueError, TypeError) as error:
        raise pickle.UnpicklingError(str(error)) from None
