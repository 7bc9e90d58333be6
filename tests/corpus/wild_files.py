"""The wild corpus (tests/corpus/wild/): rewrites of public student code, each with the verdicts it expects.

A file's docstring (a notebook's first cell) ends with an ``Expected:`` block, one
``component: verdict [diagnosis]`` per line (see tests/corpus/wild/README.md). A ``Spec:`` line (the
options of ``mnist-ref check``, such as ``--layers 784,20,7,5,10``) checks a variant network as what it
is, with the components of that network (conformance.checks.network). ``score`` compares a
Report's verdicts with them; ``Scorecard`` adds files up, per style, into what README's table shows.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance.checks import network
from conformance.report.model import Report
from conformance.report.verdicts import DEFAULT_REQUIRED
from mnist_ref.spec import CLASSIC, NetworkSpec, load_spec

WILD = Path(__file__).parent / "wild"
HEADER = re.compile(r"^(Style|Layout|Network|Spec):\s*(.+)$", re.MULTILINE)
TEXT_OPTIONS = ("layers", "activation", "output", "loss", "optimizer")
"""The network options whose values are words; the others are numbers."""
EXPECTED_LINE = re.compile(r"^\s+(\w+):\s*(pass|fail|unchecked)(?:\s+(\w+))?\s*$")
COMPONENTS = (
    "init", "relu", "relu_grad", "softmax", "one_hot", "forward", "loss",
    "dW1", "db1", "dW2", "db2", "update", "predict", "accuracy", "train",
)  # fmt: skip


@dataclass(frozen=True)
class WildFile:
    """One implementation: where it is, its style, whether it is the classic network, what it expects."""

    path: Path
    style: str
    layout: str
    in_spec: bool  # the classic network (784 -> ReLU -> softmax 10, cross-entropy, gradient descent)
    expected: dict[str, tuple[str, str | None]]  # component -> (verdict, diagnosis or None)
    spec: NetworkSpec = CLASSIC  # the network it is checked as (its Spec: line)

    @property
    def components(self) -> tuple[str, ...]:
        """The components checked under its spec."""
        return COMPONENTS if network.is_classic(self.spec) else network.components(self.spec)

    @property
    def required(self) -> tuple[str, ...]:
        return DEFAULT_REQUIRED if network.is_classic(self.spec) else network.required(self.spec)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def bugs(self) -> list[str]:
        """The components with a known bug."""
        return [name for name, (verdict, _) in self.expected.items() if verdict == "fail"]


def docstring_of(path: Path) -> str:
    """A .py file's module docstring, or a notebook's first cell."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        source = json.loads(text)["cells"][0]["source"]
        return "".join(source) if isinstance(source, list) else source
    return ast.get_docstring(ast.parse(text)) or ""


def parse(path: Path) -> WildFile:
    """The WildFile of ``path``; ValueError naming the file and the line when its docstring is malformed."""
    docstring = docstring_of(path)
    headers = {key.lower(): value.strip() for key, value in HEADER.findall(docstring)}
    missing = {"style", "layout", "network"} - set(headers)
    if missing or "\nExpected:" not in docstring:
        raise ValueError(f"{path.name}: the docstring lacks {', '.join(sorted(missing)) or 'Expected:'}")
    spec = spec_of_options(headers["spec"]) if "spec" in headers else CLASSIC
    components = COMPONENTS if network.is_classic(spec) else network.components(spec)
    expected = {}
    for line in docstring.split("\nExpected:", 1)[1].splitlines():
        if not line.strip():
            continue
        match = EXPECTED_LINE.match(line)
        if match is None or match.group(1) not in components:
            raise ValueError(f"{path.name}: cannot read the expected verdict {line.strip()!r}")
        expected[match.group(1)] = (match.group(2), match.group(3))
    in_spec = headers["network"].split(":")[0].strip() == "classic"
    return WildFile(path, headers["style"].split()[0], headers["layout"].split()[0], in_spec, expected, spec)


def spec_of_options(text: str) -> NetworkSpec:
    """The spec that network options written as on the command line (``--layers 784,64,10 --l2 0.1``) give."""
    words = shlex.split(text)
    options = {flag[2:].replace("-", "_"): value for flag, value in zip(words[::2], words[1::2], strict=True)}
    return load_spec(None, {key: value if key in TEXT_OPTIONS else float(value) for key, value in options.items()})


def wild_files() -> list[WildFile]:
    """Every file of the wild corpus, by name."""
    paths = sorted(path for path in WILD.iterdir() if path.suffix in (".py", ".ipynb"))
    return [parse(path) for path in paths]


@dataclass
class FileScore:
    """How the checker's verdicts on one file compare with what it expects."""

    file: WildFile
    verdicts: dict[str, str]  # component -> the checker's verdict
    exit_code: int
    false_alarms: list[str] = field(default_factory=list)  # right components the checker failed
    missed: list[str] = field(default_factory=list)  # known bugs not failed
    unchecked_required: list[str] = field(default_factory=list)  # required components present, not judged
    wrong: list[str] = field(default_factory=list)  # every component whose verdict is not the expected one

    @property
    def exact(self) -> bool:
        return not self.wrong

    @property
    def vacuous(self) -> bool:
        """Exit 0 although a required component was not checked and right."""
        return self.exit_code == 0 and any(self.verdicts.get(name) != "pass" for name in self.file.required)


def score(file: WildFile, report: Report | None) -> FileScore:
    """Compare ``report`` (None: the file could not be loaded) with the file's expected verdicts."""
    verdicts = {} if report is None else {c.name: c.verdict for c in report.components}
    result = FileScore(file, verdicts, 2 if report is None else report.exit_code)
    for name in file.components:
        want = file.expected.get(name, ("unchecked", None))[0]
        got = verdicts.get(name, "unchecked")
        if got == "not_required":
            got = "unchecked"
        if got != want:
            result.wrong.append(f"{name}: {got}, expected {want}")
        if want == "pass" and got == "fail":
            result.false_alarms.append(name)
        if want == "fail" and got != "fail":
            result.missed.append(name)
        if name in file.required and name in file.expected and got == "unchecked":
            result.unchecked_required.append(name)
    return result


@dataclass
class Scorecard:
    """File scores added up per style, and in total."""

    scores: list[FileScore]

    def row(self, label: str, scores: Iterable[FileScore]) -> dict:
        scores = list(scores)
        bugs = sum(len(s.file.bugs) for s in scores)
        missed = sum(len(s.missed) for s in scores)
        in_spec = [s for s in scores if s.file.in_spec]
        return {
            "style": label,
            "files": len(scores),
            "exact": sum(s.exact for s in scores),
            "false_alarms": sum(len(s.false_alarms) for s in scores),
            "bugs": bugs,
            "bugs_flagged": bugs - missed,
            "missed_bugs": missed,
            "in_spec": len(in_spec),
            "in_spec_unchecked": sum(bool(s.unchecked_required) for s in in_spec),
            "vacuous_passes": sum(s.vacuous for s in scores),
        }

    def rows(self) -> list[dict]:
        styles = sorted({s.file.style for s in self.scores})
        per_style = [self.row(style, (s for s in self.scores if s.file.style == style)) for style in styles]
        return [*per_style, self.row("all", self.scores)]
