"""From check results to one verdict per component, and from those to the exit code.

A component ends as exactly one of:

- ``pass``: at least one check compared its values, and every check that ran agrees;
- ``fail``: a check found it wrong under a confirmed reading of the target: a wrong value or an
  exception under a layout the checker is sure of and a call it read from names (or that gave a
  right answer in another check), or a hang, crash or read of a global under any call;
- ``unchecked``: the checker could not judge it (not found, layout ambiguous, wrong only under a
  calling convention the checker guessed, only side properties checked, the target is another
  network than the classic one); the reason and the one-line fix come with it;
- ``not_required``: not in the required set, and not found (or disabled by a mapping file).

Checks of side properties (``side=True``: globals, inputs untouched) can make a component fail,
never pass on their own. The exit code: 0 when every required component passed and nothing
failed, 1 when something failed, 2 when nothing could be checked at all, 3 when nothing failed
but a required component is unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from conformance.required import DEFAULT_REQUIRED

if TYPE_CHECKING:
    from conformance.report.model import CheckResult

Verdict = Literal["pass", "fail", "unchecked", "not_required"]
VERDICTS: tuple[Verdict, ...] = ("pass", "fail", "unchecked", "not_required")


EXIT_PASSED, EXIT_FAILED, EXIT_UNUSABLE, EXIT_INCOMPLETE = 0, 1, 2, 3
HEADLINES = {
    EXIT_PASSED: "PASSED",
    EXIT_FAILED: "FAILED",
    EXIT_UNUSABLE: "NOT CHECKED",
    EXIT_INCOMPLETE: "INCOMPLETE",
}

LAYOUT_FREE = frozenset({"init", "relu", "relu_grad", "update", "accuracy"})
"""Components whose checks mean the same whichever way round the target holds its samples."""
THE_TARGETS_WHATEVER_THE_CALL = frozenset(
    {"timeout", "crash", "output_flood", "depends_on_global_state", "forbidden_import"}
)
"""Diagnoses of a target that hung, crashed, flooded or read a global: its own doing under any call."""
CHECKED_THROUGH_TRAINING = frozenset({"dW1", "db1", "dW2", "db2", "update"})
"""Components a training loop whose steps follow the reference's must have right, even written inline."""
TRAINING_FOLLOWS = (
    "no function of its own; checked through the training loop, whose full-batch steps land where the "
    "reference's do (train.trajectory)"
)
TRAINING_FOLLOWS_ONE_SAMPLE = (
    "no function of its own; checked through the training loop, which steps a sample or a mini-batch at a "
    "time and lands where the reference does on one sample (train.trajectory)"
)
STEP_HALVES = (
    "applied inside {within}, whose step halves when lr does: -lr times a gradient (update.within_step)"
)
READ_THROUGH_UPDATE = (
    "applied inside {within}: {gradients}, read from its change of the parameters as (old - new) / lr, are "
    "right, so its step is"
)
NETWORK_DEPENDENT = frozenset(
    {"init", "relu", "relu_grad", "forward", "loss", "dW1", "db1", "dW2", "db2", "predict", "train"}
)
"""Components judged against the classic network itself: judged nothing when the target is another network."""
OTHER_NETWORK_FIX = (
    "check it as the network it is ({options}), or, to check only the components that network shares "
    "with yours, turn the others off in a mapping file (`forward = false`, ...)"
)
ERRORS_WHATEVER_THE_CALL = ("AttributeError: module ", "NameError:", "UnboundLocalError:")
"""Errors no way of giving the arguments would have avoided: a misspelt ``np.zeroes``, a name defined
nowhere (an attribute error on an argument may come from a wrong guess, and is not one of them)."""
MAPPING_FIX = (
    "run `mnist-ref check FILE --show-mapping > mapping.toml`, correct the `{operation}` entry, "
    "and check again with `--config mapping.toml`"
)
IMPORT_FIX = "install the module where the checker runs, or define what it provides in the file itself"
LAYOUT_FIX = (
    'write `layout = "row"` (X is (m, 784)) or `layout = "column"` in a mapping file, pass it with --config'
)


@dataclass(frozen=True)
class ComponentVerdict:
    """The verdict on one component ("db2"), why, how to fix an unchecked one, and the call made."""

    name: str
    verdict: Verdict
    required: bool
    reason: str
    fix: str | None = None
    call: str | None = None
    checks: tuple[CheckResult, ...] = ()

    @property
    def passed(self) -> int:
        """How many of its checks passed."""
        return sum(result.status == "pass" for result in self.checks)

    @property
    def diagnoses(self) -> tuple[str, ...]:
        """The diagnosis codes of its failing checks, each once, in check order (empty unless it failed)."""
        if self.verdict != "fail":
            return ()
        codes = (result.diagnosis for result in self.checks if result.status in ("fail", "error"))
        return tuple(dict.fromkeys(code for code in codes if code))

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's entry for the component (its checks are listed in ``checks``)."""
        return {
            "component": self.name,
            "verdict": self.verdict,
            "required": self.required,
            "reason": self.reason,
            "fix": self.fix,
            "call": self.call,
            "diagnoses": list(self.diagnoses),
        }


def network_dependent(component: str) -> bool:
    """Whether ``component`` is judged against the network itself (any layer's gradients included)."""
    return component in NETWORK_DEPENDENT or re.fullmatch(r"d[Wb]\d+", component) is not None


def operation_of(component: str) -> str:
    """The target call a component's values come from: every layer's gradients come from ``backward``."""
    return "backward" if re.fullmatch(r"d[Wb]\d+", component) else component


def judge(
    checks: Iterable[CheckResult], mapping: Mapping[str, Any], required: Iterable[str] = DEFAULT_REQUIRED
) -> list[ComponentVerdict]:
    """One verdict per component, in the order the components first appear in ``checks``.

    ``mapping`` is what the adapter found (``describe()``): how each component is called, what is
    missing and why, whether the layout was decided and which calls had their argument order
    guessed. A component in ``required`` that is not found is ``unchecked``; one outside it is
    ``not_required``.
    """
    grouped: dict[str, list[CheckResult]] = {}
    for result in checks:
        grouped.setdefault(result.component, []).append(result)
    evidence = _Evidence(mapping, grouped)
    required = set(required)
    return [evidence.verdict(name, tuple(results), name in required) for name, results in grouped.items()]


def exit_code(components: Iterable[ComponentVerdict]) -> int:
    """0 all required checked and right, 1 something wrong, 2 nothing checked, 3 a required one unchecked."""
    components = list(components)
    if any(component.verdict == "fail" for component in components):
        return EXIT_FAILED
    if not any(component.verdict == "pass" for component in components):
        return EXIT_UNUSABLE
    if any(component.required and component.verdict != "pass" for component in components):
        return EXIT_INCOMPLETE
    return EXIT_PASSED


class _Evidence:
    """What the adapter found and the checks saw, to tell a confirmed reading from a guess."""

    def __init__(self, mapping: Mapping[str, Any], grouped: Mapping[str, list[CheckResult]]):
        self.calls: Mapping[str, str] = mapping.get("components", {})
        self.missing: Mapping[str, str] = mapping.get("missing", {})
        self.disabled = {
            name for name, entry in mapping.get("mapping", {}).get("components", {}).items() if entry is False
        }
        self.guessed: Mapping[str, str] = mapping.get("guessed", {})
        self.layout_decided = bool(mapping.get("layout_decided", True))
        self.layout_reason = mapping.get("layout_reason", "")
        other = [
            result
            for results in grouped.values()
            for result in results
            if result.diagnosis == "different_network"
        ]
        other.sort(key=_most_telling)
        self.other_network = other[0].message if other else None
        self.other_options = next((r.details["options"] for r in other if r.details.get("options")), None)
        self.update_within = mapping.get("update_within")
        self.read_through_update = [
            g
            for g in ("dW1", "db1", "dW2", "db2")
            if any(r.status == "pass" and not r.side for r in grouped.get(g, []))
            and not any(r.status in ("fail", "error") for r in grouped.get(g, []))
        ]
        training = grouped.get("train", [])
        self.training_follows = next(
            (
                TRAINING_FOLLOWS if result.status == "pass" else TRAINING_FOLLOWS_ONE_SAMPLE
                for result in training
                if result.id == "train.trajectory"
                and (result.status == "pass" or result.details.get("one_sample_matches"))
            ),
            None,
        )
        if any(result.status in ("fail", "error") for result in training):
            self.training_follows = None
        self.answered = {
            operation_of(name)
            for name, results in grouped.items()
            for result in results
            if result.status == "pass" and not result.side
        }

    def verdict(self, name: str, checks: tuple[CheckResult, ...], required: bool) -> ComponentVerdict:
        """The verdict on component ``name`` from its ``checks``."""
        call = self.calls.get(name)

        def verdict(verdict: Verdict, reason: str, fix: str | None = None) -> ComponentVerdict:
            return ComponentVerdict(name, verdict, required, reason, fix, call, checks)

        if operation_of(name) in self.disabled:
            return verdict("not_required", "the mapping file turns it off")
        found_other = [result for result in checks if result.diagnosis == "different_network"]
        if found_other:  # the network found is a member of the family, matched exactly: confirmed
            found_other.sort(key=_most_telling)
            return verdict("fail", f"{found_other[0].id}: {found_other[0].message}")
        if name == "update" and name in self.missing and self.update_within:
            applied = self._applied_within(checks, required)
            if applied is not None:
                return applied
        if name in self.missing and name in CHECKED_THROUGH_TRAINING and self.training_follows:
            return ComponentVerdict(
                name, "pass", required, self.training_follows, call=self.calls.get("train"), checks=checks
            )
        if name in self.missing:
            if not required:
                return verdict("not_required", f"not found ({self.missing[name]}); not required")
            return verdict("unchecked", f"not found: {self.missing[name]}", _missing_fix(name))
        failing = [result for result in checks if result.status in ("fail", "error")]
        if failing and self.other_network and network_dependent(name):
            options = self.other_options or "the options --layers, --activation, --output, --loss"
            return verdict(
                "unchecked", f"not judged: {self.other_network}", OTHER_NETWORK_FIX.format(options=options)
            )
        confirmed = [result for result in failing if self._confirmed(name, result)]
        if confirmed:
            return verdict("fail", f"{confirmed[0].id}: {confirmed[0].message}")
        if failing:
            return verdict("unchecked", *self._unconfirmed(name, failing[0]))
        if any(result.status == "pass" and not result.side for result in checks):
            return verdict(
                "pass", f"{sum(r.status == 'pass' for r in checks)} of {len(checks)} checks passed"
            )
        skipped = [result for result in checks if result.status == "skip"]
        reason = skipped[0].message if skipped else "only side properties were checked, no values"
        return verdict("unchecked", f"no value was checked: {reason}", MAPPING_FIX.format(operation=name))

    def _applied_within(self, checks: tuple[CheckResult, ...], required: bool) -> ComponentVerdict | None:
        """The verdict on an update applied inside another step of the target, when one is reached: by
        update.within_step, else by the gradients read from that step when they are right."""
        within = next((result for result in checks if result.id == "update.within_step"), None)
        call = self.calls.get("update")
        if within is not None and within.status == "pass":
            reason = STEP_HALVES.format(within=self.update_within)
            return ComponentVerdict("update", "pass", required, reason, call=call, checks=checks)
        if within is not None and within.status in ("fail", "error") and self._confirmed("update", within):
            reason = f"{within.id}: {within.message}"
            return ComponentVerdict("update", "fail", required, reason, call=call, checks=checks)
        if not self.read_through_update:
            return None
        reason = READ_THROUGH_UPDATE.format(
            within=self.update_within, gradients=", ".join(self.read_through_update)
        )
        return ComponentVerdict("update", "pass", required, reason, call=self.calls.get("dW1"), checks=checks)

    def _confirmed(self, name: str, result: CheckResult) -> bool:
        """Whether a failing check's finding stands: the target's doing, under a reading known to be right."""
        if result.diagnosis == "import_failed":
            return False
        if result.diagnosis in THE_TARGETS_WHATEVER_THE_CALL or _whatever_the_call(result):
            return True
        if not self.layout_decided and name not in LAYOUT_FREE:
            return False
        operation = operation_of(name)
        return operation not in self.guessed or operation in self.answered

    def _unconfirmed(self, name: str, result: CheckResult) -> tuple[str, str]:
        """(reason, fix) for a failing check whose finding does not stand."""
        if result.diagnosis == "import_failed":
            return result.message, IMPORT_FIX
        if not self.layout_decided and name not in LAYOUT_FREE:
            return (
                f"layout ambiguous, {result.id} not judged: {self.layout_reason}",
                LAYOUT_FIX,
            )
        operation = operation_of(name)
        return (
            f"its call was made under a calling convention the checker guessed "
            f"({self.guessed[operation]}), and no call that way gave a right answer: {result.message}",
            MAPPING_FIX.format(operation=operation),
        )


def _most_telling(result: CheckResult) -> tuple[bool, bool]:
    """Sort key of different_network results: the whole network found first, then those naming options."""
    return (not result.details.get("found"), not result.details.get("options"))


def _whatever_the_call(result: CheckResult) -> bool:
    """A failure no layout or argument order could cause: nothing returned, something that is not
    numbers (None, strings), or an error such as a misspelt ``np.zeroes`` or a name defined nowhere."""
    nothing = result.details.get("returned_nothing") or result.details.get("not_numbers")
    return bool(nothing) or result.message.startswith(ERRORS_WHATEVER_THE_CALL)


def _missing_fix(name: str) -> str:
    """How to point the checker at a component it did not find."""
    operation = operation_of(name)
    return (
        f'name it as the checker expects, or add `{operation} = "your_function"` under [components] '
        "in a mapping file"
    )
