"""The conformance harness: checks someone else's two-layer MNIST network, component by component.

In Jupyter, ``%load_ext conformance`` then ``%mnist_check`` (or ``conformance.check_notebook()``)
checks the definitions the running kernel holds (conformance.jupyter). Importing this package
imports nothing else.
"""

from __future__ import annotations

from typing import Any


def check_notebook(**options: Any) -> Any:
    """Check the definitions this kernel holds now; see conformance.jupyter.check_notebook."""
    from conformance.jupyter import check_notebook as check

    return check(**options)


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext conformance``: registers the ``%mnist_check`` line magic."""
    from conformance.jupyter import load_ipython_extension as load

    load(shell)
