"""Gradient checking: the harness's finite differences next to torch.autograd.gradcheck: speed, bugs caught.

    python benchmarks/gradient_check.py [--batch 8] [--seeds 3] [--repeats 5] [--json FILE]

The function checked is the reference's mean cross-entropy in float64 as a function of W1, b1, W2,
b2, on a fixed batch (X uniform in [0, 1), labels cycling over 0..9). The methods:

- harness: conformance.oracles.finite_diff.check_gradients, projections of each gradient on a few
  random directions and coordinates (central differences, kink-safe steps);
- gradcheck fast_mode: torch.autograd.gradcheck(fast_mode=True), one random projection of the Jacobian;
- gradcheck per coordinate: torch.autograd.gradcheck, two evaluations per parameter. On 784-128-10 that
  is about 200,000 evaluations, so it runs on 784-8-10 (speed) and 20-8-10 (bugs), and its count and
  time on 784-128-10 are extrapolated: 2 evaluations per parameter plus what it spends besides, times
  the measured time of one loss evaluation of 784-128-10.

For gradcheck, the gradients to judge are the backward of a custom torch.autograd.Function whose
forward is the reference loss. Speed is measured on the reference's own (correct) gradients.
Bugs: every single-bug variant of the test corpus (tests/corpus) with a wrong gradient is loaded in
this process (conformance.loading.load_target, conformance.adapters.discover); its backward at theta
gives the gradients each method judges, for ``--seeds`` different theta and batches. The correct bases
of the corpus are judged the same way: a method that rejects one raises a false alarm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import numpy as np
import torch
from common import ROOT, Column, Seconds, interleaved, median, medians, print_report, timed, write_json

from conformance.adapters import discover
from conformance.loading import load_target
from conformance.oracles.finite_diff import check_gradients
from mnist_ref import network
from mnist_ref.data import NUM_CLASSES

sys.path.insert(0, str(ROOT / "tests"))  # the test corpus: tests/corpus
from corpus import CORRECT, SINGLE_BUGS, Variant, write_variant

FULL, MEDIUM, SMALL = (784, 128), (784, 8), (20, 8)
"""(inputs, hidden units) of the networks checked; every one has 10 outputs."""


@dataclass(frozen=True)
class Problem:
    """A point theta of a network and the batch its loss is measured on: X (n_in, m), y (m,)."""

    params: network.Params
    X: np.ndarray
    y: np.ndarray

    @property
    def size(self) -> str:
        W1, W2 = self.params["W1"], self.params["W2"]
        return f"{W1.shape[1]}-{W1.shape[0]}-{W2.shape[0]}"

    @property
    def parameters(self) -> int:
        return sum(value.size for value in self.params.values())


@dataclass(frozen=True)
class Judgement:
    """Whether a method accepted the claimed gradients, and how many loss evaluations it spent."""

    accepted: bool
    evaluations: int


Method = Callable[[Problem, dict[str, np.ndarray]], Judgement]


def make_problem(shape: tuple[int, int], batch: int, seed: int) -> Problem:
    """float64 parameters of an (n_in, hidden) network drawn with ``seed``, and ``batch`` samples."""
    n_in, hidden = shape
    rng = np.random.default_rng(seed)
    params = network.init_params(n_in, hidden, NUM_CLASSES, seed=rng)
    return Problem(params, rng.random((n_in, batch)), np.arange(batch) % NUM_CLASSES)


def harness(problem: Problem, claimed: dict[str, np.ndarray]) -> Judgement:
    """The harness's finite-difference check of all four gradients (its random draws seeded by 0)."""
    results = check_gradients(problem.params, problem.X, problem.y, claimed, rng=np.random.default_rng(0))
    evaluations = 1 + sum(result.evaluations for result in results.values())
    return Judgement(all(result.verdict.ok for result in results.values()), evaluations)


def _no_slow_rerun(*args: object) -> str:
    """Stands in for what gradcheck does once fast mode has failed: recompute every Jacobian entry
    (200,000 evaluations on 784-128-10) only to print them in its message. The verdict is already final."""
    return ""


def gradcheck(fast_mode: bool) -> Method:
    """torch.autograd.gradcheck of the reference loss whose backward returns the claimed gradients."""

    def judge(problem: Problem, claimed: dict[str, np.ndarray]) -> Judgement:
        evaluations = 0

        class ClaimedLoss(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *tensors: torch.Tensor) -> torch.Tensor:
                nonlocal evaluations
                evaluations += 1
                params = {
                    name: tensor.detach().numpy()
                    for name, tensor in zip(network.PARAM_NAMES, tensors, strict=True)
                }
                return torch.tensor(network.loss(params, problem.X, problem.y), dtype=torch.float64)

            @staticmethod
            def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, ...]:
                return tuple(
                    grad_output * torch.from_numpy(np.asarray(claimed[name], dtype=np.float64))
                    for name in network.GRAD_NAMES
                )

        inputs = tuple(torch.tensor(problem.params[name], requires_grad=True) for name in network.PARAM_NAMES)
        gradcheck_module = sys.modules["torch.autograd.gradcheck"]
        with patch.object(gradcheck_module, "_run_slow_mode_and_get_error", _no_slow_rerun):
            try:
                accepted = torch.autograd.gradcheck(ClaimedLoss.apply, inputs, fast_mode=fast_mode)
            except RuntimeError:  # a gradient does not match (GradcheckError), or has an unusable shape
                accepted = False
        return Judgement(accepted, evaluations)

    return judge


METHODS: dict[str, Method] = {
    "harness finite differences": harness,
    "gradcheck fast_mode": gradcheck(fast_mode=True),
    "gradcheck per coordinate": gradcheck(fast_mode=False),
}


def reference_gradients(problem: Problem) -> dict[str, np.ndarray]:
    """The reference's (correct) dW1, db1, dW2, db2 at the problem's theta."""
    cache = network.forward(problem.params, problem.X)
    return network.backward(problem.params, cache, problem.X, problem.y)


def load_backwards(variants: list[Variant], directory: Path) -> dict[str, Callable]:
    """Each variant's backward(params, X, y, cache) as the harness calls it, loaded in this process."""
    return {
        variant.name: discover(load_target(str(write_variant(variant, directory)))).backward
        for variant in variants
    }


def claimed_gradients(backward: Callable, problem: Problem) -> dict[str, np.ndarray] | None:
    """What ``backward`` returns at the problem's theta, from the reference's cache; None if it raises."""
    cache = network.forward(problem.params, problem.X)._asdict()
    try:
        return backward(problem.params, problem.X, problem.y, cache)
    except Exception:
        return None


def has_wrong_gradient(variant: Variant) -> bool:
    """Whether the corpus expects the harness to flag one of the variant's gradients."""
    return any(name in variant.expected for name in network.GRAD_NAMES)


def time_methods(batch: int, repeats: int) -> dict[tuple[str, str], tuple[Seconds, int]]:
    """Median time and evaluations of each method on the reference's gradients, taking turns.

    Per-coordinate gradcheck runs on 784-8-10; the others on 784-128-10.
    """
    runs = {
        ("harness finite differences", FULL): harness,
        ("gradcheck fast_mode", FULL): METHODS["gradcheck fast_mode"],
        ("gradcheck per coordinate", MEDIUM): METHODS["gradcheck per coordinate"],
    }
    evaluations: dict[tuple[str, tuple[int, int]], int] = {}

    def contender(key: tuple[str, tuple[int, int]], method: Method) -> Callable[[], Seconds]:
        problem = make_problem(key[1], batch, seed=0)
        claimed = reference_gradients(problem)

        def run() -> Seconds:
            judgement: list[Judgement] = []
            seconds = timed(lambda: judgement.append(method(problem, claimed)))
            evaluations[key] = judgement[0].evaluations
            return seconds

        return run

    timings = interleaved({key: contender(key, method) for key, method in runs.items()}, repeats)
    return {
        (name, _size(shape)): (medians(timings[name, shape]), evaluations[name, shape])
        for name, shape in runs
    }


def loss_evaluation_seconds(shape: tuple[int, int], batch: int, repeats: int = 51) -> float:
    """Median wall time of one reference loss evaluation of the network ``shape``."""
    problem = make_problem(shape, batch, seed=0)
    return median(
        [timed(lambda: network.loss(problem.params, problem.X, problem.y)).wall for _ in range(repeats)]
    )


@dataclass
class Tally:
    """What one method said about the corpus on one network: the variants it missed and its false alarms."""

    buggy: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, variant: Variant, wrong: bool, accepted: bool) -> None:
        if wrong:
            self.buggy += 1
            if accepted:
                self.missed.append(variant.name)
        else:
            self.correct += 1
            if not accepted:
                self.false_alarms.append(variant.name)


DETECTION_RUNS = {
    ("harness finite differences", FULL),
    ("harness finite differences", SMALL),
    ("gradcheck fast_mode", FULL),
    ("gradcheck fast_mode", SMALL),
    ("gradcheck per coordinate", SMALL),
}
"""(method, network) pairs judged on the corpus; per-coordinate gradcheck only where it is affordable."""


def detection(batch: int, seeds: int) -> tuple[dict[tuple[str, str], Tally], list[str]]:
    """A Tally per (method, network) over ``seeds`` points; and the variants whose backward raises."""
    buggy = [variant for variant in SINGLE_BUGS if has_wrong_gradient(variant)]
    tallies = {(name, _size(shape)): Tally() for name, shape in DETECTION_RUNS}
    unjudged = set()
    with tempfile.TemporaryDirectory() as directory:
        backwards = load_backwards([*buggy, *CORRECT], Path(directory))
    for seed in range(seeds):
        for shape in (FULL, SMALL):
            problem = make_problem(shape, batch, seed)
            for variant in (*buggy, *CORRECT):
                claimed = claimed_gradients(backwards[variant.name], problem)
                if claimed is None:
                    unjudged.add(variant.name)
                    continue
                for name, judged_shape in DETECTION_RUNS:
                    if judged_shape == shape:
                        accepted = METHODS[name](problem, claimed).accepted
                        tallies[name, problem.size].add(variant, variant in buggy, accepted)
    return tallies, sorted(unjudged)


def _size(shape: tuple[int, int]) -> str:
    return f"{shape[0]}-{shape[1]}-{NUM_CLASSES}"


def rows_of(
    speed: dict[tuple[str, str], tuple[Seconds, int]],
    tallies: dict[tuple[str, str], Tally],
    evaluation_seconds: float,
) -> list[dict]:
    """One row per (method, network), measured or extrapolated, with its detection counts if it has them."""
    rows = []
    for key in sorted(speed.keys() | tallies.keys()):
        row: dict = {"method": key[0], "network": key[1], "measured": True}
        if key in speed:
            seconds, evaluations = speed[key]
            row |= {"wall_ms": 1000 * seconds.wall, "cpu_ms": 1000 * seconds.cpu, "evaluations": evaluations}
        if key in tallies:
            tally = tallies[key]
            row |= {
                "detected": f"{tally.buggy - len(tally.missed)}/{tally.buggy}",
                "false_alarms": f"{len(tally.false_alarms)}/{tally.correct}",
                "detection_rate": 1 - len(tally.missed) / max(tally.buggy, 1),
                "missed": sorted(set(tally.missed)),
                "false_alarm_variants": sorted(set(tally.false_alarms)),
            }
        rows.append(row)
    rows.append(extrapolated(speed, evaluation_seconds))
    return rows


def extrapolated(speed: dict[tuple[str, str], tuple[Seconds, int]], evaluation_seconds: float) -> dict:
    """Per-coordinate gradcheck on 784-128-10: evaluations and a time, from its run on 784-8-10.

    Evaluations: 2 per parameter plus the measured run's other evaluations; time: that many loss
    evaluations of 784-128-10 (gradcheck's own bookkeeping left out, so the time is a lower estimate).
    """
    _, measured = speed["gradcheck per coordinate", _size(MEDIUM)]
    medium, full = (make_problem(shape, 1, seed=0).parameters for shape in (MEDIUM, FULL))
    evaluations = 2 * full + (measured - 2 * medium)
    return {
        "method": "gradcheck per coordinate",
        "network": _size(FULL),
        "measured": False,
        "evaluations": evaluations,
        "wall_ms": 1000 * evaluations * evaluation_seconds,
    }


COLUMNS = (
    Column("method", "method"),
    Column("network", "network"),
    Column("evaluations", "loss evaluations", ","),
    Column("wall_ms", "median ms", ",.1f"),
    Column("cpu_ms", "CPU ms", ",.1f"),
    Column("detected", "bugs detected"),
    Column("false_alarms", "false alarms"),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch", type=int, default=8, help="samples in the batch (default 8)")
    parser.add_argument("--seeds", type=int, default=3, help="points theta per variant (default 3)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    speed = time_methods(args.batch, args.repeats)
    evaluation_seconds = loss_evaluation_seconds(FULL, args.batch)
    tallies, unjudged = detection(args.batch, args.seeds)
    rows = rows_of(speed, tallies, evaluation_seconds)
    title = (
        f"Gradient checking: mean cross-entropy in float64, batch {args.batch}; speed on correct gradients "
        f"(median of {args.repeats} interleaved rounds), bugs over {args.seeds} points per corpus variant"
    )
    notes = [
        "the last row is extrapolated, not measured: 2 evaluations per parameter of 784-128-10 plus the "
        f"784-8-10 run's others, at {1e6 * evaluation_seconds:.0f} us per loss evaluation",
        "bugs: single-bug corpus variants with a wrong gradient; false alarms: the corpus's correct bases",
        *(
            f"{row['method']} on {row['network']} missed: {', '.join(row['missed'])}"
            for row in rows
            if row.get("missed")
        ),
        f"not judged (their backward raises: no gradient to check): {', '.join(unjudged) or 'none'}",
        f"torch {torch.__version__}, 1 thread",
    ]
    print_report(title, COLUMNS, rows, notes)
    settings = {name: value for name, value in vars(args).items() if name != "json"}
    write_json(args.json, "gradient_check", rows, settings=settings, unjudged=unjudged)


if __name__ == "__main__":
    main()
