"""The charts of the gallery, one function each, in one colour-blind-safe theme.

Every function takes prepared data and returns a ``matplotlib.figure.Figure`` built without
pyplot (no global state, no backend needed); ``save`` writes it as PNG and SVG.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from . import features, stats
from .config import Params
from .schema import Column
from .stats import Comparison, Estimate

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. Their yellow
# (#F0E442) is left out: too pale for dots and markers on white; their black takes its place,
# so a seventh group keeps one colour in every chart, bars and dots alike.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
OTHER = "#999999"
# A second grouping's colours: the same palette in another order.
# vermillion and black first: no pink-for-female, blue-for-male convention
# The second category (sex, site) in greys, told apart by marker shape: no hue of the
# group's palette may mean something else in another figure.
SECOND = ("#000000", "#7a7a7a", "#aaaaaa", "#404040", "#999999", "#5c5c5c", "#262626")
# A second cue beside colour, for greyscale print and colour-vision deficiencies.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo")
THEME = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs everywhere
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.8,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "figure.facecolor": "white",
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "legend.frameon": False,
    "legend.fontsize": 9,
    "svg.hashsalt": "dataviz",  # stable ids inside the SVG files
    "svg.fonttype": "none",  # text stays text in the SVG: searchable, editable, selectable
}
WIDE = (8.0, 4.8)
ROUND_STEPS = [1, 2, 2.5, 5, 10]
"""Tick steps a reader counts in (no 8 or 4): 10, 20, 25, 50 and their powers of ten."""
DENSE = 1000
"""Points in one scatter beyond which the SVG copy draws them as an image."""


def themed(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw inside the project's theme, whatever the caller's matplotlib settings are."""

    @functools.wraps(draw)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with mpl.rc_context(THEME):
            figure = draw(*args, **kwargs)
            state_symlog(figure)
            return figure

    return wrapper


def state_symlog(figure: Figure) -> None:
    """Say under every labelled symlog axis where it stops being linear: a reader would
    otherwise take its equal steps for equal ratios all the way down to 0."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.get_label_text()
            if axis.get_scale() != "symlog":
                continue
            threshold = axis.get_transform().linthresh
            low, high = axis.get_view_interval()
            if low < 0:  # no negative values (the rule): the margin stays inside the linear part
                limits = ax.set_xlim if axis is ax.xaxis else ax.set_ylim
                limits(-0.1 * threshold, high)
            if label and "symlog" not in label:
                axis.set_label_text(f"{label}\n(symlog axis: linear from 0 to {fmt(threshold)})")


def set_scale(ax: mpl.axes.Axes, which: str, column: Column) -> bool:
    """Put a skewed column on its log or symlog axis (no minor ticks: hundreds of them, drawn
    slowly); False when the axis stays linear."""
    axis, scale = (ax.xaxis, ax.set_xscale) if which == "x" else (ax.yaxis, ax.set_yscale)
    if column.symlog:
        scale("symlog", linthresh=column.symlog)
    elif column.log:
        scale("log")
    else:
        return False
    axis.set_minor_locator(NullLocator())
    return True


def to_axis(values: np.ndarray | pd.Series, column: Column) -> np.ndarray:
    """Values as the column's axis spaces them (log10, symlog or as they are)."""
    values = np.asarray(values, dtype=float)
    if column.symlog:
        return mpl.scale.SymmetricalLogTransform(10, column.symlog, 1.0).transform(values)
    return np.log10(values) if column.log else values


def from_axis(values: np.ndarray, column: Column) -> np.ndarray:
    """The inverse of ``to_axis``: positions on the axis back to data values."""
    if column.symlog:
        transform = mpl.scale.SymmetricalLogTransform(10, column.symlog, 1.0)
        return transform.inverted().transform(values)
    return 10**values if column.log else values


def colours(levels: Sequence[str], palette: Sequence[str] = PALETTE) -> dict[str, str]:
    """One palette colour per level, in order; 'Other' is grey."""
    cycle = iter(tuple(palette) * (len(levels) // len(palette) + 1))
    return {level: OTHER if level == "Other" else next(cycle) for level in levels}


def places(value: float, digits: int, sep: str = ",") -> str:
    """``value`` to ``digits`` decimals, a half rounded away from zero: 49.55 → "49.6" (the
    float 49.55 is 49.549999…, which ``f"{v:.1f}"`` rounds down)."""
    step = Decimal(1).scaleb(-digits)
    text = f"{Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP):{sep}}"
    return text.lstrip("-") if text.lstrip("-").strip("0.,") == "" else text  # no "-0.00"


def fmt(value: float, like: float | None = None) -> str:
    """A number for people: 5,000 / 216 / 17.3 / 0.42. ``like``: the largest number it is
    shown with (an interval's end), whose precision it takes: "194 (95% CI 15 to 332)"."""
    if pd.isna(value):
        return "n/a"
    size = abs(value if like is None or pd.isna(like) else max(abs(value), abs(like)))
    if like is None and size >= 100 and (2 * float(value)).is_integer():
        return places(value, 0 if float(value).is_integer() else 1)  # an even count's median
    if size >= 100 or (like is None and float(value).is_integer()):
        return places(value, 0)
    if size >= 10:
        text = places(value, 1)
        return text.removesuffix(".0")
    return places(value, 2)


def finding_title(finding: str, width: int = 64) -> str:
    """A figure's title from its finding: the finding's first clause (up to its first
    interval, colon or semicolon), wrapped to lines of ``width`` characters."""
    parts = re.split(r" \(|: |; ", finding, maxsplit=1)
    clause = parts[0] if len(parts) > 1 else finding.removesuffix(".")  # "m.u." keeps its dot
    lines = len(textwrap.wrap(clause, width))
    # the narrowest width that needs no more lines: balanced lines, no word left alone
    narrow = next(w for w in range(width // 2, width + 1) if len(textwrap.wrap(clause, w)) <= lines)
    return "\n".join(textwrap.wrap(clause, narrow))


def eta_text(estimate: Estimate, logs: bool = False) -> str:
    """η² as every figure and sentence writes it: "η² of logs = 0.52 (95% CI 0.47 to 0.58)"."""
    of = " of logs" if logs else ""
    low, value, high = (places(v, 2) for v in (estimate.low, estimate.value, estimate.high))
    return f"η²{of} = {value} (95% CI {low} to {high})"


def fmt_interval(low: float, high: float) -> str:
    """ "15 to 332": both ends with the precision of the larger one; whole numbers (ends
    rounded to a step of 1 or more) stay whole: "-1 to 8", not "-1.00 to 8.00"."""
    if float(low).is_integer() and float(high).is_integer():
        return f"{low:,.0f} to {high:,.0f}"
    like = max(abs(low), abs(high))
    return f"{fmt(low, like)} to {fmt(high, like)}"


def thousands(axis: mpl.axis.Axis) -> None:
    """Tick labels with thousands separators (5,000), small numbers as they are (2.5)."""
    axis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}")
    )


def _levels(frame: pd.DataFrame, group: Column | None) -> list[str]:
    if group is None:
        return []
    present = set(frame[group.name].dropna().astype(str))
    return [level for level in group.levels if level in present] or sorted(present)


def supported(estimate: Estimate) -> Estimate:
    """One rounding rule for amounts: to the interval width's second significant digit (an
    interval 2,100 wide supports hundreds, not 9,581.5; one 123 wide supports tens), the value
    to the nearest step, the ends outward; intervals under 100 wide unchanged."""
    width = estimate.high - estimate.low
    if not width >= 100:
        return estimate
    step = 10.0 ** (np.floor(np.log10(width)) - 1)
    return Estimate(
        np.floor(estimate.value / step + 0.5) * step,
        np.floor(estimate.low / step) * step,
        np.ceil(estimate.high / step) * step,
    )


def _interval(estimate: Estimate, unit: str = "") -> str:
    if np.isnan(estimate.low):
        return f"{fmt(estimate.value)}{unit} (too few values for an interval)"
    estimate = supported(estimate)
    return f"{fmt(estimate.value)}{unit} (95% CI {fmt_interval(estimate.low, estimate.high)})"


def symlog_ticks(axis: mpl.axis.Axis, column: Column) -> None:
    """Ticks in data values on an axis that holds ``to_axis`` positions of a symlog column."""
    low, high = from_axis(np.array(axis.get_view_interval()), column)
    top = int(np.ceil(np.log10(max(high, column.symlog))))
    values = [0.0] + [10.0**k for k in range(int(np.log10(column.symlog)), top + 1)]
    values = [value for value in values if low <= value <= high]
    axis.set_ticks(to_axis(np.array(values), column), [fmt(value) for value in values])
    label = axis.get_label_text()
    axis.set_label_text(f"{label}\n(symlog axis: linear from 0 to {fmt(column.symlog)})")


def _symlog_short(label: str, column: Column) -> str:
    """A small panel's label with a short symlog note (the long one would not fit)."""
    return f"{label}\n(symlog, linear 0 to {fmt(column.symlog)})" if column.symlog else label


def _bins(values: pd.Series, column: Column, target: int = 0) -> np.ndarray:
    """Shared histogram bin edges (evenly spaced on the column's log or symlog axis), at most
    40 bins over the full range: every value falls in a bin. With a ``target`` on a linear
    axis and values recorded in steps (25 g), about that many bins, each a whole number of
    steps wide and centred on them, so that no bin gets one step more than its neighbour."""
    step = stats.resolution(values)
    if target and not (column.log or column.symlog) and step > 0:
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        width = step * max(1, int(np.ceil((high - low) / (target * step))))
        return np.arange(low - step / 2, high + width, width)
    data = to_axis(values, column)
    count = min(40, len(np.histogram_bin_edges(data, bins="auto")) - 1)
    edges = from_axis(np.histogram_bin_edges(data, bins=count), column)
    # the way back from the axis' spacing rounds: the outer edges are the data's own extremes
    edges[0], edges[-1] = np.nanmin(values), np.nanmax(values)
    return edges


@themed
def histogram(
    frame: pd.DataFrame,
    column: Column,
    group: Column | None,
    *,
    title: str,
    entity: str,
    medians: Mapping[str, Estimate] | None = None,
    scheme: Sequence[str] = PALETTE,
) -> Figure:
    """One histogram per group on a shared axis, each with its median and its 95% interval.

    Facets instead of overlaid, translucent histograms: every group's shape and median stay
    visible, even when two medians are equal.
    """
    data = frame.dropna(subset=[column.name])
    levels = _levels(data, group)
    parts = [(level, data[data[group.name].astype(str) == level]) for level in levels]
    parts = parts or [("", data)]
    edges = _bins(data[column.name], column, target=24)
    fig = Figure(figsize=(WIDE[0], 1.2 + 1.35 * len(parts)), layout="constrained")
    # one count scale for every panel: bar heights compare across groups
    axes = fig.subplots(len(parts), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    palette = colours(levels, scheme)
    unit = f" {column.unit}" if column.unit else ""
    for ax, (level, part) in zip(axes, parts, strict=True):
        ax.hist(  # the bins are ours: whole steps of the recorded resolution
            part[column.name].to_numpy(),
            bins=edges,
            color=palette.get(level, PALETTE[0]),
            alpha=0.85,
            edgecolor="white",
            linewidth=0.6,
        )
        ax.set_ylabel("")
        estimate = (medians or {}).get(level)
        if estimate is None:
            median = float(part[column.name].median())
            text = f"median {fmt(median)}{unit}"
        else:
            median = estimate.value
            text = f"median {_interval(estimate, unit)}"
            if not np.isnan(estimate.low):
                ax.axvspan(estimate.low, estimate.high, color="black", alpha=0.15, lw=0)
        ax.axvline(median, color="black", lw=1.5)
        ax.set_title(text, loc="right", fontsize=9, fontweight="normal")  # above the bars
        if level:
            ax.set_title(f"{level} (n = {len(part):,})", loc="left", fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=ROUND_STEPS, integer=True))
        ax.set_ylim(bottom=0)
        ax.grid(axis="x", visible=False)
    if not set_scale(axes[-1], "x", column):
        thousands(axes[-1].xaxis)
    # the count axis' "0" stands at the corner: the x tick labels one step lower clear it
    axes[-1].tick_params(axis="x", pad=8)
    axes[-1].set_xlabel(column.label)
    if medians and any(not np.isnan(e.low) for e in medians.values()):
        key = [
            mpl.lines.Line2D([], [], color="black", lw=1.5, label="median"),
            mpl.patches.Patch(color="black", alpha=0.15, lw=0, label="95% CI of the median"),
        ]
        fig.legend(handles=key, loc="outside lower center", ncols=2, fontsize=8)
    fig.supylabel(f"Number of {entity}", fontsize=10)
    fig.suptitle(title)
    return fig


def _violin(
    ax: mpl.axes.Axes,
    position: float,
    values: pd.Series,
    column: Column,
    colour: str,
    strip_below: int,
) -> None:
    """One violin (Gaussian kernel density, Scott's bandwidth, cut at the smallest and largest
    value, so that it never shows values the data do not have, as wide as 0.8 at its widest)
    with a box inside: the quartiles (thick), 1.5 IQR whiskers (thin) and the median (white
    dot). Under ``strip_below`` values (``Params``), where a density is a guess, every value
    is drawn too, as a small jittered point. Densities and box are computed on the axis'
    spacing (logs on a log axis, symlog values on a symlog one). Plain numpy: seaborn's scipy
    kernel density was most of the pipeline's time on a table of 9,000 rows."""
    spaced = to_axis(values.to_numpy(dtype=float), column)
    if len(spaced) == 0:
        return
    q1, median, q3 = np.percentile(spaced, [25, 50, 75])
    low = spaced[spaced >= q1 - 1.5 * (q3 - q1)].min()
    high = spaced[spaced <= q3 + 1.5 * (q3 - q1)].max()
    bandwidth = spaced.std(ddof=1) * len(spaced) ** (-1 / 5) if len(spaced) > 1 else 0.0
    grid = np.linspace(spaced.min(), spaced.max(), 120)
    if bandwidth > 0:
        density = np.zeros_like(grid)
        for chunk in np.array_split(spaced, max(1, len(spaced) // 2000)):
            density += np.exp(-0.5 * ((grid[:, None] - chunk[None, :]) / bandwidth) ** 2).sum(1)
        half = 0.4 * density / density.max()
        edge = from_axis(grid, column) if not column.symlog else grid
        ax.fill_betweenx(edge, position - half, position + half, color=colour, lw=0.8, ec="black")
    shown = (lambda v: v) if column.symlog else (lambda v: from_axis(np.asarray(v), column))
    if len(spaced) < strip_below:
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(spaced))
        ax.scatter(position + jitter, shown(spaced), s=6, color="#333333", alpha=0.7, lw=0)
    ax.vlines(position, *shown([low, high]), color="black", lw=1)
    ax.vlines(position, *shown([q1, q3]), color="black", lw=4)
    ax.scatter([position], [shown(median)], color="white", s=12, zorder=3, edgecolor="none")


@themed
def violins(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    group: Column | None,
    *,
    title: str,
    eta: Mapping[str, Estimate] | None = None,
    scheme: Sequence[str] = PALETTE,
    strip_below: int = Params.strip_below,
) -> Figure:
    """Small multiples: the distribution of each measurement per group, as violin + box.

    ``eta`` (η² per column name, with its interval) is written under each panel's title.
    """
    count = len(columns)
    ncols = 2 if count in (2, 4) else min(count, 3)
    nrows = -(-count // ncols)
    fig = Figure(figsize=(3.6 * ncols, 3.3 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    levels = _levels(frame, group)
    palette = colours(levels, scheme)
    for ax, column in zip(axes, columns, strict=False):
        data = frame.dropna(subset=[column.name])
        parts = [(level, data[data[group.name].astype(str) == level]) for level in levels]
        for position, (level, part) in enumerate(parts or [("", data)]):
            colour = palette.get(level, PALETTE[0])
            _violin(ax, position, part[column.name], column, colour, strip_below)
        ax.set_xticks(range(max(len(levels), 1)), levels or [""])
        ax.set_xlim(-0.6, max(len(levels), 1) - 0.4)
        heading = column.plain
        if eta and column.name in eta:
            heading += "\n" + eta_text(eta[column.name], column.log)  # as the gallery has it
        ax.set_title(heading, fontsize=10)
        ax.set(xlabel="", ylabel=column.unit_label or column.plain)
        ax.grid(axis="x", visible=False)
        if column.symlog:
            symlog_ticks(ax.yaxis, column)
        elif not set_scale(ax, "y", column):
            thousands(ax.yaxis)
        ax.tick_params(axis="x", labelrotation=20 if len(levels) > 3 else 0)
    for ax in axes[count:]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.supxlabel(  # the key of the box inside each violin
        "inside each violin: white dot the median, thick bar the quartiles, thin bar 1.5 IQR",
        fontsize=8,
        color="#333333",
    )
    return fig


def points(
    ax: mpl.axes.Axes,
    part: pd.DataFrame,
    xy: tuple[Column, Column],
    colour: str,
    index: int,
    *,
    size: float,
    label: str | None = None,
    hollow: bool = False,
) -> None:
    """One group's points: its colour and, for greyscale readers, its own marker shape; a
    ``hollow`` marker tells a second grouping apart."""
    x, y = xy
    marker = MARKERS[index % len(MARKERS)]
    fill = {"facecolors": "none", "edgecolors": colour, "lw": 0.9} if hollow else {"lw": 0}
    ax.scatter(
        part[x.name],
        part[y.name],
        s=size,
        alpha=0.6,
        color=None if hollow else colour,
        marker=marker,
        label=label,
        **fill,
    )


def _fit(
    x: pd.Series, y: pd.Series, x_column: Column, y_column: Column
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares line and its 95% band on the axes' own scales (a log axis fits the logs,
    a symlog axis its symlog values): a straight line as drawn, fitted on every point but
    drawn only over the middle 95 % of its x (2.5th to 97.5th percentile), so that it never
    runs out past its data and stretches the axes below or above the points."""
    fx, fy = to_axis(x, x_column), to_axis(y, y_column)
    low_x, high_x = np.nanpercentile(fx, [2.5, 97.5])
    grid = np.linspace(low_x, high_x, 50)
    line, low, high = stats.line_with_band(fx, fy, grid)
    back = functools.partial(from_axis, column=y_column)
    return from_axis(grid, x_column), back(line), back(low), back(high)


def _r(estimate: Estimate, symbol: str = "r") -> str:
    return f"{symbol} = {estimate.value:.2f} ({estimate.low:.2f} to {estimate.high:.2f})"


@themed
def scatter(
    frame: pd.DataFrame,
    x: Column,
    y: Column,
    group: Column | None,
    *,
    title: str,
    entity: str,
    clip_iqr: float,
    split: Column | None = None,
    scheme: Sequence[str] = PALETTE,
) -> Figure:
    """Scatter plot with a least-squares line and its 95% band per group and for all rows,
    each line drawn over the range of x it is fitted on; a two-level ``split`` as hollow
    (first level) and filled markers, rows without it half-filled. Far outliers (beyond
    ``clip_iqr`` × IQR) are drawn as × on the axis edge and counted in the legend."""
    data = frame.dropna(subset=[x.name, y.name])
    fig = Figure(figsize=(WIDE[0], WIDE[1] + 0.6), layout="constrained")
    ax = fig.subplots()
    levels = _levels(data, group)
    palette = colours(levels, scheme)
    parts = [(level, data[data[group.name] == level]) for level in levels] if group else []
    on_axis = {c.name: features.on_axis(data[c.name], c.log) for c in (x, y)}
    method = features.scatter_method(x, y)
    symbol = "ρ" if method == "spearman" else "r"

    def quoted(rows: pd.Index) -> str:
        """The pair's statistic with its interval: one per group in the legend."""
        return _r(
            stats.correlation(on_axis[x.name][rows], on_axis[y.name][rows], method)[0], symbol
        )

    two = split is not None and len(split.levels) == 2 and group is not None
    for index, (level, part) in enumerate(parts):
        label = f"{level}: {quoted(part.index)}"
        if not two:
            points(ax, part, (x, y), palette[level], index, size=20, label=label)
        for hollow, value in zip((True, False), split.levels if two else (), strict=False):
            kept = part[part[split.name] == value]
            points(ax, kept, (x, y), palette[level], index, size=20, label=label, hollow=hollow)
            label = None
        if two:  # fitted with the others, so drawn: half-filled
            unknown = part[part[split.name].isna()]
            ax.plot(
                unknown[x.name],
                unknown[y.name],
                ls="",
                ms=9,  # usually few rows: large enough to find
                mec="black",
                fillstyle="left",
                marker=MARKERS[index % len(MARKERS)],
                color=palette[level],
            )
        if len(part) >= 4:
            grid, line, low, high = _fit(part[x.name], part[y.name], x, y)
            ax.fill_between(grid, low, high, color=palette[level], alpha=0.2, lw=0)
            ax.plot(grid, line, color=palette[level], lw=2)
    if not parts:
        ax.scatter(data[x.name], data[y.name], s=18, alpha=0.6, color=PALETTE[0], edgecolor="none")
    grid, line, low, high = _fit(data[x.name], data[y.name], x, y)
    ax.fill_between(grid, low, high, color="black", alpha=0.12, lw=0)
    ax.plot(
        grid,
        line,
        color="black",
        linestyle="--",
        lw=1.5,
        label=f"all {entity}: {quoted(data.index)}",
    )
    set_scale(ax, "x", x)
    set_scale(ax, "y", y)
    outside = _clip_to_bulk(ax, data, (x, y), clip_iqr)
    ax.set(title=title, xlabel=x.label, ylabel=y.label)
    note = "ρ: Spearman's rank correlation" if method == "spearman" else "Pearson r"
    if two:
        unknown = int(data[split.name].isna().sum())
        gap = f", half-filled: {split.short} not recorded ({unknown})" if unknown else ""
        note = f"hollow: {split.levels[0]}, filled: {split.levels[1]}{gap}; {note}"
    far = f"beyond {clip_iqr:g}×IQR of the quartiles"
    beyond = f"\n×: {outside} of {len(data):,} {entity} {far}, on the axis edge" if outside else ""
    fig.legend(
        loc="outside lower center",
        ncols=2,
        title=f"{note} (95% intervals); lines with 95% bands{beyond}",
        title_fontsize=9,
    )
    return fig


def _clip_to_bulk(
    ax: mpl.axes.Axes, data: pd.DataFrame, axes: tuple[Column, Column], iqr: float
) -> int:
    """Limit each axis to the points within ``iqr`` × IQR of its quartiles (on the axis's own
    scale, with a margin) when some lie beyond: only genuine far outliers, which would
    otherwise squash everything else into a corner. Those are drawn as × on the edge.
    Returns how many there are."""
    beyond = np.zeros(len(data), dtype=bool)
    edge = {column.name: data[column.name].to_numpy(dtype=float) for column in axes}
    for column, limits in zip(axes, (ax.set_xlim, ax.set_ylim), strict=True):
        spaced = np.asarray(to_axis(data[column.name], column), dtype=float)
        q1, q3 = np.nanpercentile(spaced, [25, 75])
        out = (spaced < q1 - iqr * (q3 - q1)) | (spaced > q3 + iqr * (q3 - q1))
        if out.any() and not out.all():
            low, high = np.nanmin(spaced[~out]), np.nanmax(spaced[~out])
            margin = 0.04 * (high - low)
            beyond |= out
            ends = from_axis(np.array([low - margin, high + margin]), column)
            limits(*ends)
            edge[column.name] = np.clip(edge[column.name], *ends)
    if beyond.any():
        x, y = (edge[column.name][beyond] for column in axes)
        ax.scatter(x, y, marker="x", s=30, color="black", lw=1.2, clip_on=False, zorder=3)
    return int(beyond.sum())


@themed
def pair_grid(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    group: Column | None,
    *,
    title: str,
    pooled: Mapping[frozenset[str], str] | None = None,
) -> Figure:
    """Pair plot, lower triangle (seaborn's ``PairGrid`` with ``corner=True``): every pair of
    measurements once as a scatter, no mirrored upper triangle and no diagonal (each
    measurement's distribution by group is the violins' job); ``pooled`` (the pair's
    correlations as text, "pooled r = +0.87") above each panel. The key sits in the empty upper
    right corner."""
    import matplotlib.pyplot as plt
    import seaborn as sns  # here only: its import costs a second the other figures do not need

    count = len(columns) - 1  # rows: the 2nd to the last column; columns: the 1st to the 2nd last
    size = max(1.9, min(2.6, 10 / max(count, 1)))
    units = {column.unit_label for column in columns}
    shared_unit = units.pop() if len(units) == 1 else ""
    if shared_unit:  # one unit for all: say it once, keep the axis labels short
        title = f"{title} (all in {shared_unit})"
    levels = _levels(frame, group)
    palette = colours(levels)
    hue = group.name if group is not None and levels else None
    data = frame.assign(**{group.name: frame[group.name].astype(str)}) if hue else frame
    shapes = [MARKERS[k % len(MARKERS)] for k in range(len(levels))]
    grid = sns.PairGrid(
        data,
        x_vars=[c.name for c in columns[:-1]],
        y_vars=[c.name for c in columns[1:]],
        hue=hue,
        hue_order=levels or None,
        palette=palette or None,
        hue_kws={"marker": shapes} if hue else {},
        corner=True,  # removes the upper triangle: the grid is square, its diagonal is pairs
        height=size,
        despine=False,
    )
    grid.map(_pair_points)
    fig = grid.figure
    width, height = size * count + 1.0, size * count + 1.5
    fig.set_size_inches(width, height)
    # inches the title's lines take, and the top panel's two lines of r under them
    heading = 0.5 + 0.25 * (title.count("\n") + 1)
    # Fixed margins (in inches) instead of a layout engine: much faster with many panels.
    fig.subplots_adjust(
        left=1.0 / width,
        right=1 - 0.1 / width,
        bottom=0.7 / height,
        top=1 - heading / height,
        wspace=0.2,  # room between one panel's last tick label and the next one's first
        hspace=0.3,  # room for each panel's two lines of r above it
    )
    for i, row in enumerate(columns[1:]):
        for j, col in enumerate(columns[:-1]):
            ax = grid.axes[i, j]
            if ax is None:
                continue
            if j == 0:
                set_scale(ax, "y", row)
            if i == count - 1:
                set_scale(ax, "x", col)
            text = (pooled or {}).get(frozenset((col.name, row.name)))
            if text:  # above the panel, off the points
                ax.set_title(minus(text), loc="left", fontsize=8, pad=2)
            xlabel, ylabel = (col.plain, row.plain) if shared_unit else (col.compact, row.compact)
            xlabel, ylabel = _symlog_short(xlabel, col), _symlog_short(ylabel, row)
            ax.set(xlabel=xlabel if i == count - 1 else "", ylabel=ylabel if j == 0 else "")
            if i == count - 1 and not (col.log or col.symlog):
                ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=ROUND_STEPS, min_n_ticks=3))
                thousands(ax.xaxis)
            if j == 0 and not (row.log or row.symlog):
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=ROUND_STEPS, min_n_ticks=3))
                thousands(ax.yaxis)
    for ax in fig.axes:  # shared axes take the scale, not the minor locator
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() in ("log", "symlog"):
                axis.set_minor_locator(NullLocator())
    if levels:
        handles = [
            mpl.lines.Line2D(
                [], [], marker=MARKERS[k % len(MARKERS)], linestyle="", color=palette[level]
            )
            for k, level in enumerate(levels)
        ]
        fig.legend(  # in the empty upper triangle, right under the title
            handles,
            levels,
            title=group.label if group else None,
            loc="upper right",
            bbox_to_anchor=(1 - 0.3 / width, 1 - (heading + 0.1) / height),
            frameon=False,
        )
    fig.suptitle(title, y=1 - 0.08 / height, va="top")
    plt.close(fig)  # seaborn made it through pyplot: let pyplot forget it, the caller saves it
    return fig


def _pair_points(x: pd.Series, y: pd.Series, **style: object) -> None:
    """One group's points in one panel of the pair grid: seaborn makes the panel current and
    passes the group's colour and marker."""
    import matplotlib.pyplot as plt

    style.pop("label", None)
    plt.gca().scatter(x, y, s=16, alpha=0.6, lw=0, **style)


@themed
def subgroups(
    frame: pd.DataFrame,
    column: Column,
    group: Column,
    split: Column,
    medians: Mapping[tuple[str, str], Estimate],
    *,
    title: str,
    min_rows: int,
    left_out: int = 0,
) -> Figure:
    """Each row one level of ``group``: every ``split`` level's values as faint points, its
    median as a marker with its 95% interval, its number of rows at the right. Colour is the
    group's, as in every other figure; the split levels differ in marker shape. The legend
    counts the ``left_out`` rows (no split level or no value)."""
    data = frame.dropna(subset=[column.name, group.name, split.name])
    rows, inner = _levels(data, group), _levels(data, split)
    palette = colours(rows)  # the group's colours, as in the other figures
    fig = Figure(figsize=(WIDE[0], 1.6 + 0.8 * len(rows)), layout="constrained")
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only: the same picture on every run
    step = 0.7 / max(len(inner), 1)
    labelled, hollow = set(), False
    for i, row in enumerate(rows):
        for j, level in enumerate(inner):
            y = i + (j - (len(inner) - 1) / 2) * step
            values = data.loc[
                (data[group.name].astype(str) == row) & (data[split.name].astype(str) == level),
                column.name,
            ]
            if values.empty:
                continue
            jitter = rng.uniform(-step / 4, step / 4, len(values))
            ax.scatter(
                values,
                y + jitter,
                s=12,
                alpha=0.45,
                color=palette[row],
                marker=MARKERS[j % len(MARKERS)],
                lw=0,
            )
            ax.annotate(  # the cell's size, right of the axes: a median's weight at a glance
                f"n = {len(values)}",
                xy=(1, y),
                xycoords=ax.get_yaxis_transform(),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=8,
                color="#555555",
            )
            estimate = medians.get((row, level))
            if estimate is None:
                continue
            if np.isnan(estimate.low):  # too few values for an interval: a hollow marker
                hollow = True
                ax.plot(
                    estimate.value,
                    y,
                    MARKERS[j % len(MARKERS)],
                    color=palette[row],
                    markerfacecolor="white",
                    markeredgewidth=2,
                    markersize=8,
                )
                continue
            ax.errorbar(
                estimate.value,
                y,
                xerr=[[estimate.value - estimate.low], [estimate.high - estimate.value]],
                fmt=MARKERS[j % len(MARKERS)],
                color=palette[row],
                markeredgecolor="black",
                markersize=8,
                capsize=3,
                lw=2,
            )
            labelled.add(level)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    if not set_scale(ax, "x", column):
        thousands(ax.xaxis)
    ax.set(title=title, xlabel=column.label, ylabel=group.label)
    # drawn handles, not the error bars': a bar's caps would stand beside the marker as a
    # stray tick; the line through the marker reads as the interval
    handles = [
        mpl.lines.Line2D(
            [],
            [],
            marker=MARKERS[j % len(MARKERS)],
            color="#777777",  # the shape is the key: the colours are the rows'
            markeredgecolor="black",
            markersize=8,
            lw=2,
            label=level,
        )
        for j, level in enumerate(inner)
        if level in labelled
    ]
    if hollow:
        handles.append(
            mpl.lines.Line2D(
                [],
                [],
                marker="o",
                lw=0,
                color="grey",
                markerfacecolor="white",
                markeredgewidth=2,
                label=f"hollow: median only,\nunder {min_rows} values, no CI",
            )
        )
    fig.legend(  # below the plot: no empty margin beside it
        handles=handles,
        title=f"{split.label}: median and 95% CI"
        + (
            f" ({left_out} rows without {split.short} or {column.short} not shown)"
            if left_out
            else ""
        ),
        loc="outside lower center",
        ncols=len(inner) + hollow,
        title_fontsize=9,
    )
    return fig


LABEL_NOTES = {
    stats.REVERSED: "reversed with {} held fixed",
    stats.VANISHES: "vanishes with {} held fixed",
    stats.BETWEEN_GROUPS: "mostly between {} means",
    stats.APPEARS: "appears with {} held fixed",
    stats.NOT_ESTABLISHED: "only in some {} groups",
    stats.NO_RELATION: "no relation",
    stats.DIFFERS: "{} groups differ",
}


@themed
def correlation_intervals(
    comparisons: Sequence[Comparison],
    labels: Mapping[str, str],
    *,
    group: Column | None,
    method: str,
    title: str,
) -> Figure:
    """Each pair of measurements one row: the pooled correlation (black diamond), the one with
    the grouping held fixed (open diamond, an arrow from the pooled one) and the one within each
    group (shapes and colours), each with its 95% interval, and the row's label.

    A pooled value that a grouping reverses shows at once: the arrow crosses zero.
    """
    levels = list(comparisons[0].within) if comparisons else []
    palette = colours(levels)
    held = f"{group.short} held fixed" if group else "held fixed"
    held_name = f"{held} (not drawn where the groups differ)"
    height = 1.8 + 0.3 * len(comparisons) * (2 + len(levels)) ** 0.5
    fig = Figure(figsize=(WIDE[0] + 1, height), layout="constrained")
    ax = fig.subplots()
    series = [("pooled (all rows)", "pooled")]
    if levels:
        series.append((held_name, "held"))
    series += [(level, level) for level in levels]
    step = 0.75 / len(series)
    offset = {key: (j - (len(series) - 1) / 2) * step for j, (_, key) in enumerate(series)}
    named: set[str] = set()  # each series in the legend once, from its first drawn mark
    for i, comparison in enumerate(comparisons):
        for name, key in series:
            if key == "pooled":
                estimate, style = comparison.pooled, {"fmt": "D", "color": "black", "ms": 6}
            elif key == "held":  # no average of groups that differ
                estimate = comparison.quoted
                style = {"fmt": "D", "color": "black", "ms": 6, "mfc": "white"}
            else:
                estimate = comparison.within.get(key)
                marker = MARKERS[levels.index(key) % len(MARKERS)]
                style = {"fmt": marker, "color": palette[key], "ms": 5}
            if estimate is None or pd.isna(estimate.value):
                continue
            low, high = estimate.low, estimate.high
            bars = None if pd.isna(low) else [[estimate.value - low], [high - estimate.value]]
            ax.errorbar(
                estimate.value,
                i + offset[key],
                xerr=bars,
                capsize=2,
                lw=1.4,
                label=None if name in named else name,
                **style,
            )
            named.add(name)
        if levels and comparison.quoted is not None:
            y = i + offset["held"]
            ax.annotate(  # from the pooled value to the held-fixed one
                "",
                xy=(comparison.held.value, y),
                xytext=(comparison.pooled.value, i + offset["pooled"]),
                arrowprops={"arrowstyle": "->", "color": "#777777", "lw": 0.9},
            )
    ticks = []
    for comparison in comparisons:
        text = f"{labels[comparison.a]} × {labels[comparison.b]}"
        if comparison.within:
            note = LABEL_NOTES.get(comparison.label, "holds with {} held fixed")
            if comparison.label == stats.REVERSED and not (
                comparison.unclear or comparison.against
            ):
                note = "reversed in every {}"  # each group's own interval says so
            if comparison.differs and comparison.label != stats.DIFFERS:
                note += "; groups differ"  # no common value
            text += "\n" + note.format(group.short if group else "group")
        ticks.append(text)
    ax.set_yticks(range(len(comparisons)), ticks, fontsize=9)
    ax.set_ylim(len(comparisons) - 0.5, -0.5)
    ax.axvline(0, color="#555555", lw=1)
    ax.grid(axis="y", visible=False)
    ends = [e for c in comparisons for e in (c.pooled, c.held, *c.within.values())]
    low = min([0.0] + [e.low for e in ends if pd.notna(e.low)])
    high = max([0.0] + [e.high for e in ends if pd.notna(e.high)])
    ax.set_xlim(max(-1.0, low - 0.1), min(1.0, high + 0.1))  # the data's range, with 0
    symbol = "Spearman ρ" if method == "spearman" else "Pearson r"
    ax.set(xlabel=f"{symbol} with its 95% interval")
    fig.suptitle(title)
    if levels:
        fig.legend(  # below the axis: the data keep the figure's width
            loc="outside lower center",
            ncols=min(len(series), 5),
            fontsize=9,
        )
    return fig


def minus(text: str) -> str:
    """Text with the true minus sign, as matplotlib's tick labels have it."""
    return text.replace("-", "\N{MINUS SIGN}")


@themed
def bar_counts(
    table: pd.DataFrame,
    category: Column,
    stack: Column | None,
    *,
    title: str,
    entity: str,
    scheme: Sequence[str] = PALETTE,
) -> Figure:
    """Horizontal bars of counts per category (stacked by a second one), totals at the ends."""
    height = max(2.6, 0.55 * len(table) + 1.6)
    fig = Figure(figsize=(WIDE[0], height), layout="constrained")
    ax = fig.subplots()
    names = [str(name) for name in table.index]
    left = np.zeros(len(table))
    palette = colours([str(level) for level in table.columns], scheme) if stack else {}
    for index, level in enumerate(table.columns):
        values = table[level].to_numpy(dtype=float)
        ax.barh(
            names,
            values,
            left=left,
            color=palette.get(str(level), PALETTE[0]),
            hatch=HATCHES[index % len(HATCHES)] if stack else None,
            label=str(level),
            edgecolor="white",
        )
        left += values
    total = left.sum()
    for y, value in enumerate(left):
        ax.annotate(
            f"{value:,.0f} ({value / total:.0%})",
            (value, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.invert_yaxis()  # largest on top
    ax.set_xlim(0, left.max() * 1.18)
    ax.grid(axis="y", visible=False)
    ax.set(title=title, xlabel=f"Number of {entity}", ylabel=category.label)
    if stack is not None:
        ax.legend(title=stack.label, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars
    return fig


def mark_sample(fig: Figure) -> None:
    """Stamp a figure made from the synthetic sample, so it cannot pass for real results."""
    fig.text(
        0.005,
        0.005,
        "SYNTHETIC SAMPLE, not real data",
        ha="left",
        va="bottom",
        fontsize=8,
        fontweight="bold",
        color=PALETTE[3],
    )


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose rendered boxes overlap (titles, labels, ticks, legends, notes),
    texts cut by the figure's edge (paired with "the figure's edge"), and a figure title over
    a panel's plotting area (paired with "a panel").

    The figure is drawn with the Agg renderer; tick labels outside their axis' view are not
    drawn and not counted.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            if not axis.get_visible():  # e.g. a twin axis: its label is not drawn either
                hidden.update({id(axis.label), id(axis.offsetText)})
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not axis.get_visible() or not low - slack <= tick.get_loc() <= high + slack:
                    hidden.update({id(tick.label1), id(tick.label2)})

    def shown(text: Text) -> bool:
        visible = text.get_visible() and (text.axes is None or text.axes.get_visible())
        return visible and bool(text.get_text().strip()) and id(text) not in hidden

    texts = [t for t in fig.findobj(Text) if shown(t)]
    # A text 2 px away from another already reads as one: each box grows by 1 px.
    boxes = [t.get_window_extent(renderer).padded(1.0) for t in texts]
    page = fig.bbox.padded(2.0)  # the boxes grew by 1 px: allow that much past the edge
    cut = [
        (text.get_text(), "the figure's edge")
        for text, box in zip(texts, boxes, strict=True)
        if box.x0 < page.x0 or box.y0 < page.y0 or box.x1 > page.x1 or box.y1 > page.y1
    ]
    title = fig._suptitle  # matplotlib keeps no public handle on it
    if title is not None and shown(title):
        box = title.get_window_extent(renderer)
        panels = [ax.bbox for ax in fig.axes if ax.get_visible() and ax.axison]
        cut += [(title.get_text(), "a panel") for panel in panels if box.overlaps(panel)][:1]
    return cut + [
        (texts[i].get_text(), texts[j].get_text())
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if boxes[i].overlaps(boxes[j])
    ]


def save(
    fig: Figure, directory: Path, stem: str, *, formats: Sequence[str], dpi: int
) -> list[Path]:
    """Write ``fig`` as ``directory/stem.<format>`` for each format; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    # A cloud of thousands of points goes into the SVG as one image at ``dpi``: one <path> per
    # point made the files slow to write and to open. Lines, intervals and text stay vector.
    for points in fig.findobj(mpl.collections.PathCollection):
        points.set_rasterized(len(points.get_offsets()) > DENSE)
    with mpl.rc_context(THEME):
        for extension in formats:
            path = directory / f"{stem}.{extension}"
            metadata = {"Date": None} if extension == "svg" else {"Software": None}
            fig.savefig(path, dpi=dpi, metadata=metadata, facecolor="white")
            paths.append(path)
            # the layout is settled by the first drawing: the next formats reuse it (laying
            # out every text again was a third of the run)
            fig.set_layout_engine("none")
    return paths
