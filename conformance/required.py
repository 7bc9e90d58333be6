"""Which components a PASS needs by default: those every implementation of the network has.

A module of its own, importing nothing, so that the command line and the pytest plugin can read it
without loading the report formats.
"""

DEFAULT_REQUIRED = ("forward", "dW1", "db1", "dW2", "db2", "update")
