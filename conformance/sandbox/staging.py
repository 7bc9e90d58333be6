"""The child's private copy of the target: its scratch folder, its environment, and paths shown back.

Each child process gets a scratch folder of its own, deleted when the child ends, holding a copy
of the target's source files: the target itself, the ``.py`` files beside it and the packages
(folders with an ``__init__.py``) beside it, or, for a module name such as ``my_package.network``,
the whole top-level package. It is the only folder the child may write to, and, with the
interpreter's standard library and NumPy, the only one it may read (conformance.sandbox.confine).

What the child says names the copies; :func:`relabel` puts the original paths back, so that messages
read as if the child had loaded the original files.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_STAGED_FILES = 1000
"""At most this many source files are copied; beyond that only the target itself is."""
KEPT_VARIABLES = ("LANG", "LANGUAGE", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
"""Variables of the harness's environment the child keeps (with every ``LC_*``): what makes NumPy and
the C library behave (the OpenBLAS ones avoid wrong results on some processors). Nothing else
reaches it: no path, user or tool of the harness, no PATH either (the child runs no program).
``PYTHONPATH`` goes too, once the child has started (conformance.sandbox.boundary.scrub)."""


@dataclass(frozen=True)
class Staged:
    """The target as the child sees it: ``target`` (a copy, or the name given when nothing was found
    to copy), ``module_name`` ("" for a file, loaded under its stem), and where the copies came from."""

    target: str
    module_name: str
    scratch: str
    origin: str  # the folder the copies came from ("" when nothing was copied)


def stage(target: str, scratch: Path) -> Staged:
    """Copy the source files of ``target`` (a file or a module name) into the empty folder ``scratch``."""
    from conformance.loading import SOURCE_READERS  # here: conformance.loading imports this package

    path = Path(target)
    if path.suffix in SOURCE_READERS or path.exists():
        if not path.is_file():
            return Staged(target, "", str(scratch), "")
        return _stage_file(path, scratch)
    return _stage_module(target, scratch)


def _stage_file(path: Path, scratch: Path) -> Staged:
    """Copy a target file and the modules and packages beside it."""
    folder = path.resolve().parent
    copies = [*sources_beside(folder), path.resolve()]
    if len(copies) > MAX_STAGED_FILES:
        copies = [path.resolve()]
    for source in copies:
        _copy(source, scratch / source.relative_to(folder))
    return Staged(str(scratch / path.name), "", str(scratch), str(folder))


def _stage_module(name: str, scratch: Path) -> Staged:
    """Copy the top-level package (or module) of the module ``name``, found without importing anything."""
    unstaged = Staged(name, "", str(scratch), "")
    if not all(part.isidentifier() for part in name.split(".")):
        return unstaged
    spec = find_top_level(name.partition(".")[0])
    if spec is None or spec.origin is None:
        return unstaged
    if spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        origin = package.parent
        found = package.rglob("*.py")
        sources = [file for file in found if "__pycache__" not in file.parts and not file.is_symlink()]
    else:
        origin, sources = Path(spec.origin).parent, [Path(spec.origin)]
    if len(sources) > MAX_STAGED_FILES:
        return unstaged
    for source in sources:
        _copy(source, scratch / source.relative_to(origin))
    relative = Path(*name.split("."))
    for candidate in (scratch / relative.with_suffix(".py"), scratch / relative / "__init__.py"):
        if candidate.is_file():
            return Staged(str(candidate), name, str(scratch), str(origin))
    return unstaged


def find_top_level(top: str) -> importlib.machinery.ModuleSpec | None:
    """Where the child would find the top-level module ``top`` (its PYTHONPATH, its working folder)."""
    extra = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    spec = importlib.machinery.PathFinder.find_spec(top, [*extra, os.getcwd(), *sys.path])
    if spec is None:
        try:
            spec = importlib.util.find_spec(
                top
            )  # an editable install's finder, say: a top-level look-up runs no code
        except (ImportError, ValueError):
            return None
    return spec


def sources_beside(folder: Path) -> list[Path]:
    """The ``.py`` files of ``folder`` and of the packages in it, at any depth; hidden ones and symbolic
    links left out (a link may point at a file the target must not read)."""
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "__pycache__")) or entry.is_symlink():
            continue
        if entry.is_file() and entry.suffix == ".py":
            found.append(entry)
        elif entry.is_dir() and (entry / "__init__.py").is_file():
            found.extend(sources_beside(entry))
        if len(found) > MAX_STAGED_FILES:
            break
    return found


def _copy(source: Path, copy: Path) -> None:
    """Copy one file's contents into a plain file, making its folders."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, copy)


def relabel(value: Any, staged: Staged) -> Any:
    """``value`` (strings, and dataclasses, dicts, lists and tuples of them) with the copies' paths
    replaced by the originals'; anything else (arrays, numbers) as it is."""
    if isinstance(value, str):
        return value.replace(f"{staged.scratch}/", f"{staged.origin}/") if staged.origin else value
    if isinstance(value, dict):
        return {key: relabel(item, staged) for key, item in value.items()}
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(relabel(item, staged) for item in value)
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        changes = {name: relabel(getattr(value, name), staged) for name in value.__dataclass_fields__}
        return type(value)(**changes)
    return value


def child_environment(scratch: str, fixed: dict[str, str]) -> dict[str, str]:
    """The child's environment: the KEPT_VARIABLES and ``LC_*`` of this one, ``fixed``, and HOME and
    TMPDIR in its scratch folder. ``PYTHONPATH`` is passed on too (its folders made absolute: the child
    starts in its scratch folder), for the harness to start."""
    kept = {
        name: value for name, value in os.environ.items() if name in KEPT_VARIABLES or name.startswith("LC_")
    }
    paths = [os.path.abspath(entry) for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    python_path = {"PYTHONPATH": os.pathsep.join(paths)} if paths else {}
    return {**kept, **python_path, **fixed, "HOME": scratch, "TMPDIR": scratch}
