"""The options that choose a network of the family (``--layers``, ``--activation``... or ``--spec``).

``network_options`` adds them to a command and hands the command one ``spec`` argument instead: the
NetworkSpec they describe, or None when none of them was given (the command's classic network).
An impossible combination is a one-line error with exit status 2.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mnist_ref.spec import ACTIVATIONS, LOSSES, OPTIMIZERS, OUTPUTS, SpecError, load_spec

SPEC_KEYS = (
    "layers", "activation", "leaky_slope", "output", "loss", "l2", "optimizer", "momentum", "beta1", "beta2",
    "epsilon",
)  # fmt: skip
"""The spec's keys that have an option each (``leaky_slope`` is ``--leaky-slope``)."""


class SpecOptionError(click.ClickException):
    """The network options or spec file describe no network of the family; exit status 2 (a usage error)."""

    exit_code = 2


def network_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the network options to a click command, which then receives ``spec`` (a NetworkSpec or None)."""

    @functools.wraps(command)
    def with_spec(*args: Any, **kwargs: Any) -> Any:
        spec_file = kwargs.pop("spec_file")
        options = {key: kwargs.pop(key) for key in SPEC_KEYS}
        if spec_file is None and all(value is None for value in options.values()):
            return command(*args, spec=None, **kwargs)
        try:
            spec = load_spec(spec_file, options)
        except SpecError as error:
            raise SpecOptionError(str(error)) from error
        return command(*args, spec=spec, **kwargs)

    for option in reversed(OPTIONS):
        with_spec = option(with_spec)
    return with_spec


OPTIONS = (
    click.option(
        "--layers",
        metavar="WIDTHS",
        help="Layer widths from the 784 pixels to the 10 classes, one or more hidden layers between."
        " [default: 784,128,10]",
    ),
    click.option(
        "--activation", type=click.Choice(ACTIVATIONS), help="Hidden-layer activation. [default: relu]"
    ),
    click.option("--leaky-slope", type=float, help="Slope of leaky_relu below zero. [default: 0.01]"),
    click.option("--output", type=click.Choice(OUTPUTS), help="Output layer. [default: softmax]"),
    click.option(
        "--loss",
        type=click.Choice(LOSSES),
        help="Loss: cross_entropy or mse with softmax outputs, mse or binary_cross_entropy with sigmoid"
        " outputs. [default: cross_entropy]",
    ),
    click.option(
        "--l2",
        type=float,
        help="Weight decay lambda: lambda/(2m) * sum of W**2 over the weights (not the biases), in the loss"
        " and in the gradient. [default: 0]",
    ),
    click.option(
        "--optimizer",
        type=click.Choice(OPTIMIZERS),
        help="Update step: sgd, momentum (heavy-ball) or adam (bias-corrected). [default: sgd]",
    ),
    click.option("--momentum", type=float, help="beta of --optimizer momentum. [default: 0.9]"),
    click.option("--beta1", type=float, help="beta1 of --optimizer adam. [default: 0.9]"),
    click.option("--beta2", type=float, help="beta2 of --optimizer adam. [default: 0.999]"),
    click.option("--epsilon", type=float, help="epsilon of --optimizer adam. [default: 1e-08]"),
    click.option(
        "--spec",
        "spec_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TOML file whose [network] table holds the same keys (layers = [784, 128, 10], ...);"
        " options given as well override it.",
    ),
)
"""The click options, in the order help shows them."""
