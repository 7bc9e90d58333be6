"""The file that receives the child's fd 1 and 2: reading its end and finding the target in a stack dump.

The parent and the child read only the last few kilobytes of it, however much the target printed.
"""

from __future__ import annotations

import os
import re

from conformance.sandbox.tracebacks import Frame

TAIL_BYTES = 2000


def read_tail(fd: int, max_bytes: int = TAIL_BYTES) -> str:
    """The last whole lines of the file open on ``fd``, at most ``max_bytes`` of it, decoded leniently."""
    size = os.fstat(fd).st_size
    start = max(0, size - max_bytes)
    text = os.pread(fd, size - start, start).decode("utf-8", errors="replace")
    if start > 0 and "\n" in text:
        text = text.split("\n", 1)[1]
    return text.rstrip("\n")


def format_megabytes(size: int) -> str:
    """``5_200_000`` -> ``"5.2 MB"``, ``1_000_000`` -> ``"1 MB"``."""
    return f"{size / 1e6:.3g} MB"


def dump_location(dump: str, target_file: str) -> Frame | None:
    """The innermost frame of ``target_file`` in a faulthandler dump, if any.

    faulthandler lists frames most recent first, as ``File "path", line 7 in train``.
    """
    match = re.search(rf'File "{re.escape(target_file)}", line (\d+) in (\S+)', dump)
    return Frame(match[2], int(match[1])) if match else None
