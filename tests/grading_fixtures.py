"""Classes of submissions for the grading tests, built from the test corpus, and what each must get.

Every submission is a corpus variant written as a .py file, a notebook or a folder, so its
expected result is the variant's: the components it must flag (with a diagnosis each), the
components its base lacks (skipped), or that it cannot be loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corpus import BASES, CORRECT, HOSTILE, SINGLE_BUGS, VARIANTS, Variant, write_variant

from conformance.report.verdicts import DEFAULT_REQUIRED
from conformance.sandbox.confine import LANDLOCK, isolation

MEMORY_HOG = Variant(
    "classic_relu_eats_memory",
    "classic",
    (
        (
            "def ReLU(Z):\n    return np.maximum(Z, 0)",
            "def ReLU(Z):\n    hoard = []\n    while True:\n        hoard.append(np.ones(1_000_000))",
        ),
    ),
    {"relu": "crash", "forward": "crash", "train": "crash"},
    "ReLU allocates until the memory limit stops it, in the relu checks and wherever it is called",
)
KILLS_ITS_GRADER = Variant(
    "classic_relu_kills_parent",
    "classic",
    (
        ("import numpy as np\n", "import os\nimport signal\n\nimport numpy as np\n"),
        (
            "def ReLU(Z):\n    return np.maximum(Z, 0)",
            "def ReLU(Z):\n    os.kill(os.getppid(), signal.SIGKILL)",
        ),
    ),
    {"relu": "exception", "forward": "exception", "train": "exception"},
    "ReLU kills the process that called it: the grading worker, not only its own sandbox; where Landlock "
    "confines the sandbox the signal is refused (PermissionError), elsewhere the worker dies",
)


@dataclass(frozen=True)
class Expected:
    """What the gradebook must say about one submission."""

    name: str
    outcome: str  # "checked", "not loaded" or "grader failed"
    flagged: dict[str, str] = field(default_factory=dict)  # component -> a diagnosis it must show
    lacks: tuple[str, ...] = ()  # components the implementation has none of: unchecked, or not required
    incomplete: bool = False  # a required component it lacks stays unchecked

    def status_allowed(self, component: str) -> tuple[str, ...]:
        """The gradebook verdicts this component may have (a lacking one may pass the checks it can)."""
        if self.outcome != "checked":
            return ("",)
        if component in self.flagged:
            return ("fail",)
        if component in self.lacks:
            return ("pass", "unchecked" if component in DEFAULT_REQUIRED else "not_required")
        return ("pass",)

    @property
    def verdict(self) -> str:
        """The gradebook's verdict: FAILED with a bug, INCOMPLETE when it lacks a required component."""
        if self.outcome != "checked":
            return ""
        if self.flagged:
            return "FAILED"
        return "INCOMPLETE" if self.incomplete else "PASSED"


def expected_of(variant: Variant, name: str | None = None) -> Expected:
    outcome = "not loaded" if variant.load_error else "checked"
    base = BASES[variant.base]
    return Expected(name or variant.name, outcome, dict(variant.expected), base.lacks, base.incomplete)


def write_file(directory: Path, variant: Variant) -> Expected:
    """The variant as ``directory/<name>.py`` (``.ipynb`` for a notebook base)."""
    write_variant(variant, directory)
    return expected_of(variant)


def write_folder(
    directory: Path, variant: Variant, name: str, entry: str, extras: tuple[str, ...] = ()
) -> Expected:
    """The variant as ``directory/<name>/<entry>``, next to small ``extras`` source files."""
    folder = directory / name
    folder.mkdir()
    (folder / entry).write_text(variant.source())
    for extra in extras:
        (folder / extra).write_text("HELPER = 1\n")
    return expected_of(variant, name)


def write_ambiguous_folder(directory: Path, name: str) -> Expected:
    """A folder with two source files, neither named as an entry point: not loadable."""
    folder = directory / name
    folder.mkdir()
    (folder / "part1.py").write_text(VARIANTS["classic_correct"].source())
    (folder / "part2.py").write_text("HELPER = 1\n")
    return Expected(name, "not loaded")


def write_big_class(directory: Path) -> dict[str, Expected]:
    """31 submissions: the corpus's correct and hostile variants, every other single-bug one, two
        more notebooks, three folders, a submission that eats memory and one that kills its grader (which
    only a sandbox without Landlock lets it do)."""
    variants = [*CORRECT, *SINGLE_BUGS[::2], *HOSTILE, VARIANTS["classic_notebook_db2_scalar"], MEMORY_HOG]
    expected = [write_file(directory, variant) for variant in variants]
    expected += [
        write_file(directory, VARIANTS["classic_notebook_syntax_error"]),
        write_folder(directory, VARIANTS["classic_dW1_stray_2"], "folder_single_file", "homework.py"),
        write_folder(
            directory, VARIANTS["dict_params_update_global_lr"], "folder_main", "main.py", ("utils.py",)
        ),
        write_ambiguous_folder(directory, "folder_ambiguous"),
    ]
    write_variant(KILLS_ITS_GRADER, directory)
    contained = isolation() == LANDLOCK
    expected.append(
        expected_of(KILLS_ITS_GRADER) if contained else Expected(KILLS_ITS_GRADER.name, "grader failed")
    )
    (directory / "notes.txt").write_text("not a submission\n")
    return {entry.name: entry for entry in expected}


def write_small_class(directory: Path) -> dict[str, Expected]:
    """7 submissions, 5 of them loadable: .py files, a notebook, folders, and two that cannot be loaded."""
    expected = [
        write_file(directory, VARIANTS[name])
        for name in (
            "classic_correct",
            "classic_db2_scalar",
            "dict_params_loss_summed",
            "class_style_fails_at_import",
            "classic_notebook_db2_scalar",
        )
    ]
    expected += [
        write_folder(
            directory, VARIANTS["class_style_correct"], "folder_class_style", "submission.py", ("x.py",)
        ),
        write_ambiguous_folder(directory, "folder_ambiguous"),
    ]
    return {entry.name: entry for entry in expected}
