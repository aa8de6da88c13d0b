"""The figures. Each function takes data and returns a matplotlib Figure; ``save`` writes it.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no GUI backend, nothing to
close) and use the Okabe-Ito palette, which stays distinguishable with colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve, roc_curve

from .config import MODEL_LABELS
from .evaluate import CVResult

DPI = 120
BLUE, ORANGE, GREEN, VERMILION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999"
MODEL_COLOURS = {"logistic_regression": ORANGE, "xgboost": BLUE}


def save(figure: Figure, path: Path, *, sample: bool = False) -> Path:
    """Write ``figure`` as PNG; a figure drawn from the synthetic sample is stamped as such."""
    if sample:
        figure.text(
            0.5,
            0.5,
            "SYNTHETIC SAMPLE",
            ha="center",
            va="center",
            rotation=30,
            fontsize=40,
            color=VERMILION,
            alpha=0.25,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def missing_values(table: pd.DataFrame) -> Figure:
    """Which values are missing ('?' in the file), per patient and per column."""
    missing = table.isna()
    figure = Figure(figsize=(11, 8), layout="constrained")
    grid = figure.add_gridspec(1, 2, width_ratios=[4, 1])
    left = figure.add_subplot(grid[0])
    right = figure.add_subplot(grid[1], sharey=left)
    left.imshow(
        missing.T.to_numpy(),
        aspect="auto",
        interpolation="nearest",
        cmap=ListedColormap(["#F0F0F0", VERMILION]),
    )
    left.set_yticks(range(len(table.columns)), table.columns, fontsize=8)
    left.set_xlabel("patient (row of the file)")
    left.set_title("Missing values (red) per patient")
    share = missing.mean()
    right.barh(range(len(share)), share * 100, color=VERMILION)
    right.set_xlim(0, 100)
    right.set_xlabel("missing (% of patients)")
    right.set_title("Share missing")
    right.tick_params(labelleft=False)
    for row, value in enumerate(share):
        if value > 0.8:  # inside the bar, so the label stays within the axes
            right.text(
                value * 100 - 2,
                row,
                f"{value:.0%}",
                va="center",
                ha="right",
                fontsize=7,
                color="white",
            )
        elif value > 0:
            right.text(value * 100 + 2, row, f"{value:.0%}", va="center", fontsize=7)
    return figure


def class_balance(table: pd.DataFrame, tests: Sequence[str], target: str) -> Figure:
    """Positive and negative results of each diagnostic test; the target is highlighted."""
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    positives = [int(table[test].sum()) for test in tests]
    negatives = [int((table[test] == 0).sum()) for test in tests]
    x = np.arange(len(tests))
    axes.bar(x - 0.2, negatives, 0.4, label="negative", color=GREY)
    axes.bar(x + 0.2, positives, 0.4, label="positive", color=VERMILION)
    for position, count in zip(x, positives, strict=True):
        share = count / len(table)
        axes.text(
            position + 0.2, count, f"{count}\n({share:.1%})", ha="center", va="bottom", fontsize=8
        )
    axes.set_xticks(x, [f"{test}\n(target)" if test == target else test for test in tests])
    axes.set_ylabel("patients")
    axes.set_ylim(0, len(table) * 1.1)
    axes.set_title(f"Class balance: few positives ({len(table)} patients)")
    axes.legend(frameon=False)
    return figure


def correlation(table: pd.DataFrame) -> Figure:
    """Pairwise correlation (Pearson, pairwise complete) of every non-constant column."""
    columns = [column for column in table.columns if table[column].nunique(dropna=True) > 1]
    matrix = table[columns].corr()
    figure = Figure(figsize=(11, 9.5), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    axes.set_xticks(range(len(columns)), columns, rotation=90, fontsize=7)
    axes.set_yticks(range(len(columns)), columns, fontsize=7)
    axes.set_title("Correlation between columns (constant columns left out; blank: undefined)")
    figure.colorbar(image, ax=axes, shrink=0.7, label="Pearson correlation")
    return figure


def _curve_panels(results: Sequence[CVResult], kind: str, prevalence: float) -> Figure:
    figure = Figure(figsize=(5 * len(results), 4.6), layout="constrained")
    grid = np.linspace(0, 1, 101)
    for column, result in enumerate(results, start=1):
        axes = figure.add_subplot(1, len(results), column)
        colour = MODEL_COLOURS.get(result.model, BLUE)
        curves = []
        for fold in result.folds:
            if kind == "roc":
                x, y, _ = roc_curve(fold.y, fold.risk)
            else:
                y, x, _ = precision_recall_curve(fold.y, fold.risk)
                x, y = x[::-1], y[::-1]
            axes.plot(x, y, color=GREY, alpha=0.35, linewidth=0.7)
            curves.append(np.interp(grid, x, y))
        mean, std = np.mean(curves, axis=0), np.std(curves, axis=0)
        metric = "roc_auc" if kind == "roc" else "pr_auc"
        score = result.metrics[metric]
        label = (
            f"mean ({metric.replace('_', '-').upper()} {score['mean']:.2f} ± {score['std']:.2f})"
        )
        axes.plot(grid, mean, color=colour, linewidth=2.2, label=label)
        axes.fill_between(grid, mean - std, mean + std, color=colour, alpha=0.2, label="± 1 std")
        if kind == "roc":
            axes.plot([0, 1], [0, 1], linestyle="--", color="black", linewidth=0.8, label="chance")
            axes.set_xlabel("1 − specificity (false positive rate)")
            axes.set_ylabel("sensitivity (true positive rate)")
        else:
            axes.axhline(
                prevalence,
                linestyle="--",
                color="black",
                linewidth=0.8,
                label=f"chance ({prevalence:.1%})",
            )
            axes.set_xlabel("recall (sensitivity)")
            axes.set_ylabel("precision")
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.02)
        axes.set_title(f"{MODEL_LABELS.get(result.model, result.model)}: {len(result.folds)} folds")
        axes.legend(
            loc="lower right" if kind == "roc" else "upper right", fontsize=8, frameon=False
        )
    return figure


def roc_curves(results: Sequence[CVResult]) -> Figure:
    """ROC curve of every held-out fold (grey) and their mean with ± 1 std band."""
    figure = _curve_panels(results, "roc", 0.0)
    figure.suptitle("ROC curves on held-out folds")
    return figure


def pr_curves(results: Sequence[CVResult], prevalence: float) -> Figure:
    """Precision-recall curve of every held-out fold and their mean; chance is the prevalence."""
    figure = _curve_panels(results, "pr", prevalence)
    figure.suptitle("Precision-recall curves on held-out folds")
    return figure


def calibration(results: Sequence[CVResult]) -> Figure:
    """Predicted risk against the observed rate of positives (pooled held-out folds).

    The axes are zoomed to the range where the binned points lie: with a 6 % prevalence almost
    every risk is small, and a 0-1 square would squeeze the curve into one corner.
    """
    figure = Figure(figsize=(6, 6.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=[3, 1], sharex=True)
    curves = []
    for result in results:
        y = np.concatenate([fold.y for fold in result.folds])
        risk = np.concatenate([fold.risk for fold in result.folds])
        observed, predicted = calibration_curve(y, risk, n_bins=8, strategy="quantile")
        curves.append((result, risk, observed, predicted))
    limit = min(1.0, 1.25 * max(max(o.max(), p.max()) for _, _, o, p in curves))
    top.plot(
        [0, limit],
        [0, limit],
        linestyle="--",
        color="black",
        linewidth=0.8,
        label="perfectly calibrated",
    )
    for result, risk, observed, predicted in curves:
        colour = MODEL_COLOURS.get(result.model, BLUE)
        brier = result.metrics["brier"]["mean"]
        label = f"{MODEL_LABELS.get(result.model, result.model)} (Brier {brier:.3f})"
        top.plot(predicted, observed, marker="o", color=colour, label=label)
        bottom.hist(np.minimum(risk, limit), bins=30, range=(0, limit), color=colour, alpha=0.5)
    top.set_ylabel("observed share of positives")
    top.set_title("Calibration on held-out folds (8 quantile bins)")
    top.legend(fontsize=8, frameon=False)
    top.set_ylim(0, limit)
    bottom.set_yscale("log")
    bottom.set_xlabel(
        f"predicted risk, class weighting undone (risks above {limit:.2f} in the last bin)"
    )
    bottom.set_ylabel("patients")
    bottom.set_xlim(0, limit)
    return figure


def confusion_matrix(result: CVResult, target: str, sensitivity_target: float) -> Figure:
    """Average confusion matrix per repeat at the screening threshold (held-out folds)."""
    matrix = np.array(result.metrics["confusion_matrix"])
    figure = Figure(figsize=(5, 4.4), layout="constrained")
    axes = figure.add_subplot()
    axes.imshow(matrix / matrix.sum(axis=1, keepdims=True), cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        share = count / matrix[row].sum()
        colour = "white" if share > 0.5 else "black"
        axes.text(
            column,
            row,
            f"{count:.1f}\n({share:.0%} of row)",
            ha="center",
            va="center",
            color=colour,
        )
    axes.set_xticks([0, 1], ["not flagged", "flagged for follow-up"])
    axes.set_yticks([0, 1], [f"{target} negative", f"{target} positive"])
    axes.set_xlabel("model decision at the screening threshold")
    axes.set_title(
        f"{MODEL_LABELS.get(result.model, result.model)}, threshold for "
        f"{sensitivity_target:.0%} sensitivity\n(mean patients per repeat of the cross-validation)",
        fontsize=10,
    )
    return figure


def importance(result: CVResult, top: int = 15) -> Figure:
    """Permutation importance on held-out folds: drop in ROC-AUC when a column is shuffled."""
    ranking = result.metrics["permutation_importance"]
    names = list(ranking)[:top][::-1]
    means = [ranking[name]["mean"] for name in names]
    stds = [ranking[name]["std"] for name in names]
    figure = Figure(figsize=(7, 0.32 * len(names) + 1.5), layout="constrained")
    axes = figure.add_subplot()
    axes.barh(names, means, xerr=stds, color=BLUE, ecolor=GREY, capsize=2)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("drop in ROC-AUC when the column is shuffled (mean ± std over folds)")
    axes.set_title(
        f"{MODEL_LABELS.get(result.model, result.model)}: permutation importance, top {len(names)}"
    )
    axes.tick_params(axis="y", labelsize=8)
    return figure
