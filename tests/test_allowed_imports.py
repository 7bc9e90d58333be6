"""Packages a course allows: ``allowed_imports`` in the mapping file and in the rubric.

A submission may import the standard library, NumPy, tqdm and its own files; a course that allows
pandas says so, and the package (with what it needs: dateutil...) becomes importable, confined or
not. The reference, the checker and the frameworks that compute gradients can never be allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import BASES

from conformance.grading.rubric import RubricError, parse_rubric
from conformance.mapping import MappingError, parse_mapping
from conformance.runner import run_checks
from conformance.sandbox.boundary import with_dependencies
from conformance.sandbox.imports import allowed_in, parse_allowed

PANDAS_RELU = """
import pandas as pd


def ReLU(Z):
    return pd.DataFrame(Z).clip(lower=0).to_numpy()
"""
"""The classic network whose ReLU goes through pandas."""


def pandas_target(folder: Path) -> Path:
    source = BASES["classic"].path.read_text()
    start = source.index("def ReLU(Z):")
    end = source.index("\n\n\n", start)
    path = folder / "pandas_relu.py"
    path.write_text(source[:start] + PANDAS_RELU.strip() + source[end:])
    return path


def relu_verdict(target: Path, config: Path | None = None) -> tuple[str, str]:
    report = run_checks(str(target), examples=2, config=None if config is None else str(config))
    relu = next(component for component in report.components if component.name == "relu")
    return relu.verdict, relu.reason


def test_a_package_the_mapping_file_allows_can_be_imported(tmp_path: Path) -> None:
    target = pandas_target(tmp_path)
    verdict, reason = relu_verdict(target)
    assert verdict == "unchecked" and "pandas" in reason  # not allowed: as if it were not installed
    config = tmp_path / "mapping.toml"
    config.write_text('allowed_imports = ["pandas"]\n')
    assert relu_verdict(target, config) == ("pass", "2 of 2 checks passed")


def test_a_rubric_s_allowed_imports_reach_every_submission(tmp_path: Path) -> None:
    from conformance.grading.settings import GradingSettings
    from conformance.grading.submissions import find_submissions
    from conformance.grading.worker import grade_submission

    (tmp_path / "class").mkdir()
    pandas_target(tmp_path / "class")
    submission = find_submissions((str(tmp_path / "class"),)).submissions[0]
    allowed = GradingSettings(examples=2, allowed_imports=("pandas",))
    for settings, expected in ((GradingSettings(examples=2), "unchecked"), (allowed, "pass")):
        result = grade_submission(submission, settings, tmp_path / "class")
        verdicts = {component.name: component.verdict for component in result.report.components}
        assert verdicts["relu"] == expected
    assert GradingSettings.from_dict(allowed.to_dict()) == allowed


def test_an_allowed_package_brings_the_packages_it_requires() -> None:
    assert {"pandas", "dateutil"} <= set(with_dependencies(("pandas",)))
    assert with_dependencies(()) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pandas", "give a list of top-level module names"),
        (["pandas", "sk-learn"], "give a list of top-level module names"),
        (["pandas", "torch"], "torch cannot be allowed: a submission may never import the reference"),
        (["mnist_ref"], "mnist_ref cannot be allowed"),
    ],
)
def test_a_wrong_allowed_imports_list_is_one_line_naming_where(value, message) -> None:
    with pytest.raises(ValueError, match=f"where: {message}"):
        parse_allowed(value, "where")
    with pytest.raises(MappingError, match=f"m.toml: allowed_imports: {message}"):
        parse_mapping({"allowed_imports": value}, "m.toml")
    with pytest.raises(RubricError, match=f"r.toml: allowed_imports: {message}"):
        parse_rubric({"allowed_imports": value}, "r.toml")


def test_the_lists_are_read_from_the_files(tmp_path: Path) -> None:
    assert parse_mapping({"allowed_imports": ["pandas"]}, "m.toml").allowed_imports == ("pandas",)
    rubric = parse_rubric({"allowed_imports": ["pandas"]}, "r.toml")
    assert rubric.allowed_imports == ("pandas",) and rubric.to_dict()["allowed_imports"] == ["pandas"]
    config = tmp_path / "m.toml"
    config.write_text('allowed_imports = ["pandas", "scipy"]\n')
    assert allowed_in(str(config)) == ("pandas", "scipy") and allowed_in(None) == ()
