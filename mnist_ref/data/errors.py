"""The one exception every MNIST loader raises for a file it cannot use."""


class DataError(ValueError):
    """A data file is missing, malformed or out of range.

    The message is one line that names the file (and the line or item when it
    applies) and says what was expected, so the CLI can print it as it is.
    """
