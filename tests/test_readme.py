"""README promises that must stay true: the diagnosis codes, the components, the CI test command, the
JSON contract and the exit codes."""

import json
from dataclasses import fields
from pathlib import Path

from conformance.diagnose import DIAGNOSES
from conformance.report.model import COMPONENTS, CheckResult, Report
from conformance.report.verdicts import DEFAULT_REQUIRED, HEADLINES, VERDICTS

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


def json_contract() -> dict:
    """The JSON report shown in README's "Exit codes and the JSON report"."""
    section = README.split("### Exit codes and the JSON report", 1)[1]
    return json.loads(section.split("```json", 1)[1].split("```", 1)[0])


def test_the_json_contract_shows_every_key_of_the_report() -> None:
    report = Report("hw.py", 0, "float64", [CheckResult("db2.shape", "db2", "fail", "mismatch", "m")])
    shown = json_contract()
    assert list(shown) == list(report.to_dict())
    assert list(shown["components"][0]) == list(report.components[0].to_dict())
    assert list(shown["checks"][0]) == [field.name for field in fields(CheckResult)]
    for key in (*report.to_dict(), *report.components[0].to_dict(), *shown["checks"][0]):
        assert f"`{key}`" in README, key


def test_the_exit_codes_are_documented_with_their_verdicts() -> None:
    section = README.split("### Exit codes and the JSON report", 1)[1].split("```json", 1)[0]
    for code, headline in HEADLINES.items():
        assert f"| **{code}** | `{headline}` |" in section
    assert json_contract()["required"] == list(DEFAULT_REQUIRED)
    for verdict in VERDICTS:
        assert f"`{verdict}`" in section
