"""Merging the output folders of the shards of one class into a single gradebook and summary.

The shards must belong together: the same class, settings, rubric and number of shards, no
submission graded twice, none missing, every result finished. The merged folder is what an
unsharded run would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.grading.manifest import Manifest, read_manifest, write_manifest
from conformance.grading.outputs import result_store, write_class_files, write_student_files
from conformance.grading.results import SubmissionResult
from conformance.grading.shards import WHOLE_CLASS


class MergeError(Exception):
    """The shards cannot be merged; the message is one line naming the folders and what differs."""


def _first_difference(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    """``seed: 0 vs 1`` for the first key (in sorted order) whose values differ."""
    key = next(key for key in sorted(mine.keys() | theirs.keys()) if mine.get(key) != theirs.get(key))
    return f"{key}: {mine.get(key)!r} vs {theirs.get(key)!r}"


def _check_same_grading(first: tuple[Path, Manifest], other: tuple[Path, Manifest]) -> None:
    (first_dir, mine), (other_dir, theirs) = first, other
    differs = f"{first_dir} and {other_dir} were graded"
    if mine.class_names != theirs.class_names:
        only = sorted(set(mine.class_names) ^ set(theirs.class_names))
        detail = f"{only[0]!r} is in one class only" if only else "the names differ"
        raise MergeError(f"{differs} from different classes ({detail})")
    if mine.settings != theirs.settings:
        difference = _first_difference(mine.settings.to_dict(), theirs.settings.to_dict())
        raise MergeError(f"{differs} with different settings ({difference})")
    if mine.rubric != theirs.rubric:
        raise MergeError(f"{differs} with different rubrics: grade every shard with the same --rubric")
    if mine.shard.count != theirs.shard.count:
        raise MergeError(f"{differs} as shards of {mine.shard.count} and of {theirs.shard.count}")
    if mine.shard == theirs.shard:
        raise MergeError(f"{first_dir} and {other_dir} are both shard {mine.shard}: the shards overlap")


def _owners(manifests: Sequence[tuple[Path, Manifest]]) -> dict[str, Path]:
    """The folder that graded each submission; MergeError when one is graded twice or never."""
    owner: dict[str, Path] = {}
    for directory, manifest in manifests:
        for name in manifest.graded_names:
            if name in owner:
                raise MergeError(
                    f"{name!r} is graded in both {owner[name]} and {directory}: the shards overlap"
                )
            owner[name] = directory
    missing = [name for name in manifests[0][1].class_names if name not in owner]
    if missing:
        count = manifests[0][1].shard.count
        raise MergeError(
            f"{len(missing)} submissions are in none of these shards (such as {missing[0]!r}): "
            f"merge all {count} shards"
        )
    return owner


def read_shards(directories: Sequence[Path]) -> tuple[Manifest, list[SubmissionResult]]:
    """The common manifest of the shards in ``directories`` and every result, sorted by name.

    Raises MergeError (or ManifestError for a folder that is not a grading output) when the
    shards do not make up one class graded one way.
    """
    if not directories:
        raise MergeError("no folders to merge: give the output folder of every shard")
    manifests = [(directory, read_manifest(directory)) for directory in directories]
    for other in manifests[1:]:
        _check_same_grading(manifests[0], other)
    owner = _owners(manifests)
    manifest = manifests[0][1]
    results = []
    for name in manifest.class_names:
        result = result_store(owner[name]).load(name)
        if result is None or result.settings != manifest.settings:
            raise MergeError(
                f"{owner[name]}: {name!r} has no finished result: "
                "run that shard's grade command again to finish it"
            )
        results.append(result)
    return manifest, results


def merge_shards(directories: Sequence[Path], out: Path) -> Path:
    """Merge the shards' folders into ``out``: results, feedback, Gradescope files, gradebook, summary.

    Returns the merged gradebook's path; raises MergeError or ManifestError (see read_shards).
    """
    manifest, results = read_shards(directories)
    store = result_store(out)
    for result in results:
        store.save(result)
        write_student_files(out, result, manifest.rubric)
    names = manifest.class_names
    write_manifest(out, Manifest(manifest.settings, manifest.rubric, WHOLE_CLASS, names, names))
    return write_class_files(out, results, manifest.rubric, manifest.settings)
