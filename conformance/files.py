"""Writing an output file so that a reader, or a run killed half-way, never sees half of it, and a
folder that one process at a time writes."""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"
LOCK_NAME = ".lock"
"""The lock file of a folder one process writes at a time (``only_writer``)."""


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to a temporary file next to ``path``, then rename it to ``path`` in one step.

    The file gets the usual permissions (those the umask leaves), unlike a ``tempfile.mkstemp`` file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with temporary.open("xb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_leftover_temporaries(directory: Path) -> None:
    """Delete the temporary files of writes that a killed run never finished."""
    for leftover in directory.glob(f".*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)


class FolderBusy(Exception):
    """Another process holds the folder's lock; the message says which and what to do."""


@contextmanager
def only_writer(folder: Path) -> Iterator[None]:
    """Within the block this process is the only one writing ``folder`` (a lock file in it, released when
    the process ends, however it ends); FolderBusy at once when another process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise FolderBusy(
                f"{folder} is being written by {holder}: wait for it to finish, or give another --out"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"process {os.getpid()}")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
