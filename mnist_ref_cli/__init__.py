"""The ``mnist-ref`` command line, above both the reference (`mnist_ref`) and the harness (`conformance`).

It lives outside `mnist_ref` so that the reference imports nothing from the checker built on it.
"""
