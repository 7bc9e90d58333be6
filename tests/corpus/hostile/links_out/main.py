"""Hostile: ships ref.py, a symbolic link to the reference, and makes another link at run time."""
import importlib
import os

REFERENCE = "@REFERENCE@"


def ReLU(Z):
    try:
        from ref import relu
    except ImportError:
        os.symlink(REFERENCE, "made_link.py")
        relu = importlib.import_module("made_link").relu
    return relu(Z)
