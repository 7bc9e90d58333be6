"""Splitting a class into N shards graded separately (``--shard I/N``), e.g. by the jobs of a CI matrix.

Shard I of N takes the submissions at positions I-1, I-1+N, I-1+2N, ... of the class sorted by
name: the shards are disjoint, together they are the whole class, and their sizes differ by at
most one. The split depends only on the names in the class, so every machine makes the same one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

SHARD_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

Item = TypeVar("Item")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``, 1-based: Shard(1, 1) is the whole class."""

    index: int = 1
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(
                f"shard {self.index}/{self.count}: I must be between 1 and N, as in 1/{max(self.count, 2)}"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` -> Shard(2, 4); ValueError with a one-line reason for anything else."""
        match = SHARD_PATTERN.match(text)
        if match is None:
            raise ValueError(f"shard {text!r}: expected I/N, such as 2/4 (the second of four shards)")
        return cls(int(match.group(1)), int(match.group(2)))

    def select(self, items_sorted_by_name: Sequence[Item]) -> list[Item]:
        """This shard's share of the class (given sorted by name): every count-th item from index - 1."""
        return list(items_sorted_by_name[self.index - 1 :: self.count])

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE_CLASS = Shard(1, 1)
