"""Confining the target's process: Linux Landlock and a small seccomp filter, over ctypes.

The child process calls :func:`confine` once the harness is imported and before any of the
target's code runs. From then on the process and everything it could start:

- may read only the folders and files it is given (the interpreter's standard library, NumPy,
  any other allowed package) and read and write only its scratch folder (the private copy of the
  target's files): the reference, the harness, the rest of site-packages, the class folder, the
  outputs, ``/proc`` and the home folder cannot be opened, listed or changed;
- cannot bind or connect TCP sockets, send signals to processes outside itself, or reach
  abstract UNIX sockets outside itself;
- cannot open a socket at all, nor start a process (threads are allowed).

The system calls, and why these ones:

- ``prctl(PR_SET_NO_NEW_PRIVS)``: required before either of the next two for a process without
  CAP_SYS_ADMIN; it also keeps an exec from gaining privileges.
- ``landlock_create_ruleset`` (444), ``landlock_add_rule`` (445) and ``landlock_restrict_self``
  (446), the same numbers on x86_64 and aarch64: Landlock is the kernel's unprivileged access
  control by file hierarchy (ABI 1), TCP port (ABI 4) and scope (ABI 6: signals and abstract UNIX
  sockets). It needs no root, no container and no helper binary; a process can only restrict
  itself, and the restriction is inherited and cannot be lifted. A ruleset *handles* a set of
  rights (all those the ABI knows); what no rule grants is refused.
- ``prctl(PR_SET_SECCOMP)`` with an eight-test BPF program: Landlock does not cover process
  creation, UDP or pathname UNIX sockets. The filter refuses ``fork``, ``vfork`` and ``clone``
  without CLONE_THREAD (EPERM), ``clone3`` (ENOSYS, so that the C library falls back to ``clone``
  for threads) and ``socket`` (EPERM), and every system call of another ABI (x32, i386). It also
  refuses ``rt_sigaction`` (EPERM): a Python signal handler is called with the frame it interrupts,
  whose callers are the harness's (conformance.sandbox.introspection); the harness sets its own
  handlers before.
  RLIMIT_NPROC cannot do this job: it counts every process of the user, and root ignores it.

Only what is documented in the kernel's ``include/uapi/linux/landlock.h`` and ``seccomp.h`` is
used, as a few structures and constants below.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LANDLOCK_ABI_NEEDED = 6
"""The Landlock ABI that offers everything described above (Linux 6.12 and later)."""
SWITCH_VARIABLE = "MNIST_REF_LANDLOCK"
"""Set to ``off`` in the harness's environment to run targets without Landlock (as on an old kernel)."""
LANDLOCK = "landlock"
PROCESS_ONLY = "process only"

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_RULE_NET_PORT = 1, 2

# Rights and scopes (landlock.h).
FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_DIR, FS_MAKE_REG = 1 << 4, 1 << 5, 1 << 7, 1 << 8
FS_TRUNCATE = 1 << 14
FS_HANDLED = (1 << 16) - 1
"""Every filesystem right of ABI 5 and later, EXECUTE (bit 0) to IOCTL_DEV (bit 15): all are refused but
those a rule grants (devices, sockets, pipes and symbolic links are never made; files are never renamed or
linked across folders, never executed)."""
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

FILE_RIGHTS = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE
"""The rights that apply to a file itself, rather than to what a folder holds."""
READ_RIGHTS = FS_READ_FILE | FS_READ_DIR
"""What a readable folder allows below it (and a readable file: reading it, never executing it)."""
WRITE_RIGHTS = (
    READ_RIGHTS | FS_WRITE_FILE | FS_TRUNCATE | FS_REMOVE_FILE | FS_REMOVE_DIR | FS_MAKE_DIR | FS_MAKE_REG
)
"""What the scratch folder allows below it: files and folders, no devices, sockets, pipes or links."""

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
SECCOMP_DATA_NR, SECCOMP_DATA_ARCH, SECCOMP_DATA_ARG0 = 0, 4, 16
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000


@dataclass(frozen=True)
class Architecture:
    """The audit number of a CPU architecture's system-call ABI and the numbers the filter tests."""

    audit: int
    clone: int
    clone3: int
    socket: int
    sigaction: int
    forks: tuple[int, ...]  # fork and vfork, where the architecture has them


ARCHITECTURES = {
    "x86_64": Architecture(0xC000003E, clone=56, clone3=435, socket=41, sigaction=13, forks=(57, 58)),
    "aarch64": Architecture(0xC00000B7, clone=220, clone3=435, socket=198, sigaction=134, forks=()),
}


class ConfinementError(OSError):
    """The kernel refused a step of the confinement; the target must not run unconfined."""


@dataclass(frozen=True)
class Confinement:
    """What the confined process may still reach: ``readable`` files and folders, ``writable`` folders,
    and ``listable`` folders, whose lists of names can be read below them, but not their files."""

    readable: tuple[str, ...]
    writable: tuple[str, ...]
    listable: tuple[str, ...] = ()


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers this process, 0 when it has none (or not Linux)."""
    if platform.system() != "Linux" or platform.machine() not in ARCHITECTURES:
        return 0
    version = _libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION
    )
    return max(int(version), 0)


def isolation() -> str:
    """``"landlock"`` when targets will be confined, else ``"process only"`` (old kernel, switched off)."""
    if os.environ.get(SWITCH_VARIABLE, "").lower() == "off" or landlock_abi() < LANDLOCK_ABI_NEEDED:
        return PROCESS_ONLY
    return LANDLOCK


def confine(confinement: Confinement) -> None:
    """Restrict this process, for good, to ``confinement``; raises ConfinementError if the kernel refuses."""
    abi = landlock_abi()
    if abi < LANDLOCK_ABI_NEEDED:
        raise ConfinementError(errno.ENOSYS, f"Landlock ABI {abi} (needs {LANDLOCK_ABI_NEEDED})")
    _checked(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    ruleset = _create_ruleset()
    try:
        for path in confinement.listable:
            _allow(ruleset, path, FS_READ_DIR)
        for path in confinement.readable:
            _allow(ruleset, path, READ_RIGHTS)
        for path in confinement.writable:
            _allow(ruleset, path, WRITE_RIGHTS)
        _checked(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    _install_seccomp_filter(ARCHITECTURES[platform.machine()])


def _create_ruleset() -> int:
    """A ruleset handling every filesystem right, TCP bind and connect, signals and abstract UNIX sockets."""
    attr = _RulesetAttr(FS_HANDLED, NET_BIND_TCP | NET_CONNECT_TCP, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    fd = _libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0
    )
    return _checked(fd, "landlock_create_ruleset")


def _allow(ruleset: int, path: str, rights: int) -> None:
    """Grant ``rights`` below ``path`` (only the file rights among them for a file); skip a missing path."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not Path(path).is_dir():
            rights &= FILE_RIGHTS
        attr = _PathBeneathAttr(rights, fd)
        result = _libc.syscall(
            SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(attr), 0
        )
        _checked(result, f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def seccomp_program(arch: Architecture) -> bytes:
    """The BPF program of the filter described in the module's docstring, as the kernel reads it."""
    deny, no_such_call = SECCOMP_RET_ERRNO | errno.EPERM, SECCOMP_RET_ERRNO | errno.ENOSYS
    denied = (*arch.forks, arch.socket, arch.sigaction)
    # (code, jump if true, jump if false, k); jumps count the instructions skipped.
    body = [(BPF_JEQ_K, 0, 0, number) for number in denied]
    program = [
        (BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH),
        (BPF_JEQ_K, 1, 0, arch.audit),
        (BPF_RET_K, 0, 0, deny),  # another system-call ABI (i386 on x86_64)
        (BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_NR),
        (BPF_JGE_K, len(body) + 6, 0, X32_SYSCALL_BIT),  # -> deny
        *[(code, len(body) - index + 5, 0, k) for index, (code, _, _, k) in enumerate(body)],  # -> deny
        (BPF_JEQ_K, 0, 1, arch.clone3),
        (BPF_RET_K, 0, 0, no_such_call),
        (BPF_JEQ_K, 0, 2, arch.clone),
        (BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARG0),  # clone's flags (low half, little-endian)
        (BPF_JSET_K, 0, 1, CLONE_THREAD),  # a thread -> allow, else -> deny
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


def _install_seccomp_filter(arch: Architecture) -> None:
    """Load the filter of :func:`seccomp_program` into this process (and whatever it starts)."""
    code = seccomp_program(arch)
    program = _SockFprog(len(code) // 8, code)
    _checked(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0), "seccomp filter")


def _checked(result: int, step: str) -> int:
    """``result`` when it is not negative; otherwise ConfinementError naming ``step`` and errno."""
    if result < 0:
        code = ctypes.get_errno()
        raise ConfinementError(code, f"{step}: {os.strerror(code)}")
    return result


def readable_parts(folder: str, excluded: Iterable[str]) -> list[str]:
    """The entries of ``folder`` but the ``excluded`` names, as paths: to grant a folder but some parts."""
    skip = set(excluded)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, name) for name in names if name not in skip]
