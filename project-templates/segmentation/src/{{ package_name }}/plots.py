"""The figures. Each function takes data and returns a matplotlib Figure; saving is the caller's.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global state, any backend).
"""

from __future__ import annotations

import io
import textwrap
from itertools import combinations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .config import FIGURE_DPI

# Okabe-Ito: distinguishable with every common colour-vision deficiency. Ordered so that the
# first five segments get five different hues (one blue, vermillion fifth), blue and yellow last.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442", "#000000"]
BLUE, VERMILLION, GREEN = "#0072B2", "#D55E00", "#009E73"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
"""One marker per segment on the overview map, so hue is not the only cue."""
DIVERGING = "RdBu_r"  # blue = below average, red = above; readable with red-green deficiency


def png(figure: Figure) -> bytes:
    """The figure as PNG, at the fixed resolution: what the evaluate stage saves and what the
    notebook shows (a Figure built without pyplot has no image output in a notebook)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def segment_colours(k: int) -> list[str]:
    if k <= len(OKABE_ITO):
        return OKABE_ITO[:k]
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(k)]


def map_colours(segments: pd.DataFrame) -> dict:
    """A colour per segment for the map. The two segments whose centres (medians on the map)
    are closest, the pair most likely to overlap, get blue and vermillion, the Okabe-Ito pair
    easiest to tell apart with any colour-vision deficiency; the others get the rest in turn,
    then sky blue and orange (the hues closest to blue and vermillion), and yellow, pale on
    white, last: up to seven segments never get it."""
    ids = sorted(segments["segment"].unique())
    if not 2 <= len(ids) <= len(OKABE_ITO):
        return dict(zip(ids, segment_colours(len(ids)), strict=True))
    centres = segments.groupby("segment")[["pc1", "pc2"]].median()
    first, second = min(
        combinations(ids, 2),
        key=lambda pair: float(np.hypot(*(centres.loc[pair[0]] - centres.loc[pair[1]]))),
    )
    rest = [GREEN, "#CC79A7", "#000000", "#56B4E9", "#E69F00", "#F0E442"]
    others = [segment for segment in ids if segment not in (first, second)]
    return {first: BLUE, second: VERMILLION, **dict(zip(others, rest, strict=False))}


def distributions(table: pd.DataFrame, columns: list[str]) -> Figure:
    """Histogram of each skewed amount's positive values on a log scale (log-spaced bins), with
    how many customers sit at exactly 0 (no log) and the median, so the skew and the spike at 0
    are both seen."""
    panels = 4
    rows = -(-len(columns) // panels)
    figure = Figure(figsize=(11, 2.6 * rows + 0.5), layout="constrained")
    axes = figure.subplots(rows, panels, squeeze=False).ravel()
    for ax, column in zip(axes, columns, strict=False):
        values = table[column].dropna()
        positive = values[values > 0]
        if positive.empty:
            ax.set_title(f"{column}: no positive value", fontsize=9)
            continue
        bins = np.geomspace(positive.min(), positive.max(), 30)
        ax.hist(positive, bins=bins, color=BLUE)
        ax.set_xscale("log")
        ax.axvline(positive.median(), color=VERMILLION, linestyle="--")
        zeros, blank = int((values == 0).sum()), int(table[column].isna().sum())
        blanks = f", {blank:,} blank" if blank else ""
        ax.set_title(f"{column}\n{zeros:,} at 0 ({zeros / len(values):.0%}){blanks}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[len(columns) :]:
        ax.set_visible(False)
    figure.suptitle("Amounts above 0 on a log scale (dashed: median of those above 0)", fontsize=11)
    return figure


def traps(rows: list[dict]) -> Figure:
    """Each data trap: how many customers fall in it, out of how many it can concern."""
    frame = pd.DataFrame(rows)
    figure = Figure(figsize=(7.5, 0.5 * len(frame) + 1.4), layout="constrained")
    ax = figure.subplots()
    positions = np.arange(len(frame))[::-1]
    ax.barh(positions, frame["of"], color="lightgrey", label="customers it can concern")
    ax.barh(positions, frame["customers"], color=BLUE, label="customers in the trap")
    for y, (count, total) in zip(
        positions, zip(frame["customers"], frame["of"], strict=True), strict=True
    ):
        ax.text(total, y, f" {count:,} of {total:,}", va="center", fontsize=8)
    ax.set_yticks(positions, frame["trap"], fontsize=8)
    ax.set_xlim(0, frame["of"].max() * 1.2)  # room for the counts, no more
    ax.set_xlabel("customers")
    # Below the axes, so it covers no count.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2)
    ax.set_title("The data's traps, counted", fontsize=10)
    return figure


DODGE = 0.12
"""How far the two stability series sit either side of each k, so their bars do not overlap."""


def with_interval(
    ax, scores: pd.DataFrame, name: str, label: str | None = None, shift: float = 0.0
) -> None:
    """``name`` per k with error bars from its ``name_low`` and ``name_high`` columns, moved
    ``shift`` along k so that two series on one panel do not cover each other."""
    values = scores[name]
    ax.errorbar(
        scores.index + shift,
        values,
        yerr=[values - scores[f"{name}_low"], scores[f"{name}_high"] - values],
        marker="o",
        color=BLUE,
        capsize=3,
        label=label,
    )


def k_selection(scores: pd.DataFrame, metrics: dict) -> Figure:
    """Silhouette with its interval, the structure test, stability and segment shares per k."""
    chosen, preferred = metrics["chosen_k"], metrics["preferred_k"]
    low, high = metrics["business_range"]
    constraints = metrics["constraints"]
    figure = Figure(figsize=(10, 6.5), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True).ravel()
    ks = list(scores.index)
    for ax in axes:
        ax.axvspan(low - 0.5, high + 0.5, color="grey", alpha=0.12, lw=0)
        ax.axvline(chosen, color=VERMILLION, linestyle="--", label=f"chosen k = {chosen}")
        ax.grid(alpha=0.3)
    sil = axes[0]
    with_interval(sil, scores, "silhouette")
    sil.axhline(
        0.25,
        color="grey",
        linestyle=":",
        label="0.25: no substantial structure at or below (Kaufman & Rousseeuw)",
    )
    # Zoomed to the intervals and the 0.25 line, so the differences between k can be read.
    sil.set_ylim(
        float(scores["silhouette_low"].min()) - 0.02,
        max(0.25, float(scores["silhouette_high"].max())) + 0.06,  # room for the legend
    )
    sil.set_title(f"Silhouette, all customers (95% interval); best k = {preferred}", fontsize=10)
    sil.legend(fontsize=8, loc="upper right")
    r2 = axes[1]
    r2.plot(ks, scores["r2"], marker="o", color=BLUE, label="the data, all customers")
    tested = scores.dropna(subset=["r2_shuffled_max"])
    references = [
        ("shuffled", "x", "grey", "column-permuted copies (max): no correlation"),
        ("gaussian", "+", "black", "Gaussian copula (max): no clusters"),
    ]
    for name, marker, colour, label in references:
        r2.plot(
            tested.index,
            tested[f"r2_{name}_max"],
            marker=marker,
            markersize=10,
            color=colour,
            linestyle="none",
            label=label,
        )
    # Zoomed to the data and the copies: on 0-1 the gap between them would be squashed.
    shown = pd.concat([scores["r2"], tested["r2_shuffled_max"], tested["r2_gaussian_max"]])
    r2.set_ylim(max(0.0, float(shown.min()) - 0.05), min(1.0, float(shown.max()) + 0.05))
    r2.set_title(
        "Variance explained: data vs copies\n(copies of all customers, chosen k)", fontsize=10
    )
    r2.legend(fontsize=8, loc="upper left")
    measured = scores.dropna(subset=["min_jaccard"])
    stab = axes[2]
    with_interval(
        stab, measured, "stability", label="adjusted Rand index (95% interval)", shift=-DODGE
    )
    jaccard = measured["min_jaccard"]
    stab.errorbar(
        measured.index + DODGE,
        jaccard,
        yerr=[jaccard - measured["min_jaccard_low"], measured["min_jaccard_high"] - jaccard],
        marker="s",
        color=GREEN,
        capsize=3,
        label="weakest segment's Jaccard (95% interval)",
    )
    stab.axhline(constraints["min_jaccard"], color=GREEN, linestyle=":")
    stab.axhline(constraints["min_stability"], color=BLUE, linestyle=":")
    full = metrics["stability"]["full"]
    # The chosen k's verdict at k, open diamonds around the selection draws' squares.
    for name, colour, shift in (("stability", BLUE, -DODGE), ("min_jaccard", GREEN, DODGE)):
        value = full[name]
        stab.errorbar(
            [chosen + shift],
            [value],
            yerr=[[value - full[f"{name}_low"]], [full[f"{name}_high"] - value]],
            marker="D",
            markersize=9,
            markerfacecolor="none",
            color=colour,
            capsize=6,
            linestyle="none",
            label="chosen k, bootstrap refits vs final segments" if name == "stability" else None,
        )
    stab.set_title(
        f"Stability (dotted: limits). Filled: selection draws, {constraints['seeds']} seeds x "
        f"{constraints['resamples']};\nopen diamonds: chosen k, "
        f"{len(full['seeds']) * full['resamples']} bootstrap refits of all customers",
        fontsize=9,
    )
    # Below the panel, so it covers no marker.
    stab.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    share = axes[3]
    share.plot(ks, scores["min_share"] * 100, marker="o", color=BLUE)
    share.axhline(
        constraints["min_share"] * 100,
        color="grey",
        linestyle=":",
        label=f"limit {constraints['min_share']:.0%}",
    )
    share.set_title("Smallest segment (% of customers)", fontsize=10)
    share.legend(fontsize=8)
    for ax in axes[2:]:
        ax.set_xlabel("number of segments k")
        ax.set_xticks(ks)
    figure.suptitle(f"Choosing the number of segments (shaded: business range {low}-{high})")
    return figure


OVERVIEW_SLICES = 10
"""Slices each segment is drawn in, in turn with the others, on the overview map."""


def pca_map(segments: pd.DataFrame, explained: list[float], names: dict) -> Figure:
    """Customers on the first two principal components: all segments in one panel (drawn in
    turns, a slice of each at a time), then one panel per segment over everyone in grey, so a
    segment that others cover is still seen whole."""
    ids = sorted(segments["segment"].unique())
    colours = map_colours(segments)
    sizes = segments["segment"].value_counts()
    # The overview takes a 2 x 2 block on the left, the segments fill two rows beside it: k + 1
    # panels with at most one cell empty.
    beside = -(-len(ids) // 2)
    figure = Figure(figsize=(4 + 2.6 * beside, 6.4), layout="constrained")
    grid = figure.add_gridspec(2, 2 + beside)
    overview = figure.add_subplot(grid[:, :2])
    panels = [
        figure.add_subplot(
            grid[number // beside, 2 + number % beside], sharex=overview, sharey=overview
        )
        for number in range(len(ids))
    ]
    # Each segment in slices drawn in turn, so that no segment lies wholly under another.
    slices = {}
    for segment in ids:
        members = segments[segments["segment"] == segment]
        parts = np.array_split(np.arange(len(members)), OVERVIEW_SLICES)
        slices[segment] = [members.iloc[part] for part in parts]
    for turn in range(OVERVIEW_SLICES):
        for segment in sorted(ids, key=lambda s: -sizes[s]):
            points = slices[segment][turn]
            overview.scatter(
                points["pc1"],
                points["pc2"],
                s=6,
                alpha=0.5,
                color=colours[segment],
                marker=MARKERS[(segment - 1) % len(MARKERS)],
                linewidths=0,
                label=f"{segment} ({sizes[segment]:,})" if turn == 0 else None,
            )
    overview.set_title(f"{len(segments):,} customers, coloured by segment", fontsize=10)
    # Below the axes, so it covers no customer.
    legend = overview.legend(
        markerscale=2.5,
        fontsize=8,
        title="segment (customers)",
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=min(len(ids), 4),
    )
    for handle in legend.legend_handles:
        handle.set_alpha(1)
    for ax, segment in zip(panels, ids, strict=True):
        ax.scatter(segments["pc1"], segments["pc2"], s=3, color="#DDDDDD", linewidths=0)
        points = segments[segments["segment"] == segment]
        ax.scatter(
            points["pc1"], points["pc2"], s=4, alpha=0.6, color=colours[segment], linewidths=0
        )
        ax.set_title(textwrap.fill(f"{segment}. {names[segment]}", 30), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in [overview, *panels]:
        ax.grid(alpha=0.3)
    overview.set_xlabel(f"PC1 ({explained[0]:.1%} of variance)")
    overview.set_ylabel(f"PC2 ({explained[1]:.1%})")
    figure.suptitle(
        "Customers on the first two principal components (grey: all others)\nSegments that "
        "overlap here can be apart in the other dimensions",
        fontsize=11,
    )
    return figure


def format_value(value: float, kind: str) -> str:
    """One format per kind of number: money in whole units with thousands separators (41,200;
    310), ratios 0.82, shares 45%, counts 12."""
    if pd.isna(value):
        return "-"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "count":
        return f"{value:.0f}"
    return f"{value:,.0f}"


STAR_BELOW = 0.95
"""Largest share of all customers above 0 for which a zero-inflated feature is shown as its
share above 0 (starred) in the profiles; above it, the share is near 100% everywhere."""


def profile_heatmap(
    ranks: pd.DataFrame,
    medians: pd.DataFrame,
    profile: list,
    segments: list[dict],
    positive: pd.DataFrame,
    scope: str = "",
) -> Figure:
    """Each segment against everyone: colour = its customers' mean percentile among all
    customers (50 = typical; ties share their middle rank), text = the segment median in
    original units, and for a zero-inflated feature (a column of ``positive``) also the share
    of its customers above 0. A feature with the same
    median in every segment is left out and named under the figure. A zero-inflated feature
    that more than ``STAR_BELOW`` of all customers have above 0 is shown by its median like any
    other: its share above 0 would read near 100% in every segment and say nothing."""
    kinds = dict((column, kind) for column, _, kind in profile)
    positive = positive[[c for c in positive.columns if positive.loc["all", c] <= STAR_BELOW]]
    constant = [
        (column, label)
        for column, label, _ in profile
        if medians[column].nunique(dropna=False) == 1 and column not in positive.columns
    ]
    kept = [item for item in profile if item[0] not in dict(constant)]
    columns = [column for column, _, _ in kept]
    labels = [f"{label} *" if column in positive.columns else label for column, label, _ in kept]
    everyone = pd.DataFrame(50.0, index=["all"], columns=columns)
    values = pd.concat([ranks[columns], everyone])
    names = {row["segment"]: row["name"] for row in segments}
    k = len(values)
    figure = Figure(
        figsize=(max(8.0, 0.75 * len(columns) + 4.5), 0.6 * k + 2.8), layout="constrained"
    )
    ax = figure.subplots()
    image = ax.imshow(values.to_numpy(), cmap=DIVERGING, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(columns)), labels, rotation=40, ha="right", fontsize=8)
    rows = [
        textwrap.fill(f"{s}. {names[s]}", 45) if s != "all" else "all customers (median)"
        for s in values.index
    ]
    ax.set_yticks(range(k), rows, fontsize=8)
    for (i, j), value in np.ndenumerate(values.to_numpy()):
        segment, column = values.index[i], columns[j]
        text = format_value(medians.loc[segment, column], kinds[column]) + (
            f"\n{positive.loc[segment, column]:.0%} >0" if column in positive.columns else ""
        )
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=7,
            color="white" if abs(value - 50) > 32 else "black",
        )
    bar = figure.colorbar(image, ax=ax, ticks=[0, 25, 50, 75, 100])
    bar.ax.set_yticklabels(["0 lowest", "25", "50 typical", "75", "100 highest"], fontsize=7)
    bar.set_label(
        "colour: the segment's customers'\nmean percentile among all customers\n"
        "(red: above typical, blue: below)",
        fontsize=8,
    )
    ax.set_title(
        "Segment profiles: colour ranks the segment against everyone; text is its median"
        + (" (*: and its share above 0)" if len(positive.columns) else "")
    )
    notes = [
        "Medians and percentiles are over the customers for whom a value is defined "
        "(a ratio needs its denominator); '-': not defined for the segment's median customer.",
        *([scope] if scope else []),
        "Amounts are in the data's own currency units (the source does not name the currency), "
        "whole units; ratios are plain numbers; shares are percentages.",
    ]
    if len(positive.columns):
        notes.append(
            "* zero for many customers: under the median, the share of the segment's customers "
            "above 0."
        )
    if constant:
        notes.append(
            "Not shown, the same median in every segment: "
            + ", ".join(
                f"{label} {format_value(medians[column].iloc[0], kinds[column])}"
                for column, label in constant
            )
            + "."
        )
    ax.set_xlabel("\n".join(notes), fontsize=8, loc="left")
    return figure
