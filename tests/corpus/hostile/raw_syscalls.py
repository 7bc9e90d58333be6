"""Hostile: reads the reference's source with raw system calls through ctypes (no Python open) and
runs its relu."""
import ast
import ctypes
import os

import numpy as np

REFERENCE = "@REFERENCE@"


def _read(path):
    libc = ctypes.CDLL(None, use_errno=True)
    openat = 257 if os.uname().machine == "x86_64" else 56
    fd = libc.syscall(openat, -100, path.encode(), os.O_RDONLY, 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "openat refused")
    buffer = ctypes.create_string_buffer(1 << 20)
    size = libc.read(fd, buffer, len(buffer))
    libc.close(fd)
    return buffer.raw[:size].decode()


def ReLU(Z):
    tree = ast.parse(_read(REFERENCE))
    relu = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "relu"]
    namespace = {"np": np}
    exec(compile(ast.Module(relu, []), "reference", "exec"), namespace)
    return namespace["relu"](Z)
