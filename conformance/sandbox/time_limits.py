"""Time limits on the adapter's probes of the target (an init called to read its sizes, a guess tried).

A probe runs in the process that loads the target, so a target that hangs or calls ``os._exit``
would take that process with it: :func:`time_limit` turns both into exceptions. Its SIGALRM handler
is set once by the sandbox's worker before the confinement, which refuses setting signal handlers
(conformance.sandbox.confine); elsewhere each block sets it and puts the previous one back.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class ProbeExit(Exception):
    """The target tried to end the process (os._exit) while the adapter probed it."""


_armed_limits: list[float] = []
"""The limit of each time_limit block running, innermost last."""


def _on_alarm(signum: int, frame: Any) -> None:
    if _armed_limits:
        raise TimeoutError(f"did not return within {_armed_limits[-1]:g} s")


def install_time_limits() -> None:
    """Keep time_limit's SIGALRM handler set for good: the sandbox's worker calls this before its
    confinement, which refuses setting signal handlers (conformance.sandbox.confine)."""
    signal.signal(signal.SIGALRM, _on_alarm)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """A probe of the target: TimeoutError in the block after ``seconds`` (main thread only; elsewhere no
    limit), and ``os._exit`` raising ProbeExit instead of ending the process that is loading the target."""
    real_exit = os._exit

    def refuse_exit(status: int) -> None:
        raise ProbeExit(f"os._exit({status}) while probed")

    os._exit = refuse_exit
    try:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        installed = signal.getsignal(signal.SIGALRM) is _on_alarm
        previous = None if installed else signal.signal(signal.SIGALRM, _on_alarm)
        _armed_limits.append(seconds)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed_limits.pop()
            if not installed:
                signal.signal(signal.SIGALRM, previous)
    finally:
        os._exit = real_exit
