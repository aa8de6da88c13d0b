"""The gallery: which charts a table gets, each with its question and a finding from the data.

Every finding quotes its numbers with 95% intervals (``stats``), calls a difference whose
interval holds zero "not distinguishable" (never a tie), says "too few values to compare"
where no interval was computed, and names a grouping that reverses a pooled correlation.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from . import features, plots, stats
from .plots import fmt, fmt_interval
from .schema import Column, Schema, identities
from .stats import Comparison, Estimate


@dataclass(frozen=True)
class GalleryParams:
    max_categories: int
    max_pair_columns: int
    max_panels: int = 9
    max_points: int = 2000
    seed: int = 0
    resamples: int = 2000
    """Bootstrap resamples behind every interval of a median, a difference or η²."""
    min_group_rows: int = 10
    """Smallest group whose own correlation is computed (and compared with the pooled one)."""
    min_median_rows: int = 25
    """Smallest group whose median (and median difference) gets a bootstrap interval."""
    max_correlation_pairs: int = 15


@dataclass
class Chart:
    """One figure of the gallery and what it shows."""

    name: str
    """File name stem in reports/figures/."""
    title: str
    question: str
    finding: str
    figure: Figure
    values: dict[str, object] = field(default_factory=dict)
    """The numbers the finding quotes, for metrics.json."""
    summary: str = ""
    """The finding in one sentence, for the README's headline ("" : the finding is short)."""


def build(frame: pd.DataFrame, schema: Schema, params: GalleryParams) -> list[Chart]:
    """Every chart the schema allows, in reading order."""
    numeric = schema.of_kind("numeric")
    group = schema.column(schema.group) if schema.group else None
    charts: list[Chart] = []
    if schema.focus:
        focus = schema.column(schema.focus)
        charts.append(distribution(frame, schema, focus, group, params))
        if group is not None and schema.split and schema.split != schema.group:
            charts.append(
                subgroups(frame, schema, focus, group, schema.column(schema.split), params)
            )
    if numeric:
        charts.append(spread(frame, schema, numeric[: params.max_panels], group, params))
    if schema.pair:
        x, y = (schema.column(name) for name in schema.pair)
        charts.append(relationship(frame, schema, x, y, group, params))
    if len(numeric) >= 2:
        shown = frame
        if len(frame) > params.max_points:  # a readable plot, drawn in seconds
            shown = frame.sample(params.max_points, random_state=params.seed)
        drawn = numeric[: params.max_pair_columns]
        charts.append(pairs(frame, schema, shown, drawn, group, params, numeric[len(drawn) :]))
        charts.append(correlation(frame, schema, numeric[: params.max_panels], group, params))
    if group is not None:
        stack = schema.column(schema.stack) if schema.stack else None
        charts.append(composition(frame, schema, group, stack, params.max_categories))
    if schema.parts:
        charts.append(shares(frame, schema, group, params))
    return charts


def _level(column: Column, level: object) -> str:
    """A category value for a sentence: codes get their column's name ("Region 3")."""
    text = str(level)
    return f"{column.plain} {text}" if text.replace(".", "", 1).isdigit() else text


def unit_suffix(column: Column) -> str:
    return f" {column.unit}" if column.unit else ""


def with_ci(
    estimate: Estimate, unit: str = "", digits: int | None = None, *, inside: bool = False
) -> str:
    """ "5,000 g (95% CI 4,900 to 5,200)", or "…, 95% CI … to …" ``inside`` brackets;
    ``digits`` for correlations and η²."""
    show = (lambda v: f"{v:.{digits}f}") if digits is not None else fmt
    if pd.isna(estimate.low):
        note = "too few values for an interval"
        return (
            f"{show(estimate.value)}{unit}, {note}"
            if inside
            else f"{show(estimate.value)}{unit} ({note})"
        )
    ends = f"{show(estimate.low)} to {show(estimate.high)}"
    interval = "95% CI " + (
        ends if digits is not None else fmt_interval(estimate.low, estimate.high)
    )
    value = f"{show(estimate.value)}{unit}"
    return f"{value}, {interval}" if inside else f"{value} ({interval})"


def _pct(estimate: Estimate, *, inside: bool = False) -> str:
    interval = f"95% CI {estimate.low:.0%} to {estimate.high:.0%}"
    return f"{estimate.value:.0%}, {interval}" if inside else f"{estimate.value:.0%} ({interval})"


def _open_range(step: Estimate, unit: str) -> str:
    """What an interval holding zero leaves open, in words."""
    if pd.isna(step.low):
        return "a group has too few values for an interval"
    return (
        f"the difference's 95% CI, {fmt_interval(step.low, step.high)}{unit}, holds zero, so "
        "neither no difference nor one of that size is excluded"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def seed_for(params: GalleryParams, *names: object) -> int:
    """A seed per quantity, fixed by the project's seed: intervals do not depend on the order
    in which they are computed. A checksum of the names, so that anagrams ("ab", "ba") get
    different seeds."""
    return params.seed + zlib.crc32("|".join(map(str, names)).encode()) % 1_000_000


def _split_by(frame: pd.DataFrame, value: str, group: Column) -> dict[str, pd.Series]:
    data = frame.dropna(subset=[value, group.name])
    parts = {str(k): part[value] for k, part in data.groupby(group.name, observed=True)}
    return {level: part for level, part in parts.items() if len(part)}


def ranked_medians(
    parts: dict[str, pd.Series], params: GalleryParams, key: str
) -> tuple[dict[str, Estimate], list[tuple[str, str, Estimate]]]:
    """Each part's median with its interval, highest first, and the difference of each
    neighbour pair in that order (higher minus lower) with its interval."""
    # each part's bootstrap medians once: its interval and both neighbour differences use them
    # (the parts are independent samples, so their replicates subtract)
    replicates = {
        level: stats.median_replicates(
            part, resamples=params.resamples, seed=seed_for(params, key, level)
        )
        for level, part in parts.items()
    }
    point = {level: float(part.median()) for level, part in parts.items()}
    enough = {level: part.count() >= params.min_median_rows for level, part in parts.items()}
    medians = {
        level: stats.from_replicates(replicates[level], point[level], usable=enough[level])
        for level in parts
    }
    order = sorted(medians, key=lambda level: -medians[level].value)
    steps = [
        (
            high,
            low,
            stats.from_replicates(
                replicates[high] - replicates[low],
                point[high] - point[low],
                usable=enough[high] and enough[low],
            ),
        )
        for high, low in zip(order, order[1:], strict=False)
    ]
    return {level: medians[level] for level in order}, steps


def distribution(
    frame: pd.DataFrame, schema: Schema, focus: Column, group: Column | None, params: GalleryParams
) -> Chart:
    unit = unit_suffix(focus)
    parts = _split_by(frame, focus.name, group) if group is not None else {}
    values: dict[str, object] = {}
    if len(parts) >= 2:
        assert group is not None
        medians, steps = ranked_medians(parts, params, focus.name)
        name = {level: _level(group, level) for level in medians}
        high, low, first = steps[0]
        most = "higher" if len(medians) == 2 else "highest"
        if pd.isna(first.low):
            finding = (
                f"{name[high]} has the {most} median {focus.short}, "
                f"{with_ci(medians[high], unit, inside=True)}, against "
                f"{fmt(medians[low].value)}{unit} for {name[low]}: too few values to compare"
            )
        elif first.spans_zero:
            finding = (
                f"{name[high]} and {name[low]} are not distinguishable at the top by median "
                f"{focus.short}: {fmt(medians[high].value)} and {fmt(medians[low].value)}{unit}, "
                f"{_open_range(first, unit)}"
            )
        else:
            finding = (
                f"{name[high]} has the {most} median {focus.short}, "
                f"{with_ci(medians[high], unit)}: {with_ci(first, unit)} above {name[low]}"
            )
        for upper, lower, step in steps[1:]:
            if pd.isna(step.low):
                finding += f"; {name[upper]} and {name[lower]}: too few values to compare"
            elif step.spans_zero:
                finding += (
                    f"; {name[upper]} ({fmt(medians[upper].value)}{unit}) and {name[lower]} "
                    f"({fmt(medians[lower].value)}{unit}) are not distinguishable: "
                    f"{_open_range(step, unit)}"
                )
            else:
                finding += f"; {name[upper]} is {with_ci(step, unit)} above {name[lower]}"
        finding += "."
        for level, estimate in medians.items():
            values[f"median_{level}"] = estimate.value
            values[f"median_{level}_ci"] = [estimate.as_dict()["low"], estimate.as_dict()["high"]]
        values["differences"] = [
            {"higher": upper, "lower": lower, **step.as_dict()} for upper, lower, step in steps
        ]
        title = f"Distribution of {focus.short} by {group.short}"
    else:
        median = stats.median_interval(
            frame[focus.name],
            resamples=params.resamples,
            seed=seed_for(params, focus.name),
            min_rows=params.min_median_rows,
        )
        q1, q3 = frame[focus.name].quantile([0.25, 0.75])
        finding = (
            f"The median {focus.short} is {with_ci(median, unit)}; half of the {schema.entity} "
            f"lie between {fmt(q1)} and {fmt(q3)}{unit}."
        )
        medians = {"": median}
        values = {
            "median": median.value,
            "median_ci": [median.as_dict()["low"], median.as_dict()["high"]],
        }
        values |= {"q1": float(q1), "q3": float(q3)}
        title = f"Distribution of {focus.short}"
    figure = plots.histogram(
        frame, focus, group, title=title, entity=schema.entity, medians=medians
    )
    question = f"How is {focus.short} distributed" + (
        f", and does it differ by {group.short}?" if group else "?"
    )
    return Chart("distribution", title, question, finding, figure, values)


def subgroups(
    frame: pd.DataFrame,
    schema: Schema,
    focus: Column,
    group: Column,
    split: Column,
    params: GalleryParams,
) -> Chart:
    """The main measurement by group and a second category: does the second one matter within
    each group?"""
    data = frame.dropna(subset=[focus.name, group.name, split.name])
    unit = unit_suffix(focus)
    medians: dict[tuple[str, str], Estimate] = {}
    # (group level, split level, reference level, difference): every split level against the
    # first one the group has, in the column's order (no picking of the widest gap)
    gaps: list[tuple[str, str, str, Estimate]] = []
    for level, part in data.groupby(group.name, observed=True):
        inner = _split_by(part, focus.name, split)
        if len(inner) < 2:
            continue
        ranked, _ = ranked_medians(inner, params, f"{focus.name}|{level}")
        medians |= {(str(level), key): estimate for key, estimate in ranked.items()}
        reference, *others = [v for v in split.levels if v in inner] or list(inner)
        for other in others:
            gap = stats.difference(
                inner[other],
                inner[reference],
                resamples=params.resamples,
                seed=seed_for(params, focus.name, level, other, reference),
                min_rows=params.min_median_rows,
            )
            gaps.append((str(level), other, reference, gap))
    left_out = len(frame) - len(data)
    title = f"{focus.plain} by {group.short} and {split.short}"
    if not gaps:
        finding = f"No {group.short} has two {split.short} groups to compare."
    else:
        pairs_named = {(b, a) for _, b, a, _ in gaps}
        if len(pairs_named) == 1:
            b, a = next(iter(pairs_named))
            lead = f"{_capital(_level(split, b))} minus {_level(split, a)} median {focus.short}: "
            pieces = [
                f"{with_ci(gap, unit)} in {_level(group, g)}"
                for g, _, _, gap in gaps
                if pd.notna(gap.low)  # a number without an interval stays out of the text
            ]
        else:
            references = sorted({_level(split, a) for _, _, a, _ in gaps})
            lead = f"Median {focus.short} of each {split.short} minus {' or '.join(references)}: "
            pieces = [
                f"{_level(split, b)} {with_ci(gap, unit)} in {_level(group, g)}"
                for g, b, _, gap in gaps
                if pd.notna(gap.low)
            ]
        finding = lead + ", ".join(pieces) if pieces else ""
        signs = {gap.value > 0 for *_, gap in gaps}
        named = {
            (g, b, a): f"{_level(split, b)} and {_level(split, a)} in {_level(group, g)}"
            for g, b, a, _ in gaps
        }
        ties = [named[g, b, a] for g, b, a, gap in gaps if gap.spans_zero and pd.notna(gap.low)]
        too_few = [named[g, b, a] for g, b, a, gap in gaps if pd.isna(gap.low)]
        if len(pairs_named) == 1 and len(signs) == 1 and not ties and not too_few:
            more = "higher" if signs.pop() else "lower"
            finding += f": {_level(split, b)} is {more} within every {group.short}"
        if ties:
            finding += f"; not distinguishable (the interval holds zero): {'; '.join(ties)}"
        if too_few:  # named, with no number: a number without an interval stays out
            few = (
                f"too few values to compare (a group under {params.min_median_rows}, no "
                f"interval computed): {'; '.join(too_few)}"
            )
            finding += f"; {few}" if finding else _capital(few)
        finding += "."
    if left_out:
        finding = finding[:-1] + f" ({left_out:,} {schema.entity} without {split.short} left out)."
    values: dict[str, object] = {
        "left_out": left_out,
        "medians": {f"{g} / {s}": e.as_dict() for (g, s), e in medians.items()},
        "differences": {
            f"{g}: {b} − {a}": {"level": b, "reference": a, **gap.as_dict()}
            for g, b, a, gap in gaps
        },
    }
    figure = plots.subgroups(data, focus, group, split, medians, title=title)
    question = f"Within each {group.short}, does {focus.short} differ by {split.short}?"
    return Chart("subgroups", title, question, finding, figure, values)


def spread(
    frame: pd.DataFrame,
    schema: Schema,
    numeric: list[Column],
    group: Column | None,
    params: GalleryParams,
) -> Chart:
    eta: dict[str, Estimate] = {}
    if group is not None:
        # on the scale the panels show: logarithms for skewed measurements
        scaled = frame.assign(**{c.name: features.on_axis(frame[c.name], c.log) for c in numeric})
        names = [column.name for column in numeric]
        replicates = stats.eta_squared_replicates(
            scaled, names, group.name, resamples=params.resamples, seed=seed_for(params, "eta")
        )
        eta = {
            name: stats.from_replicates(replicates[1:, j], float(replicates[0, j]))
            for j, name in enumerate(names)
            if pd.notna(replicates[0, j])
        }
        by_name = {column.name: column for column in numeric}
        best = max(eta, key=lambda name: eta[name].value)
        worst = min(eta, key=lambda name: eta[name].value)
        scale = ", of the logs" if any(column.log for column in numeric) else ""
        finding = (
            f"{group.label} explains {_pct(eta[best])} of the variance in "
            f"{by_name[best].short} (η²{scale})"
        )
        gap, points = None, 0
        if worst != best:
            # the same bootstrap samples behind both: the difference's interval is paired
            gap = stats.paired_difference(replicates, names.index(best), names.index(worst))
            # the gap between the two percentages as shown, so the displayed arithmetic adds up
            points = round(100 * eta[best].value) - round(100 * eta[worst].value)
            finding += (
                f", {'against only' if not gap.spans_zero else 'and'} {_pct(eta[worst])} in "
                f"{by_name[worst].short}. The gap is {points} percentage point"
                f"{'' if points == 1 else 's'} "
                f"(95% CI {100 * gap.low:.0f} to {100 * gap.high:.0f}, paired bootstrap)"
            )
        finding += "."
        values: dict[str, object] = {f"eta_squared_{name}": e.as_dict() for name, e in eta.items()}
        if gap is not None:
            values["eta_squared_difference"] = {
                "group": group.name,
                "higher": best,
                "lower": worst,
                **gap.as_dict(),
                "shown_points": points,
            }
        title = f"Measurements by {group.short}"
        question = f"Which measurements differ most between {group.short} groups?"
    else:
        skew = {
            column: stats.skewness_interval(
                frame[column.name],
                resamples=params.resamples,
                seed=seed_for(params, "skew", column.name),
            )
            for column in numeric
        }
        most = max(skew, key=lambda column: abs(skew[column].value))
        finding = (
            f"{most.plain} is the most skewed measurement (skewness "
            f"{with_ci(skew[most], digits=1)}): its median describes it better than its mean."
        )
        values = {f"skewness_{column.name}": e.as_dict() for column, e in skew.items()}
        title = "Distribution of each measurement"
        question = "How spread out and how skewed is each measurement?"
    figure = plots.violins(frame, numeric, group, title=title, eta=eta)
    return Chart("measurements", title, question, finding, figure, values)


def describe(comparison: Comparison, group: Column, symbol: str) -> str:
    """What a grouping does to a pooled correlation, in words, with the numbers."""
    low, high = comparison.within_range
    within = f"{symbol} from {low:.2f} to {high:.2f}"
    weakest = min(comparison.within.values(), key=lambda e: abs(e.value))
    clear = all(not e.spans_zero for e in comparison.within.values())
    if clear and comparison.verdict in (stats.REVERSED, stats.HIDDEN):
        # the group nearest zero, with its interval: even it is on the far side of zero
        within += f"; even the weakest has a 95% CI of {weakest.low:.2f} to {weakest.high:.2f}"
    verdict = comparison.verdict
    if verdict == stats.REVERSED:
        turn = "rises" if comparison.pooled.value < 0 else "falls"
        return (
            f", yet within every {group.short} it {turn} ({within}): Simpson's paradox, "
            f"the {group.short} groups reverse the pooled trend"
        )
    if verdict == stats.PARTLY_REVERSED:
        flipped = [
            _level(group, level)
            for level, e in comparison.within.items()
            if e.value * comparison.pooled.value < 0 and not e.spans_zero
        ]
        where = ", ".join(flipped)
        return f", but within {where} the sign is the opposite ({within} by {group.short})"
    if verdict == stats.HIDDEN:
        return f", but within every {group.short} there is one ({within}): the groups hide it"
    if verdict == stats.BETWEEN_GROUPS:
        return (
            f", but within each {group.short} it is weaker ({within}, every interval short of the "
            f"pooled value): much of it is the difference between {group.short} groups"
        )
    if verdict == stats.STRONGER_WITHIN:
        return (
            f", and within each {group.short} it is stronger ({within}, every interval beyond "
            f"the pooled value): mixing the {group.short} groups dilutes it"
        )
    if verdict == stats.UNLIKE_EVERY_GROUP:
        return (
            f", but the pooled value lies outside every {group.short}'s interval ({within}): "
            f"it describes none of the {group.short} groups"
        )
    if verdict == stats.UNLIKE_SOME_GROUPS:
        where = ", ".join(_level(group, level) for level in comparison.unlike)
        return (
            f"; within each {group.short}, {within}, and the pooled value lies outside the "
            f"interval of {where}"
        )
    return f"; within each {group.short}, {within}, every interval holding the pooled value"


def relationship(
    frame: pd.DataFrame,
    schema: Schema,
    x: Column,
    y: Column,
    group: Column | None,
    params: GalleryParams,
) -> Chart:
    data = frame.dropna(subset=[x.name, y.name])
    scaled = data.assign(
        **{
            x.name: features.on_axis(data[x.name], x.log),
            y.name: features.on_axis(data[y.name], y.log),
        }
    )
    method = features.scatter_method(x, y)
    pooled, n = stats.correlation(scaled[x.name], scaled[y.name], method)
    # as the (log) axes show the points; ranks for zero-heavy columns a log axis cannot show
    r = _symbol(method)  # the pair's statistic in every other chart too
    if pooled.spans_zero:
        finding = (
            f"Across all {schema.entity}, no linear relation of {y.short} to {x.short} is shown"
        )
    else:
        direction = "rises" if pooled.value > 0 else "falls"
        finding = f"Across all {schema.entity}, {y.short} {direction} with {x.short}"
    finding += f" ({r} = {with_ci(pooled, digits=2, inside=True)})"
    values: dict[str, object] = {
        "r_all": round(pooled.value, 4),
        "r_all_ci": [pooled.low, pooled.high],
        "n": n,
    }
    comparisons = (
        stats.compare_within(
            scaled, [x.name, y.name], group.name, method=method, min_rows=params.min_group_rows
        )
        if group is not None
        else []
    )
    if comparisons:
        assert group is not None
        comparison = comparisons[0]
        finding += describe(comparison, group, r)
        values["within"] = {level: e.as_dict() for level, e in comparison.within.items()}
        values["verdict"] = comparison.verdict
        if schema.split and schema.split != group.name:
            finding += one_level_down(
                scaled, [x.name, y.name], group, schema, params, values, r, method
            )
        if "within_group_adjusted" not in values:
            by_group, _, groups = stats.within_correlation(
                scaled, x.name, y.name, group.name, method
            )
            values["within_group_adjusted"] = {**by_group.as_dict(), "groups": groups}
    finding += "."
    held = group.short if group is not None else ""
    if "within_cells_adjusted" in values:
        held += f" and {schema.column(schema.split).short}"
    summary = held_fixed_summary(values, x, y, held, schema.entity, r)
    inner = values.get("within_cells_adjusted") or values.get("within_group_adjusted")
    fixed = None
    if isinstance(inner, dict) and inner["low"] is not None:
        fixed = (f"{held} held fixed", Estimate(inner["value"], inner["low"], inner["high"]))
    title = f"{y.plain} against {x.plain.lower()}"
    figure = plots.scatter(frame, x, y, group, title=title, entity=schema.entity, held=fixed)
    question = f"How does {y.short} change with {x.short}?"
    return Chart("relationship", title, question, finding, figure, values, summary)


def one_level_down(
    frame: pd.DataFrame,
    names: list[str],
    group: Column,
    schema: Schema,
    params: GalleryParams,
    values: dict[str, object],
    symbol: str,
    method: str = "pearson",
) -> str:
    """The same pair inside the cells of the group and the second grouping: does the
    within-group relation survive, or is it the second grouping one level down? Leads with
    the one adjusted number (both groupings held fixed), then the cells one by one."""
    cells, cell = crossed(frame, group, schema.column(schema.split))
    found = stats.compare_within(
        cells, names, cell.name, method=method, min_rows=params.min_group_rows
    )
    if not found:
        return ""
    within = found[0].within
    values["within_cells"] = {level: e.as_dict() for level, e in within.items()}
    by_group, _, groups = stats.within_correlation(frame, *names, group.name, method)
    adjusted, n, count = stats.within_correlation(cells, *names, cell.name, method)
    values["within_group_adjusted"] = {**by_group.as_dict(), "groups": groups}
    split = schema.column(schema.split)
    values["within_cells_adjusted"] = {
        **adjusted.as_dict(),
        "n": n,
        "cells": count,
        "grouping": f"{group.short} × {split.short}",
    }
    spread = stats.heterogeneity(
        cells, *names, cell.name, method=method, min_rows=params.min_group_rows
    )
    how = (
        "ranks taken within each group"
        if method == "spearman"
        else "each value minus its group's mean"
    )
    text = (
        f". Held fixed ({how}): by {group.short} alone "
        f"{symbol} = {with_ci(by_group, digits=2, inside=True)}. By {group.short} and "
        f"{split.short} together, {symbol} = {with_ci(adjusted, digits=2, inside=True)} "
        f"({count} cells)"
    )
    low, high = found[0].within_range
    zero = [level for level, e in within.items() if e.spans_zero]
    text += f". Cell by cell, {symbol} runs from {low:.2f} to {high:.2f}"
    if zero:
        text += (
            f". {len(zero)} of {len(within)} cell intervals hold zero ({', '.join(zero)}), "
            "so the relation is not established in every cell"
        )
    else:
        text += ", every cell's interval clear of zero"
    if spread is not None:
        values["heterogeneity"] = stored = spread.as_dict()
        spread = stats.Heterogeneity(stored["q"], stored["df"], stored["p"])  # as the headline
        text += f". {_capital(spread_sentence(spread, 'cells'))}"
    return text


def spread_sentence(spread: stats.Heterogeneity, where: str) -> str:
    """Cochran's Q of equal correlations across ``where``, and what its p-value allows."""
    verdict = (
        f"the {where}' correlations differ"
        if spread.p < 0.05
        else f"equal correlations across the {where} are not rejected"
    )
    return (
        f"a test of equal correlations across the {where} gives Q = {spread.q:.1f} on "
        f"{spread.dof} df, {stats.p_text(spread.p)}: {verdict}"
    )


def held_fixed_summary(
    values: dict[str, object], x: Column, y: Column, held: str, entity: str, symbol: str
) -> str:
    """The headline's one sentence about a pair: the adjusted relation first (what survives
    once the groupings ``held`` fixed are taken out), the pooled one after it."""
    pooled = Estimate(float(values["r_all"]), *values["r_all_ci"])  # type: ignore[misc]
    inner = values.get("within_cells_adjusted") or values.get("within_group_adjusted")
    shown = f"{symbol} = {with_ci(pooled, digits=2, inside=True)}"
    if not isinstance(inner, dict):
        if pooled.spans_zero:
            return f"No relation of {y.short} to {x.short} is established ({shown})."
        turn = "rises" if pooled.value > 0 else "falls"
        return f"{_capital(y.short)} {turn} with {x.short} ({shown})."
    adjusted = Estimate(*(float("nan") if inner[k] is None else inner[k] for k in BOUNDS))
    fixed = f"{symbol} = {with_ci(adjusted, digits=2, inside=True)}"
    where = f"with {held} held fixed"
    if "grouping" in inner:
        where = f"on average across {inner['grouping']} cells"
    if adjusted.spans_zero:
        lead = f"{_capital(where)}, no relation of {y.short} to {x.short} is established"
    else:
        turn = "rises" if adjusted.value > 0 else "falls"
        lead = f"{_capital(where)}, {y.short} {turn} with {x.short}"
    if pooled.value * adjusted.value < 0 and not pooled.spans_zero:
        tail = f"although pooled over all {entity} it {'rises' if pooled.value > 0 else 'falls'}"
    else:
        tail = f"against {pooled.value:.2f} pooled over all {entity}"
    text = f"{lead} ({fixed}), {tail} ({shown})."
    cells = values.get("within_cells")
    if "grouping" in inner and isinstance(cells, dict):
        zero = [k for k, e in cells.items() if e["low"] is not None and e["low"] <= 0 <= e["high"]]
        if zero:
            holds = "its interval holds" if len(zero) == 1 else "their intervals hold"
            text += f" Not established in {', '.join(zero)} ({holds} zero)."
    spread = values.get("heterogeneity")
    if isinstance(spread, dict):
        found = stats.Heterogeneity(spread["q"], spread["df"], spread["p"])
        text += f" {_capital(spread_sentence(found, 'cells'))}."
    return text


BOUNDS = ("value", "low", "high")


def _name(column: Column) -> str:
    return column.plain if column.plain.isupper() else column.plain.lower()


def _symbol(method: str) -> str:
    return "Spearman ρ" if method == "spearman" else "r"


def correlation_method(columns: list[Column]) -> str:
    # Rank correlation for skewed measurements: a few huge values would dominate Pearson's r.
    return "spearman" if any(column.log or column.heavy for column in columns) else "pearson"


VERDICTS = {
    stats.REVERSED: "the sign reverses in every group",
    stats.PARTLY_REVERSED: "the sign reverses in some groups",
    stats.HIDDEN: "a relation the pooled data hides appears in every group",
    stats.BETWEEN_GROUPS: "the pooled value is mostly a difference between groups",
    stats.STRONGER_WITHIN: "stronger within every group than pooled",
    stats.UNLIKE_EVERY_GROUP: "the pooled value lies outside every group's interval",
    stats.UNLIKE_SOME_GROUPS: "the pooled value lies outside some groups' intervals",
}


def nested_levels(frame: pd.DataFrame, category: str, group: str) -> dict[str, str]:
    """Levels of ``category`` that hold a single level of ``group`` (Torgersen: only Adelie):
    there the two groupings are confounded and cannot be told apart."""
    data = frame.dropna(subset=[category, group])
    result = {}
    for level, part in data.groupby(category, observed=True):
        held = part[group].astype(str).unique()
        if len(held) == 1:
            result[str(level)] = str(held[0])
    return result


def crossed(frame: pd.DataFrame, group: Column, other: Column) -> tuple[pd.DataFrame, Column]:
    """The table with one more category: the cells of two groupings ("Adelie / female")."""
    name = f"{group.name} × {other.name}"
    both = frame[group.name].notna() & frame[other.name].notna()
    cells = frame[group.name].astype(str) + " / " + frame[other.name].astype(str)
    column = Column(
        name=name,
        kind="category",
        label=f"{group.plain} × {other.plain.lower()} cell",
    )
    return frame.assign(**{name: cells.where(both)}), column


def _pooled(frame: pd.DataFrame, names: list[str], method: str) -> list[Comparison]:
    """Every pair's pooled correlation, as comparisons without groups."""
    result = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            estimate, _ = stats.correlation(frame[a], frame[b], method)
            result.append(Comparison(a, b, "", estimate, {}))
    return result


def pairs(
    frame: pd.DataFrame,
    schema: Schema,
    shown: pd.DataFrame,
    numeric: list[Column],
    group: Column | None,
    params: GalleryParams,
    omitted: list[Column] | None = None,
) -> Chart:
    """Every pair of the first ``max_pair_columns`` measurements; the title and the finding
    name the ``omitted`` ones."""
    method, names = correlation_method(numeric), [c.name for c in numeric]
    symbol = _symbol(method)
    omitted = omitted or []
    left_out = ", ".join(column.plain for column in omitted)
    if len(omitted) > 2:  # a title cannot hold a long list: the finding names them
        left_out = f"{len(omitted)} more measurements"
    ranked = sorted(_pooled(frame, names, method), key=lambda c: -abs(c.pooled.value))
    tied = identities(frame, names)
    best = next((c for c in ranked if (c.a, c.b) not in tied), ranked[0])
    labels = {column.name: _name(column) for column in numeric}
    drawn = "Of the pairs drawn"
    if omitted:
        names_left = ", ".join(column.plain for column in omitted)
        drawn += f" ({names_left} not drawn: `max_pair_columns`)"
    finding = (
        f"{drawn}, the strongest pooled relation is between {labels[best.a]} and "
        f"{labels[best.b]} "
        f"({symbol} = {with_ci(best.pooled, digits=2, inside=True)})"
    )
    if tied:
        finding = (
            f"Left out as arithmetic or near-copies, not behaviour: "
            f"{'; '.join(sorted(set(tied.values())))}. " + finding
        )
    values: dict[str, object] = {
        "strongest_pair": f"{best.a} / {best.b}",
        "strongest_r": round(best.pooled.value, 4),
        "strongest_r_ci": [best.pooled.low, best.pooled.high],
    }
    if group is not None:
        within = stats.compare_within(
            frame, [best.a, best.b], group.name, method=method, min_rows=params.min_group_rows
        )
        if within:
            finding += describe(within[0], group, symbol)
            values["within"] = {level: e.as_dict() for level, e in within[0].within.items()}
            values["verdict"] = within[0].verdict
            if schema.split and schema.split != group.name:
                finding += one_level_down(
                    frame, [best.a, best.b], group, schema, params, values, symbol, method
                )
    finding += "."
    title = "Every pair of measurements" + (f", by {group.short}" if group else "")
    if left_out:
        title += f", without {left_out}"
    if len(frame) > len(shown):
        title += f" ({len(shown):,} of {len(frame):,} rows)"
    figure = plots.pair_grid(shown, numeric, group, title=title)
    question = "Which measurements move together" + (
        f", and do the {group.short} groups separate?" if group else "?"
    )
    return Chart("pairs", title, question, finding, figure, values)


def correlation(
    frame: pd.DataFrame,
    schema: Schema,
    numeric: list[Column],
    group: Column | None,
    params: GalleryParams,
) -> Chart:
    """Pooled correlations beside the ones within each group, for every grouping the table
    has: the chart shows the main grouping, the finding names every reversal."""
    method, names = correlation_method(numeric), [c.name for c in numeric]
    symbol = _symbol(method)
    labels = {column.name: _name(column) for column in numeric}
    pooled = _pooled(frame, names, method)
    tied = identities(frame, names)
    strong = sum(abs(c.pooled.value) >= 0.5 and not c.pooled.spans_zero for c in pooled)
    strongest = max(
        [c for c in pooled if (c.a, c.b) not in tied] or pooled, key=lambda c: abs(c.pooled.value)
    )
    established = sum(not c.pooled.spans_zero for c in pooled)
    rows = int(frame[names].dropna().shape[0])
    # with many rows even a negligible correlation has an interval clear of zero: say how small
    floor = stats.fisher_interval(0.0, rows)[1] if rows > 3 else float("nan")
    strongest_name = "strongest" if not tied else "strongest that is not arithmetic or a near-copy"
    finding = (
        f"Pooled over all {schema.entity}, {established} of {len(pooled)} pairs have a "
        f"correlation whose 95% interval excludes zero. With {rows:,} complete rows, any "
        f"|{symbol}| above about {floor:.2f} does. {strong} of them have |{symbol}| ≥ 0.5; "
        f"the {strongest_name} is {labels[strongest.a]} × {labels[strongest.b]} ({symbol} = "
        f"{with_ci(strongest.pooled, digits=2, inside=True)})"
    )
    if tied:
        finding += f". Left out of 'strongest': {'; '.join(sorted(set(tied.values())))}"
    values: dict[str, object] = {
        "method": method,
        "pairs": len(pooled),
        "established_pairs": established,
        "strong_pairs": strong,
        "complete_rows": rows,
        "zero_excluded_above": round(floor, 4),
        "identities": {f"{a} / {b}": reason for (a, b), reason in tied.items()},
        "pooled": {f"{c.a} / {c.b}": c.pooled.as_dict() for c in pooled},
        "groupings": {},
    }
    shown = pooled
    intervals = 0
    verdicts: list[str] = []
    for category in schema.of_kind("category"):
        comparisons = stats.compare_within(
            frame, names, category.name, method=method, min_rows=params.min_group_rows
        )
        if not comparisons:
            continue
        intervals += sum(len(c.within) for c in comparisons)
        verdicts += [c.verdict for c in comparisons]
        values["groupings"][category.name] = [c.as_dict() for c in comparisons]
        if group is not None and category.name == group.name:
            shown = comparisons
        if group is not None and category.name != group.name:
            nested = nested_levels(frame, category.name, group.name)
            if nested:
                values.setdefault("nested", {})[category.name] = nested
    confounded: list[str] = []
    if group is not None:
        for other in schema.of_kind("category"):
            if other.name == group.name:
                continue
            cells, cell = crossed(frame, group, other)
            comparisons = stats.compare_within(
                cells, names, cell.name, method=method, min_rows=params.min_group_rows
            )
            if not comparisons:
                continue
            values["groupings"][cell.name] = [c.as_dict() for c in comparisons]
            repeated = nested_levels(frame, group.name, other.name)
            if repeated:  # cells that are whole groups (Gentoo: only Biscoe): not counted twice
                values.setdefault("nested", {})[cell.name] = repeated
                confounded.append(cell.name)
                continue
            intervals += sum(len(c.within) for c in comparisons)
            verdicts += [c.verdict for c in comparisons]
    if verdicts:
        counted = {v: verdicts.count(v) for v in VERDICTS if v in verdicts}
        listed = ", ".join(f"{count} {verdict}" for verdict, count in counted.items())
        counted_in = [name for name in values["groupings"] if name not in confounded]
        finding += (
            f". Split by {', '.join(counted_in)}, {sum(counted.values())} of "
            f"{len(verdicts)} pair × grouping verdicts are not 'consistent': {listed or 'none'}. "
            "The table in reports/report.md gives each. A verdict compares the pooled point "
            f"estimate with each group's 95% interval ({intervals} intervals in all): it is a "
            "description, not a test, and nothing is corrected for multiple comparisons"
        )
        values["within_intervals"] = intervals
        if confounded:
            finding += (
                f". Not counted: {', '.join(confounded)}, whose cells repeat whole "
                f"{group.short if group else ''} groups"
            )
    finding += "."
    shown = sorted(shown, key=lambda c: -abs(c.pooled.value))[: params.max_correlation_pairs]
    title = "Correlations, pooled and within " + (
        f"each {group.short}" if group and shown and shown[0].within else "the data"
    )
    figure = plots.correlation_intervals(shown, labels, group=group, method=method, title=title)
    return Chart(
        "correlation",
        title,
        "Which measurements move together, and does a grouping change the answer?",
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
    runner_up = (
        f", then {_level(rows, totals.index[1])} with {int(totals.iloc[1]):,}"
        if len(totals) > 1
        else ""
    )
    # counts per group describe how the data were collected, not a population: no interval
    finding = (
        f"{top} has the most {schema.entity} in this data set: {int(totals.iloc[0]):,} of "
        f"{total:,}{runner_up} (counts of the sampling design, not estimates)"
    )
    if split is not None:
        single = [
            f"{_level(rows, level)} has only "
            f"{_level(split, table.columns[(table.loc[level] > 0).to_numpy()][0])}"
            for level in table.index
            if (table.loc[level] > 0).sum() == 1
        ]
        # and the other way round: a split level found under one row level only
        single += [
            f"{_level(split, level)} only in "
            f"{_level(rows, table.index[(table[level] > 0).to_numpy()][0])}"
            for level in table.columns
            if (table[level] > 0).sum() == 1
        ]
        finding += "; " + "; ".join(single) + "." if single else "."
        title = f"{schema.entity.capitalize()} per {rows.short}, by {split.short}"
        question = f"How are the {schema.entity} spread over {rows.short} and {split.short}?"
    else:
        finding += "."
        title = f"{schema.entity.capitalize()} per {rows.short}"
        question = f"How many {schema.entity} are there per {rows.short}?"
    figure = plots.bar_counts(table, rows, split, title=title, entity=schema.entity)
    values: dict[str, object] = {f"count_{level}": int(value) for level, value in totals.items()}
    return Chart("composition", title, question, finding, figure, values)


def shares(
    frame: pd.DataFrame, schema: Schema, group: Column | None, params: GalleryParams
) -> Chart:
    """What the parts add up to, overall with intervals and per group: the composition of the
    total, which no other chart shows."""
    parts = list(schema.parts)
    tick = {name: schema.column(name).plain for name in parts}
    overall = stats.share_intervals(
        frame, parts, resamples=params.resamples, seed=seed_for(params, "shares")
    )
    overall = dict(sorted(overall.items(), key=lambda item: -item[1].value))
    by_group: dict[str, dict[str, float]] = {}
    by_group_ci: dict[str, dict[str, Estimate]] = {}
    if group is not None:
        for level, part in frame.groupby(group.name, observed=True):
            found = stats.share_intervals(
                part, parts, resamples=params.resamples, seed=seed_for(params, "shares", level)
            )
            by_group_ci[_level(group, level)] = {tick[n]: e for n, e in found.items()}
            by_group[_level(group, level)] = {tick[n]: e.value for n, e in found.items()}
    label = schema.parts_label or "the total"
    first, last = next(iter(overall)), list(overall)[-1]
    finding = (
        f"{tick[first]} is the largest share of {label}, {_pct(overall[first])}; "
        f"{tick[last]} the smallest, {_pct(overall[last])}"
    )
    if len(by_group) >= 2:
        gaps = {
            name: max(p[tick[name]] for p in by_group.values())
            - min(p[tick[name]] for p in by_group.values())
            for name in parts
        }
        widest = max(gaps, key=gaps.get)
        spread = ", ".join(f"{level} {_pct(p[tick[widest]])}" for level, p in by_group_ci.items())
        finding += f". By {group.short}, the share of {tick[widest]} differs most: {spread}"
        reversed_in = {
            level: max(p, key=p.get)
            for level, p in by_group.items()
            if max(p, key=p.get) != tick[first]
        }
        if reversed_in:
            finding += "; the pooled ranking does not hold in " + ", ".join(
                f"{level}, where {leader} leads ({_pct(by_group_ci[level][leader])} against "
                f"{_pct(by_group_ci[level][tick[first]])} for {tick[first]})"
                for level, leader in reversed_in.items()
            )
            values_reversal = reversed_in
        else:
            values_reversal = {}
    else:
        values_reversal = {}
    finding += "."
    title = f"Share of {label}" + (f", overall and by {group.short}" if by_group else "")
    figure = plots.share_bars(
        {tick[name]: e for name, e in overall.items()},
        by_group_ci,
        title=title,
        xlabel=f"Share of {label}",
    )
    values: dict[str, object] = {f"share_{name}": e.as_dict() for name, e in overall.items()}
    values["by_group"] = {
        level: {name: e.as_dict() for name, e in found.items()}
        for level, found in by_group_ci.items()
    }
    values["largest_share_within"] = values_reversal
    summary = ""
    if values_reversal:
        level, leader = next(iter(values_reversal.items()))
        summary = (
            f"Pooled over all {schema.entity}, {tick[first]} is the largest share of {label} "
            f"({_pct(overall[first], inside=True)}), but in {level} {leader} leads "
            f"({_pct(by_group_ci[level][leader], inside=True)}, against "
            f"{_pct(by_group_ci[level][tick[first]], inside=True)} for {tick[first]})."
        )
    return Chart("shares", title, f"What makes up {label}?", finding, figure, values, summary)
