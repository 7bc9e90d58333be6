"""The sandbox as a boundary: what the target's process can no longer reach, and what it can.

Each attack runs in a confined sandbox and, where it shows that the test can fail, also in one with
Landlock switched off (``MNIST_REF_LANDLOCK=off``), where the same attack must succeed: the
protection, not the attack's own failure, is what the confined run tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import VARIANTS, write_variant

import mnist_ref
from conformance.sandbox import Sandbox
from conformance.sandbox.confine import LANDLOCK, PROCESS_ONLY, SWITCH_VARIABLE, isolation
from mnist_ref_cli.commands import main

pytestmark = pytest.mark.skipif(isolation() != LANDLOCK, reason="the kernel offers no Landlock ABI 6")

ADAPTER = "sandbox_targets:forwarding_adapter"
REFERENCE = str(Path(mnist_ref.__file__).parent / "network.py")

PROBE = """\
import ctypes
import importlib
import os
import socket
import subprocess
import sys
import time

import numpy as np
import mnist_ref
import torch
from conformance.sandbox import worker

import helper_for_probe


def read(path):
    with open(path, "rb") as file:
        return file.read()


def append(path, text):
    with open(path, "a") as file:
        file.write(text)
    return "written"


def listing(path):
    return sorted(os.listdir(path))


def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "forked"


def raw_fork():
    libc = ctypes.CDLL(None, use_errno=True)
    pid = libc.syscall(57 if os.uname().machine == "x86_64" else 220, 17, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    return pid if pid > 0 else -ctypes.get_errno()


def run_program():
    return subprocess.run(["true"]).returncode


def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        connection.sendall(b"leak")
    return "connected"


def datagram(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"leak", ("127.0.0.1", port))
    return "sent"


def trace_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    attached = libc.ptrace(16, os.getppid(), 0, 0)  # PTRACE_ATTACH
    return attached if attached == 0 else -ctypes.get_errno()


def signal_parent():
    os.kill(os.getppid(), 0)
    return "signalled"


def link(source, name):
    os.symlink(source, name)
    return "linked"


def spin():
    while True:
        pass


def uses_reference(Z):
    return mnist_ref.relu(Z)


def uses_torch(Z):
    return torch.relu(torch.tensor(Z)).numpy()


def uses_harness():
    return worker.main([])


def imports_in_the_body(Z):
    import torch as late
    return late.zeros(1)


def thread():
    import threading
    results = []
    worker_thread = threading.Thread(target=lambda: results.append("ran"))
    worker_thread.start()
    worker_thread.join()
    return results


def imports_by_name(name):
    return importlib.import_module(name).__name__


def uses_helper():
    return helper_for_probe.VALUE


def seen():
    return {
        "environ": dict(os.environ),
        "argv": sys.argv,
        "orig_argv": sys.orig_argv,
        "path": sys.path,
        "cwd": os.getcwd(),
        "finders": [type(finder).__name__ for finder in sys.meta_path],
    }
"""


@pytest.fixture(autouse=True)
def adapter_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child imports the test adapter from this folder."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The probe and its helper module, as a student hands them in."""
    path = tmp_path_factory.mktemp("probe")
    (path / "probe.py").write_text(PROBE)
    (path / "helper_for_probe.py").write_text("VALUE = 42\n")
    return path


def started(folder: Path, switch: str) -> Iterator[Sandbox]:
    """A sandbox on the probe, with Landlock (``switch`` "") or without it ("off")."""
    with pytest.MonkeyPatch.context() as patch:  # only while it starts: the other tests see no switch
        patch.setenv("PYTHONPATH", str(Path(__file__).parent))
        patch.setenv(SWITCH_VARIABLE, switch)
        sandbox = Sandbox(str(folder / "probe.py"), adapter=ADAPTER, timeout=5.0)
        sandbox.start()
    with sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def confined(folder: Path) -> Iterator[Sandbox]:
    yield from started(folder, "")


@pytest.fixture(scope="module")
def unconfined(folder: Path) -> Iterator[Sandbox]:
    yield from started(folder, "off")


def refused(sandbox: Sandbox, op: str, *args: object) -> str:
    """The exception type and message the target got for ``op``, failing the test if it had none."""
    failure = sandbox.call(op, *args).failure
    assert failure is not None, f"{op}{args} was not refused"
    return failure.message


def test_the_isolation_is_reported(confined: Sandbox, unconfined: Sandbox) -> None:
    assert (confined.isolation, unconfined.isolation) == (LANDLOCK, PROCESS_ONLY)


@pytest.mark.parametrize(
    "path",
    [REFERENCE, "/proc/self/cmdline", "/proc/self/environ", "/etc/passwd", sys.executable],
    ids=["reference", "own-cmdline", "own-environ", "passwd", "interpreter"],
)
def test_files_outside_the_copy_cannot_be_read(confined: Sandbox, unconfined: Sandbox, path: str) -> None:
    assert "PermissionError" in refused(confined, "read", path)
    assert unconfined.call("read", path).ok


def test_the_harness_process_cannot_be_read_through_proc(confined: Sandbox, unconfined: Sandbox) -> None:
    parent = f"/proc/{os.getpid()}"
    for path in (f"{parent}/cmdline", f"{parent}/environ", f"{parent}/mem"):
        assert "PermissionError" in refused(confined, "read", path)
    assert "PermissionError" in refused(confined, "listing", f"{parent}/cwd")
    assert unconfined.call("read", f"{parent}/cmdline").ok


def test_a_classmate_beside_the_original_cannot_be_read(
    confined: Sandbox, unconfined: Sandbox, folder: Path, tmp_path: Path
) -> None:
    classmate = tmp_path / "classmate.py"
    classmate.write_text("def relu(Z):\n    return Z\n")
    assert "PermissionError" in refused(confined, "read", str(classmate))
    assert "PermissionError" in refused(confined, "listing", str(folder))
    assert "PermissionError" in refused(confined, "listing", str(Path(mnist_ref.__file__).parent))
    assert unconfined.call("read", str(classmate)).ok


def test_the_copy_the_standard_library_and_numpy_can_be_read(confined: Sandbox) -> None:
    assert confined.call("read", "probe.py").value.startswith(b"import ctypes")
    assert confined.call("read", os.__file__).ok
    assert confined.call("uses_helper").value == 42
    assert confined.call("imports_by_name", "numpy.polynomial").value == "numpy.polynomial"
    assert confined.call("imports_by_name", "json").value == "json"


def test_nothing_outside_the_scratch_folder_can_be_written(
    confined: Sandbox, unconfined: Sandbox, folder: Path, tmp_path: Path
) -> None:
    original = (folder / "probe.py").read_bytes()
    victim = tmp_path / "victim.py"
    victim.write_text("x = 1\n")
    assert "PermissionError" in refused(confined, "append", str(folder / "probe.py"), "# changed\n")
    assert "PermissionError" in refused(confined, "append", str(victim), "# changed\n")
    assert "PermissionError" in refused(confined, "append", str(tmp_path / "new.txt"), "new\n")
    assert (folder / "probe.py").read_bytes() == original
    assert victim.read_text() == "x = 1\n"
    assert not (tmp_path / "new.txt").exists()
    assert confined.call("append", "scratch.txt", "mine\n").value == "written"  # its own folder
    assert unconfined.call("append", str(victim), "# changed\n").value == "written"


def test_no_process_can_be_started(confined: Sandbox, unconfined: Sandbox) -> None:
    assert "PermissionError" in refused(confined, "fork")
    assert confined.call("raw_fork").value == -1  # -EPERM from the seccomp filter
    assert "PermissionError" in refused(confined, "run_program")
    assert unconfined.call("fork").value == "forked"


def test_threads_can_still_be_started(confined: Sandbox) -> None:
    assert confined.call("thread").value == ["ran"]


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1: its port, and what it received."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(3)
    received: list[bytes] = []

    def serve() -> None:
        try:
            connection, _ = server.accept()
            received.append(connection.recv(100))
            connection.close()
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    server.close()
    thread.join(5)


def test_no_network(confined: Sandbox, listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    assert "PermissionError" in refused(confined, "connect", port)
    assert "PermissionError" in refused(confined, "datagram", port)
    assert received == []


def test_the_network_test_can_fail(unconfined: Sandbox, listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    assert unconfined.call("connect", port).value == "connected"
    deadline = time.monotonic() + 3  # the server's thread may still be reading
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert received == [b"leak"]


def test_the_harness_cannot_be_signalled(confined: Sandbox, unconfined: Sandbox) -> None:
    assert "PermissionError" in refused(confined, "signal_parent")
    assert unconfined.call("signal_parent").value == "signalled"


def test_the_harness_cannot_be_traced(confined: Sandbox) -> None:
    assert confined.call("trace_parent").value == -1  # -EPERM (no control: it would stop this process)


def test_a_course_can_allow_more_packages(folder: Path, confined: Sandbox) -> None:
    assert "No module named 'click'" in refused(confined, "imports_by_name", "click")
    with Sandbox(str(folder / "probe.py"), adapter=ADAPTER, allowed_imports=("click",)) as sandbox:
        assert sandbox.call("imports_by_name", "click.testing").value == "click.testing"


def test_no_link_can_lead_out_of_the_scratch_folder(confined: Sandbox) -> None:
    assert "PermissionError" in refused(confined, "link", REFERENCE, "reference_copy.py")
    assert "FileNotFoundError" in refused(confined, "read", "reference_copy.py")


def test_the_target_sees_nothing_of_the_harness(confined: Sandbox, folder: Path) -> None:
    seen = confined.call("seen").value
    shown = repr({key: value for key, value in seen.items() if key != "finders"})
    for word in ("conformance", "mnist", "pytest", "sandbox_targets", str(Path(__file__).parent)):
        assert word not in shown, word
    assert set(seen["environ"]) <= {
        "LANG", "LC_ALL", "LC_CTYPE", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONHASHSEED", "PYTHONUNBUFFERED",
        "PYTHONBREAKPOINT", "HOME", "TMPDIR",
    }  # fmt: skip
    assert seen["argv"] == [seen["cwd"] + "/probe.py"]
    assert seen["path"][0] == seen["cwd"] and str(folder) not in seen["path"]


def test_the_cpu_time_is_capped(folder: Path) -> None:
    with Sandbox(str(folder / "probe.py"), adapter=ADAPTER, timeout=30.0, cpu_seconds=1) as sandbox:
        failure = sandbox.call("spin").failure
    assert failure.kind == "crash"
    assert "SIGXCPU" in failure.message or "SIGKILL" in failure.message


def test_the_scratch_folder_is_deleted_with_the_child(folder: Path) -> None:
    with Sandbox(str(folder / "probe.py"), adapter=ADAPTER) as sandbox:
        scratch = sandbox.call("seen").value["cwd"]
        assert Path(scratch, "probe.py").is_file()
    assert not Path(scratch).exists()


def line_of(text: str) -> int:
    """The number of the line of PROBE that is ``text``."""
    return PROBE.splitlines().index(text) + 1


@pytest.mark.parametrize(
    ("op", "module", "line"),
    [
        ("uses_reference", "mnist_ref.relu", line_of("import mnist_ref")),
        ("uses_torch", "torch.tensor", line_of("import torch")),
        ("imports_in_the_body", "torch.zeros", line_of("    import torch as late")),
    ],
)
def test_using_a_forbidden_module_names_it_and_its_line(
    confined: Sandbox, op: str, module: str, line: int
) -> None:
    failure = confined.call(op, [1.0, -1.0]).failure
    assert failure.kind == "forbidden_import"
    assert failure.message.startswith(f"ForbiddenImport: {module} (imported on line {line}) may not be used")


def test_the_harness_loaded_in_the_child_cannot_be_imported_either(confined: Sandbox) -> None:
    failure = confined.call("uses_harness").failure
    assert failure.kind == "forbidden_import"
    assert failure.message.startswith("ForbiddenImport: conformance.sandbox.worker.main (imported on line")


def test_importing_by_name_is_refused(confined: Sandbox) -> None:
    assert "ForbiddenImport: mnist_ref may not be used" in refused(confined, "imports_by_name", "mnist_ref")
    # the harness's modules are out of sys.modules: its package itself is refused first
    assert "ForbiddenImport: conformance may not be used" in refused(
        confined, "imports_by_name", "conformance.report"
    )
    assert "No module named 'pandas' (a submission may import only" in refused(
        confined, "imports_by_name", "pandas"
    )


def test_a_file_named_like_a_module_of_the_harness_runs_only_confined(tmp_path: Path) -> None:
    marker = tmp_path / "marker.txt"
    (tmp_path / "numpy.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (tmp_path / "sitecustomize.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (tmp_path / "student.py").write_text("import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n")
    with Sandbox(str(tmp_path / "student.py"), adapter=ADAPTER) as sandbox:
        assert list(sandbox.call("relu", [1.0, -1.0]).value) == [1.0, 0.0]
    assert not marker.exists()


def test_a_linked_file_beside_the_target_is_not_copied(tmp_path: Path) -> None:
    (tmp_path / "reference.py").symlink_to(REFERENCE)
    (tmp_path / "student.py").write_text("from reference import relu\n")
    with Sandbox(str(tmp_path / "student.py"), adapter=ADAPTER) as sandbox:
        assert sandbox.call("relu", [1.0]).failure.kind == "not_provided"


def test_relative_paths_are_those_of_the_harness_working_folder(tmp_path: Path, monkeypatch) -> None:
    """The child starts in its scratch folder: a relative target or mapping file is the user's, not its."""
    monkeypatch.chdir(tmp_path)
    write_variant(VARIANTS["classic_correct"], tmp_path)
    mapping = CliRunner().invoke(main, ["check", "classic_correct.py", "--show-mapping"])
    Path("mapping.toml").write_text(mapping.output)
    result = CliRunner().invoke(
        main, ["check", "classic_correct.py", "--config", "mapping.toml", "--examples", "2"]
    )
    assert result.exit_code == 0, result.output


def test_a_child_whose_harness_was_killed_empties_its_scratch_folder(folder: Path) -> None:
    script = (
        "import sys, time\n"
        "from conformance.sandbox import Sandbox\n"
        f"sandbox = Sandbox(sys.argv[1], adapter={ADAPTER!r})\n"
        "print(sandbox.call('seen').value['cwd'], flush=True)\n"
        "time.sleep(60)\n"
    )
    harness = subprocess.Popen(
        [sys.executable, "-c", script, str(folder / "probe.py")], stdout=subprocess.PIPE
    )
    scratch = Path(harness.stdout.readline().decode().strip())
    assert (scratch / "probe.py").is_file()
    harness.kill()
    harness.wait()
    deadline = time.monotonic() + 10
    while any(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(scratch.iterdir()) == []  # confined, the child cannot delete the folder itself
    scratch.rmdir()
