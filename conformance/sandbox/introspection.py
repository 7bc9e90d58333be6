"""Keeping the target's code away from the harness running in its process.

The adapter runs in the child beside the target, so the target could otherwise find the harness and
patch it (hide that it modified an input, skip a perturbation of its globals). Once the child is
confined and before any code of the target runs, conformance.sandbox.boundary:

- removes the harness's modules from ``sys.modules``, under whatever name (the worker is also
  ``__main__`` and ``__mp_main__``; an empty module stands for ``__main__``, which the standard library
  looks up), and the part of the reference's package the harness uses (``mnist_ref.spec``; the
  reference network itself is never loaded in the child): an ``import`` of them gets the import
  guard's forbidden stand-in, and the harness keeps its own references;
- installs an audit hook (PEP 578, which Python code cannot remove) refusing the target's code the
  ways to reach objects it was not given: the stack's frames (``sys._getframe``, a traceback's,
  generator's or coroutine's frame), the garbage collector's lists of objects, rewriting a
  function's code in place (``f.__code__ = ...``), tracing and profiling hooks, ctypes' reading of
  raw memory and its look-up of the interpreter's C functions (``ctypes.pythonapi.PyEval_GetFrame``)
  and of the dynamic linker's (``dlsym``, which would find those anyway).

A signal handler is called with the frame it interrupts, which leads up to the harness; the
confinement's seccomp filter refuses setting one (conformance.sandbox.confine).

Whose code asks is decided by the stack (see :class:`Judge`): a frame goes to the first code that
keeps it, so the standard library's own uses stay allowed; anything else is judged by the first
frame that is neither the standard library's nor an allowed package's (NumPy calling
``gc.get_objects`` for the target counts as the target). The harness's own files may, the target's
code may not. What the target is handed (arrays, dicts, its own objects) it may of course use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType, FrameType, ModuleType

REACHING_EVENTS = frozenset(
    {
        "sys._current_frames", "sys._current_exceptions",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents",
        "sys.settrace", "sys.setprofile",
        "ctypes.cdata", "ctypes.addressof",
    }
)  # fmt: skip
"""Audit events that reach objects the caller was not given, whoever in the standard library asks."""
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
"""Attributes whose reading raises the audit event "object.__getattr__" and returns a frame."""
SYMBOL_EVENTS = frozenset({"ctypes.dlsym", "ctypes.dlsym/handle"})
"""Audit events of ctypes looking up a C function by name (its arguments: library or handle, name)."""
DENIED_SYMBOLS = ("Py", "_Py", "dl")
"""Prefixes of the C functions the target may not look up: the interpreter's own (``PyEval_GetFrame``
hands out the stack's frames) and the dynamic linker's (``dlsym`` would look those up anyway)."""
CODE_ATTRIBUTES = frozenset({"__code__"})
"""Attributes whose setting raises "object.__setattr__" and would rewrite a function of the harness in
place (``__defaults__`` too, but collections.namedtuple sets those for the target's own classes)."""
CODE_EVENTS = frozenset({"compile", "code.__new__"})
"""Audit events that make code; their second argument is the file the code will say it comes from."""
INTERMEDIARY_FILES = ("inspect.py", "bdb.py", "pdb.py", "doctest.py")
"""Standard library modules (relative to its folder) whose functions hand a frame on to their caller."""
INTERMEDIARY_FUNCTIONS = (
    ("logging/__init__.py", "<lambda>"),
    ("traceback.py", "walk_stack"),
    ("traceback.py", "walk_tb"),
)
"""Functions of the standard library that hand a frame on: logging.currentframe, traceback's walks."""


class IntrospectionRefused(RuntimeError):
    """The target's code asked for a way into the harness's objects."""


def hide_harness(harness_folder: str, packages: frozenset[str]) -> None:
    """Remove from ``sys.modules`` every module of ``packages`` (the harness's, the reference's) and every
    module loaded from ``harness_folder`` (the worker, registered as ``__main__``), leaving an empty
    ``__main__``."""
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None) or ""
        if name.partition(".")[0] in packages or os.path.abspath(location).startswith(harness_folder):
            del sys.modules[name]
    sys.modules.setdefault("__main__", ModuleType("__main__"))


def refuse_introspection(harness_folder: str, passing_through: tuple[str, ...]) -> None:
    """From now on, refuse the target's code what would reach the harness's objects; code in a folder of
    ``passing_through`` (the standard library, NumPy) is the harness's or the target's by who called it."""
    stdlib = os.path.dirname(os.__file__)
    judge = Judge(
        harness_folder,
        passing_through,
        frozenset(os.path.join(stdlib, name) for name in INTERMEDIARY_FILES),
        frozenset((os.path.join(stdlib, name), function) for name, function in INTERMEDIARY_FUNCTIONS),
    )
    sys.addaudithook(_hook(judge))


@dataclass(frozen=True)
class Judge:
    """Whose code may do what.

    A frame (``sys._getframe``, a traceback's frame) goes to whoever first keeps it: the standard
    library's own uses are allowed (``collections.namedtuple`` and ``logging`` read their caller's
    module name), those of its functions that hand it on (``inspect.currentframe``) are judged by their
    caller. Everything else that reaches objects is judged by the first frame outside
    ``passing_through``, and code may not say it comes from the harness's or a passing-through folder.
    """

    harness_folder: str
    passing_through: tuple[str, ...]
    intermediary_files: frozenset[str]
    intermediary_functions: frozenset[tuple[str, str]]

    @property
    def trusted(self) -> tuple[str, ...]:
        """The folders whose code may keep a frame."""
        return (self.harness_folder, *self.passing_through)

    def kind(self, event: str, args: tuple) -> str | None:
        """The rule that judges ``event``: "frame" when it hands out a frame, "reach" for another way to
        the harness's objects, None when it is not judged."""
        named = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        if event == "sys._getframe" or (event == "object.__getattr__" and named in FRAME_ATTRIBUTES):
            return "frame"
        reaching = (
            event in REACHING_EVENTS
            or (event == "object.__setattr__" and named in CODE_ATTRIBUTES)
            or (event in SYMBOL_EVENTS and named.startswith(DENIED_SYMBOLS))
            or (event in CODE_EVENTS and named.startswith(self.trusted))
        )
        return "reach" if reaching else None

    def allows(self, kind: str, frame: FrameType | None) -> bool:
        """Whether the code running ``frame`` (the event's caller) and its callers may have ``kind``."""
        if kind == "frame":
            keeper = _first(frame, self._hands_on)
            return keeper is not None and keeper.co_filename.startswith(self.trusted)
        asker = _first(frame, lambda code: code.co_filename.startswith(self.passing_through))
        return asker is not None and asker.co_filename.startswith(self.harness_folder)

    def _hands_on(self, code: CodeType) -> bool:
        return code.co_filename in self.intermediary_files or (
            (code.co_filename, code.co_name) in self.intermediary_functions
        )


def _hook(judge: Judge) -> Callable[[str, tuple], None]:
    answering = [False]  # the hook's own sys._getframe raises the event again

    def hook(event: str, args: tuple) -> None:
        if answering[0]:
            return
        kind = judge.kind(event, args)
        if kind is None:
            return
        answering[0] = True
        try:
            allowed = judge.allows(kind, sys._getframe(1))
        finally:
            answering[0] = False
        if not allowed:
            raise IntrospectionRefused(
                f"{event}: the code being checked may not inspect frames, the garbage collector, raw memory"
                " or the interpreter's C functions, nor make code that claims to be the checker's or the"
                " standard library's (it would reach the checker's objects)"
            )

    return hook


def _first(frame: FrameType | None, skipped: Callable[[CodeType], bool]) -> CodeType | None:
    """The code of the first frame from ``frame`` outwards that is not ``skipped``."""
    while frame is not None and skipped(frame.f_code):
        frame = frame.f_back
    return None if frame is None else frame.f_code
