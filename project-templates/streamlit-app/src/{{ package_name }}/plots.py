"""Figures: near-duplicates, probabilities, confusion matrices, curves, what drives predictions.

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
from .experiments import settings_of

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


def _threshold_text(threshold) -> str:
    values = np.asarray(threshold, dtype=float)
    low, high = f"{values.min():.2g}", f"{values.max():.2g}"
    return low if low == high else f"{low} to {high}"


def confusion_matrices(
    y_true: pd.Series, probas: Mapping[str, np.ndarray], thresholds: Mapping, labels
) -> Figure:
    """One confusion matrix per model for unseen clusters (out-of-fold probabilities of the
    grouped cross-validation), at each model's cost threshold."""
    figure, axes = _grid(len(probas), 3.4, 3.2)
    for ax, (name, proba) in zip(axes, probas.items(), strict=True):
        ConfusionMatrixDisplay.from_predictions(
            y_true,
            (proba >= thresholds[name]).astype(int),
            display_labels=CLASS_NAMES,
            cmap="Blues",
            colorbar=False,
            ax=ax,
        )
        truth = np.asarray(y_true) == 1
        missed, alarms = int(((proba < 0.5) & truth).sum()), int(((proba >= 0.5) & ~truth).sum())
        ax.set_title(
            f"{labels[name]} (threshold {_threshold_text(thresholds[name])})\n"
            f"at 0.5 instead: {missed:,} missed, {alarms:,} false alarms",
            fontsize=9,
        )
    figure.suptitle(
        f"Unseen clusters: confusion matrices of {len(y_true):,} training-part mushrooms, each "
        "predicted without its cluster,\nat the cost threshold set by the stated cost ratio"
    )
    return figure


def confusion_matrix(y_true: pd.Series, proba: np.ndarray, threshold: float, title: str) -> Figure:
    """The confusion matrix of one model at ``threshold`` (the app shows this)."""
    figure = Figure(figsize=(4.2, 3.8), layout="constrained")
    ax = figure.subplots()
    ConfusionMatrixDisplay.from_predictions(
        y_true, (proba >= threshold).astype(int), display_labels=CLASS_NAMES, cmap="Blues", ax=ax
    )
    ax.set_title(title)
    return figure


EDGE = 1e-6
"""Probabilities are drawn on a logit axis from EDGE to 1 - EDGE; those beyond are clipped
into the outermost bins (a probability of exactly 0 or 1 has no place on a logit axis)."""


def probabilities(
    y_true: pd.Series, probas: Mapping[str, np.ndarray], thresholds: Mapping[str, float], labels
) -> Figure:
    """Where each model puts mushrooms: the probability of "poisonous" it gives the edible and
    the poisonous ones (step histograms, so neither hides the other), with its threshold. The
    probability axis is logit (0.0001 and 0.9999 are as far from 0.5 as they are different), the
    counts are on a log scale, so a single mushroom on the wrong side shows."""
    figure, axes = _grid(len(probas), 3.8, 3.0)
    edge = np.log(EDGE / (1 - EDGE))  # the logit of EDGE
    bins = 1 / (1 + np.exp(-np.linspace(edge, -edge, 49)))  # equal widths on the logit axis
    truth = np.asarray(y_true) == 1
    for ax, (name, proba) in zip(axes, probas.items(), strict=True):
        clipped = np.clip(proba, EDGE, 1 - EDGE)
        for mask, colour, style, kind in [
            (~truth, COLOURS[0], "-", "edible"),
            (truth, COLOURS[5], "--", "poisonous"),
        ]:
            ax.hist(
                clipped[mask],
                bins=bins,
                histtype="step",
                color=colour,
                linestyle=style,
                linewidth=1.8,
                label=kind,
            )
        ax.axvline(thresholds[name], color="0.2", linestyle=":", linewidth=1.5, label="threshold")
        ax.set_xscale("logit")
        ax.set_yscale("log")
        ax.set_ylim(0.7, len(proba) * 3)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        ax.set_xticks([EDGE, 1e-4, 0.01, 0.5, 0.99, 1 - 1e-4, 1 - EDGE])
        ax.set_xticklabels(["≤1e-6", "1e-4", "0.01", "0.5", "0.99", "", "≥1-1e-6"], fontsize=7)
        ax.minorticks_off()
        ax.set(
            title=f"{labels[name]} (threshold {thresholds[name]:.3g})",
            xlabel="probability of poisonous (logit axis)",
            ylabel="mushrooms",
            xlim=(EDGE / 2, 1 - EDGE / 2),
        )
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    figure.suptitle(
        "Unseen clusters: out-of-fold probabilities by true class (grouped cross-validation), "
        "with the cost threshold"
    )
    return figure


def _line_style(display: type, style: dict) -> dict:
    """The line style as this scikit-learn takes it: ``curve_kwargs`` from 1.8 on (plain
    keywords are deprecated there), plain keywords in 1.7, the newest on Python 3.10."""
    if "curve_kwargs" in inspect.signature(display.from_predictions).parameters:
        return {"curve_kwargs": style}
    return style


def _curves(
    kind: str, y_true: pd.Series, probas: Mapping[str, np.ndarray], labels, intervals: Mapping
) -> Figure:
    """``intervals`` holds each model's 95 % interval of the area (from metrics.json): the
    legend shows it next to the area scikit-learn computes from the same probabilities."""
    display = RocCurveDisplay if kind == "roc" else PrecisionRecallDisplay
    figure = Figure(figsize=(5.6, 7.2), layout="constrained")
    ax = figure.subplots()
    for index, (name, proba) in enumerate(probas.items()):
        style = {"color": COLOURS[index % 6], "linestyle": STYLES[index % 6], "linewidth": 1.8}
        display.from_predictions(
            y_true,
            proba,
            name=f"{labels[name]} [95 % CI {intervals[name]['low']:.2f}–"
            f"{intervals[name]['high']:.2f}]",
            ax=ax,
            plot_chance_level=index == 0,
            **_line_style(display, style),
        )
    if kind == "roc":
        ax.set(xlabel="False positive rate (edible called poisonous)", ylabel="True positive rate")
        ax.set_title("ROC curves for unseen clusters (grouped CV, positive: poisonous)", fontsize=9)
    else:
        ax.set(xlabel="Recall (share of poisonous caught)", ylabel="Precision")
        ax.set_title("Precision-recall curves for unseen clusters (grouped CV)", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8)
    return figure


def roc_curves(
    y_true: pd.Series, probas: Mapping[str, np.ndarray], labels, intervals: Mapping
) -> Figure:
    """ROC curves of every model on one axes (from out-of-fold probabilities of unseen
    clusters: on the random split every curve is a perfect corner)."""
    return _curves("roc", y_true, probas, labels, intervals)


def pr_curves(
    y_true: pd.Series, probas: Mapping[str, np.ndarray], labels, intervals: Mapping
) -> Figure:
    """Precision-recall curves of every model on one axes."""
    return _curves("pr", y_true, probas, labels, intervals)


def _interval(ax: Axes, position: float, stats: Mapping, colour: str, marker: str) -> None:
    value = stats["rate"]
    ax.errorbar(
        value,
        position,
        xerr=[[value - stats["low"]], [stats["high"] - value]],
        fmt=marker,
        color=colour,
        capsize=3,
        markersize=6,
    )


def near_duplicates(metrics: Mapping, labels) -> Figure:
    """Why every model scores 100 %: how far held-out rows are from the training rows, what
    accuracy is left without the strongest attributes or with whole clusters held out, and how
    few training rows it takes."""
    figure = Figure(figsize=(15, 4.8), layout="constrained")
    dist_ax, acc_ax, curve_ax = figure.subplots(1, 3, width_ratios=[1, 1.3, 1.2])

    nearest = metrics["nearest"]
    settings = [
        ("random_split", "random split: test vs training rows", COLOURS[0]),
        ("clusters_held_out", "clusters held out: vs training folds", COLOURS[5]),
    ]
    top = max(int(d) for key, _, _ in settings for d in nearest[key])
    distances = np.arange(top + 1)
    for offset, (key, text, colour) in zip((-0.2, 0.2), settings, strict=True):
        counts = [nearest[key].get(str(d), 0) for d in distances]
        share = np.array(counts) / max(sum(counts), 1)
        dist_ax.bar(distances + offset, share, width=0.4, color=colour, label=text)
    dist_ax.set(
        xlabel="attributes in which a row differs from its nearest training row",
        ylabel="share of evaluated rows",
        xticks=distances,
    )
    dist_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    dist_ax.legend(fontsize=8, loc="upper right")
    dist_ax.set_title("Nearest-neighbour (Hamming) distance", fontsize=10)

    models = metrics["models"]
    markers = ["o", "s", "D", "X", "^", "v"]
    for row, result in enumerate(models.values()):
        settings = settings_of(result)
        for column, stats in enumerate(settings.values()):
            offset = (column - (len(settings) - 1) / 2) * 0.15
            _interval(acc_ax, row + offset, stats, COLOURS[column % 6], markers[column % 6])
    acc_ax.set_yticks(range(len(models)), [labels[name] for name in models])
    acc_ax.invert_yaxis()
    acc_ax.set_xlabel("accuracy (95 % interval)")
    acc_ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    acc_ax.legend(
        handles=[
            acc_ax.errorbar([], [], fmt=markers[column % 6], color=COLOURS[column % 6], label=text)
            for column, text in enumerate(settings)
        ],
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncols=2,
    )
    acc_ax.set_title("Accuracy by evaluation", fontsize=10)

    curve = metrics["learning_curve"]
    sizes = [*curve["sizes"], curve["full"]["size"]]
    for index, name in enumerate(models):
        values = [point["rate"] for point in curve["accuracy"][name]]
        values.append(curve["full"]["accuracy"][name]["rate"])
        curve_ax.plot(
            sizes,
            values,
            marker="o",
            color=COLOURS[index % 6],
            linestyle=STYLES[index % 6],
            label=f"classified right: {labels[name]}",
        )
    seen = [*curve["cluster_seen"], curve["full_cluster_seen"]]
    curve_ax.plot(
        sizes,
        seen,
        color="0.3",
        linestyle=":",
        marker=".",
        label="held-out rows whose cluster has a training row",
    )
    curve_ax.set(
        xscale="log",
        xlabel="training rows (random split)",
        ylabel="share of held-out rows",
        ylim=(min(0.5, *seen) - 0.05, 1.03),
    )
    curve_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    curve_ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)
    curve_ax.set_title(
        "Learning curve (one subsample per size) and the clusters it covers", fontsize=10
    )
    figure.suptitle(
        "Why the random split scores near 100 %: its held-out rows are near-copies of training "
        "rows, and unseen clusters score far lower"
    )
    return figure


def importances(tables: Mapping[str, Mapping[str, Mapping[str, float]]], labels, top=8) -> Figure:
    """Permutation importance: the attributes whose shuffling costs each model most accuracy,
    on one shared scale so the models compare."""
    figure, axes = _grid(len(tables), 3.8, 3.2)
    largest = max(v["mean"] + v["std"] for table in tables.values() for v in table.values())
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
        ax.set_xlim(0, max(largest, 0.01) * 1.05)
        ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    figure.suptitle(
        "Permutation importance on the random split (at 0.5): near-copies let most attributes "
        "stand in for one another"
    )
    return figure


def one_rule(accuracy: Mapping[str, float], baseline: float, best_model: float) -> Figure:
    """Accuracy of a rule that looks at one attribute alone, for every attribute."""
    series = pd.Series(accuracy).sort_values()
    figure = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = figure.subplots()
    ax.barh([label(feature) for feature in series.index], series, color=COLOURS[0])
    ax.axvline(baseline, color="0.3", linestyle="--", label=f"always 'edible' ({baseline:.1%})")
    ax.axvline(
        best_model, color=COLOURS[5], linestyle="-", label=f"best model at 0.5 ({best_model:.1%})"
    )
    ax.set_xlim(0.4, 1.01)
    ax.set_xlabel("accuracy on the held-out split")
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_title("One attribute alone: the best value-by-value rule")
    ax.legend(loc="lower right", fontsize=8)
    return figure
