"""`mnist-ref check`: the command line of the harness (added to the `mnist-ref` group in mnist_ref_cli)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from conformance.files import write_atomically

if TYPE_CHECKING:
    from mnist_ref.spec import NetworkSpec

EXIT_PASSED, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
"""As in conformance.report.verdicts, which is not imported here: it loads the report formats (rich)."""


class TargetUnusable(click.ClickException):
    """The target cannot be loaded: a one-line message and exit code 2."""

    exit_code = EXIT_UNUSABLE


class UnusableMapping(click.ClickException):
    """The --config mapping file is missing or wrong: a one-line message and exit code 2."""

    exit_code = EXIT_UNUSABLE


class UnusableBaseline(click.ClickException):
    """The --baseline file is missing or is not a JSON report: a one-line message and exit code 2."""

    exit_code = EXIT_UNUSABLE


class IsolationUnavailable(click.ClickException):
    """--require-isolation where the target cannot be confined: a one-line message and exit code 2."""

    exit_code = EXIT_UNUSABLE


PUBLIC_SEED = 0
"""check's seed when none is given: a student's report is the same on every run, and in CI."""

CHECKING_OPTIONS = (
    click.option(
        "--seed",
        type=int,
        default=None,
        help="Seed of the generated inputs: the same seed gives the same report. check: 0 by default."
        " grade: by default a fresh seed that no submission can know (recorded in grading.json and"
        " summary.md: --seed N replays the run), or the seed of the output folder when resuming.",
    ),
    click.option(
        "--dtype",
        type=click.Choice(["float64", "float32"]),
        default="float64",
        show_default=True,
        help="Dtype of the arrays fed to the target.",
    ),
    click.option(
        "--examples",
        type=click.IntRange(1, 1000),
        default=10,
        show_default=True,
        help="Generated inputs per property check (more finds rarer bugs, takes longer).",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(0.1),
        default=10.0,
        show_default=True,
        help="Seconds one call into the target may take before it counts as hung.",
    ),
    click.option(
        "--memory-mb",
        type=click.IntRange(64),
        default=2048,
        show_default=True,
        help="Memory limit of the process that runs the target.",
    ),
    click.option(
        "--require-isolation",
        is_flag=True,
        help="Refuse to run (exit 2) where targets cannot be confined with Landlock (an old kernel, "
        "macOS, a container that blocks it): they would run with your user's rights.",
    ),
)
"""How targets are checked: options shared by `mnist-ref check` and `mnist-ref grade`."""


def checking_options(command: Callable) -> Callable:
    """Add the CHECKING_OPTIONS to a click command, in their order."""
    for option in reversed(CHECKING_OPTIONS):
        command = option(command)
    return command


def ensure_isolation(required: bool) -> None:
    """Exit 2 when ``required`` and targets would run unconfined (see conformance.sandbox.confine)."""
    from conformance.sandbox.confine import LANDLOCK, isolation

    if required and isolation() != LANDLOCK:
        raise IsolationUnavailable(
            "--require-isolation: this system cannot confine the target (no Landlock ABI 6); "
            "see the README's isolation section"
        )


def emit_report(text: str, out: Path | None) -> None:
    """Print the report, or write it to ``out`` and say so on standard error."""
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)
        click.echo(f"report written to {out}", err=True)


@click.command(
    "check",
    epilog="""\b
Examples:
  mnist-ref check homework.py                      # a table for people
  mnist-ref check homework.py --format json --out report.json
  mnist-ref check my_package.network --dtype float32 --seed 3
  mnist-ref check homework.py --format markdown >> "$GITHUB_STEP_SUMMARY"
  mnist-ref check homework.py --format gradescope --out /autograder/results/results.json
  mnist-ref check homework.py --baseline last_week.json   # fail only on new failures
  mnist-ref check homework.ipynb --show-mapping > mapping.toml   # what was found, as a mapping file
  mnist-ref check homework.ipynb --config mapping.toml            # ... fixed by hand

Exit code: 0 when every required component was checked and is right (PASSED);
1 when a component is wrong (FAILED; with --baseline: only when a check that passed
in the baseline fails now); 2 when the target cannot be loaded, nothing in it could be
checked, or an argument is wrong; 3 when nothing is wrong but a required component
could not be checked (INCOMPLETE: the report says why and the one-line fix).""",
)
@click.argument("target")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "junit", "markdown", "gradescope"]),
    default="text",
    show_default=True,
    help="text: a table for people (colour on a terminal); json: the documented machine contract; "
    "junit: JUnit XML for CI test reports; markdown: a summary for a CI job or a pull request; "
    "gradescope: an autograder results.json (written even when the target cannot be loaded).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier JSON report: print the checks that regressed (passed then, fail now) and those "
    "fixed since, and exit 1 only for regressions.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A mapping file (TOML) that says which function is which component, their arguments, "
    "the layout (column or row) and the learning-rate attribute, where auto-detection gets them wrong.",
)
@click.option(
    "--require",
    "require",
    metavar="COMPONENTS",
    help="The components a PASS needs, comma-separated (e.g. forward,dW1,db1,dW2,db2,update,loss), or "
    "'all'; by default forward, dW1, db1, dW2, db2 and update, or the mapping file's `required`.",
)
@click.option(
    "--show-mapping",
    is_flag=True,
    help="Print what was found in TARGET and how each component will be called, as a mapping file "
    "to edit and pass back with --config; run no check.",
)
@checking_options
def check_command(
    target: str,
    output_format: str,
    out: Path | None,
    baseline_path: Path | None,
    config_path: Path | None,
    require: str | None,
    show_mapping: bool,
    seed: int | None,
    dtype: str,
    examples: int,
    timeout: float,
    memory_mb: int,
    require_isolation: bool,
    spec: NetworkSpec | None = None,
) -> None:
    """Check someone else's MNIST network, component by component.

    TARGET is a .py file, a Jupyter notebook (.ipynb) or an importable module name. Its
    imports, functions, classes and constants are loaded in a separate process; top-level
    training, data loading, plotting, magics and shell escapes are not run. Each component
    (init, relu, softmax, one_hot, forward, loss, dW1, db1, dW2, db2, update, predict,
    accuracy, train) is fed inputs computed by the reference and compared with the
    reference, PyTorch autograd and finite differences.
    A failure names its likely cause (a diagnosis code) and a hint.

    The network checked is the classic one (784 -> ReLU -> softmax 10) unless the network
    options say another (--layers 784,64,32,10 --activation sigmoid --loss mse ...), or
    --spec FILE or the mapping file's [network] table does: each layer's gradients are then a
    component (dW3, db3, ...). A target that is another network fails with
    different_network, naming the options that would check it as what it is.
    """
    seed = PUBLIC_SEED if seed is None else seed
    from conformance.oracles.background import BackgroundAutograd
    from conformance.sandbox import Sandbox
    from conformance.sandbox.imports import allowed_in

    ensure_isolation(require_isolation)
    # First the two child processes, which take the longest: torch imports in one and the target
    # loads in the other, while this process imports the rest of the harness.
    config = None if config_path is None else str(config_path)
    try:
        allowed = allowed_in(config)
    except ValueError as exc:
        raise UnusableMapping(str(exc)) from None
    autograd = BackgroundAutograd()
    sandbox = Sandbox(target, timeout=timeout, memory_mb=memory_mb, config=config, allowed_imports=allowed)
    if not show_mapping:
        autograd.start()
    sandbox.start()
    click.get_current_context().call_on_close(autograd.close)
    click.get_current_context().call_on_close(sandbox.close)

    from conformance.baseline import BaselineError, compare, load_baseline
    from conformance.report import FORMATS, render_gradescope_load_failure, render_json
    from conformance.runner import run_checks
    from conformance.sandbox.protocol import TargetLoadError

    try:
        baseline = None if baseline_path is None else load_baseline(baseline_path)
    except BaselineError as exc:
        raise UnusableBaseline(str(exc)) from None
    # conformance.mapping imports the adapters, which only the target's process needs otherwise
    required, file_required, given, file_spec = None, None, None, None
    if config is not None or require is not None:
        from conformance.mapping import MappingError, load_mapping, parse_required

        try:
            mapping = None if config is None else load_mapping(config)
            file_required, file_spec = (
                (None, None) if mapping is None else (mapping.required, mapping.network)
            )
            given = None if require is None else parse_required(require, "--require")
        except MappingError as exc:
            raise UnusableMapping(str(exc)) from None
        required = given or file_required
    from mnist_ref.spec import CLASSIC

    spec = spec or file_spec or CLASSIC
    if show_mapping:
        from conformance.mapping import render_mapping

        try:
            found = sandbox.describe()
        except TargetLoadError as exc:
            raise TargetUnusable(f"cannot load the target: {exc}") from None
        click.echo(render_mapping(found, target), nl=False)
        sys.exit(EXIT_PASSED)
    try:
        report = run_checks(
            target,
            seed=seed,
            dtype=dtype,
            examples=examples,
            autograd=autograd,
            sandbox=sandbox,
            required=required,
            spec=spec,
        )
    except TargetLoadError as exc:
        message = f"cannot load the target: {exc}"
        if output_format == "gradescope":
            emit_report(render_gradescope_load_failure(message), out)
        elif out is not None:
            out.unlink(missing_ok=True)  # an earlier run's report must not stand for this one
        raise TargetUnusable(message) from None
    comparison = None if baseline is None else compare(baseline, report)
    if output_format == "text" and out is None:
        text = FORMATS["text"](report, color=sys.stdout.isatty())
    elif output_format == "json" and comparison is not None:
        text = render_json(report, extra={"baseline": comparison.to_dict()})
    else:
        text = FORMATS[output_format](report)
    emit_report(text, out)
    if comparison is not None:
        click.echo("\n".join(comparison.lines()), err=True)
        sys.exit(EXIT_FAILED if comparison.regressions else EXIT_PASSED)
    sys.exit(report.exit_code)
