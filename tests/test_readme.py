"""README promises that must stay true: the diagnosis codes, the components and the CI test command."""

from pathlib import Path

from conformance.diagnose import DIAGNOSES
from conformance.report.model import COMPONENTS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_diagnosis_code_is_documented() -> None:
    missing = [code for code in DIAGNOSES if f"| `{code}` |" not in README]
    assert missing == []


def test_every_component_is_documented() -> None:
    missing = [component for component in COMPONENTS if f"`{component}`" not in README]
    assert missing == []


def test_the_test_command_is_marked_for_ci() -> None:
    marked = README.split("<!-- test-command -->", 1)[1].split("```")[1]
    assert "pytest" in marked
