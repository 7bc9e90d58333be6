"""Writing an output file so that a reader, or a run killed half-way, never sees half of it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"


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
