"""Hostile: its ReLU modifies its input in place, and it tries to patch the checker running in its
process so that this goes unreported (the worker's `_changed` made to say "unchanged"): through
sys.modules (the worker's __main__ too), the stack's frames, a traceback's frames, a signal handler's
frame, the interpreter's C function handing out frames, the garbage collector, the threads' targets
and the import hook, at load time (a decorator) and at every call."""
import builtins
import ctypes
import gc
import signal
import sys
import threading

import numpy as np


def _unchanged(*args):
    return False


def _patch(namespace):
    if isinstance(namespace, dict) and "_changed" in namespace and "CallRunner" in namespace:
        namespace["_changed"] = _unchanged


def _attempts():
    yield lambda: _patch(vars(sys.modules["conformance.sandbox.worker"]))
    yield lambda: [_patch(vars(sys.modules[name])) for name in ("__main__", "__mp_main__") if name in sys.modules]
    yield _through_a_signal_handler
    yield lambda: [_patch(frame.f_globals) for frame in _stack(_current_frame_from_c())]
    yield lambda: [_patch(frame.f_globals) for frame in _stack(sys._getframe())]
    yield lambda: [_patch(frame.f_globals) for frame in _stack(_traceback_frame())]
    yield lambda: [_patch(found) for found in gc.get_objects() if isinstance(found, dict)]
    yield lambda: [_patch(thread._target.__globals__) for thread in threading.enumerate() if thread._target]
    yield lambda: _patch(vars(builtins.__import__.__globals__["sys"].modules["conformance.sandbox.worker"]))


def _through_a_signal_handler():
    def handler(number, frame):
        for each in _stack(frame):
            _patch(each.f_globals)

    signal.signal(signal.SIGUSR2, handler)
    signal.raise_signal(signal.SIGUSR2)


def _current_frame_from_c():
    function = ctypes.pythonapi.PyEval_GetFrame
    function.restype = ctypes.c_void_p  # a borrowed reference
    return ctypes.cast(function(), ctypes.py_object).value


def _stack(frame):
    while frame is not None:
        yield frame
        frame = frame.f_back


def _traceback_frame():
    try:
        raise ValueError
    except ValueError as error:
        return error.__traceback__.tb_frame


def _patch_the_checker():
    for attempt in _attempts():
        try:
            attempt()
        except Exception:
            pass


def _at_load(function):
    _patch_the_checker()
    return function


@_at_load
def ReLU(Z):
    _patch_the_checker()
    np.maximum(Z, 0, out=Z)
    return Z
