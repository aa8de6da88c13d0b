"""Figures: confusion matrices, ROC and precision-recall curves, what drives the predictions.

Every function returns a ``matplotlib.figure.Figure`` (no pyplot state, so no GUI backend is
needed); ``save`` writes it at a fixed dpi and closes it.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

from .data import label

DPI = 120
CLASS_NAMES = ["edible", "poisonous"]
# Okabe-Ito: distinguishable with every common form of colour blindness.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
STYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` as PNG at a fixed dpi."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _grid(count: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel().tolist()
    for extra in axes[count:]:
        extra.set_visible(False)
    return figure, axes[:count]


def confusion_matrices(y_true: pd.Series, probas: Mapping[str, np.ndarray], labels) -> Figure:
    """One confusion matrix per model on the held-out split (threshold 0.5)."""
    figure, axes = _grid(len(probas), 3.4, 3.2)
    for ax, (name, proba) in zip(axes, probas.items(), strict=True):
        ConfusionMatrixDisplay.from_predictions(
            y_true,
            (proba >= 0.5).astype(int),
            display_labels=CLASS_NAMES,
            cmap="Blues",
            colorbar=False,
            ax=ax,
        )
        ax.set_title(labels[name])
    figure.suptitle(f"Confusion matrices on the held-out split ({len(y_true):,} mushrooms)")
    return figure


def confusion_matrix(y_true: pd.Series, proba: np.ndarray, title: str) -> Figure:
    """The confusion matrix of one model (the app shows this)."""
    figure = Figure(figsize=(4.2, 3.8), layout="constrained")
    ax = figure.subplots()
    ConfusionMatrixDisplay.from_predictions(
        y_true, (proba >= 0.5).astype(int), display_labels=CLASS_NAMES, cmap="Blues", ax=ax
    )
    ax.set_title(title)
    return figure


def _line_style(display: type, style: dict) -> dict:
    """The line style as this scikit-learn takes it: ``curve_kwargs`` from 1.8 on (plain
    keywords are deprecated there), plain keywords in 1.7, the newest on Python 3.10."""
    if "curve_kwargs" in inspect.signature(display.from_predictions).parameters:
        return {"curve_kwargs": style}
    return style


def _curves(kind: str, y_true: pd.Series, probas: Mapping[str, np.ndarray], labels) -> Figure:
    display = RocCurveDisplay if kind == "roc" else PrecisionRecallDisplay
    figure = Figure(figsize=(10, 4.6), layout="constrained")
    full, zoom = figure.subplots(1, 2)
    handles, names = [], []
    for index, (name, proba) in enumerate(probas.items()):
        style = {"color": COLOURS[index % 6], "linestyle": STYLES[index % 6], "linewidth": 1.8}
        for ax in (full, zoom):
            shown = display.from_predictions(
                y_true,
                proba,
                name=labels[name],
                ax=ax,
                plot_chance_level=index == 0,
                **_line_style(display, style),
            )
        # Four decimals: the default two round every model here to 1.00.
        score = shown.roc_auc if kind == "roc" else shown.average_precision
        handles.append(shown.line_)
        names.append(f"{labels[name]} ({'AUC' if kind == 'roc' else 'AP'} {score:.4f})")
        if index == 0:
            chance = shown.chance_level_
    # Near-perfect curves hug the corner of the full view: the right panel shows where they
    # differ.
    if kind == "roc":
        zoom.set(xlim=(-0.002, 0.05), ylim=(0.95, 1.002))
        axis_labels = ("False positive rate (edible called poisonous)", "True positive rate")
        figure.suptitle("ROC curves on the held-out split (positive class: poisonous)")
    else:
        zoom.set(xlim=(0.95, 1.002), ylim=(0.95, 1.002))
        axis_labels = ("Recall (share of poisonous caught)", "Precision")
        figure.suptitle("Precision-recall curves on the held-out split (positive: poisonous)")
    full.set_title("full range")
    zoom.set_title("zoom into the top corner")
    for ax in (full, zoom):
        ax.set(xlabel=axis_labels[0], ylabel=axis_labels[1], aspect="auto")
    # The full view has room for the legend where no curve goes.
    zoom.get_legend().remove()
    full.legend(
        [*handles, chance],
        [*names, "chance level"],
        loc="lower right" if kind == "roc" else "lower left",
        fontsize=8,
    )
    return figure


def roc_curves(y_true: pd.Series, probas: Mapping[str, np.ndarray], labels) -> Figure:
    """ROC curves of every model on one axes."""
    return _curves("roc", y_true, probas, labels)


def pr_curves(y_true: pd.Series, probas: Mapping[str, np.ndarray], labels) -> Figure:
    """Precision-recall curves of every model on one axes."""
    return _curves("pr", y_true, probas, labels)


def importances(tables: Mapping[str, Mapping[str, Mapping[str, float]]], labels, top=8) -> Figure:
    """Permutation importance: the attributes whose shuffling costs each model most accuracy."""
    figure, axes = _grid(len(tables), 3.8, 3.2)
    for index, (ax, (name, table)) in enumerate(zip(axes, tables.items(), strict=True)):
        frame = pd.DataFrame(table).T.sort_values("mean", ascending=False).head(top)[::-1]
        ax.barh(
            [label(feature) for feature in frame.index],
            frame["mean"],
            xerr=frame["std"],
            color=COLOURS[index % 6],
        )
        ax.set_title(labels[name])
        ax.set_xlabel("drop in accuracy when shuffled")
        ax.set_xlim(left=0)
    figure.suptitle("Which attributes drive the predictions (permutation importance)")
    return figure


def one_rule(accuracy: Mapping[str, float], baseline: float, best_model: float) -> Figure:
    """Accuracy of a rule that looks at one attribute alone, for every attribute."""
    series = pd.Series(accuracy).sort_values()
    figure = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = figure.subplots()
    ax.barh([label(feature) for feature in series.index], series, color=COLOURS[0])
    ax.axvline(baseline, color="0.3", linestyle="--", label=f"always 'edible' ({baseline:.1%})")
    ax.axvline(best_model, color=COLOURS[5], linestyle="-", label=f"best model ({best_model:.1%})")
    ax.set_xlim(0.4, 1.01)
    ax.set_xlabel("accuracy on the held-out split")
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_title("One attribute alone: the best value-by-value rule")
    ax.legend(loc="lower right", fontsize=8)
    return figure
