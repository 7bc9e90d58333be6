"""Keeping the target's code away from the harness running in its process.

The adapter runs in the child beside the target, so the target could otherwise find the harness and
patch it (hide that it modified an input, skip a perturbation of its globals). Once the child is
confined and before any code of the target runs, conformance.sandbox.boundary:

- removes the harness's modules from ``sys.modules``, under whatever name (the worker is also
  ``__main__`` and ``__mp_main__``; an empty module stands for ``__main__``, which the standard library
  looks up): an ``import`` of them gets the import guard's forbidden stand-in, and the harness keeps
  its own references;
- installs an audit hook (PEP 578, which Python code cannot remove) refusing the target's code the
  ways to reach objects it was not given: the stack's frames (``sys._getframe``, a traceback's,
  generator's or coroutine's frame), the garbage collector's lists of objects, rewriting a
  function's code in place (``f.__code__ = ...``), tracing and profiling hooks, ctypes' reading of
  raw memory and its look-up of the interpreter's C functions (``ctypes.pythonapi.PyEval_GetFrame``)
  and of the dynamic linker's (``dlsym``, which would find those anyway).

A signal handler is called with the frame it interrupts, which leads up to the harness; the
confinement's seccomp filter refuses setting one (conformance.sandbox.confine).

Whose code asks is decided by the first frame on the stack that is neither the standard library's
nor an allowed package's (NumPy calling ``sys._getframe`` for the target counts as the target): the
harness's own files may, nothing else may. What the target is handed (arrays, dicts, its own
objects) it may of course use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import ModuleType

DENIED_EVENTS = frozenset(
    {
        "sys._getframe", "sys._current_frames", "sys._current_exceptions",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents",
        "sys.settrace", "sys.setprofile",
        "ctypes.cdata", "ctypes.addressof",
    }
)  # fmt: skip
"""Audit events that reach objects the caller was not given."""
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
HARNESS_PREFIX = "conformance"


class IntrospectionRefused(RuntimeError):
    """The target's code asked for a way into the harness's objects."""


def hide_harness(harness_folder: str) -> None:
    """Remove from ``sys.modules`` the harness's package and every module loaded from ``harness_folder``
    (the worker, registered as ``__main__``), leaving an empty ``__main__``."""
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None) or ""
        if name.partition(".")[0] == HARNESS_PREFIX or os.path.abspath(location).startswith(harness_folder):
            del sys.modules[name]
    sys.modules.setdefault("__main__", ModuleType("__main__"))


def refuse_introspection(harness_folder: str, passing_through: tuple[str, ...]) -> None:
    """From now on, only code in ``harness_folder`` may use the DENIED_EVENTS; code in a folder of
    ``passing_through`` (the standard library, NumPy) is judged by whoever called it."""
    sys.addaudithook(_hook(harness_folder, passing_through))


def _hook(harness_folder: str, passing_through: tuple[str, ...]) -> Callable[[str, tuple], None]:
    answering = [False]  # the hook's own sys._getframe raises the event again

    def hook(event: str, args: tuple) -> None:
        if answering[0] or not _denied(event, args):
            return
        answering[0] = True
        try:
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith(passing_through):
                frame = frame.f_back
            allowed = frame is not None and frame.f_code.co_filename.startswith(harness_folder)
        finally:
            answering[0] = False
        if not allowed:
            raise IntrospectionRefused(
                f"{event}: the code being checked may not inspect frames, the garbage collector, raw memory"
                " or the interpreter's C functions (it would reach the checker's objects)"
            )

    return hook


def _denied(event: str, args: tuple) -> bool:
    if event in DENIED_EVENTS:
        return True
    if event in SYMBOL_EVENTS:
        return len(args) > 1 and isinstance(args[1], str) and args[1].startswith(DENIED_SYMBOLS)
    if event == "object.__setattr__":
        return len(args) > 1 and args[1] in CODE_ATTRIBUTES
    return event == "object.__getattr__" and len(args) > 1 and args[1] in FRAME_ATTRIBUTES
