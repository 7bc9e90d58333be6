"""Report formats: each turns a Report into text for a person or a machine."""

from collections.abc import Callable

from conformance.report.json_format import render_json
from conformance.report.model import COMPONENTS, CheckResult, Report
from conformance.report.text import render_text

FORMATS: dict[str, Callable[[Report], str]] = {"text": render_text, "json": render_json}

__all__ = ["COMPONENTS", "FORMATS", "CheckResult", "Report", "render_json", "render_text"]
