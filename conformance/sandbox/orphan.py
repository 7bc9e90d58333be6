"""The child's watch on its parent: a thread that ends the child within a second of the harness's end.

A module of its own because a thread's function is the one object of the harness that any code in
the process can find (``threading.enumerate()`` lists the thread, and its target's ``__globals__``
are its module's): here they hold nothing but os, shutil, threading and time.
"""

from __future__ import annotations

import os
import shutil
import threading
import time


def exit_when_orphaned(parent_pid: int, scratch: str) -> None:
    """End this process within a second of the harness's end, even in the middle of a hung call,
    emptying its scratch folder first."""
    threading.Thread(
        target=_watch, args=(parent_pid, scratch), name="exit-when-orphaned", daemon=True
    ).start()


def _watch(parent_pid: int, scratch: str) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    empty(scratch)
    os._exit(1)


def empty(scratch: str) -> None:
    """Delete what the scratch folder holds, which the harness, gone, cannot (confined, the child
    cannot delete the folder itself: it stays, empty)."""
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
