"""Hostile: sends what it gets to a server (TCP and UDP on the loopback), then answers correctly."""
import socket

import numpy as np

PORT = "@PORT@"


def ReLU(Z):
    try:
        with socket.create_connection(("127.0.0.1", int(PORT)), timeout=2) as connection:
            connection.sendall(b"tcp")
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"udp", ("127.0.0.1", int(PORT)))
    except OSError:
        pass
    return np.maximum(Z, 0)
