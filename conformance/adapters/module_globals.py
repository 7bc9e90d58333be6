"""Module-level data (numbers, arrays) that a component's functions read, and overwriting it.

A function that reads ``m`` or ``alpha`` from the module instead of from its arguments
gives answers that depend on whatever the module happened to hold; the global-state
check changes these values with ``set_globals`` and calls again.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from conformance.adapters.introspect import called_functions, global_reads


def describe_data(value: Any) -> str | None:
    """A short description of a global's value, or None for anything that is not data.

    For example "int 1000", "float 0.1" or "ndarray float64 (784, 1000)".

    Booleans are flags, not data; modules, functions, classes and dtypes are not data either.
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.number):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, np.ndarray):
        return f"ndarray {value.dtype} {value.shape}"
    return None


def global_values(module: types.ModuleType, functions: Iterable[types.FunctionType]) -> dict[str, Any]:
    """``{name: value}`` of the module's data globals read by ``functions`` or by the module functions
    they call (one level down)."""
    read: set[str] = set()
    for function in functions:
        read |= global_reads(function)
        for callee in called_functions(function, module):
            read |= global_reads(callee)
    namespace = vars(module)
    return {
        name: namespace[name]
        for name in sorted(read)
        if name in namespace and describe_data(namespace[name]) is not None
    }


def data_globals(module: types.ModuleType, functions: Iterable[types.FunctionType]) -> dict[str, str]:
    """``{name: "int 1000"}``: the descriptions of ``global_values``."""
    return {name: str(describe_data(value)) for name, value in global_values(module, functions).items()}


def set_globals(module: types.ModuleType, values: Mapping[str, Any]) -> None:
    """Overwrite (or create) module globals; names must be identifiers."""
    for name, value in values.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"set_globals: {name!r} is not a valid global name")
        setattr(module, name, value)
