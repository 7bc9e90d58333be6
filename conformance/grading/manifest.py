"""``grading.json``: what an output folder holds (the class, the shard, the settings, the rubric).

``mnist-ref grade-merge`` reads it to check that shards belong together before merging them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.files import write_atomically
from conformance.grading.rubric import Rubric, RubricError
from conformance.grading.settings import GradingSettings
from conformance.grading.shards import Shard

MANIFEST_FILE = "grading.json"


class ManifestError(Exception):
    """A folder has no readable grading.json; the message is one line naming the folder."""


@dataclass(frozen=True)
class Manifest:
    """An output folder's grading: every submission of the class, and this folder's share of them."""

    settings: GradingSettings
    rubric: Rubric
    shard: Shard
    class_names: tuple[str, ...]
    graded_names: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "shard": str(self.shard),
            "settings": self.settings.to_dict(),
            "rubric": self.rubric.to_dict(),
            "class": list(self.class_names),
            "graded": list(self.graded_names),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Manifest:
        """The manifest of ``to_dict``; KeyError, TypeError, ValueError or RubricError if it is not one."""
        return cls(
            GradingSettings.from_dict(values["settings"]),
            Rubric.from_dict(values["rubric"]),
            Shard.parse(values["shard"]),
            tuple(values["class"]),
            tuple(values["graded"]),
        )


def write_manifest(directory: Path, manifest: Manifest) -> None:
    write_atomically(directory / MANIFEST_FILE, json.dumps(manifest.to_dict(), indent=2) + "\n")


def read_manifest(directory: Path) -> Manifest:
    """The manifest of an output folder; ManifestError when it is missing or unreadable."""
    path = directory / MANIFEST_FILE
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        message = f"{directory}: no {MANIFEST_FILE}; is it an output folder of `mnist-ref grade`?"
        raise ManifestError(message) from None
    except (OSError, ValueError, KeyError, TypeError, RubricError) as error:
        raise ManifestError(f"{path}: not a grading manifest ({error})") from error
