"""The conformance harness: checks someone else's two-layer MNIST network, component by component."""
