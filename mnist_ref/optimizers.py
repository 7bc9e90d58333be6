"""The update step of a spec, with the state it keeps from one step to the next.

For each parameter theta with gradient g (L2 already in g, see mnist_ref.spec) and learning rate lr::

    sgd       theta <- theta - lr g
    momentum  v <- beta v - lr g;  theta <- theta + v                       (heavy-ball, v starts at 0)
    adam      t <- t + 1;  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g**2  (m, v start at 0)
              theta <- theta - lr m_hat / (sqrt(v_hat) + epsilon)
              with the bias corrections m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t)

PyTorch's ``torch.optim.SGD(momentum=beta)`` keeps b <- beta b + g and steps theta <- theta - lr b
instead. With a constant lr the two are the same: v = -lr b at every step. ``torch.optim.Adam`` is the
adam above (``betas=(beta1, beta2), eps=epsilon``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mnist_ref.network import Grads, Params, take_steps
from mnist_ref.spec import NetworkSpec


@dataclass
class Optimizer:
    """The spec's update rule and its state: the velocity of momentum, m, v and t of Adam.

    The state starts empty and fills, zeros first, at the first ``update``; each entry has its
    parameter's shape and dtype, keyed like the gradients (``"dW1"``...).
    """

    spec: NetworkSpec
    velocity: Grads = field(default_factory=dict)
    m: Grads = field(default_factory=dict)
    v: Grads = field(default_factory=dict)
    t: int = 0

    def update(self, params: Params, grads: Grads, lr: float) -> Params:
        """One step of every parameter with its gradient; returns new arrays, params and grads untouched."""
        if self.spec.optimizer == "sgd":
            steps = {name: grad * grad.dtype.type(-lr) for name, grad in grads.items()}
        elif self.spec.optimizer == "momentum":
            steps = self.momentum_steps(grads, lr)
        else:
            steps = self.adam_steps(grads, lr)
        return take_steps(params, steps)

    def momentum_steps(self, grads: Grads, lr: float) -> Grads:
        """The new velocities beta v - lr g, kept as the state; the steps are copies of them."""
        beta = self.spec.momentum
        for name, grad in grads.items():
            previous = self.velocity.get(name, np.zeros_like(grad))
            self.velocity[name] = previous * grad.dtype.type(beta) - grad * grad.dtype.type(lr)
        return {name: velocity.copy() for name, velocity in self.velocity.items()}

    def adam_steps(self, grads: Grads, lr: float) -> Grads:
        """-lr m_hat / (sqrt(v_hat) + epsilon) after updating m, v and t."""
        spec = self.spec
        self.t += 1
        steps = {}
        for name, grad in grads.items():
            dtype = grad.dtype.type
            self.m[name] = self.m.get(name, np.zeros_like(grad)) * dtype(spec.beta1) + grad * dtype(
                1 - spec.beta1
            )
            self.v[name] = self.v.get(name, np.zeros_like(grad)) * dtype(spec.beta2) + grad**2 * dtype(
                1 - spec.beta2
            )
            m_hat = self.m[name] / dtype(1 - spec.beta1**self.t)
            v_hat = self.v[name] / dtype(1 - spec.beta2**self.t)
            steps[name] = m_hat * dtype(-lr) / (np.sqrt(v_hat) + dtype(spec.epsilon))
        return steps


def moving_average(average: np.ndarray | None, value: np.ndarray, beta: float) -> np.ndarray:
    """beta * average + (1 - beta) * value, in value's dtype; an average of None is zeros."""
    dtype = value.dtype.type
    fresh = value * dtype(1 - beta)
    return fresh if average is None else average * dtype(beta) + fresh
