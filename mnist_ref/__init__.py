"""mnist-ref: a small NumPy reference of the two-layer MNIST MLP, and a checker for other people's.

Importing this package loads NumPy only; the data loaders, plots and the
conformance harness load pandas, matplotlib and torch when they are used.
"""

from mnist_ref.network import (
    GRAD_NAMES,
    PARAM_NAMES,
    ForwardCache,
    Grads,
    Params,
    accuracy,
    backward,
    cross_entropy,
    forward,
    from_one_hot,
    init_params,
    log_softmax,
    loss,
    one_hot,
    predict,
    relu,
    relu_grad,
    sgd_update,
    softmax,
)

__version__ = "0.1.0"

__all__ = [
    "GRAD_NAMES",
    "PARAM_NAMES",
    "ForwardCache",
    "Grads",
    "Params",
    "accuracy",
    "backward",
    "cross_entropy",
    "forward",
    "from_one_hot",
    "init_params",
    "log_softmax",
    "loss",
    "one_hot",
    "predict",
    "relu",
    "relu_grad",
    "sgd_update",
    "softmax",
]
