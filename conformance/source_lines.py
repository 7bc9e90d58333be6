"""The Python source of a target, and where each of its lines is in the file the user wrote.

A .py file is compiled as it is: line 12 is line 12. A notebook's code cells are compiled
one after the other as one text, so its line 40 may be line 2 of the fourth cell. Every
message that names a line goes through ``LineMap.where``:

    >>> LineMap(((1, 2), (4, 5))).where(5)
    'cell 5, line 2'
    >>> LineMap().where(5)
    'line 5'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.sandbox.tracebacks import Frame


@dataclass(frozen=True)
class LineMap:
    """The cells of the compiled text: ``(first line, cell number)`` for each, in order.

    Empty for a .py file. Cells are numbered from 1 among all the notebook's cells,
    markdown cells included, as a reader counts them.
    """

    cell_starts: tuple[tuple[int, int], ...] = ()

    def where(self, lineno: int) -> str:
        """Where line ``lineno`` is: "line 12" for a .py file, "cell 4, line 2" for a notebook."""
        index = bisect_right([start for start, _ in self.cell_starts], lineno) - 1
        if index < 0:
            return f"line {lineno}"
        start, cell = self.cell_starts[index]
        return f"cell {cell}, line {lineno - start + 1}"

    def locate(self, frame: Frame | None) -> Frame | None:
        """``frame`` with its line placed by ``where``, so that it reads "backward (cell 4, line 2)"."""
        return None if frame is None else replace(frame, where=self.where(frame.lineno))

    def segments(self, text: str) -> Iterator[tuple[int, str]]:
        """``(first line, source)`` of each part that is compiled on its own: each cell, or the whole file."""
        if not self.cell_starts:
            yield 1, text
            return
        lines = text.splitlines(keepends=True)
        starts = [start for start, _ in self.cell_starts]
        for start, end in zip(starts, [*starts[1:], len(lines) + 1], strict=True):
            yield start, "".join(lines[start - 1 : end - 1])

    def relabel(self, text: str, filename: str) -> str:
        """``text`` (a traceback, a stack dump) with ``File "<filename>", line 40`` placed by ``where``."""
        pattern = rf'(File "{re.escape(filename)}", )line (\d+)'
        return re.sub(pattern, lambda match: match[1] + self.where(int(match[2])), text)


PLAIN_FILE = LineMap()
"""The LineMap of a .py file: every line is itself."""


@dataclass(frozen=True)
class Source:
    """The Python source read from a target file (for a notebook, its code cells) and where its lines are."""

    text: str
    lines: LineMap = PLAIN_FILE
