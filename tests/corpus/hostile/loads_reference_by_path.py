"""Hostile: imports the reference's module from its file path with importlib, under another name."""
import importlib.util

REFERENCE = "@REFERENCE@"


def ReLU(Z):
    spec = importlib.util.spec_from_file_location("stolen_network", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.relu(Z)
