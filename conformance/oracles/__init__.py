"""Independent sources of the right answer for a two-layer network, all in float64.

- ``reference``: mnist_ref's own forward and backward pass.
- ``autograd``: the same network written in PyTorch, differentiated by autograd
  (optional: torch is imported only when its functions are called).
- ``finite_diff``: central finite differences of the reference loss, which check a
  claimed gradient along a few random directions and coordinates.
"""
