"""The gallery: which charts a table gets, each with its question and a finding from the data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from . import features, plots
from .plots import fmt
from .schema import Column, Schema


@dataclass(frozen=True)
class GalleryParams:
    max_categories: int
    max_pair_columns: int
    rolling_window: int
    max_panels: int = 9
    max_points: int = 2000
    seed: int = 0


@dataclass
class Chart:
    """One figure of the gallery and what it shows."""

    name: str
    """File name stem in reports/figures/."""
    title: str
    question: str
    finding: str
    figure: Figure
    values: dict[str, float | str] = field(default_factory=dict)
    """The numbers the finding quotes, for metrics.json."""


def build(frame: pd.DataFrame, schema: Schema, params: GalleryParams) -> list[Chart]:
    """Every chart the schema allows, in reading order."""
    numeric = schema.of_kind("numeric")
    group = schema.column(schema.group) if schema.group else None
    charts: list[Chart] = []
    if schema.focus:
        charts.append(distribution(frame, schema, schema.column(schema.focus), group))
    if numeric:
        charts.append(spread(frame, schema, numeric[: params.max_panels], group))
    if schema.pair:
        x, y = (schema.column(name) for name in schema.pair)
        charts.append(relationship(frame, schema, x, y, group))
    if len(numeric) >= 2:
        shown = frame
        if len(frame) > params.max_points:  # a readable plot, drawn in seconds
            shown = frame.sample(params.max_points, random_state=params.seed)
        charts.append(pairs(shown, numeric[: params.max_pair_columns], group, total=len(frame)))
        charts.append(correlation(frame, numeric))
    if group is not None:
        stack = schema.column(schema.stack) if schema.stack else None
        charts.append(composition(frame, schema, group, stack, params.max_categories))
    if schema.parts or group is not None:
        charts.append(shares(frame, schema, group, params.max_categories))
    if schema.date and schema.focus:
        date = schema.column(schema.date)
        charts.append(trend(frame, date, schema.column(schema.focus), params.rolling_window))
    return charts


def _level(column: Column, level: object) -> str:
    """A category value for a sentence: codes get their column's name ("Region 3")."""
    text = str(level)
    return f"{column.plain} {text}" if text.replace(".", "", 1).isdigit() else text


def _unit(column: Column) -> str:
    return f" {column.unit}" if column.unit else ""


def distribution(frame: pd.DataFrame, schema: Schema, focus: Column, group: Column | None) -> Chart:
    medians = features.group_medians(frame, focus.name, group.name) if group else pd.Series()
    unit = _unit(focus)
    if len(medians) >= 2:
        top, low = _level(group, medians.index[0]), _level(group, medians.index[-1])
        finding = (
            f"{top} has the highest median {focus.short}: {fmt(medians.iloc[0])}{unit}, "
            f"against {fmt(medians.iloc[-1])}{unit} for {low}."
        )
        values = {f"median_{level}": float(value) for level, value in medians.items()}
        title = f"Distribution of {focus.short} by {group.short}"
    else:
        q1, median, q3 = frame[focus.name].quantile([0.25, 0.5, 0.75])
        finding = (
            f"The median {focus.short} is {fmt(median)}{unit}; half of the {schema.entity} lie "
            f"between {fmt(q1)} and {fmt(q3)}{unit}."
        )
        values = {"median": float(median), "q1": float(q1), "q3": float(q3)}
        title = f"Distribution of {focus.short}"
    figure = plots.histogram(frame, focus, group, title=title, entity=schema.entity)
    question = f"How is {focus.short} distributed" + (
        f", and does it differ by {group.short}?" if group else "?"
    )
    return Chart("distribution", title, question, finding, figure, values)


def spread(
    frame: pd.DataFrame, schema: Schema, numeric: list[Column], group: Column | None
) -> Chart:
    if group is not None:
        # on the scale the panels show: logarithms for skewed measurements
        scaled = frame.assign(**{c.name: features.on_axis(frame[c.name], c.log) for c in numeric})
        eta = {column: features.eta_squared(scaled, column.name, group.name) for column in numeric}
        eta = {column: value for column, value in eta.items() if pd.notna(value)}
        best, worst = max(eta, key=eta.get), min(eta, key=eta.get)
        scale = ", of the logs" if any(column.log for column in numeric) else ""
        finding = (
            f"{group.label} explains {eta[best]:.0%} of the variance in {best.short} (η²{scale})"
        )
        finding += f", but only {eta[worst]:.0%} in {worst.short}." if worst != best else "."
        values = {f"eta_squared_{column.name}": round(value, 4) for column, value in eta.items()}
        title = f"Measurements by {group.short}"
        question = f"Which measurements differ most between {group.short} groups?"
    else:
        skew = {column: float(frame[column.name].skew()) for column in numeric}
        most = max(skew, key=lambda column: abs(skew[column]))
        finding = (
            f"{most.plain} is the most skewed measurement (skewness "
            f"{skew[most]:.1f}): its median describes it better than its mean."
        )
        values = {f"skewness_{column.name}": round(value, 4) for column, value in skew.items()}
        title = "Distribution of each measurement"
        question = "How spread out and how skewed is each measurement?"
    figure = plots.violins(frame, numeric, group, title=title)
    return Chart("measurements", title, question, finding, figure, values)


def relationship(
    frame: pd.DataFrame, schema: Schema, x: Column, y: Column, group: Column | None
) -> Chart:
    data = frame.dropna(subset=[x.name, y.name])
    logs = {"x_log": x.log, "y_log": y.log}
    r_all = features.axis_correlation(data, x.name, y.name, **logs)
    within = (
        features.group_correlations(data, x.name, y.name, group.name, **logs) if group else None
    )
    direction = "rises" if r_all > 0 else "falls"
    r = "r of the logs" if x.log or y.log else "r"  # as the (log) axes show the points
    if abs(r_all) < 0.1:
        finding = f"Across all {schema.entity}, {y.short} shows no linear relation to {x.short}"
    else:
        finding = f"Across all {schema.entity}, {y.short} {direction} with {x.short}"
    finding += f" ({r} = {r_all:.2f})"
    values: dict[str, float | str] = {"r_all": round(r_all, 4)}
    if within is not None and len(within) >= 2:
        values |= {f"r_{level}": round(value, 4) for level, value in within.items()}
        low, high = within.min(), within.max()
        if abs(r_all) >= 0.1 and (within * r_all < 0).all():
            finding += (
                f", yet within every {group.short} it {'falls' if r_all > 0 else 'rises'} "
                f"({r} from {low:.2f} to {high:.2f}): Simpson's paradox, the groups hide the trend."
            )
        else:
            finding += f"; within each {group.short}, {r} ranges from {low:.2f} to {high:.2f}."
    else:
        finding += "."
    title = f"{y.plain} against {x.plain.lower()}"
    figure = plots.scatter(frame, x, y, group, title=title, entity=schema.entity)
    question = f"How does {y.short} change with {x.short}?"
    return Chart("relationship", title, question, finding, figure, values)


def _name(column: Column) -> str:
    return column.plain if column.plain.isupper() else column.plain.lower()


def _symbol(method: str) -> str:
    return "Spearman ρ" if method == "spearman" else "r"


def _method(columns: list[Column]) -> str:
    # Rank correlation for skewed measurements: a few huge values would dominate Pearson's r.
    return "spearman" if any(column.log for column in columns) else "pearson"


def pairs(frame: pd.DataFrame, numeric: list[Column], group: Column | None, *, total: int) -> Chart:
    method = _method(numeric)
    ranked = features.ranked_pairs(features.correlations(frame, [c.name for c in numeric], method))
    best = ranked.iloc[0]
    labels = {column.name: _name(column) for column in numeric}
    finding = (
        f"The strongest relation is between {labels[best['a']]} and {labels[best['b']]} "
        f"({_symbol(method)} = {best['r']:.2f})"
    )
    if group is not None:
        finding += f"; colours show how far the {group.short} groups separate on each pair."
    else:
        finding += "."
    title = "Every pair of measurements" + (f", by {group.short}" if group else "")
    if total > len(frame):
        title += f" ({len(frame):,} of {total:,} rows)"
    figure = plots.pair_grid(frame, numeric, group, title=title)
    question = "Which measurements move together" + (
        f", and do the {group.short} groups separate?" if group else "?"
    )
    values = {"strongest_pair": f"{best['a']} / {best['b']}", "strongest_r": round(best["r"], 4)}
    return Chart("pairs", title, question, finding, figure, values)


def correlation(frame: pd.DataFrame, numeric: list[Column]) -> Chart:
    method = _method(numeric)
    corr = features.correlations(frame, [column.name for column in numeric], method)
    ranked = features.ranked_pairs(corr)
    strong = int((ranked["r"].abs() >= 0.5).sum())
    weakest = ranked.iloc[-1]
    labels = {column.name: _name(column) for column in numeric}
    symbol = _symbol(method)
    finding = (
        f"{strong} of {len(ranked)} pairs of measurements correlate strongly (|{symbol}| ≥ 0.5); "
        f"the weakest pair is {labels[weakest['a']]} and {labels[weakest['b']]} "
        f"({symbol} = {weakest['r']:.2f})."
    )
    title = f"Correlation between measurements ({method.capitalize()})"
    figure = plots.heatmap(corr, [column.plain for column in numeric], method=method, title=title)
    values = {"method": method, "strong_pairs": strong, "pairs": len(ranked)}
    return Chart(
        "correlation",
        title,
        "How strongly are the measurements correlated?",
        finding,
        figure,
        values,
    )


def composition(
    frame: pd.DataFrame, schema: Schema, group: Column, stack: Column | None, max_levels: int
) -> Chart:
    rows, split = (stack, group) if stack is not None else (group, None)
    table = features.crosstab(frame, rows.name, split.name if split else None)
    table = table.iloc[:max_levels] if len(table) > max_levels else table
    totals = table.sum(axis=1)
    top = _level(rows, totals.index[0])
    total = int(len(frame[frame[rows.name].notna()]))
    finding = (
        f"{top} has the most {schema.entity}: {int(totals.iloc[0]):,} of {total:,} "
        f"({totals.iloc[0] / total:.0%})"
    )
    if split is not None:
        single = [
            f"{_level(rows, level)} has only "
            f"{_level(split, table.columns[(table.loc[level] > 0).to_numpy()][0])}"
            for level in table.index
            if (table.loc[level] > 0).sum() == 1
        ]
        finding += "; " + "; ".join(single) + "." if single else "."
        title = f"{schema.entity.capitalize()} per {rows.short}, by {split.short}"
        question = f"How are the {schema.entity} spread over {rows.short} and {split.short}?"
    else:
        finding += "."
        title = f"{schema.entity.capitalize()} per {rows.short}"
        question = f"How many {schema.entity} are there per {rows.short}?"
    figure = plots.bar_counts(table, rows, split, title=title, entity=schema.entity)
    values = {f"count_{level}": int(value) for level, value in totals.items()}
    return Chart("composition", title, question, finding, figure, values)


def shares(frame: pd.DataFrame, schema: Schema, group: Column | None, max_slices: int) -> Chart:
    if schema.parts:
        totals = frame[list(schema.parts)].sum()
        totals.index = [schema.column(name).plain for name in totals.index]
        share = features.shares(totals, max_slices)
        title = f"Share of {schema.parts_label or 'the total'}"
        question = f"What makes up {schema.parts_label or 'the total'}?"
        centre = f"{len(frame):,}\n{schema.entity}"
        order = list(totals.index)
    else:
        assert group is not None
        counts = frame[group.name].value_counts()
        counts.index = counts.index.astype(str)
        share = features.shares(counts, max_slices)
        title = f"Share of {schema.entity} by {group.short}"
        question = f"What share of the {schema.entity} does each {group.short} have?"
        centre = f"{int(counts.sum()):,}\n{schema.entity}"
        order = list(group.levels)
    first, last = share.index[0], share.index[-1]
    if group is not None and not schema.parts:
        first, last = _level(group, first), _level(group, last)
    finding = (
        f"{first} is the largest share ({share.iloc[0]:.0%}); "
        f"{last} the smallest ({share.iloc[-1]:.0%})."
    )
    figure = plots.donut(share, title=title, centre=centre, order=order)
    values = {f"share_{name}": round(float(value), 4) for name, value in share.items()}
    return Chart("shares", title, question, finding, figure, values)


def trend(frame: pd.DataFrame, date: Column, focus: Column, window: int) -> Chart:
    table, frequency = features.rolling_trend(frame, date.name, focus.name, window)
    adjective, noun = plots.PERIODS[frequency]
    rolling = table.dropna(subset=["rolling"])
    first, last = rolling.iloc[0], rolling.iloc[-1]
    peak = rolling.loc[rolling["rolling"].idxmax()]
    change = last["rolling"] / first["rolling"] - 1 if first["rolling"] else float("nan")
    unit = _unit(focus)
    finding = (
        f"The {window}-{noun} rolling mean of {focus.short} went from {fmt(first['rolling'])}"
        f"{unit} to {fmt(last['rolling'])}{unit} ({change:+.0%}) between "
        f"{first['period']:%d %b %Y} and {last['period']:%d %b %Y}; it peaked at "
        f"{fmt(peak['rolling'])}{unit} around {peak['period']:%d %b %Y}."
    )
    title = f"{focus.plain} over time"
    figure = plots.trend(table, focus, window=window, frequency=frequency, title=title)
    values = {
        "first": float(first["rolling"]),
        "last": float(last["rolling"]),
        "peak": float(peak["rolling"]),
    }
    return Chart(
        "trend", title, f"How does {focus.short} change over time?", finding, figure, values
    )
