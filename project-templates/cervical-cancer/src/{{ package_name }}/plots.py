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
from matplotlib.patches import Patch
from sklearn.metrics import precision_recall_curve, roc_curve

from . import stats
from .config import MODEL_LABELS
from .evaluate import DECISION_GRID, CVResult, net_benefits

DPI = 120
BLUE, ORANGE, VERMILION, GREY = "#0072B2", "#E69F00", "#D55E00", "#999999"
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


def missing_values(table: pd.DataFrame, recoded: dict[str, str]) -> Figure:
    """Which values are missing, per patient and per column: '?' in the file, and the values
    the pipeline recoded to missing (``recoded``: column -> what, e.g. '105 disguised zeros'),
    which the file does not mark with '?'."""
    missing = table.isna()
    names = [
        f"{column} (incl. {recoded[column]})" if column in recoded else column
        for column in table.columns
    ]
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
    left.set_yticks(range(len(table.columns)), names, fontsize=8)
    left.set_xlabel("patient (row of the file)")
    left.set_title("Missing or recoded to missing (dark orange), per patient")
    share = missing.mean()
    right.barh(range(len(share)), share * 100, color=VERMILION)
    right.set_xlim(0, 100)
    right.set_xlabel("missing or recoded (% of patients)")
    right.set_title("Share")
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


def _label(result: CVResult) -> str:
    return MODEL_LABELS.get(result.model, result.model)


def _ci(score: dict) -> str:
    return f"{score['value']:.2f} [{score['low']:.2f}, {score['high']:.2f}]"


def _curves(results: Sequence[CVResult], rows: int, kind: str, prevalence: float) -> Figure:
    """One panel per model: the curve of each repeat's pooled held-out risks."""
    figure = Figure(figsize=(5 * len(results), 4.6), layout="constrained")
    highest = 0.0
    for column, result in enumerate(results, start=1):
        axes = figure.add_subplot(
            1, len(results), column, sharey=figure.axes[0] if figure.axes else None
        )
        colour = MODEL_COLOURS.get(result.model, BLUE)
        truth = np.zeros(rows)
        for fold in result.folds:
            truth[fold.test] = fold.y
        for repeat, risk in enumerate(result.by_repeat(rows)):
            if kind == "roc":
                x, curve, _ = roc_curve(truth, risk)
            else:
                curve, x = pr_steps(truth, risk)
            highest = max(highest, float(curve.max()))
            axes.plot(
                x,
                curve,
                color=colour,
                alpha=0.6,
                linewidth=1.2,
                drawstyle="steps-post" if kind == "pr" else "default",
                label="one repeat's pooled held-out folds" if repeat == 0 else None,
            )
        metric = "roc_auc" if kind == "roc" else "pr_auc"
        axes.plot(
            [], [], " ", label=f"{metric.replace('_', '-').upper()} {_ci(result.metrics[metric])}"
        )
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
        # Precision stays far below 1 for a weak ranking: the axis ends above the highest curve.
        axes.set_ylim(0, 1.02 if kind == "roc" else min(1.02, 1.1 * highest))
        axes.set_title(_label(result))
        axes.legend(
            loc="lower right" if kind == "roc" else "upper right", fontsize=8, frameon=False
        )
    return figure


def leakage(
    clean: CVResult, leaky: CVResult, scores: dict[str, dict], rows: int, added: Sequence[str]
) -> Figure:
    """The hero figure: ROC curves of the served model from the questionnaire alone and with the
    other test results added as features (what the guided project does), each repeat's pooled
    held-out risks, ROC-AUCs with their 95 % intervals (``scores``: "clean", "leaky")."""
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    axes = figure.add_subplot()
    truth = np.zeros(rows)
    for fold in clean.folds:
        truth[fold.test] = fold.y
    drawn = (
        (leaky, VERMILION, f"with {', '.join(added)} (after testing)", scores["leaky"]),
        (clean, BLUE, "questionnaire answers only (this project)", scores["clean"]),
    )
    for result, colour, name, score in drawn:
        for repeat, risk in enumerate(result.by_repeat(rows)):
            x, curve, _ = roc_curve(truth, risk)
            label = f"{name}: ROC-AUC {_ci(score)}" if repeat == 0 else None
            axes.plot(x, curve, color=colour, alpha=0.6, linewidth=1.3, label=label)
    axes.plot([0, 1], [0, 1], linestyle="--", color="black", linewidth=0.8, label="chance")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("1 − specificity (false positive rate)")
    axes.set_ylabel("sensitivity (true positive rate)")
    axes.set_title(
        f"{_label(clean)} on held-out folds: the questionnaire alone,\n"
        "and with the other diagnostic tests' results (a different question)"
    )
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    return figure


def pr_steps(truth: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The precision-recall curve as the step function whose area is the PR-AUC (average
    precision): each recall step takes the precision reached at its end. scikit-learn's
    closing point (recall 0, precision 1) and the points where only negatives are flagged
    (recall 0, precision 0) have no width in that area; drawn, they are a vertical segment at
    recall 0. They are replaced by the convention of the area: at recall 0, the precision
    of the first step."""
    precision, recall, _ = precision_recall_curve(truth, risk)
    found = recall > 0
    precision, recall = precision[found], recall[found]
    return np.append(precision, precision[-1]), np.append(recall, 0.0)


def roc_curves(results: Sequence[CVResult], rows: int) -> Figure:
    """ROC curve of each repeat's pooled out-of-fold risks, with the 95 % interval of the AUC."""
    figure = _curves(results, rows, "roc", 0.0)
    figure.suptitle("ROC curves on held-out folds (ROC-AUC with 95 % bootstrap interval)")
    return figure


def pr_curves(results: Sequence[CVResult], rows: int, prevalence: float) -> Figure:
    """Precision-recall curve of each repeat's pooled out-of-fold risks; chance = prevalence."""
    figure = _curves(results, rows, "pr", prevalence)
    figure.suptitle("Precision-recall curves on held-out folds (PR-AUC with 95 % interval)")
    return figure


def _reliability(risk: np.ndarray, truth: np.ndarray, repeats: int, bins: int) -> tuple:
    """Mean predicted risk, observed share and its exact 95 % interval (as error-bar lengths)
    of each quantile bin of the pooled out-of-fold risks."""
    edges = np.unique(np.quantile(risk, np.linspace(0, 1, bins + 1)))
    index = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, len(edges) - 2)
    predicted, observed, low, high, counts = [], [], [], [], []
    for b in np.unique(index):
        inside = index == b
        # Each patient appears once per repeat: the interval counts patients, not repeats.
        positives, n = truth[inside].sum() / repeats, inside.sum() / repeats
        rate = stats.exact_rate(round(positives), max(1, round(n)))
        predicted.append(risk[inside].mean())
        observed.append(positives / n)
        low.append(max(0.0, positives / n - rate["low"]))
        high.append(max(0.0, rate["high"] - positives / n))
        counts.append((round(positives), round(n)))
    return np.array(predicted), np.array(observed), np.array(low), np.array(high), counts


def calibration(results: Sequence[CVResult], y: np.ndarray, bins: int = 5) -> Figure:
    """Reliability curve of the pooled out-of-fold risks (few quantile bins, as the data hold
    few positives), each bin's observed rate with its exact 95 % interval, one panel per model
    (their bins would overlap), above a histogram of that model's risks on the same axis."""
    figure = Figure(figsize=(5 * len(results), 6), layout="constrained")
    panels = figure.subplots(2, len(results), height_ratios=[3, 1], squeeze=False)
    repeats = len(results[0].by_repeat(len(y)))
    truth = np.tile(y, repeats)
    # One scale for every panel, so that the models' spreads of risk compare at a glance; log
    # scales, so the crowded low end, where most patients are, can be read.
    left, right = 1.0, 0.0
    for result in results:
        risk = np.concatenate(result.by_repeat(len(y)))
        _, observed, low, high, _ = _reliability(risk, truth, repeats, bins)
        lowest = min(float(np.quantile(risk, 0.005)), (observed - low).min())
        left = min(left, max(0.002, 0.8 * lowest))
        right = max(right, 1.1 * float(np.quantile(risk, 0.995)), 1.1 * (observed + high).max())
    ticks = [t for t in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5) if left <= t <= right]
    for column, result in enumerate(results):
        top, bottom = panels[0, column], panels[1, column]
        bottom.sharex(top)
        risk = np.concatenate(result.by_repeat(len(y)))
        predicted, observed, low, high, _ = _reliability(risk, truth, repeats, bins)
        m, colour = result.metrics, MODEL_COLOURS.get(result.model, BLUE)
        top.errorbar(predicted, observed, yerr=[low, high], marker="o", color=colour, capsize=3,
                     label=f"slope {_ci(m['calibration_slope'])}\n"
                     f"Brier skill {_ci(m['brier_skill'])}")  # fmt: skip
        diagonal = np.geomspace(left, right, 50)
        top.plot(diagonal, diagonal, linestyle="--", color="black", linewidth=0.8,
                 label="perfectly calibrated")  # fmt: skip
        top.set_xscale("log")
        top.set_yscale("log")
        top.set_xlim(left, right)
        top.set_ylim(left, right)
        top.set_yticks(ticks, [f"{t:.1%}" if t < 0.01 else f"{t:.0%}" for t in ticks])
        top.set_yticks([], minor=True)
        top.set_title(f"{_label(result)} ({bins} quantile bins)")
        top.set_ylabel("observed share of positives (95 % interval, log scale)")
        top.legend(fontsize=8, frameon=False, loc="upper left")
        top.tick_params(labelbottom=False)
        bottom.hist(np.clip(risk, left, right), bins=np.geomspace(left, right, 40), color=colour,
                    alpha=0.6)  # fmt: skip
        bottom.set_xticks(ticks, [f"{t:.1%}" if t < 0.01 else f"{t:.0%}" for t in ticks])
        bottom.set_xticks([], minor=True)
        bottom.set_xlabel("predicted risk (held-out, log scale)")
        bottom.set_ylabel("predictions\n(all repeats)")
    figure.suptitle("Calibration on held-out folds (same axes in every panel)")
    return figure


def decision_curve(result: CVResult, y: np.ndarray, weights: np.ndarray) -> Figure:
    """Net benefit per 1,000 patients of flagging patients above each threshold, against
    flagging everyone and no one (decision-curve analysis, Vickers & Elkin 2006), from the
    app's model's out-of-fold risks, with a pointwise 95 % group-bootstrap band. Read, not
    used: no threshold is chosen from it. The curve jumps between neighbouring thresholds
    where a few of the few positives change side: the figure says so rather than smoothing."""
    prevalence = float(y.mean())
    thresholds = DECISION_GRID
    per = 1000  # patients
    figure = Figure(figsize=(7, 6.2), layout="constrained")
    axes = figure.add_subplot()
    risks = result.by_repeat(len(y))
    colour = MODEL_COLOURS.get(result.model, BLUE)
    benefit = per * net_benefits(y, risks, np.ones((1, len(y))), thresholds)[0][0]
    axes.plot(thresholds, benefit, color=colour, linewidth=2, label=_label(result))
    with np.errstate(invalid="ignore", divide="ignore"):
        drawn = net_benefits(y, risks, weights, thresholds)[0]
    low, high = per * np.nanpercentile(drawn, [2.5, 97.5], axis=0)
    axes.fill_between(thresholds, low, high, color=colour, alpha=0.2, linewidth=0,
                      label=f"{_label(result)}: pointwise 95 % band (patients "
                      "resampled; held-out risks fixed, models not refitted)")  # fmt: skip
    everyone = per * (prevalence - (1 - prevalence) * thresholds / (1 - thresholds))
    axes.plot(thresholds, everyone, color=GREY, linewidth=1.5, label="flag everyone")
    axes.axhline(0, color="black", linewidth=1, label="flag no one")
    axes.set_ylim(-0.25 * per * prevalence, per * prevalence * 1.15)
    axes.set_xlim(thresholds[0], thresholds[-1])
    axes.set_xlabel("threshold risk (the risk at which a follow-up is worth its cost)")
    axes.set_ylabel(
        "net benefit per 1,000 patients\n(true positives minus weighted false positives)"
    )
    axes.set_title("Decision curve on held-out folds (exploratory)")
    axes.text(0.99, 0.02, f"jumps between neighbouring thresholds are noise: {int(y.sum())} "
              "positives,\na few of which change side from one threshold to the next",
              transform=axes.transAxes, ha="right", va="bottom", fontsize=8)  # fmt: skip
    # Below the axes, so that no entry hides a curve.
    figure.legend(loc="outside lower center", fontsize=8, frameon=False)
    return figure


def confusion_matrix(scores: dict, label: str, target: str) -> Figure:
    """Average confusion matrix per repeat on held-out folds of the app's rule: each fold
    model's top fifth."""
    figure = Figure(figsize=(5, 4.2), layout="constrained")
    axes = figure.add_subplot()
    matrix = np.array(scores["top_fifth"]["confusion_matrix"])
    axes.imshow(matrix / matrix.sum(axis=1, keepdims=True), cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        share = count / matrix[row].sum()
        colour = "white" if share > 0.5 else "black"
        axes.text(column, row, f"{count:.1f}\n({share:.0%} of row)", ha="center",
                  va="center", color=colour)  # fmt: skip
    axes.set_xticks([0, 1], ["not in top fifth", "top fifth"])
    axes.set_yticks([0, 1], [f"{target} negative", f"{target} positive"])
    figure.suptitle(
        f"{label}: top fifth of risks, held-out folds\n"
        "(mean patients per repeat of the cross-validation)",
        fontsize=10,
    )
    return figure


def importance(ranking: dict[str, dict[str, float]], label: str, top: int = 15) -> Figure:
    """Permutation importance on held-out folds: drop in ROC-AUC when a column is shuffled,
    mean over the outer folds with its corrected 95 % interval, for the factors whose mean drop
    is not 0; the colour says which way a higher answer moves the saved model's risk."""
    names = [name for name in ranking if ranking[name]["mean"] != 0][:top][::-1]
    means = np.array([ranking[name]["mean"] for name in names])
    lows = means - np.array([ranking[name]["low"] for name in names])
    highs = np.array([ranking[name]["high"] for name in names]) - means
    keys = {1: (VERMILION, "higher answer, higher risk"), -1: (BLUE, "higher answer, lower risk"),
            0: (GREY, "no change")}  # fmt: skip
    signs = [ranking[name].get("direction", 0) for name in names]
    figure = Figure(figsize=(7, 0.32 * len(names) + 1.8), layout="constrained")
    axes = figure.add_subplot()
    colours = [keys[sign][0] for sign in signs]
    axes.barh(names, means, xerr=[lows, highs], color=colours, ecolor="black", capsize=2)
    axes.axvline(0, color="black", linewidth=0.8)
    handles = [Patch(color=c, label=text) for sign, (c, text) in keys.items() if sign in signs]
    axes.legend(handles=handles, fontsize=8, loc="lower right")
    axes.set_xlabel(
        "drop in ROC-AUC when the column is shuffled\n"
        "(mean over outer folds, corrected 95 % interval)\n"
        "below 0: shuffling helped, i.e. the model fitted noise in that column"
    )
    left = f" ({len(ranking) - len(names)} not shown)" if len(ranking) > len(names) else ""
    axes.set_title(f"{label}: permutation importance{left}")
    axes.tick_params(axis="y", labelsize=8)
    return figure
