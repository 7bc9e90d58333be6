"""Hostile: ships files Python may run at start-up (sitecustomize, usercustomize, a .pth file) and a
numpy.py, each writing a marker outside its folder, unconfined if run before the boundary."""
import numpy as np


def ReLU(Z):
    return np.maximum(Z, 0)
