"""The options that choose a network of the family (``--layers``, ``--activation``... or ``--spec``).

``network_options`` adds them to a command (``train``) and hands it one ``spec`` argument instead: the
NetworkSpec they describe, or None when none of them was given (the command's classic network).
``checking_a_network`` adds them to ``check`` and ``grade``, which check a target against that
network. An impossible combination is a one-line error with exit status 2.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mnist_ref.spec import (
    ACTIVATIONS,
    LOSSES,
    OPTIMIZERS,
    OUTPUTS,
    NetworkSpec,
    SpecError,
    load_spec,
)

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
        return command(*args, spec=spec_given(kwargs), **kwargs)

    for declarations, attributes in reversed(DECLARATIONS):
        with_spec = click.option(*declarations, **attributes)(with_spec)
    return with_spec


def checking_a_network(command: click.Command) -> click.Command:
    """A copy of ``command`` (``check``, ``grade``) that takes the network options too and receives
    ``spec``: the NetworkSpec they describe, None when none was given (the mapping file's or rubric's
    ``[network]``, else the classic network). An impossible spec is a one-line error (exit status 2)."""
    checking = copy.copy(command)
    checking.params = [*command.params, *(click.Option(list(names), **kw) for names, kw in DECLARATIONS)]
    run: Callable[..., Any] = command.callback  # type: ignore[assignment]  # a command always has one

    @functools.wraps(run)
    def with_spec(**kwargs: Any) -> Any:
        return run(spec=spec_given(kwargs), **kwargs)

    checking.callback = with_spec
    return checking


def spec_given(kwargs: dict[str, Any]) -> NetworkSpec | None:
    """Take the network options out of a command's ``kwargs``: the spec they describe, None when none was
    given; SpecOptionError for an impossible one."""
    spec_file = kwargs.pop("spec_file")
    options = {key: kwargs.pop(key) for key in SPEC_KEYS}
    if spec_file is None and all(value is None for value in options.values()):
        return None
    try:
        return load_spec(spec_file, options)
    except SpecError as error:
        raise SpecOptionError(str(error)) from error


DECLARATIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--layers",),
        {
            "metavar": "WIDTHS",
            "help": "Layer widths from the 784 pixels to the 10 classes, one or more hidden layers between."
            " [default: 784,128,10]",
        },
    ),
    (
        ("--activation",),
        {"type": click.Choice(ACTIVATIONS), "help": "Hidden-layer activation. [default: relu]"},
    ),
    (("--leaky-slope",), {"type": float, "help": "Slope of leaky_relu below zero. [default: 0.01]"}),
    (("--output",), {"type": click.Choice(OUTPUTS), "help": "Output layer. [default: softmax]"}),
    (
        ("--loss",),
        {
            "type": click.Choice(LOSSES),
            "help": "Loss: cross_entropy or mse with softmax outputs, mse or binary_cross_entropy with"
            " sigmoid outputs. [default: cross_entropy]",
        },
    ),
    (
        ("--l2",),
        {
            "type": float,
            "help": "Weight decay lambda: lambda/(2m) * sum of W**2 over the weights (not the biases), in the"
            " loss and in the gradient. [default: 0]",
        },
    ),
    (
        ("--optimizer",),
        {
            "type": click.Choice(OPTIMIZERS),
            "help": "Update step: sgd, momentum (heavy-ball) or adam (bias-corrected). [default: sgd]",
        },
    ),
    (("--momentum",), {"type": float, "help": "beta of --optimizer momentum. [default: 0.9]"}),
    (("--beta1",), {"type": float, "help": "beta1 of --optimizer adam. [default: 0.9]"}),
    (("--beta2",), {"type": float, "help": "beta2 of --optimizer adam. [default: 0.999]"}),
    (("--epsilon",), {"type": float, "help": "epsilon of --optimizer adam. [default: 1e-08]"}),
    (
        ("--spec", "spec_file"),
        {
            "type": click.Path(exists=True, dir_okay=False, path_type=Path),
            "help": "TOML file whose [network] table holds the same keys (layers = [784, 128, 10], ...);"
            " options given as well override it.",
        },
    ),
)
"""The network options' click declarations and attributes, in the order help shows them."""
