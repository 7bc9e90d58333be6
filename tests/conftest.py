"""Shared test set-up: hypothesis profiles ("ci" is derandomized, selected when CI is set), fixtures."""

import os

import pytest
from hypothesis import HealthCheck, settings
from target_helpers import source_loader

settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def load(tmp_path, monkeypatch):
    """load(source, name="student") -> the module built from ``source`` as the harness builds it."""
    return source_loader(tmp_path, monkeypatch)
