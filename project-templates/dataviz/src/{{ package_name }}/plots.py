"""The charts of the gallery, one function each, in one colour-blind-safe theme.

Every function takes prepared data and returns a ``matplotlib.figure.Figure`` built without
pyplot (no global state, no backend needed); ``save`` writes it as PNG and SVG.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import features
from .schema import Column

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
OTHER = "#999999"
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
}
WIDE = (8.0, 4.8)


def themed(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw inside the project's theme, whatever the caller's matplotlib settings are."""

    @functools.wraps(draw)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with mpl.rc_context(THEME):
            return draw(*args, **kwargs)

    return wrapper


def colours(levels: Sequence[str]) -> dict[str, str]:
    """One palette colour per level, in order; 'Other' is grey."""
    cycle = iter(PALETTE * (len(levels) // len(PALETTE) + 1))
    return {level: OTHER if level == "Other" else next(cycle) for level in levels}


def fmt(value: float) -> str:
    """A number for people: 5,000 / 216 / 17.3 / 0.42."""
    if pd.isna(value):
        return "n/a"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}"


def _thousands(axis: mpl.axis.Axis) -> None:
    """Tick labels with thousands separators (5,000), small numbers as they are (2.5)."""
    axis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}")
    )


def _levels(frame: pd.DataFrame, group: Column | None) -> list[str]:
    if group is None:
        return []
    present = set(frame[group.name].dropna().astype(str))
    return [level for level in group.levels if level in present] or sorted(present)


@themed
def histogram(
    frame: pd.DataFrame, column: Column, group: Column | None, *, title: str, entity: str
) -> Figure:
    """Histogram with a density curve of one measurement, one colour per group."""
    data = frame.dropna(subset=[column.name])
    values = data[column.name]
    # Shared bins; on a log axis seaborn takes them in log10 units.
    bins = np.histogram_bin_edges(np.log10(values) if column.log else values, bins="auto")[:41]
    fig = Figure(figsize=WIDE, layout="constrained")
    ax = fig.subplots()
    parts = (
        [(level, data[data[group.name] == level]) for level in _levels(data, group)]
        if group is not None
        else [("", data)]
    )
    palette = colours([level for level, _ in parts])
    for level, part in parts:
        median = part[column.name].median()
        label = f"{level} (median {fmt(median)} {column.unit})".strip().replace(" )", ")")
        sns.histplot(
            part[column.name],
            bins=bins,
            kde=True,
            element="step",
            alpha=0.25,
            color=palette[level],
            label=label if level else f"median {fmt(median)} {column.unit}".strip(),
            log_scale=column.log,
            ax=ax,
        )
        ax.axvline(median, color=palette[level], linestyle="--", linewidth=1.2)
    ax.set(title=title, xlabel=column.label, ylabel=f"Number of {entity}")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not column.log:
        _thousands(ax.xaxis)
    ax.legend(title=group.label if group is not None else None, loc="best")
    return fig


@themed
def violins(
    frame: pd.DataFrame, columns: Sequence[Column], group: Column | None, *, title: str
) -> Figure:
    """Small multiples: the distribution of each measurement per group, as violin + box."""
    count = len(columns)
    ncols = 2 if count in (2, 4) else min(count, 3)
    nrows = -(-count // ncols)
    fig = Figure(figsize=(3.4 * ncols, 3.2 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    levels = _levels(frame, group)
    for ax, column in zip(axes, columns, strict=False):
        data = frame.dropna(subset=[column.name])
        sns.violinplot(
            data=data,
            x=group.name if group is not None else None,
            y=column.name,
            hue=group.name if group is not None else None,
            order=levels or None,
            hue_order=levels or None,
            palette=colours(levels) if levels else None,
            color=None if levels else PALETTE[0],
            inner="box",
            cut=0,
            linewidth=0.8,
            log_scale=column.log,
            legend=False,
            ax=ax,
        )
        ax.set(title=column.plain, xlabel="", ylabel=column.unit_label or column.plain)
        ax.grid(axis="x", visible=False)
        if not column.log:
            _thousands(ax.yaxis)
        ax.tick_params(axis="x", labelrotation=20 if len(levels) > 3 else 0)
    for ax in axes[count:]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


def _fit(x: np.ndarray, y: np.ndarray, x_log: bool, y_log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares line on the axes' own scales (log axes fit in log space)."""
    fx = np.log10(x) if x_log else x
    fy = np.log10(y) if y_log else y
    slope, intercept = np.polyfit(fx, fy, 1)
    grid = np.linspace(fx.min(), fx.max(), 50)
    line = slope * grid + intercept
    return (10**grid if x_log else grid), (10**line if y_log else line)


@themed
def scatter(
    frame: pd.DataFrame, x: Column, y: Column, group: Column | None, *, title: str, entity: str
) -> Figure:
    """Scatter plot with a regression line per group and one for all rows (dashed)."""
    data = frame.dropna(subset=[x.name, y.name])
    fig = Figure(figsize=WIDE, layout="constrained")
    ax = fig.subplots()
    levels = _levels(data, group)
    palette = colours(levels)
    parts = [(level, data[data[group.name] == level]) for level in levels] if group else []
    logs = {"x_log": x.log, "y_log": y.log}
    for level, part in parts:
        r = features.axis_correlation(part, x.name, y.name, **logs)
        ax.scatter(
            part[x.name],
            part[y.name],
            s=18,
            alpha=0.6,
            color=palette[level],
            edgecolor="none",
            label=f"{level} (r = {r:.2f})",
        )
        if len(part) >= 3:
            ax.plot(*_fit(part[x.name], part[y.name], x.log, y.log), color=palette[level], lw=2)
    if not parts:
        ax.scatter(data[x.name], data[y.name], s=18, alpha=0.6, color=PALETTE[0], edgecolor="none")
    r_all = features.axis_correlation(data, x.name, y.name, **logs)
    ax.plot(
        *_fit(data[x.name], data[y.name], x.log, y.log),
        color="black",
        linestyle="--",
        lw=1.5,
        label=f"all {entity} (r = {r_all:.2f})",
    )
    if x.log:
        ax.set_xscale("log")
    if y.log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=x.label, ylabel=y.label)
    ax.legend(loc="best")
    return fig


@themed
def pair_grid(
    frame: pd.DataFrame, columns: Sequence[Column], group: Column | None, *, title: str
) -> Figure:
    """Pair plot: every pair of measurements as a scatter, each one's density on the diagonal."""
    count = len(columns)
    size = max(1.9, min(2.6, 10 / count))
    units = {column.unit_label for column in columns}
    shared_unit = units.pop() if len(units) == 1 else ""
    if shared_unit:  # one unit for all: say it once, keep the axis labels short
        title = f"{title} (all in {shared_unit})"
    width, height = size * count + 1.0, size * count + 1.5
    fig = Figure(figsize=(width, height))
    # Fixed margins (in inches) instead of constrained layout: much faster with many panels.
    fig.subplots_adjust(
        left=1.0 / width,
        right=1 - 0.1 / width,
        bottom=1.1 / height,
        top=1 - 0.45 / height,
        wspace=0.08,
        hspace=0.08,
    )
    axes = fig.subplots(count, count, sharex="col", sharey="row", squeeze=False)
    levels = _levels(frame, group)
    palette = colours(levels)
    parts = [(level, frame[frame[group.name] == level]) for level in levels] if group else []
    parts = parts or [("", frame)]
    for i, row in enumerate(columns):
        for j, col in enumerate(columns):
            ax = axes[i, j]
            if j == 0 and row.log:
                ax.set_yscale("log")
            if i == 0 and col.log:
                ax.set_xscale("log")
            if i == j:
                density = ax.twinx()  # the density has its own y scale, hidden
                for level, part in parts:
                    sns.kdeplot(
                        part[col.name].dropna(),
                        ax=density,
                        color=palette.get(level, PALETTE[0]),
                        fill=True,
                        alpha=0.3,
                        linewidth=1,
                        log_scale=col.log,
                        warn_singular=False,
                    )
                density.set(yticks=[], ylabel="")
                density.spines[["right", "top"]].set_visible(False)
            else:
                for level, part in parts:
                    ax.scatter(
                        part[col.name],
                        part[row.name],
                        s=6,
                        alpha=0.5,
                        color=palette.get(level, PALETTE[0]),
                        edgecolor="none",
                    )
            xlabel, ylabel = (col.plain, row.plain) if shared_unit else (col.compact, row.compact)
            ax.set(xlabel=xlabel if i == count - 1 else "", ylabel=ylabel if j == 0 else "")
            if i == count - 1 and not col.log:
                _thousands(ax.xaxis)
            if j == 0 and not row.log:
                _thousands(ax.yaxis)
    if levels:
        handles = [
            mpl.lines.Line2D([], [], marker="o", linestyle="", color=palette[level], label=level)
            for level in levels
        ]
        fig.legend(handles=handles, loc="lower center", ncols=len(levels), title=None)
    fig.suptitle(title)
    return fig


@themed
def bar_counts(
    table: pd.DataFrame, category: Column, stack: Column | None, *, title: str, entity: str
) -> Figure:
    """Horizontal bars of counts per category (stacked by a second one), totals at the ends."""
    height = max(2.6, 0.55 * len(table) + 1.6)
    fig = Figure(figsize=(WIDE[0], height), layout="constrained")
    ax = fig.subplots()
    names = [str(name) for name in table.index]
    left = np.zeros(len(table))
    palette = colours([str(level) for level in table.columns]) if stack else {}
    for level in table.columns:
        values = table[level].to_numpy(dtype=float)
        ax.barh(
            names,
            values,
            left=left,
            color=palette.get(str(level), PALETTE[0]),
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


@themed
def donut(shares: pd.Series, *, title: str, centre: str, order: Sequence[str] = ()) -> Figure:
    """A donut of shares of a whole: few slices, sorted, labelled directly with percentages.

    ``order`` fixes the colours (the same level has the same colour in every chart).
    """
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    palette = colours([*order, *(str(name) for name in shares.index if name not in order)])
    wedges, _ = ax.pie(
        shares.to_numpy(),
        colors=[palette[str(name)] for name in shares.index],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1.5},
    )
    for wedge, (name, share) in zip(wedges, shares.items(), strict=True):
        angle = np.deg2rad((wedge.theta1 + wedge.theta2) / 2)
        x, y = np.cos(angle), np.sin(angle)
        ax.annotate(
            f"{name}\n{share:.0%}",
            xy=(0.81 * x, 0.81 * y),
            xytext=(1.22 * x, 1.18 * y),
            ha="left" if x >= 0 else "right",
            va="center",
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.8},
        )
    ax.text(0, 0, centre, ha="center", va="center", fontsize=10)
    ax.set(title=title, aspect="equal")
    return fig


@themed
def heatmap(corr: pd.DataFrame, labels: Sequence[str], *, method: str, title: str) -> Figure:
    """Lower triangle of a correlation matrix, annotated, on a diverging scale from -1 to 1.

    The diagonal (always 1) is left out: the first row and last column would only hold it.
    """
    lower = corr.iloc[1:, :-1]
    count = len(lower)
    size = max(4.2, 0.9 * count + 2.4)
    fig = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = fig.subplots()
    mask = np.triu(np.ones_like(lower, dtype=bool), k=1)
    sns.heatmap(
        lower,
        mask=mask,
        vmin=-1,
        vmax=1,
        center=0,
        cmap="RdBu_r",
        annot=True,
        fmt=".2f",
        square=True,
        linewidths=1,
        linecolor="white",
        xticklabels=list(labels)[:-1],
        yticklabels=list(labels)[1:],
        cbar_kws={"label": f"{method.capitalize()} correlation", "shrink": 0.8},
        ax=ax,
    )
    ax.grid(False)
    ax.tick_params(axis="x", labelrotation=35)
    ax.tick_params(axis="y", labelrotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.set_title(title)
    return fig


PERIODS = {"D": ("Daily", "day"), "W": ("Weekly", "week"), "MS": ("Monthly", "month")}


@themed
def trend(
    table: pd.DataFrame, column: Column, *, window: int, frequency: str, title: str
) -> Figure:
    """Mean per period (thin) and its rolling mean (thick) over time."""
    adjective, noun = PERIODS[frequency]
    fig = Figure(figsize=WIDE, layout="constrained")
    ax = fig.subplots()
    ax.plot(table["period"], table["mean"], color=PALETTE[5], lw=1, label=f"{adjective} mean")
    ax.plot(
        table["period"],
        table["rolling"],
        color=PALETTE[0],
        lw=2.5,
        label=f"{window}-{noun} rolling mean",
    )
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if not column.log:
        _thousands(ax.yaxis)
    ax.set(title=title, xlabel="Date", ylabel=column.label)
    ax.legend(loc="best")
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


def save(
    fig: Figure, directory: Path, stem: str, *, formats: Sequence[str], dpi: int
) -> list[Path]:
    """Write ``fig`` as ``directory/stem.<format>`` for each format; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    with mpl.rc_context(THEME):
        for extension in formats:
            path = directory / f"{stem}.{extension}"
            metadata = {"Date": None} if extension == "svg" else {"Software": None}
            fig.savefig(path, dpi=dpi, metadata=metadata, facecolor="white")
            paths.append(path)
    return paths
