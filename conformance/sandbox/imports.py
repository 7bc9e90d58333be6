"""Which modules the target's code may import, and what happens with the others.

A submission may import the standard library, NumPy, tqdm (and the packages a course allows) and
its own files. Among the other modules, those that would do its work are *forbidden*: the reference
``mnist_ref``, the harness ``conformance`` and the frameworks that compute gradients (torch, jax,
tensorflow...); the rest are *unavailable*, as if they were not installed. The guard is installed
in the child process once the harness is imported and the process confined, so it judges the
imports of the target's code only:

- an ``import`` statement in a module that the harness did not load (the target, its helper
  modules) gets, for a forbidden module, a :class:`ForbiddenModule` stand-in. Importing works, so
  a stray ``import torch`` that the checked functions never use costs nothing, but calling or
  using the stand-in raises :class:`ForbiddenImport`, which the checks report as
  ``forbidden_import`` naming the module and the line of the import. This holds for modules the
  child has loaded already (the harness itself). An unavailable module raises ModuleNotFoundError;
- any other way to import a module that is not loaded yet (``importlib.import_module``) raises
  ForbiddenImport or ModuleNotFoundError at once.

This is a diagnosis, not the boundary: code in the same process can always reach the objects the
harness holds. The boundary is that the reference is not in the child at all and that Landlock
(conformance.sandbox.confine) keeps every other file out of reach.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, NoReturn

ALLOWED_BY_DEFAULT = ("numpy", "tqdm")
"""Packages a submission may import besides the standard library and its own files (tqdm: the progress
bar of many training loops)."""
FORBIDDEN = frozenset(
    {
        "mnist_ref", "conformance",
        "torch", "torchvision", "jax", "jaxlib", "flax", "tensorflow", "keras", "tf_keras",
        "sklearn", "autograd", "mxnet", "paddle", "chainer", "theano", "mlx", "tinygrad",
    }
)  # fmt: skip
"""Top-level modules that would do a submission's work: the reference, the harness, autodiff frameworks."""
RULE = "a submission may import only the standard library, numpy, tqdm and its own files"

Verdict = Literal["allowed", "forbidden", "unavailable"]


class ForbiddenImport(ModuleNotFoundError):
    """The target's code imported, or used what it imported from, a module a submission may not use.

    ``module`` is what it reached for ("mnist_ref.network.backward"), ``line`` the line of its import
    (None for an import by other means than an ``import`` statement).
    """

    def __init__(self, module: str, line: int | None = None):
        super().__init__(forbidden_message(module, line and f"line {line}"), name=module.partition(".")[0])
        self.module = module
        self.line = line


def forbidden_message(name: str, where: str | None) -> str:
    """``"mnist_ref (imported on line 3) may not be used: ..."``; ``where`` is "line 3", "cell 2, line 1"."""
    imported = f" (imported on {where})" if where else ""
    return f"{name}{imported} may not be used: {RULE}"


def unavailable(name: str) -> ModuleNotFoundError:
    """The error for importing a module that is neither allowed nor forbidden, as if it were missing."""
    top = name.partition(".")[0]
    return ModuleNotFoundError(f"No module named '{top}' ({RULE})", name=top)


@dataclass
class ImportPolicy:
    """The allowed top-level names, and the folder holding the target's own modules (``own_folder``)."""

    allowed: frozenset[str]
    own_folder: str
    trusted: frozenset[str] = frozenset()  # top-level names of the modules the harness loaded
    _own: dict[str, bool] = field(default_factory=dict, repr=False)

    def verdict(self, name: str) -> Verdict:
        """Whether the target's code may import the module ``name`` ("torch.nn", "numpy", "helpers")."""
        top = name.partition(".")[0]
        if top in self.allowed or self._is_own(top):
            return "allowed"
        return "forbidden" if top in FORBIDDEN else "unavailable"

    def judges(self, importer: dict[str, Any] | None) -> bool:
        """True when an import made from the module with these globals is the target's own."""
        name = (importer or {}).get("__name__") or ""
        return name.partition(".")[0] not in self.trusted

    def _is_own(self, top: str) -> bool:
        """True when ``top`` is a module or package of the target's own folder."""
        if top not in self._own:
            spec = importlib.machinery.PathFinder.find_spec(top, [self.own_folder])
            self._own[top] = spec is not None
        return self._own[top]


def parse_allowed(value: Any, where: str) -> tuple[str, ...]:
    """The packages of an ``allowed_imports`` list (a rubric's, a mapping file's), validated; ValueError
    naming ``where`` for anything but a list of top-level module names, or for a forbidden one."""
    if not isinstance(value, list) or not all(
        isinstance(name, str) and name.isidentifier() for name in value
    ):
        raise ValueError(f'{where}: give a list of top-level module names, such as ["pandas"]')
    forbidden = [name for name in value if name in FORBIDDEN]
    if forbidden:
        raise ValueError(
            f"{where}: {forbidden[0]} cannot be allowed: a submission may never import the reference, the"
            f" checker or a framework that computes gradients ({', '.join(sorted(FORBIDDEN))})"
        )
    return tuple(value)


def allowed_in(config: str | None) -> tuple[str, ...]:
    """The ``allowed_imports`` of the mapping file ``config`` (empty without one, or when the file cannot
    be read: loading the mapping file says why); ValueError for a wrong list."""
    if config is None:
        return ()
    try:
        document = tomllib.loads(Path(config).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    if "allowed_imports" not in document:
        return ()
    return parse_allowed(document["allowed_imports"], f"{config}: allowed_imports")


def allowed_names(extra: Iterable[str] = ()) -> frozenset[str]:
    """The standard library's top-level names, NumPy's and ``extra``'s."""
    return frozenset(sys.stdlib_module_names) | frozenset(ALLOWED_BY_DEFAULT) | frozenset(extra)


class ForbiddenModule:
    """What the target's code gets for a forbidden ``import``: any use but looking up an attribute raises.

    ``name`` is what it stands for ("mnist_ref.network.backward"), ``line`` the line of the import.
    """

    def __init__(self, name: str, line: int):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_line", line)

    def __getattr__(self, attribute: str) -> ForbiddenModule:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)  # protocols probed by Python and NumPy (__array__, __len__...)
        return ForbiddenModule(f"{self._name}.{attribute}", self._line)

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise ForbiddenImport(self._name, self._line)

    __call__ = __getitem__ = __iter__ = __bool__ = __len__ = __float__ = __int__ = __index__ = _refuse
    __setattr__ = __mro_entries__ = __add__ = __radd__ = __mul__ = __rmul__ = __matmul__ = _refuse
    __rmatmul__ = __sub__ = __rsub__ = __truediv__ = __rtruediv__ = _refuse

    def __repr__(self) -> str:
        return f"<forbidden module {self._name}>"


class _GuardFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: refuses to look up a module the policy does not allow."""

    def __init__(self, policy: ImportPolicy):
        self.policy = policy

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        verdict = self.policy.verdict(fullname)
        if verdict == "forbidden":
            raise ForbiddenImport(fullname)
        if verdict == "unavailable":
            raise unavailable(fullname)


def install(policy: ImportPolicy) -> None:
    """From now on, imports follow ``policy`` (see the module's docstring)."""
    sys.meta_path.insert(0, _GuardFinder(policy))
    builtins.__import__ = _guarded(builtins.__import__, policy)


def _guarded(real_import: Callable[..., ModuleType], policy: ImportPolicy) -> Callable[..., Any]:
    """``__import__`` judging the ``import`` statements of the target's code by ``policy``."""

    def guarded_import(
        name: str,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> Any:
        if level == 0 and policy.judges(globals):
            verdict = policy.verdict(name)
            if verdict == "forbidden":
                stands_for = name if fromlist else name.partition(".")[0]
                return ForbiddenModule(stands_for, sys._getframe(1).f_lineno)
            if verdict == "unavailable":
                raise unavailable(name)
        return real_import(name, globals, locals, fromlist, level)

    return guarded_import
