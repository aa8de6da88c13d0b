"""Figures: near-duplicates, probabilities, confusion matrices, what drives predictions.

Every function returns a ``matplotlib.figure.Figure`` (no pyplot state, so no GUI backend is
needed); ``save`` writes it at a fixed dpi and closes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay

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


def _threshold_text(threshold) -> str:
    values = np.asarray(threshold, dtype=float)
    low, high = f"{values.min():.2g}", f"{values.max():.2g}"
    return low if low == high else f"{low} to {high}"


def confusion_matrices(
    y_true: pd.Series, probas: Mapping[str, np.ndarray], thresholds: Mapping, labels
) -> Figure:
    """One confusion matrix per model for unseen clusters (out-of-fold probabilities of the
    grouped cross-validation) at each model's ``thresholds`` (the pipeline passes 0.5: the cost
    threshold assumes calibrated probabilities, which unseen clusters do not have)."""
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
        ax.set_title(f"{labels[name]} (threshold {_threshold_text(thresholds[name])})", fontsize=9)
    figure.suptitle(
        f"Unseen clusters: confusion matrices of {len(y_true):,} training-part mushrooms, each "
        "predicted without its cluster,\nat the thresholds in the panel titles (not the "
        "served cost threshold)"
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
"""Probabilities are drawn on a logit axis within EDGE to 1 - EDGE; those beyond are clipped
into the outermost bins (a probability of exactly 0 or 1 has no place on a logit axis)."""
TICKS = [EDGE, 1e-4, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1 - 1e-4, 1 - EDGE]
TICK_LABELS = {1 - 1e-4: "1-1e-4", 1 - EDGE: "1-1e-6"}


def _spaced(ticks: list[float], gap: float) -> list[float]:
    """The ticks at least ``gap`` apart on the logit axis, outwards from the middle one, so
    that their labels never run together."""
    middle = len(ticks) // 2
    kept = ticks[middle : middle + 1]
    for side in (ticks[middle + 1 :], ticks[:middle][::-1]):
        last = kept[0]
        for tick in side:
            if abs(_logit(np.array(tick)) - _logit(np.array(last))) >= gap:
                kept.append(tick)
                last = tick
    return sorted(kept)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def probabilities(
    y_true: pd.Series,
    probas: Mapping[str, np.ndarray],
    thresholds: Mapping[str, float],
    labels,
    title: str = "Probabilities by true class, with the cost threshold",
) -> Figure:
    """Where each model puts mushrooms: the probability of "poisonous" it gives the edible and
    the poisonous ones (step histograms, so neither hides the other), with its threshold. The
    probability axis is logit (0.0001 and 0.9999 are as far from 0.5 as they are different), the
    counts are on a log scale up to twice the fullest bin, so a single mushroom on the wrong
    side shows."""
    figure, axes = _grid(len(probas), 3.8, 3.0)
    truth = np.asarray(y_true) == 1
    clipped = {name: np.clip(proba, EDGE, 1 - EDGE) for name, proba in probas.items()}
    # One axis for every panel, spanning every model's probabilities and threshold.
    lowest = min(min(p.min(), thresholds[name]) for name, p in clipped.items())
    span = _logit(np.array([lowest, max(p.max() for p in clipped.values())]))
    low, high = span[0] - 0.5, max(span[1] + 0.5, span[0] + 1)
    bins = 1 / (1 + np.exp(-np.linspace(low, high, 41)))  # equal widths on the logit axis
    counts = max(
        np.histogram(p[mask], bins=bins)[0].max(initial=1)
        for p in clipped.values()
        for mask in (truth, ~truth)
    )
    ticks = _spaced([t for t in TICKS if bins[0] <= t <= bins[-1]], (high - low) / 8)
    for ax, (name, proba) in zip(axes, clipped.items(), strict=True):
        for mask, colour, style, kind in [
            (~truth, COLOURS[0], "-", "edible"),
            (truth, COLOURS[5], "--", "poisonous"),
        ]:
            ax.hist(
                proba[mask],
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
        ax.set_ylim(0.7, counts * 2)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        ax.set_xticks(ticks, [TICK_LABELS.get(t, f"{t:g}") for t in ticks], fontsize=7)
        ax.minorticks_off()
        ax.set(
            title=f"{labels[name]} (threshold {thresholds[name]:.3g})",
            xlabel="probability of poisonous (logit axis)",
            ylabel="mushrooms",
            xlim=(bins[0], bins[-1]),
        )
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    figure.suptitle(title)
    return figure


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
    """Why the random split scores so high: how far held-out rows are from the training rows, what
    accuracy is left without the strongest attributes or with whole clusters held out, and how
    few training rows it takes."""
    # Two rows, not three panels side by side: at a README's width the text stays readable.
    figure = Figure(figsize=(9.5, 9), layout="constrained")
    axes = figure.subplot_mosaic(
        [["dist", "acc"], ["curve", "curve"]], height_ratios=[1, 0.9], width_ratios=[1.1, 1]
    )
    dist_ax, acc_ax, curve_ax = axes["dist"], axes["acc"], axes["curve"]

    nearest = metrics["nearest"]
    settings = [
        ("random_split", "random split", COLOURS[0]),
        ("clusters_held_out", "clusters held out", COLOURS[5]),
    ]
    top = max(int(d) for key, _, _ in settings for d in nearest[key])
    distances = np.arange(top + 1)
    for offset, (key, text, colour) in zip((-0.2, 0.2), settings, strict=True):
        counts = [nearest[key].get(str(d), 0) for d in distances]
        share = np.array(counts) / max(sum(counts), 1)
        bars = dist_ax.bar(distances + offset, share, width=0.4, color=colour, label=text)
        # Counts on the bars: a handful of rows at a distance is invisible as a share.
        dist_ax.bar_label(bars, labels=[f"{c:,}" if c else "" for c in counts], fontsize=7)
    dist_ax.set(
        xlabel="attributes in which a row differs from it",
        ylabel="share of evaluated rows",
        xticks=distances,
    )
    dist_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    dist_ax.set_ylim(0, 1.1)
    dist_ax.legend(loc="center right")
    dist_ax.set_title("Distance to the nearest training row")

    models = metrics["models"]
    rule = metrics["grouped_one_rule"]
    rows = [
        (
            r["test_at_ceiling"]["accuracy"],
            r["grouped"]["accuracy"],
            r["grouped"]["cluster_average"],
        )
        for r in models.values()
    ]
    rows.append((metrics["one_rule_test"]["accuracy"], rule["accuracy"], rule["cluster_average"]))
    # Unseen clusters twice: pooled over mushrooms (a few large clusters weigh most) and
    # averaged over clusters (each counts once), each against always answering "edible".
    kinds = [
        ("random split", COLOURS[0], "o"),
        ("unseen clusters, pooled", COLOURS[5], "s"),
        ("unseen clusters, averaged over clusters", COLOURS[2], "D"),
    ]
    for row, values in enumerate(rows):
        for column, stats in enumerate(values):
            _, colour, marker = kinds[column]
            _interval(acc_ax, row + (column - 1) * 0.25, stats, colour, marker)
    rule_name = " + ".join(label(a) for a in rule["attributes"]).lower()
    acc_ax.set_yticks(range(len(rows)), [*(labels[name] for name in models), f"{rule_name} alone"])
    acc_ax.invert_yaxis()
    acc_ax.set_xlabel("accuracy (95 % interval)")
    acc_ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    edible = metrics["always_edible"]
    references = [
        acc_ax.axvline(
            edible[key],
            color=colour,
            linestyle=style,
            label=f"always 'edible', {text} ({edible[key]:.1%})",
        )
        for key, colour, style, text in [
            ("accuracy", COLOURS[5], ":", "pooled"),
            ("cluster_average", COLOURS[2], "--", "averaged over clusters"),
        ]
    ]
    acc_ax.legend(
        handles=[
            acc_ax.errorbar([], [], fmt=marker, color=colour, label=text)
            for text, colour, marker in kinds
        ]
        + references,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        fontsize=8,
    )
    acc_ax.set_title("Accuracy at threshold 0.5")

    curve = metrics["learning_curve"]
    sizes = [*curve["sizes"], curve["full"]["size"]]
    for index, name in enumerate(models):
        points = [*curve["accuracy"][name], curve["full"]["accuracy"][name]]
        values = np.array([point["rate"] for point in points])
        curve_ax.errorbar(
            sizes,
            values,
            yerr=[values - [p["low"] for p in points], [p["high"] for p in points] - values],
            marker="o",
            capsize=3,
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
    curve_ax.set_xticks(sizes, [f"{size:,}" for size in sizes])
    curve_ax.minorticks_off()
    curve_ax.legend(loc="lower right")
    curve_ax.set_title(
        f"Learning curve (mean of {curve.get('draws', 1)} subsets per size, bars: lowest to "
        "highest)\nand the clusters the subsets cover"
    )
    figure.suptitle(
        "Why the random split scores so high: its held-out rows are near-copies of training\n"
        "rows, and unseen clusters score far lower",
        fontsize=13,
    )
    return figure


def importances(tables: Mapping[str, Mapping[str, Mapping[str, float]]], labels) -> Figure:
    """Permutation importance on one axis: a row for every attribute whose shuffling lowers
    any model's accuracy, a dot per model (mean over the shuffles, bars: one standard
    deviation; a dot at 0 is an attribute that changes nothing for that model)."""
    frames = {name: pd.DataFrame(table).T for name, table in tables.items()}
    order = (
        pd.concat([frame["mean"] for frame in frames.values()], axis=1).max(axis=1).sort_values()
    )
    hidden = len(order) - int((order > 0).sum())
    order = order[order > 0]
    figure = Figure(figsize=(7.5, 1.6 + 0.32 * len(order)), layout="constrained")
    ax = figure.subplots()
    for index, (name, frame) in enumerate(frames.items()):
        rows = frame.reindex(order.index)
        changes = int((frame["mean"] > 0).sum())
        ax.errorbar(
            rows["mean"],
            np.arange(len(order)) + (index - (len(frames) - 1) / 2) * 0.2,
            xerr=rows["std"],
            fmt=["o", "s", "D", "X", "^", "v"][index % 6],
            capsize=2,
            color=COLOURS[index % 6],
            label=f"{labels[name]} ({changes} of {len(frame)} attributes move its accuracy)",
        )
    ax.set_yticks(range(len(order)), [label(feature) for feature in order.index])
    ax.set_xlabel("drop in accuracy when shuffled")
    ax.xaxis.set_major_formatter(lambda value, _: f"{100 * value:g}%")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(
        "Permutation importance on the random split (at 0.5):\nnear-copies let most attributes "
        f"stand in for one another\n(not shown: {hidden} of {hidden + len(order)} attributes, "
        "which lower no model's accuracy)",
        fontsize=10,
    )
    return figure


def one_rule(
    accuracy: Mapping[str, float], baseline: float, best_model: float, grouped: Mapping
) -> Figure:
    """Accuracy of a rule that looks at one attribute alone, for every attribute, on the random
    split (dots), and Holte's 1R on unseen clusters (``grouped``: the rule chosen in each fold,
    with its cluster interval)."""
    series = pd.Series(accuracy).sort_values()
    figure = Figure(figsize=(6.4, 6.0), layout="constrained")
    ax = figure.subplots()
    names = [label(feature) for feature in series.index]
    ax.plot(series, names, "o", color=COLOURS[0], label="random split (near-copies)")
    attributes = ", ".join(label(a) for a in grouped["attributes"])
    stats = grouped["accuracy"]
    ax.errorbar(
        stats["rate"],
        len(series),
        xerr=[[stats["rate"] - stats["low"]], [stats["high"] - stats["rate"]]],
        fmt="D",
        capsize=4,
        color=COLOURS[5],
        label=f"clusters held out: 1R ({attributes}), 95 % CI",
    )
    ax.set_yticks(range(len(series) + 1), [*names, f"1R, unseen clusters ({attributes})"])
    ax.axvline(baseline, color="0.3", linestyle="--", label=f"always 'edible' ({baseline:.1%})")
    ax.axvline(
        best_model, color="0.5", linestyle=":", label=f"best model at 0.5 ({best_model:.1%})"
    )
    ax.set_xlim(min(series.min(), stats["low"], baseline) - 0.03, 1.01)
    ax.set_xlabel("accuracy")
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_title("One attribute alone: the best value-by-value rule")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, ncols=2)
    return figure
