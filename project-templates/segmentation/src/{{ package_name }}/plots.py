"""The figures. Each function takes data and returns a matplotlib Figure; saving is the caller's.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global state, any backend).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

# Okabe-Ito: distinguishable with every common colour-vision deficiency. Ordered so that the
# first segments get the most different hues (no two blues or two oranges among the first four).
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#000000", "#F0E442"]
BLUE, VERMILLION, GREEN = "#0072B2", "#D55E00", "#009E73"
DIVERGING = "RdBu_r"  # blue = below average, red = above; readable with red-green deficiency


def segment_colours(k: int) -> list[str]:
    if k <= len(OKABE_ITO):
        return OKABE_ITO[:k]
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(k)]


def compact(value: float) -> str:
    """2.3k, 41k, 0.82, 12, 0: short numbers for heatmap cells."""
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 10_000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    if magnitude >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}"


def distributions(table: pd.DataFrame, features: list[str], logged: list[str]) -> Figure:
    """A histogram per feature, with its skewness: the reason for the log transform.

    ``logged`` (drawn in blue) are the columns the model log-transforms.
    """
    cols = 4 if len(features) > 6 else 3
    rows = int(np.ceil(len(features) / cols))
    figure = Figure(figsize=(3.2 * cols, 2.3 * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, column in zip(axes, features, strict=False):
        values = table[column].dropna()
        ax.hist(values, bins=40, color=BLUE if column in logged else GREEN)
        ax.set_title(f"{column}\nskewness {values.skew():.1f}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylabel("customers", fontsize=8)
    for ax in axes[len(features) :]:
        ax.set_visible(False)
    note = "; blue: log-transformed before scaling" if logged else ""
    figure.suptitle(f"Feature distributions, raw values ({len(table):,} customers{note})")
    return figure


def correlation(table: pd.DataFrame, features: list[str]) -> Figure:
    """Spearman (rank) correlation of every pair of features: robust to the heavy skew."""
    corr = table[features].corr(method="spearman")
    size = max(5.0, 0.45 * len(features) + 2)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(corr.to_numpy(), cmap=DIVERGING, vmin=-1, vmax=1)
    ax.set_xticks(range(len(features)), features, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(features)), features, fontsize=8)
    for (i, j), value in np.ndenumerate(corr.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:.1f}",
            ha="center",
            va="center",
            fontsize=6.5,
            color="white" if abs(value) > 0.6 else "black",
        )
    figure.colorbar(image, ax=ax, shrink=0.8, label="Spearman correlation")
    ax.set_title("Correlation between features")
    return figure


def k_selection(scores: pd.DataFrame, chosen: int, min_stability: float) -> Figure:
    """Elbow (inertia), silhouette, stability and Davies-Bouldin for every k."""
    figure = Figure(figsize=(10, 6.5), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True).ravel()
    panels = [
        ("inertia", "Inertia (elbow; lower is tighter)"),
        ("silhouette", "Silhouette (higher is better)"),
        ("stability", "Stability: mean bootstrap ARI (higher is better)"),
        ("davies_bouldin", "Davies-Bouldin (lower is better)"),
    ]
    for ax, (column, title) in zip(axes, panels, strict=True):
        ax.plot(scores.index, scores[column], marker="o", color=BLUE)
        ax.axvline(chosen, color=VERMILLION, linestyle="--", label=f"chosen k = {chosen}")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[2].errorbar(
        scores.index,
        scores["stability"],
        yerr=scores["stability_std"],
        fmt="none",
        ecolor=BLUE,
        capsize=3,
    )
    axes[2].axhline(min_stability, color="grey", linestyle=":", label=f"threshold {min_stability}")
    axes[2].legend(fontsize=8, loc="lower left")
    axes[0].legend(fontsize=8)
    for ax in axes[2:]:
        ax.set_xlabel("number of segments k")
        ax.set_xticks(list(scores.index))
    figure.suptitle("Choosing the number of segments")
    return figure


def pca_map(segments: pd.DataFrame, explained: list[float]) -> Figure:
    """Customers on the first two principal components, coloured by segment."""
    figure = Figure(figsize=(7.5, 6), layout="constrained")
    ax = figure.subplots()
    ids = sorted(segments["segment"].unique())
    for segment, colour in zip(ids, segment_colours(len(ids)), strict=True):
        points = segments[segments["segment"] == segment]
        ax.scatter(
            points["pc1"],
            points["pc2"],
            s=6,
            alpha=0.5,
            color=colour,
            linewidths=0,
            label=f"segment {segment} ({len(points):,})",
        )
    ax.set_xlabel(f"PC1 ({explained[0]:.1%} of variance)")
    ax.set_ylabel(f"PC2 ({explained[1]:.1%} of variance)")
    ax.set_title(
        f"Segments on the first two principal components ({sum(explained):.1%} of variance)"
    )
    legend = ax.legend(markerscale=3, fontsize=8, loc="best")
    for handle in legend.legend_handles:
        handle.set_alpha(1)
    ax.grid(alpha=0.3)
    return figure


def profile_heatmap(standardised: pd.DataFrame, medians: pd.DataFrame) -> Figure:
    """Each segment against everyone: colour in standard deviations, text the median.

    A last row shows everyone (colour 0 by definition) with the overall medians.
    """
    everyone = pd.DataFrame(0.0, index=["all"], columns=standardised.columns)
    standardised = pd.concat([standardised, everyone])
    features = list(standardised.columns)
    k = len(standardised)
    figure = Figure(
        figsize=(max(7.0, 0.62 * len(features) + 2.5), 0.55 * k + 2.4), layout="constrained"
    )
    ax = figure.subplots()
    values = standardised.to_numpy()
    image = ax.imshow(values, cmap=DIVERGING, vmin=-2, vmax=2, aspect="auto")
    ax.set_xticks(range(len(features)), features, rotation=45, ha="right", fontsize=8)
    labels = [f"segment {s}" if s != "all" else "all customers" for s in standardised.index]
    ax.set_yticks(range(k), labels, fontsize=9)
    for (i, j), value in np.ndenumerate(values):
        median = medians.loc[standardised.index[i], features[j]]
        ax.text(
            j,
            i,
            compact(median),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if abs(value) > 1.3 else "black",
        )
    figure.colorbar(image, ax=ax, label="vs everyone (SD)")
    ax.set_title("Segment profiles (cell text: segment median in original units)")
    return figure
