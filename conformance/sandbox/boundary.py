"""The child's side of the boundary: what its process may still reach once confined, and what it shows.

The worker (conformance.sandbox.worker) imports the harness, reads the target, and then, before
any of the target's code runs, calls :func:`enter`: the process is confined to the standard library,
NumPy, the allowed packages and its scratch folder (with Landlock, when the parent asked for it),
the import guard is installed (conformance.sandbox.imports), and what would tell the target it is
being checked (the harness's variables, arguments and import paths) is removed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import re
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from conformance.sandbox import imports, introspection
from conformance.sandbox.confine import LANDLOCK, Confinement, confine, readable_parts

if TYPE_CHECKING:
    from conformance.sandbox.protocol import WorkerSettings

SITE_FOLDERS = ("site-packages", "dist-packages")
"""Folders of the standard library's folder that hold installed packages, not the standard library."""
DEVICES = ("/dev/null",)
"""Files outside the scratch folder that the target may read and write."""


def enter(settings: WorkerSettings) -> None:
    """Confine this process (if the settings say so), guard its imports and scrub what it shows;
    nothing for a trusted target (the harness's own code, run without a scratch folder)."""
    if not settings.scratch:
        return
    extra = with_dependencies(settings.allowed_imports)
    packages = {
        name: location
        for name in (*imports.ALLOWED_BY_DEFAULT, *extra)
        if (location := package_location(name)) is not None
    }
    if settings.isolation == LANDLOCK:
        confine(confinement(settings.scratch, list(packages.values())))
    allowed = imports.allowed_names(extra)
    trusted = frozenset(name.partition(".")[0] for name in sys.modules)
    scrub(settings.scratch, settings.target)
    sys.meta_path.append(_PackageFinder(packages))
    imports.install(imports.ImportPolicy(allowed, settings.scratch, trusted))
    harness = str(Path(__file__).resolve().parent.parent)
    introspection.hide_harness(harness, imports.FORBIDDEN)
    passing_through = (
        "<frozen ",  # the import system's own modules
        *standard_library_folders(),
        *(str(location) for location in packages.values()),
    )
    introspection.refuse_introspection(harness, passing_through)


def with_dependencies(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` and the top-level modules of the packages they require, recursively (their
    distributions' requirements, extras left out), so that an allowed package (pandas) can import what
    it needs (dateutil, pytz...). A forbidden module is never added."""
    if not names:
        return ()
    providers = importlib.metadata.packages_distributions()  # top-level module -> its distributions
    modules_of: dict[str, list[str]] = {}
    for module, distributions in providers.items():
        for distribution in distributions:
            modules_of.setdefault(_canonical(distribution), []).append(module)
    found, seen = list(names), set()
    waiting = [distribution for name in names for distribution in providers.get(name, [])]
    while waiting:
        distribution = _canonical(waiting.pop())
        if distribution in seen:
            continue
        seen.add(distribution)
        found += modules_of.get(distribution, [])
        waiting += [_requirement_name(line) for line in _requirements(distribution) if "extra ==" not in line]
    return tuple(name for name in dict.fromkeys(found) if name not in imports.FORBIDDEN)


def _requirements(distribution: str) -> list[str]:
    try:
        return importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return []


def _requirement_name(requirement: str) -> str:
    """The distribution a requirement line names ("python-dateutil>=2.8.2" -> "python-dateutil")."""
    return re.match(r"[A-Za-z0-9._-]*", requirement.strip())[0]  # type: ignore[index]


def _canonical(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def confinement(scratch: str, packages: list[Path]) -> Confinement:
    """Readable: the standard library (not its site-packages) and the allowed ``packages`` (with their
    ``.libs`` folders of shared libraries); writable: ``scratch`` and DEVICES. The standard library's
    folder itself is only listable (Python finds modules by listing it), so what its site-packages
    holds is named but cannot be read."""
    stdlib = standard_library_folders()
    readable = [path for folder in stdlib for path in readable_parts(folder, SITE_FOLDERS)]
    for location in packages:
        readable += [str(location), str(location.with_name(f"{location.stem}.libs"))]
    return Confinement(tuple(readable), (scratch, *DEVICES), listable=tuple(stdlib))


def standard_library_folders() -> list[str]:
    """The folders of the interpreter's standard library (that of the base installation, not a venv's)."""
    paths = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    return sorted({paths["stdlib"], paths["platstdlib"]})


def package_location(name: str) -> Path | None:
    """The folder (or, for a single module, the file) of the installed top-level package ``name``."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    search = spec.submodule_search_locations
    return Path(next(iter(search))) if search else Path(spec.origin)


def scrub(scratch: str, target: str) -> None:
    """Leave the target nothing of the harness to read: arguments, PYTHONPATH, import paths and finders.

    sys.path holds the target's copy folder, then the standard library's folders; the finders of
    installed packages (an editable install's) are dropped.
    """
    os.environ.pop("PYTHONPATH", None)
    sys.argv = [target]
    sys.orig_argv = [sys.orig_argv[0], target]
    stdlib = standard_library_folders()
    sys.path[:] = [scratch, *(entry for entry in sys.path if _inside_any(entry, stdlib))]
    sys.meta_path[:] = [finder for finder in sys.meta_path if _is_standard_finder(finder)]
    sys.path_importer_cache.clear()


class _PackageFinder(importlib.abc.MetaPathFinder):
    """Finds the allowed packages where they are installed, without listing site-packages (which a
    confined process cannot list): ``locations`` maps their names to their folders or files."""

    def __init__(self, locations: dict[str, Path]):
        self.locations = locations

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        location = self.locations.get(fullname)
        if location is None:
            return None
        if location.is_dir():
            return importlib.util.spec_from_file_location(
                fullname, location / "__init__.py", submodule_search_locations=[str(location)]
            )
        return importlib.util.spec_from_file_location(fullname, location)


def _inside_any(path: str, folders: list[str]) -> bool:
    """True when ``path`` is one of ``folders`` or below one, but not in a SITE_FOLDERS folder."""
    parts = Path(path).parts
    return not set(parts) & set(SITE_FOLDERS) and any(Path(path).is_relative_to(folder) for folder in folders)


def _is_standard_finder(finder: object) -> bool:
    """True for the interpreter's own finders."""
    standard = (
        importlib.machinery.BuiltinImporter,
        importlib.machinery.FrozenImporter,
        importlib.machinery.PathFinder,
    )
    return finder in standard
