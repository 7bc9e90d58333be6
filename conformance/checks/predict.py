"""Checks of predict (labels (m,) from parameters and X) and accuracy (fraction of labels right)."""

from __future__ import annotations

import numpy as np

import mnist_ref
from conformance import diagnose
from conformance.checks.assertions import expect_verdict
from conformance.checks.base import Context, check
from conformance.strategies import N_OUT, Problem, make_inputs, problems


@check("predict.values", "predict")
def predict_values(ctx: Context) -> None:
    """predict returns the (m,) labels of the largest output for each sample."""

    def body(problem: Problem) -> None:
        inputs = make_inputs(problem, ctx.dtype)
        expected = mnist_ref.predict(inputs.params, inputs.X)
        got = ctx.call("predict", inputs.params, inputs.X, inputs.y)
        expect_verdict(
            diagnose.compare_labels("predict", expected, got, scores=inputs.cache.Z2, dtype=ctx.precision)
        )

    ctx.for_all(problems(), body)


@check("accuracy.value", "accuracy")
def accuracy_value(ctx: Context) -> None:
    """accuracy is the fraction (0..1), or the percentage, of predictions equal to the labels."""

    def body(problem: Problem) -> None:
        inputs = make_inputs(problem, ctx.dtype)
        predictions = mnist_ref.predict(inputs.params, inputs.X)
        rng = np.random.default_rng(problem.seed)
        y = np.where(rng.random(problem.batch) < 0.6, predictions, (predictions + 1) % N_OUT)
        expected = mnist_ref.accuracy(predictions, y)
        got = ctx.call("accuracy", predictions, y, inputs.params, inputs.X)
        percent = diagnose.compare_scalar("accuracy", 100 * expected, got, dtype=np.dtype(np.float64))
        if not (percent.ok and expected > 0):  # a percentage is the same accuracy, said another way
            expect_verdict(diagnose.compare_scalar("accuracy", expected, got, dtype=np.dtype(np.float64)))

    ctx.for_all(problems(min_batch=2), body)
