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


JOB_ARRAY_VARIABLES = (
    "MNIST_REF_SHARD",
    "MNIST_REF_SHARD_INDEX",
    "MNIST_REF_SHARD_COUNT",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
)


@pytest.fixture(scope="session", autouse=True)
def no_job_array_variables():
    """`mnist-ref grade` takes its shard from these: a test run inside a Slurm array or an Indexed Job
    must still grade whole classes, so they are unset for every test (and its subprocesses)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in JOB_ARRAY_VARIABLES:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture
def load(tmp_path, monkeypatch):
    """load(source, name="student") -> the module built from ``source`` as the harness builds it."""
    return source_loader(tmp_path, monkeypatch)
