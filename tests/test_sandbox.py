"""The sandbox: whatever the target does in a call comes back as an Outcome, and the next call still works.

The target is a small student file written to a temporary folder; the adapter is the trivial
forwarding one of tests/sandbox_targets.py, so these tests do not depend on conformance.adapters.
"""

import os
import resource
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from conformance.sandbox import Sandbox
from conformance.sandbox.protocol import TargetLoadError

ADAPTER = "sandbox_targets:forwarding_adapter"
HANG_TIMEOUT = 1.0

TARGET = """\
import os
import resource
import sys
import numpy as np
from google.colab import drive

data = np.loadtxt("train.csv", delimiter=",")
m, n = data.shape
print("trained at import time")


class Point:
    def __init__(self, x):
        self.x = x

    def scaled(self, factor):
        return self.x / factor


def add(a, b):
    return a + b


def echo(value):
    return value


def pid():
    return os.getpid()


def environment():
    names = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONHASHSEED"]
    return {
        "variables": {name: os.environ.get(name) for name in names},
        "address_space": resource.getrlimit(resource.RLIMIT_AS)[0],
        "file_size": resource.getrlimit(resource.RLIMIT_FSIZE)[0],
    }


def divide(a):
    return a / 0


def scale_by_zero():
    return Point(1.0).scaled(0.0)


def normalise(X):
    return X / m


def mount():
    return drive.mount("/content")


def typo():
    return undefined_thing


def hang():
    steps = 0
    while steps >= 0:
        steps += 1


def die():
    os._exit(3)


def leave():
    sys.exit(2)


def segfault():
    import ctypes
    return ctypes.string_at(0)


def allocate():
    return np.ones(50 * 10**9, dtype=np.uint8)


def chat():
    print("hello")
    return 1


def flood():
    for _ in range(50_000):
        print("x" * 99)


def flood_forever():
    while True:
        print("x" * 999)


def flood_forever_ignoring_errors():
    while True:
        try:
            print("x" * 999)
        except OSError:
            pass


def scale_in_place(params, X):
    params["W1"] *= 2
    X += 1
    return float(X.sum())


def zero_nested(batches):
    batches[1][0][:] = 0


def generator():
    return (i for i in range(3))


def point():
    return Point(2.0)
"""


def line_of(text: str) -> int:
    """The line number of the first line of TARGET containing ``text``."""
    return next(number for number, line in enumerate(TARGET.splitlines(), 1) if text in line)


@pytest.fixture(autouse=True)
def adapter_importable(monkeypatch):
    """The child imports the test adapter from this folder."""
    folders = [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, folders)))


@pytest.fixture
def student(tmp_path) -> Path:
    path = tmp_path / "student.py"
    path.write_text(TARGET)
    return path


@pytest.fixture
def sandbox(student):
    with Sandbox(str(student), adapter=ADAPTER) as sandbox:
        yield sandbox


def test_describe_and_calls_return_the_targets_values(sandbox):
    sandbox.start()
    assert "add" in sandbox.describe()["functions"]

    outcome = sandbox.call("add", 2, b=3)
    assert outcome.ok
    assert outcome.value == 5
    assert outcome.failure is None
    assert outcome.mutated == ()
    assert outcome.output_bytes == 0


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory):
    """One sandbox for the property test (a fixture per example would start a child each time)."""
    path = tmp_path_factory.mktemp("shared") / "student.py"
    path.write_text(TARGET)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
        with Sandbox(str(path), adapter=ADAPTER) as sandbox:
            sandbox.start()
            yield sandbox


value_arrays = arrays(
    st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
    array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
)


@given(st.dictionaries(st.sampled_from(["W1", "b1", "W2", "b2"]), value_arrays))
def test_arrays_travel_both_ways_unchanged(shared_sandbox, params):
    outcome = shared_sandbox.call("echo", params)

    assert outcome.ok
    assert outcome.value.keys() == params.keys()
    for name, array in params.items():
        got = outcome.value[name]
        assert (got.dtype, got.shape, got.tobytes()) == (array.dtype, array.shape, array.tobytes())
    assert outcome.mutated == ()


def test_numpy_scalars_keep_their_type(sandbox):
    assert type(sandbox.call("echo", np.float32(1.5)).value) is np.float32


def test_an_exception_is_one_line_naming_the_function_and_line(sandbox):
    failure = sandbox.call("divide", 1.0).failure

    assert failure.kind == "exception"
    assert failure.message == f"ZeroDivisionError: float division by zero in divide (line {line_of('a / 0')})"
    assert failure.exc_type == "ZeroDivisionError"
    assert "student.py" in failure.detail
    assert "worker.py" not in failure.detail
    assert "sandbox_targets.py" not in failure.detail


def test_a_method_is_named_with_its_class(sandbox):
    failure = sandbox.call("scale_by_zero").failure
    assert failure.message.endswith(f"in Point.scaled (line {line_of('self.x / factor')})")


def test_a_name_set_only_by_top_level_code_is_explained(sandbox):
    failure = sandbox.call("normalise", np.ones(2)).failure

    assert failure.kind == "exception"
    assert failure.missing_name == "m"
    assert failure.message == (
        f"normalise (line {line_of('X / m')}) reads the global `m`, which only top-level code sets "
        f"(line {line_of('m, n =')}: `m, n = data.shape`) and the checker does not run top-level code: "
        "compute it inside the function from the batch it is given (`m = X.shape[1]`)"
    )


def test_a_name_from_a_failed_import_is_explained(sandbox):
    failure = sandbox.call("mount").failure

    assert failure.missing_name == "drive"
    import_line = line_of("google.colab")
    assert f"the import on line {import_line} (`from google.colab import drive`)" in failure.message
    assert "ModuleNotFoundError: No module named 'google'" in failure.message


def test_an_undefined_name_is_reported_as_such(sandbox):
    failure = sandbox.call("typo").failure

    assert (failure.kind, failure.missing_name) == ("exception", None)  # a typo: the target's own error
    assert failure.message == (
        f"NameError: name 'undefined_thing' is not defined in typo (line {line_of('return undefined_thing')})"
    )


def test_a_hang_times_out_and_the_next_call_works(sandbox):
    failure = sandbox.call("hang", timeout=HANG_TIMEOUT).failure

    assert failure.kind == "timeout"
    assert failure.message in {
        f"did not return within 1 s (infinite loop?); it was running hang (line {line_of(loop_line)})"
        for loop_line in ("while steps >= 0", "steps += 1")
    }
    assert sandbox.call("add", 1, 2).value == 3


def test_os_exit_is_a_crash_and_a_fresh_child_takes_over(sandbox):
    first_pid = sandbox.call("pid").value

    failure = sandbox.call("die").failure

    assert (failure.kind, failure.message) == ("crash", "the process exited with code 3")
    assert sandbox.call("add", 1, 2).value == 3
    assert sandbox.call("pid").value != first_pid


def test_a_segfault_is_a_crash_located_in_the_target(sandbox):
    failure = sandbox.call("segfault").failure

    assert failure.kind == "crash"
    assert failure.message == f"killed by signal SIGSEGV in segfault (line {line_of('string_at(0)')})"
    assert sandbox.call("add", 1, 2).value == 3


def test_sys_exit_is_reported_and_the_child_goes_on(sandbox):
    first_pid = sandbox.call("pid").value

    failure = sandbox.call("leave").failure

    assert failure.kind == "exit"
    assert failure.message == f"called sys.exit(2) in leave (line {line_of('sys.exit(2)')})"
    assert sandbox.call("pid").value == first_pid


def test_running_out_of_memory_is_reported(student):
    with Sandbox(str(student), adapter=ADAPTER, memory_mb=1024) as sandbox:
        failure = sandbox.call("allocate").failure

        assert failure.kind == "memory"
        assert failure.message.startswith("MemoryError: Unable to allocate 46.6 GiB")
        assert failure.message.endswith(f"in allocate (line {line_of('np.ones(50')}) (memory limit 1024 MB)")
        assert sandbox.call("add", 1, 2).value == 3


def test_the_child_runs_single_threaded_under_its_limits(student):
    with Sandbox(str(student), adapter=ADAPTER, memory_mb=1500, output_limit=200_000) as sandbox:
        limits = sandbox.call("environment").value

    assert limits["variables"] == {
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
    }
    assert limits["address_space"] == 1500 * 2**20
    assert limits["file_size"] == 16 * 200_000


def test_printed_bytes_are_counted_per_call(sandbox):
    outcome = sandbox.call("chat")
    assert (outcome.value, outcome.output_bytes) == (1, len("hello\n"))
    assert sandbox.call("add", 1, 2).output_bytes == 0


def test_an_output_flood_fails_the_call_and_the_next_call_is_fine(sandbox):
    outcome = sandbox.call("flood")

    assert outcome.failure.kind == "output_flood"
    assert outcome.failure.message == "printed 5 MB during the call (limit 1 MB)"
    assert outcome.output_bytes == 5_000_000
    assert outcome.failure.detail.endswith("x" * 99)
    assert len(outcome.failure.detail) <= 2000
    assert sandbox.call("chat").output_bytes == len("hello\n")


def test_an_endless_print_loop_stops_at_the_capture_cap(student):
    with Sandbox(str(student), adapter=ADAPTER, output_limit=100_000) as sandbox:
        outcome = sandbox.call("flood_forever", timeout=HANG_TIMEOUT)

        assert outcome.failure.kind in ("output_flood", "timeout")
        assert outcome.output_bytes <= 16 * 100_000
        if outcome.failure.kind == "output_flood":
            assert outcome.failure.message == "printed more than 1.6 MB during the call (limit 0.1 MB)"
        assert sandbox.call("chat").output_bytes == len("hello\n")


def test_an_endless_print_loop_that_ignores_errors_times_out(student):
    with Sandbox(str(student), adapter=ADAPTER, output_limit=100_000) as sandbox:
        failure = sandbox.call("flood_forever_ignoring_errors", timeout=HANG_TIMEOUT).failure

        assert failure.kind == "timeout"
        assert len(failure.detail) <= 2000
        assert sandbox.call("chat").output_bytes == len("hello\n")


def test_in_place_modifications_are_reported_by_path(sandbox):
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    X = np.zeros((2, 3))

    outcome = sandbox.call("scale_in_place", params, X)

    assert outcome.value == 6.0
    assert outcome.mutated == ("params['W1']", "X")
    assert params["W1"].tolist() == [[1.0, 1.0], [1.0, 1.0]]  # the parent's arrays are copies


def test_in_place_modifications_are_found_in_nested_containers(sandbox):
    batches = [np.ones(2), (np.ones(3), np.ones(1))]
    assert sandbox.call("zero_nested", batches).mutated == ("batches[1][0]",)


def test_a_value_that_cannot_be_pickled_is_a_failure(sandbox):
    failure = sandbox.call("generator").failure

    assert failure.kind == "exception"
    assert failure.message == "returned an object that cannot be sent back: cannot pickle 'generator' object"


def test_a_value_of_a_target_class_is_refused(sandbox):
    failure = sandbox.call("point").failure

    assert failure.kind == "exception"
    assert failure.message.startswith("returned an object that cannot be sent back: a student.Point object")


def test_a_missing_component_is_not_provided(sandbox):
    failure = sandbox.call("backward").failure
    assert (failure.kind, failure.message) == ("not_provided", "the target defines no function backward")


def test_a_target_that_cannot_load_raises_on_describe_and_on_every_call(tmp_path):
    path = tmp_path / "student.py"
    path.write_text("import numpy as np\ndef f(:\n    pass\n")

    with Sandbox(str(path), adapter=ADAPTER) as sandbox:
        sandbox.start()
        with pytest.raises(TargetLoadError, match=r"^student\.py, line 2: SyntaxError: "):
            sandbox.describe()
        with pytest.raises(TargetLoadError, match=r"^student\.py, line 2: SyntaxError: "):
            sandbox.call("f")


def test_an_adapter_that_cannot_use_the_target_is_a_load_error(student):
    sandbox = Sandbox(str(student), adapter="sandbox_targets:refusing_adapter")
    with sandbox, pytest.raises(TargetLoadError) as error:
        sandbox.describe()
    assert str(error.value) == (
        f"{student}: sandbox_targets:refusing_adapter cannot use it: ValueError: no forward function found"
    )


def test_a_target_that_does_not_finish_loading_is_a_load_error(tmp_path):
    (tmp_path / "slow_helper_for_sandbox.py").write_text("import time\ntime.sleep(60)\n")
    (tmp_path / "student.py").write_text("from slow_helper_for_sandbox import *\n")

    sandbox = Sandbox(str(tmp_path / "student.py"), adapter=ADAPTER, load_timeout=HANG_TIMEOUT)
    with sandbox, pytest.raises(TargetLoadError, match=r"student\.py: not loaded within 1 s"):
        sandbox.describe()


def test_a_module_name_target_is_loaded_in_the_child(tmp_path, monkeypatch):
    source = "print('top level')\ndef twice(x):\n    return 2 * x\n"
    (tmp_path / "student_module_for_sandbox.py").write_text(source)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([os.environ["PYTHONPATH"], str(tmp_path)]))

    with Sandbox("student_module_for_sandbox", adapter=ADAPTER) as sandbox:
        outcome = sandbox.call("twice", 4)

    assert (outcome.value, outcome.output_bytes) == (8, 0)


def test_close_ends_the_child(sandbox):
    child_pid = sandbox.call("pid").value
    sandbox.close()
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)


def test_bad_limits_are_refused():
    with pytest.raises(ValueError, match="Sandbox: timeout must be positive, got 0"):
        Sandbox("student.py", timeout=0)


def test_the_address_space_limit_does_not_touch_the_parent(sandbox):
    sandbox.call("add", 1, 2)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY


FILLS_THE_DISK = Path(__file__).parent / "corpus" / "hostile" / "fills_the_disk.py"


def test_a_target_filling_its_scratch_folder_is_stopped_and_the_next_call_starts_afresh() -> None:
    with Sandbox(str(FILLS_THE_DISK), disk_mb=20) as sandbox:
        sandbox.start()
        scratch = sandbox._child.staged.scratch
        outcome = sandbox.call("relu", np.ones((3, 2)))
        assert outcome.failure is not None and outcome.failure.kind == "disk"
        assert outcome.failure.message.startswith("wrote more than 20 MB to its scratch folder")
        assert not Path(scratch).exists()  # its files are deleted with the child
        fresh = sandbox.call("describe")
        assert fresh.failure is None and sandbox._child.staged.scratch != scratch


def test_the_disk_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="disk_mb must be positive"):
        Sandbox(str(FILLS_THE_DISK), disk_mb=0)


@pytest.mark.parametrize(
    ("reach", "event"),
    [
        ("sys._getframe().f_back.f_globals", "sys._getframe"),
        ("[o for o in gc.get_objects() if isinstance(o, dict)]", "gc.get_objects"),
        ("gc.get_referrers(Z)", "gc.get_referrers"),
        ("_traceback().tb_frame", "object.__getattr__"),
        ("sys.modules['conformance.sandbox.worker']", "KeyError"),
        ("sys.modules['__main__'].CallRunner", "AttributeError"),
        ("__import__('inspect').currentframe()", "sys._getframe"),
        ("__import__('logging').currentframe()", "sys._getframe"),
        ("next(__import__('traceback').walk_stack(None))", "sys._getframe"),
        ("next(__import__('traceback').walk_tb(_traceback()))", "object.__getattr__"),
        ("__import__('bdb').Bdb().set_trace()", "sys._getframe"),
        ("compile('0', __import__('os').__file__, 'eval')", "compile"),
        ("__import__('signal').signal(12, print)", "PermissionError"),
        ("__import__('ctypes').pythonapi.PyEval_GetFrame", "ctypes.dlsym"),
        ("setattr(__import__('builtins').__import__, '__code__', _traceback.__code__)", "object.__setattr__"),
    ],
)
def test_the_target_cannot_reach_the_checker_in_its_process(tmp_path: Path, reach: str, event: str) -> None:
    target = tmp_path / "reaching.py"
    target.write_text(
        "import gc\nimport sys\nimport numpy as np\n\n\n"
        "def _traceback():\n    try:\n        raise ValueError\n    except ValueError as error:\n"
        "        return error.__traceback__\n\n\n"
        f"def relu(Z):\n    {reach}\n    return np.maximum(Z, 0)\n"
    )
    with Sandbox(str(target)) as sandbox:
        outcome = sandbox.call("relu", np.ones((2, 2)))
    assert outcome.failure is not None and event in outcome.failure.message, outcome.failure
    if event not in ("KeyError", "AttributeError", "PermissionError"):
        assert outcome.failure.message.startswith(f"IntrospectionRefused: {event}: the code being checked")


def test_the_probes_time_limit_works_where_no_signal_handler_can_be_set(tmp_path: Path) -> None:
    target = tmp_path / "hangs.py"
    target.write_text("def init_params():\n    while True:\n        pass\n")
    with Sandbox(str(target)) as sandbox:
        described = sandbox.call("describe")
    assert sandbox.isolation == "landlock"  # the seccomp filter refuses rt_sigaction
    assert described.value["init_sizes"] == (
        "fixed (sizes unknown: init_params raised TimeoutError: did not return within 2 s)"
    )


def test_the_standard_librarys_own_use_of_frames_and_a_breakpoint_are_allowed(tmp_path: Path) -> None:
    target = tmp_path / "restyled.py"
    target.write_text(
        "import collections\nimport enum\nimport logging\nimport traceback\nimport typing\n"
        "import numpy as np\n\n\n"
        "class Kind(enum.Enum):\n    RELU = 1\n\n\n"
        "def relu(Z):\n"
        "    Cache = collections.namedtuple('Cache', 'Z A')\n"
        "    logging.getLogger('mlp').warning('relu of %s', Kind.RELU)\n"
        "    Point = typing.NamedTuple('Point', [('x', int)])\n"
        "    try:\n        raise ValueError('shown')\n    except ValueError:\n        traceback.print_exc()\n"
        "    breakpoint()\n"
        "    return Cache(Z, np.maximum(Z, 0)).A\n"
    )
    with Sandbox(str(target)) as sandbox:
        outcome = sandbox.call("relu", np.array([[-1.0, 2.0]]))
    assert outcome.failure is None, outcome.failure
    np.testing.assert_array_equal(outcome.value, [[0.0, 2.0]])
