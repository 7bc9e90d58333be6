"""Report formats: each turns a Report into text for a person or a machine."""

from collections.abc import Callable

from conformance.report.gradescope import render_gradescope, render_gradescope_load_failure
from conformance.report.json_format import render_json
from conformance.report.junit import render_junit
from conformance.report.markdown import render_markdown
from conformance.report.model import COMPONENTS, CheckResult, Report
from conformance.report.text import render_text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
    "gradescope": render_gradescope,
}

__all__ = [
    "COMPONENTS",
    "FORMATS",
    "CheckResult",
    "Report",
    "render_gradescope",
    "render_gradescope_load_failure",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_text",
]
