"""What ``describe()`` tells the user: how each component is called, what is missing, the init sizes,
and all that as the data of a mapping file (``found_mapping``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.adapters.choices import KEEP, RETURNABLE
from conformance.adapters.labels import LabelForms
from conformance.adapters.layouts import canonical_name
from conformance.adapters.names import COMPONENTS, CONTAINER_NAMES, OPERATIONS, operation_of, roles_for
from conformance.adapters.signatures import CallPlan
from conformance.sandbox.time_limits import time_limit

SIZE_NAMES = ("n_in", "hidden", "n_out")
SIZE_PROBE = (784, 10, 10)
"""The sizes asked of an init whose sizes are (partly) fixed, to read back the ones it uses."""
INIT_TIME_LIMIT = 2.0
"""Seconds describe() waits for a fixed-size init before giving up on reading its sizes."""


def call_text(plan: CallPlan, labels: LabelForms, notes: tuple[str, ...] = ()) -> str:
    """The call and how values travel: "back_prop(..., Y); Y as integer labels (m,); returns (dW1, ...)".

    What the items of a returned tuple are taken to be is said in canonical names ("..." for an
    item that is ignored), as a mapping file's ``returns`` says it.
    """
    parts = [plan.text(), *notes, *plan.layout_notes()]
    label_text = labels.text(plan)
    if label_text:
        parts.append(label_text)
    returnable = RETURNABLE.get(plan.operation.name)
    if plan.returned and returnable:
        roles = [_returned_role(name, returnable) for name in plan.returned]
        parts.append(f"returns ({', '.join('...' if role == KEEP else role for role in roles)})")
    return "; ".join(parts)


def by_component(texts: dict[str, str]) -> dict[str, str]:
    """Texts keyed by operation ("backward") spread over the components ("dW1", "db1", ...), in order."""
    operations = {component: operation_of(component) for component in COMPONENTS}
    return {component: texts[operation] for component, operation in operations.items() if operation in texts}


def init_sizes(plan: CallPlan | None, init: Any) -> str:
    """How init is sized: "free" when it takes all three sizes, else "fixed (784, 10, 10)" as read
    from calling ``init``.

    ``init(n_in, hidden, n_out)`` is the adapter's operation; it runs at most INIT_TIME_LIMIT s.
    """
    if plan is None:
        return "unknown (no init function)"
    free = [size for size in SIZE_NAMES if plan.uses(size, "layer_sizes")]
    if len(free) == len(SIZE_NAMES):
        return "free"
    try:
        with time_limit(INIT_TIME_LIMIT):
            params = init(*SIZE_PROBE)
        sizes = (params["W1"].shape[1], params["W1"].shape[0], params["W2"].shape[0])
    except Exception as error:  # the target's init may raise anything; describe() must still answer
        return f"fixed (sizes unknown: {plan.title} raised {type(error).__name__}: {error})"
    if not free:
        return f"fixed ({', '.join(map(str, sizes))})"
    fixed = [f"{name}={size}" for name, size in zip(SIZE_NAMES, sizes, strict=True) if name not in free]
    return f"partly fixed: {', '.join(fixed)}; {', '.join(free)} from the arguments"


def found_mapping(
    plans: Mapping[str, CallPlan],
    disabled: Iterable[str],
    layout: str,
    network: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What was found, in the shape of a mapping file's data (``tomllib.loads`` of ``render_mapping``):

    ``{"layout": "row", "class": {"name": ...}, "components": {"forward": {"function": "forward_prop",
    "args": ["W1", "b1", "W2", "b2", "X"], "returns": ["Z1", "A1", "Z2", "A2"]}, "loss": False, ...}}``.
    """
    disabled = set(disabled)
    components: dict[str, Any] = {}
    for operation in OPERATIONS:
        if operation in disabled:
            components[operation] = False
        elif operation in plans:
            components[operation] = _plan_entry(operation, plans[operation])
    found: dict[str, Any] = {"layout": layout, "components": components}
    if network:
        found["class"] = dict(network)
    return found


def _plan_entry(operation: str, plan: CallPlan) -> dict[str, Any]:
    """``{"function", "args", "returns"}`` of one plan; returns only where the returned names are known."""
    entry: dict[str, Any] = {"function": plan.title, "args": [arg.role or KEEP for arg in plan.arguments]}
    if operation in RETURNABLE and plan.returned is not None:
        entry["returns"] = [_returned_role(name, RETURNABLE[operation]) for name in plan.returned]
    return entry


def _returned_role(name: str, allowed: tuple[str, ...]) -> str:
    """What a name in a ``return`` statement is among ``allowed`` ("logits" is Z2), "_" if nothing."""
    arrays = tuple(role for role in allowed if role not in CONTAINER_NAMES)
    bundles = [role for role in roles_for(name) if role in allowed]
    return canonical_name(name, arrays) or next(iter(bundles), KEEP)
