"""Splitting a class into N shards graded separately (``--shard I/N``), e.g. by the jobs of a CI matrix.

Shard I of N takes the submissions at positions I-1, I-1+N, I-1+2N, ... of the class sorted by
name: the shards are disjoint, together they are the whole class, and their sizes differ by at
most one. The split depends only on the names in the class, so every machine makes the same one.

Without ``--shard``, ``choose_shard`` takes the shard from the engine running the job: a variable
of ours (MNIST_REF_SHARD, or MNIST_REF_SHARD_INDEX with MNIST_REF_SHARD_COUNT, for GitHub Actions),
a Slurm job array's, or a Kubernetes Indexed Job's (docs/grading/shards.md has one recipe each).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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


# Taking the shard from the engine that runs the job ----------------------------------------------

SHARD_VARIABLE = "MNIST_REF_SHARD"
"""``I/N``, 1-based, as ``--shard`` takes it: for any engine that can set an environment variable."""
INDEX_VARIABLE = "MNIST_REF_SHARD_INDEX"
"""The job's 0-based index, e.g. GitHub Actions' ``${{ strategy.job-index }}``."""
COUNT_VARIABLE = "MNIST_REF_SHARD_COUNT"
"""How many jobs there are, e.g. ``${{ strategy.job-total }}``, or a Kubernetes Job's completions."""
SLURM_VARIABLES = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT")
KUBERNETES_INDEX = "JOB_COMPLETION_INDEX"
"""A Kubernetes Indexed Job's 0-based completion index (the count comes from MNIST_REF_SHARD_COUNT)."""


@dataclass(frozen=True)
class ShardChoice:
    """The shard to grade, and where it came from ("--shard", or the variables that gave it)."""

    shard: Shard
    source: str

    def __str__(self) -> str:
        return f"shard {self.shard} (from {self.source})"


def choose_shard(given: Shard | None, environ: Mapping[str, str]) -> ShardChoice:
    """``--shard`` when given, else the shard the job's engine says, else the whole class.

    The variables are read in this order, the first present deciding: MNIST_REF_SHARD (``I/N``);
    MNIST_REF_SHARD_INDEX with MNIST_REF_SHARD_COUNT (0-based index, as GitHub Actions'
    strategy.job-index and job-total); a Slurm job array's SLURM_ARRAY_TASK_ID (less
    SLURM_ARRAY_TASK_MIN, in steps of SLURM_ARRAY_TASK_STEP) of SLURM_ARRAY_TASK_COUNT; a
    Kubernetes Indexed Job's JOB_COMPLETION_INDEX of MNIST_REF_SHARD_COUNT. ValueError, naming the
    variables, when they are incomplete or inconsistent.
    """
    if given is not None:
        return ShardChoice(given, "--shard")
    for reader in (_from_shard_variable, _from_index_variables, _from_slurm, _from_kubernetes):
        choice = reader(environ)
        if choice is not None:
            return choice
    return ShardChoice(WHOLE_CLASS, "no --shard and no job-array variable: the whole class")


def _from_shard_variable(environ: Mapping[str, str]) -> ShardChoice | None:
    """MNIST_REF_SHARD=I/N."""
    text = environ.get(SHARD_VARIABLE)
    if text is None:
        return None
    try:
        return ShardChoice(Shard.parse(text), f"{SHARD_VARIABLE}={text}")
    except ValueError as error:
        raise ValueError(f"{SHARD_VARIABLE}: {error}") from None


def _from_index_variables(environ: Mapping[str, str]) -> ShardChoice | None:
    """MNIST_REF_SHARD_INDEX (0-based) with MNIST_REF_SHARD_COUNT."""
    if INDEX_VARIABLE not in environ:
        return None
    index, count = _integers(environ, INDEX_VARIABLE, COUNT_VARIABLE, why="the number of jobs")
    return _zero_based(index, count, f"{INDEX_VARIABLE}={index}, {COUNT_VARIABLE}={count}")


def _from_slurm(environ: Mapping[str, str]) -> ShardChoice | None:
    """A Slurm job array: task ID, less the array's first ID, in steps, of the task count."""
    task, first, count = SLURM_VARIABLES
    if task not in environ:
        return None
    task_id, first_id, tasks = _integers(environ, task, first, count, why="sbatch --array sets it")
    (step,) = _integers({"STEP": environ.get("SLURM_ARRAY_TASK_STEP", "1")}, "STEP", why="")
    offset, remainder = divmod(task_id - first_id, max(step, 1))
    source = f"{task}={task_id}, {first}={first_id}, {count}={tasks}" + (
        f", step {step}" if step != 1 else ""
    )
    if remainder or task_id < first_id:
        raise ValueError(
            f"Slurm array task {task_id} is not first + k * step ({source}): use a plain "
            "range such as --array=1-4, or give --shard I/N"
        )
    return _zero_based(offset, tasks, source)


def _from_kubernetes(environ: Mapping[str, str]) -> ShardChoice | None:
    """A Kubernetes Indexed Job: JOB_COMPLETION_INDEX of MNIST_REF_SHARD_COUNT (its completions)."""
    if KUBERNETES_INDEX not in environ:
        return None
    index, count = _integers(environ, KUBERNETES_INDEX, COUNT_VARIABLE, why="the Job's .spec.completions")
    return _zero_based(index, count, f"{KUBERNETES_INDEX}={index}, {COUNT_VARIABLE}={count}")


def _zero_based(index: int, count: int, source: str) -> ShardChoice:
    """Shard ``index + 1`` of ``count``; ValueError naming ``source`` when out of range."""
    try:
        return ShardChoice(Shard(index + 1, count), source)
    except ValueError:
        raise ValueError(
            f"{source}: index {index} is not one of the {count} jobs 0..{count - 1}; "
            "check the job count, or give --shard I/N"
        ) from None


def _integers(environ: Mapping[str, str], *names: str, why: str) -> tuple[int, ...]:
    """The whole numbers in ``names``; ValueError naming the first one that is missing or not a number
    (``why`` says what the last one, the count, should be set to)."""
    values = []
    for name in names:
        text = environ.get(name)
        if text is None:
            raise ValueError(f"{names[0]} is set but {name} is not: set {name} ({why}), or give --shard I/N")
        if not text.strip().isdigit():
            raise ValueError(f"{name}={text!r}: expected a whole number")
        values.append(int(text))
    return tuple(values)
