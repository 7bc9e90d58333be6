"""Finding a class's submissions: their names, their entry points and a hash of their source.

``mnist-ref grade SUBMISSIONS`` accepts:

- one folder: each ``.py`` or ``.ipynb`` file in it is a submission named after the file
  (``alice.py`` -> ``alice``), and each sub-folder is a submission named after the folder;
- a glob pattern (``"hw3/*.ipynb"``) or several paths (the shell's expansion of an unquoted
  glob): each match is one submission, a file or a folder.

Names starting with ``.`` or ``__`` (``.git``, ``__pycache__``, ``__MACOSX``) are ignored, and
so are files of other kinds and symbolic links. The entry point of a sub-folder is its only ``.py``
or ``.ipynb`` file (its top level, not below); when it has several, the first of ``ENTRY_POINT_NAMES``
present; otherwise the submission cannot be loaded, and says why.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".ipynb")
ENTRY_POINT_NAMES = ("submission.py", "submission.ipynb", "main.py", "main.ipynb")
"""Conventional names of the entry point of a sub-folder with several source files, in order of preference."""
GLOB_CHARACTERS = frozenset("*?[")


class SubmissionsError(Exception):
    """SUBMISSIONS names nothing to grade, or two submissions share a name; the message is one line."""


@dataclass(frozen=True)
class Submission:
    """One student's work, found under the class's ``root`` folder.

    Paths are relative to the root, ``/``-separated: ``path`` is the file or folder handed in,
    ``files`` its .py and .ipynb files (all that grading copies and reads), ``entry`` the file to
    check, or None when there is none, with ``problem`` saying why. ``source_sha256`` hashes the
    files' names and contents, so that a changed submission is graded again.
    """

    name: str
    path: str
    files: tuple[str, ...]
    entry: str | None
    problem: str | None
    source_sha256: str


@dataclass(frozen=True)
class SubmissionSet:
    """All submissions of a class, sorted by name, and the folder their paths are relative to."""

    root: Path
    submissions: tuple[Submission, ...]

    @property
    def names(self) -> list[str]:
        return [submission.name for submission in self.submissions]


def is_ignored(path: Path) -> bool:
    """True for hidden and special names (``.ipynb_checkpoints``, ``__pycache__``, ``__MACOSX``)."""
    return path.name.startswith((".", "__"))


def is_source_file(path: Path) -> bool:
    """True for a .py or .ipynb file that is not ignored, nor a symbolic link (which may point at any
    file the grader can read: a classmate's, the reference)."""
    return (
        path.is_file() and not path.is_symlink() and path.suffix in SOURCE_SUFFIXES and not is_ignored(path)
    )


def find_submissions(specs: Sequence[str], *, exclude: Path | None = None) -> SubmissionSet:
    """The submissions named by ``specs`` (one folder, or globs and paths), ``exclude`` left out.

    ``exclude`` is the output folder, which may sit inside the class folder. Raises
    SubmissionsError when nothing is found or two submissions get the same name.
    """
    if not specs:
        raise SubmissionsError("no SUBMISSIONS given: name a folder of submissions or a glob")
    if len(specs) == 1 and Path(specs[0]).is_dir():
        root = Path(specs[0])
        paths = sorted(path for path in root.iterdir() if path.is_dir() or path.suffix in SOURCE_SUFFIXES)
        where = f"{root}: no .py or .ipynb file and no sub-folder to grade"
    else:
        paths = sorted({path for spec in specs for path in _expand(spec)})
        root = Path(os.path.commonpath([path.resolve().parent for path in paths])) if paths else Path()
        where = f"{' '.join(specs)}: matches no .py or .ipynb file and no folder"
    excluded = exclude.resolve() if exclude is not None else None
    kept = [
        path
        for path in paths
        if not is_ignored(path) and not path.is_symlink() and path.resolve() != excluded
    ]
    if not kept:
        raise SubmissionsError(where)
    submissions = [_submission(path, root) for path in kept]
    _check_unique_names(submissions)
    return SubmissionSet(root, tuple(sorted(submissions, key=lambda submission: submission.name)))


def _expand(spec: str) -> list[Path]:
    """The paths a glob pattern matches (a plain path matches itself if it exists)."""
    if GLOB_CHARACTERS & set(spec):
        matches = [Path(match) for match in glob.glob(spec)]
    else:
        matches = [Path(spec)] if Path(spec).exists() else []
    return [path for path in matches if path.is_dir() or path.suffix in SOURCE_SUFFIXES]


def relative_to_root(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, ``/``-separated."""
    return path.resolve().relative_to(root.resolve()).as_posix()


def _submission(path: Path, root: Path) -> Submission:
    relative = relative_to_root(path, root)
    if path.is_file():
        return Submission(path.stem, relative, (relative,), relative, None, source_sha256(root, [path]))
    sources = sorted(file for file in path.rglob("*") if is_source_file(file) and not _in_ignored(file, path))
    entry, problem = entry_point(path, [file for file in sources if file.parent == path])
    files = tuple(relative_to_root(file, root) for file in sources)
    entry_relative = None if entry is None else relative_to_root(entry, root)
    return Submission(path.name, relative, files, entry_relative, problem, source_sha256(root, sources))


def _in_ignored(file: Path, folder: Path) -> bool:
    """True when a folder between ``folder`` and ``file`` is ignored (a checkpoint or cache copy)."""
    return any(is_ignored(Path(part)) for part in file.relative_to(folder).parts[:-1])


def entry_point(folder: Path, top_level_sources: Sequence[Path]) -> tuple[Path | None, str | None]:
    """(the file to check, None), or (None, why there is none) for a sub-folder submission."""
    if len(top_level_sources) == 1:
        return top_level_sources[0], None
    by_name = {source.name: source for source in top_level_sources}
    for name in ENTRY_POINT_NAMES:
        if name in by_name:
            return by_name[name], None
    if not top_level_sources:
        return None, f"{folder.name}/ has no .py or .ipynb file at its top level"
    found = ", ".join(source.name for source in top_level_sources)
    conventional = ", ".join(ENTRY_POINT_NAMES[:-1]) + f" or {ENTRY_POINT_NAMES[-1]}"
    return None, (
        f"{folder.name}/ has {len(top_level_sources)} source files ({found}) and none is named "
        f"{conventional}: keep one, or name the one to grade submission.py"
    )


def source_sha256(root: Path, files: Iterable[Path]) -> str:
    """SHA-256 of the files' paths (relative to ``root``) and contents, in path order."""
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(relative_to_root(file, root).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_unique_names(submissions: Sequence[Submission]) -> None:
    paths_by_name: dict[str, list[str]] = {}
    for submission in submissions:
        paths_by_name.setdefault(submission.name, []).append(submission.path)
    for name, paths in sorted(paths_by_name.items()):
        if len(paths) > 1:
            raise SubmissionsError(
                f"{' and '.join(sorted(paths))} are both submission {name!r}: rename or remove one of them"
            )
