"""Reading an exception raised by the target: a one-line summary and the target's own frames."""

from __future__ import annotations

import traceback
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """Where in the target a call was: the function's qualified name ("Network.backward") and the line."""

    function: str
    lineno: int
    where: str = ""  # the line as the user finds it, when it is not just "line 12": "cell 4, line 2"

    def __str__(self) -> str:
        return f"{self.function} ({self.where or f'line {self.lineno}'})"


def exception_summary(error: BaseException) -> str:
    """``"ZeroDivisionError: division by zero"``: the type and the first line of the message."""
    text = str(error).strip().split("\n", 1)[0]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def innermost_frame(error: BaseException, filename: str) -> Frame | None:
    """The most recent frame of the traceback of ``error`` that runs code of ``filename``."""
    frames = [
        Frame(frame.f_code.co_qualname, lineno)
        for frame, lineno in traceback.walk_tb(error.__traceback__)
        if frame.f_code.co_filename == filename
    ]
    return frames[-1] if frames else None


def target_traceback(error: BaseException, filename: str) -> str:
    """The formatted traceback of ``error`` limited to the frames of ``filename``.

    Without such frames (the error came from the harness side), every frame but the outermost one,
    the harness's own call site.
    """
    frames = traceback.extract_tb(error.__traceback__)
    shown = [frame for frame in frames if frame.filename == filename] or frames[1:]
    return "".join(
        [
            "Traceback (most recent call last):\n",
            *traceback.format_list(shown),
            *traceback.format_exception_only(type(error), error),
        ]
    )
