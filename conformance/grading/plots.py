"""The summary's plots as PNG files: scores, the verdicts on each component, most common diagnoses.

matplotlib is imported only when the plots are drawn, and only its object-oriented API is
used (a Figure rendered by Agg), so no display and no global pyplot state is involved.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from conformance.files import write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_FILES = {
    "scores": "score_histogram.png",
    "components": "component_pass_rates.png",
    "diagnoses": "common_diagnoses.png",
}
DPI = 100
MAX_BINS = 30


def score_histogram(scores: pd.Series, max_score: float) -> Figure:
    """How many submissions got each score."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.6), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    top = int(np.ceil(max_score))
    # One bar per point, centred on it, unless there are too many points for that.
    bins = np.arange(top + 2) - 0.5 if top <= MAX_BINS else np.linspace(0, max_score, MAX_BINS + 1)
    axes.hist(scores, bins=bins, color="tab:blue", edgecolor="white")
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_title(f"Scores of {len(scores)} submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return figure


OUTCOME_COLORS = {
    "passed": "tab:green",
    "failed": "tab:red",
    "unchecked": "tab:orange",
    "not required": "silver",
    "no report": "white",
}
"""The colour of each column of ``component_counts`` in the component plot, left to right."""
OUTCOME_LABELS = {
    "passed": "passed",
    "failed": "failed",
    "unchecked": "unchecked (could not run it)",
    "not required": "not provided (not required)",
    "no report": "no report (not loaded)",
}


def component_outcome_bars(counts: pd.DataFrame) -> Figure:
    """One stacked horizontal bar per component: the share of submissions that passed it, failed it,
    could not have it checked, did not provide it, or have no report, each in its own colour.

    ``counts`` is ``component_counts``: one row per component, one column per outcome.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.2, 4.8), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    components = counts.index[::-1]
    total = counts[list(OUTCOME_COLORS)].sum(axis=1).max()
    left = np.zeros(len(components))
    for outcome, color in OUTCOME_COLORS.items():
        shares = counts[outcome].to_numpy()[::-1] * 100 / total if total else left * 0
        axes.barh(
            components,
            shares,
            left=left,
            color=color,
            edgecolor="grey",
            linewidth=0.5,
            label=OUTCOME_LABELS[outcome],
        )
        left += shares
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions (%)")
    axes.set_title("Verdict on each component")
    figure.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return figure


def diagnosis_bars(diagnoses: pd.DataFrame) -> Figure:
    """One horizontal bar per (component, diagnosis), most common on top."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.8), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    if diagnoses.empty:
        axes.text(0.5, 0.5, "no failing checks in this class", ha="center", va="center")
        axes.set_axis_off()
    else:
        labels = [f"{row.component}: {row.diagnosis}" for row in diagnoses.itertuples()]
        axes.barh(labels[::-1], diagnoses["submissions"].to_numpy()[::-1], color="tab:red")
        axes.set_xlabel("submissions")
        axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_title("Most common diagnoses")
    return figure


def write_png(figure: Figure, path: Path) -> None:
    """Save ``figure`` as a PNG without a software tag, so the same data gives the same bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    write_atomically(path, buffer.getvalue())


def write_plots(
    directory: Path, scores: pd.Series, max_score: float, counts: pd.DataFrame, diagnoses: pd.DataFrame
) -> dict[str, Path]:
    """Draw the three plots into ``directory``; their paths by kind (see PLOT_FILES). ``counts`` is
    ``component_counts``."""
    figures = {
        "scores": score_histogram(scores, max_score),
        "components": component_outcome_bars(counts),
        "diagnoses": diagnosis_bars(diagnoses),
    }
    paths = {kind: directory / PLOT_FILES[kind] for kind in figures}
    for kind, figure in figures.items():
        write_png(figure, paths[kind])
    return paths
