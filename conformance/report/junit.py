"""The report as JUnit XML, the test-result format Jenkins, GitLab and the GitHub test reporters read.

One ``<testsuite>`` inside ``<testsuites>``; one ``<testcase>`` per check with ``classname`` the
component and ``name`` the check id. A failed check holds ``<failure>``, a check whose call into
the target raised, hung or crashed holds ``<error>``, a skipped one ``<skipped>``; each with the
one-line message as its ``message`` attribute and the diagnosis, measurements and smallest
failing input as its text (GitLab shows the text, Jenkins both).

Then one ``<testcase>`` per component, ``classname`` "components" and ``name`` the component,
carrying its verdict (conformance.report.verdicts): a component that failed holds ``<failure>``,
a required component that could not be checked holds ``<error type="unchecked">`` with the reason
and the one-line fix, and one that is not required (unchecked or not found) ``<skipped>``. So a
run that is not PASSED always has a failure or an error in the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conformance.report.model import CheckResult, Report
from conformance.report.summary import grouped, measurement_line, problem_lines, problems, verdict_lines
from conformance.report.verdicts import ComponentVerdict

SUITE_NAME = "mnist-ref check"
COMPONENTS_CLASSNAME = "components"
OUTCOME_ELEMENTS = {"fail": "failure", "error": "error", "skip": "skipped"}
NOT_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold at all, not even escaped (control characters, lone surrogates)."""


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold written out as an escape, e.g. ``\\x1b``."""

    def spell(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return NOT_XML_CHARACTER.sub(spell, text)


def _body(text: str) -> str:
    """Element text as a parser reads it back: XML turns every \\r\\n and \\r into \\n."""
    return xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def _component_outcome(component: ComponentVerdict) -> str | None:
    """The element a component's testcase holds: failure, error (required, unchecked), skipped or none."""
    if component.verdict == "fail":
        return "failure"
    if component.verdict == "unchecked" and component.required:
        return "error"
    return None if component.verdict == "pass" else "skipped"


def _counts(report: Report) -> dict[str, str]:
    counts = report.counts()
    outcomes = [_component_outcome(component) for component in report.components]
    return {
        "tests": str(len(report.checks) + len(report.components)),
        "failures": str(counts["fail"] + outcomes.count("failure")),
        "errors": str(counts["error"] + outcomes.count("error")),
        "skipped": str(counts["skip"] + outcomes.count("skipped")),
        "time": f"{report.seconds:.3f}",
    }


def _testcase(result: CheckResult, seconds: float) -> ET.Element:
    case = ET.Element("testcase", classname=result.component, name=result.id, time=f"{seconds:.3f}")
    element = OUTCOME_ELEMENTS.get(result.status)
    if element is not None:
        outcome = ET.SubElement(case, element, message=xml_safe(result.message))
        if result.diagnosis:
            outcome.set("type", result.diagnosis)
        lines = problem_lines(result)
        measurements = measurement_line(result)
        if measurements is not None:
            lines.append(measurements)
        outcome.text = _body("\n".join(lines))
    return case


def _component_testcase(component: ComponentVerdict) -> ET.Element:
    case = ET.Element("testcase", classname=COMPONENTS_CLASSNAME, name=component.name, time="0.000")
    element = _component_outcome(component)
    if element is not None:
        outcome = ET.SubElement(case, element, message=xml_safe(component.reason))
        if element == "failure":
            outcome.set("type", ", ".join(component.diagnoses) or "fail")
        elif element == "error":
            outcome.set("type", "unchecked")
        lines = verdict_lines(component)
        for group in grouped(problems(component)):
            lines += ["", *problem_lines(group)]
        outcome.text = _body("\n".join(lines))
    return case


def render_junit(report: Report) -> str:
    """The report as a JUnit XML document (UTF-8), the same bytes for the same report."""
    counts = _counts(report)
    root = ET.Element("testsuites", name=SUITE_NAME, **counts)
    suite = ET.SubElement(root, "testsuite", name=f"{SUITE_NAME} {xml_safe(report.target)}", **counts)
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", report.target),
        ("seed", report.seed),
        ("dtype", report.dtype),
        ("verdict", report.headline),
        ("exit_code", report.exit_code),
        ("required", " ".join(report.required)),
    ):
        ET.SubElement(properties, "property", name=name, value=xml_safe(str(value)))
    for result in report.checks:
        suite.append(_testcase(result, report.durations.get(result.id, 0.0)))
    for component in report.components:
        suite.append(_component_testcase(component))
    if report.notices:
        ET.SubElement(suite, "system-out").text = _body("\n".join(report.notices))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
