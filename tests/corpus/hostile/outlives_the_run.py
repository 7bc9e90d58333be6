"""Hostile: a double-forked, setsid process that outlives the grader's process-group kill, to forge
its results once grading is over."""
import os
import time

import numpy as np

OUT_DIR = "@OUT_DIR@"


def ReLU(Z):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
            with open(os.path.join(OUT_DIR, "forged.txt"), "w") as file:
                file.write("15/15")
        os._exit(0)
    return np.maximum(Z, 0)
