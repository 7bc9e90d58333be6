"""``mnist-ref grade`` and ``mnist-ref grade-merge`` (added to the ``mnist-ref`` group in mnist_ref_cli).

Two flat commands rather than a ``grade`` group with a default subcommand: ``grade
SUBMISSIONS`` stays the short common case, and a class folder that happens to be named
``merge`` can never be mistaken for the subcommand.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from conformance.cli import checking_options, ensure_isolation
from conformance.files import FolderBusy, only_writer
from conformance.grading.shards import WHOLE_CLASS, Shard, choose_shard

if TYPE_CHECKING:
    from conformance.grading.batch import GradingRun
    from mnist_ref.spec import NetworkSpec

EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C
SEED_RANGE = 2**31
"""A drawn seed is below this: any int32 fits the reports, the manifest and the command line."""


class GradingUnusable(click.ClickException):
    """Bad submissions folder, rubric or shards: a one-line message and exit status 2."""

    exit_code = 2


class ShardType(click.ParamType):
    """``--shard I/N`` as a Shard."""

    name = "I/N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Shard:
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


@click.command(
    "grade",
    epilog="""\b
Examples:
  mnist-ref grade submissions/ --out graded/
  mnist-ref grade "hw3/*.ipynb" --out graded/ --rubric rubric.toml --jobs 4
  mnist-ref grade submissions/ --out shard-2/ --shard 2/4       # one job of a CI matrix
  mnist-ref grade-merge shard-*/ --out graded/

Without --shard, a job array's own variables choose the shard: MNIST_REF_SHARD=I/N;
MNIST_REF_SHARD_INDEX (0-based) with MNIST_REF_SHARD_COUNT (GitHub Actions: strategy.job-index
and job-total); Slurm's SLURM_ARRAY_TASK_ID/_MIN/_COUNT; Kubernetes' JOB_COMPLETION_INDEX with
MNIST_REF_SHARD_COUNT. See docs/grading/shards.md.

Run it again after an interruption: finished submissions are kept, the rest are graded.
Exit status: 0 when every submission has a grade (whatever the grades), 2 for a bad
argument, submissions folder or rubric, 130 when interrupted.""",
)
@click.argument("submissions", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for grades.csv, summary.md, plots/, feedback/, gradescope/ and results/.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Submissions graded at the same time.  [default: every core]",
)
@click.option(
    "--rubric",
    "rubric_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of points per component or check, and hidden checks.  [default: 1 point per component]",
)
@click.option(
    "--shard",
    type=ShardType(),
    default=None,
    help="Grade only shard I of N of the class (sorted by name, every N-th from the I-th).  "
    "[default: from MNIST_REF_SHARD, MNIST_REF_SHARD_INDEX/_COUNT, a Slurm array or a Kubernetes "
    "Indexed Job when set, else 1/1]",
)
@click.option("--force", is_flag=True, help="Grade every submission again, even those already graded.")
@checking_options
@click.option(
    "--submission-timeout",
    type=click.FloatRange(1),
    default=120.0,
    show_default=True,
    help="Seconds one submission may take in all (--timeout is per call); past it, its remaining checks "
    "end as timeouts and its worker moves on.",
)
@click.option(
    "--no-progress", is_flag=True, help="Hide the progress bar (hidden anyway when not on a terminal)."
)
def grade_command(
    submissions: tuple[str, ...],
    out: Path,
    jobs: int | None,
    rubric_path: Path | None,
    shard: Shard | None,
    force: bool,
    seed: int | None,
    dtype: str,
    examples: int,
    timeout: float,
    memory_mb: int,
    submission_timeout: float,
    require_isolation: bool,
    no_progress: bool,
    spec: NetworkSpec | None = None,
) -> None:
    """Grade a class: check every submission, write a gradebook, feedback and a summary.

    SUBMISSIONS is a folder holding one .py or .ipynb file or one sub-folder per student
    (named after the file or folder; a sub-folder's entry point is its only .py/.ipynb
    file, else submission.py, submission.ipynb, main.py or main.ipynb), or a glob such as
    "hw3/*.ipynb". Each submission is checked like `mnist-ref check` does, in parallel,
    each in its own sandbox process. A submission that hangs, crashes, floods its output
    or eats memory is recorded as such; one that cannot be loaded scores 0, with the reason.
    """
    ensure_isolation(require_isolation)
    from conformance.grading.batch import grade_class
    from conformance.grading.rubric import RubricError, equal_weights, load_rubric
    from conformance.grading.settings import GradingSettings
    from conformance.grading.submissions import SubmissionsError, find_submissions
    from mnist_ref.spec import CLASSIC

    try:
        rubric = equal_weights(spec or CLASSIC) if rubric_path is None else load_rubric(rubric_path, spec)
        found = find_submissions(submissions, exclude=out)
        choice = choose_shard(shard, os.environ)
    except (RubricError, SubmissionsError, ValueError) as error:
        raise GradingUnusable(str(error)) from None
    shard = choice.shard
    if shard != WHOLE_CLASS:
        click.echo(f"grading {choice}")
    try:
        seed, said = grading_seed(seed, out, shard)
    except ValueError as error:
        raise GradingUnusable(str(error)) from None
    network = GradingSettings.network_of(rubric.network)
    settings = GradingSettings(
        seed,
        dtype,
        examples,
        timeout,
        memory_mb,
        submission_timeout,
        network=network,
        allowed_imports=rubric.allowed_imports,
    )
    try:
        with only_writer(out):
            run = grade_class(
                found,
                out,
                settings=settings,
                rubric=rubric,
                jobs=jobs,
                shard=shard,
                force=force,
                progress=False if no_progress else None,
            )
    except FolderBusy as error:
        raise GradingUnusable(str(error)) from None
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted: the submissions graded so far are saved in {out / 'results'}; "
            "run the same command again to grade the rest",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    except OSError as error:  # the output folder cannot be written, the disk is full...
        raise GradingUnusable(f"grading stopped: {error}") from None
    share = "" if shard == WHOLE_CLASS else f" (shard {shard} of a class of {len(found.submissions)})"
    click.echo("\n".join([*run_lines(run, share, out), said]))


def grading_seed(given: int | None, out: Path, shard: Shard) -> tuple[int, str]:
    """(the seed of a grading run, a line saying where it comes from): ``--seed`` when given, else the
    seed stored in ``out`` (a resumed run), else a fresh one no submission can know. A shard needs
    ``--seed``: the shards of a class must draw the same inputs. ValueError for a shard without one."""
    if given is not None:
        return given, f"seed: {given}"
    from conformance.grading.manifest import ManifestError, read_manifest

    with contextlib.suppress(ManifestError):
        stored = read_manifest(out).settings.seed
        return stored, f"seed: {stored}, that of the run stored in {out} (resumed)"
    if shard != WHOLE_CLASS:
        raise ValueError(
            "--shard needs --seed: every shard of a class must draw the same inputs; give them all the"
            f" same number, such as --seed {secrets.randbelow(SEED_RANGE)}"
        )
    seed = secrets.randbelow(SEED_RANGE)
    return seed, f"seed: {seed}, drawn for this run (give --seed {seed} to replay it)"


def run_lines(run: GradingRun, share: str, out: Path) -> list[str]:
    """What a finished run tells the user: counts, then where each output is."""
    checked = sum(result.outcome == "checked" for result in run.results)
    not_checked = len(run.results) - checked
    return [
        f"{len(run.results)} submissions{share}: {run.graded} graded now, {run.reused} already graded",
        f"{checked} checked"
        + (f", {not_checked} not checked (see the reason column)" if not_checked else ""),
        f"gradebook: {run.gradebook}",
        f"summary: {out / 'summary.md'}",
        f"for the students: {out / 'feedback'} and {out / 'gradescope'}",
    ]


@click.command(
    "grade-merge",
    epilog="""\b
Example (the shards of a CI matrix, downloaded into shard-1/ ... shard-4/):
  mnist-ref grade-merge shard-1/ shard-2/ shard-3/ shard-4/ --out graded/""",
)
@click.argument(
    "shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the merged gradebook, summary, feedback and Gradescope files.",
)
def grade_merge_command(shards: tuple[Path, ...], out: Path) -> None:
    """Merge the output folders of `mnist-ref grade --shard I/N` into one gradebook and summary.

    The shards must come from the same class, settings and rubric, each shard exactly once,
    every one finished.
    """
    from conformance.grading.manifest import ManifestError
    from conformance.grading.merge import MergeError, merge_shards

    try:
        gradebook = merge_shards(shards, out)
    except (ManifestError, MergeError) as error:
        raise GradingUnusable(str(error)) from None
    except OSError as error:
        raise GradingUnusable(f"merging stopped: {error}") from None
    click.echo(f"merged {len(shards)} shards; gradebook: {gradebook}; summary: {out / 'summary.md'}")
