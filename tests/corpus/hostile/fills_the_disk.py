"""Hostile: fills its scratch folder with files just under the per-file cap, then answers correctly."""
import numpy as np


def ReLU(Z):
    for index in range(200):
        with open(f"filler_{index}.bin", "wb") as filler:
            filler.write(b"\0" * 3_000_000)
    return np.maximum(Z, 0)
