"""The gallery: which charts a table gets, each with its question and a finding from the data.

Every finding is one sentence that quotes its numbers with 95% intervals (``stats``); the
numbers behind it go to ``Chart.details`` (listed in reports/report.md). A difference whose
interval holds zero gets the range the data allow, "too few values to compare" stands where no
interval was computed, and a grouping that reverses a pooled correlation is named. The
correlation family and chart are in ``correlations``; ``Chart`` and ``seed_for`` in ``chart``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import features, plots, report, stats
from .chart import Chart, seed_for
from .config import Params
from .correlations import (
    Family,
    correlation,
    correlation_family,
    correlation_method,
    pair_details,
    pooled_comparisons,
    record_tests,
)
from .plots import fmt
from .schema import Column, Schema, identities
from .stats import Comparison, Estimate


def build(frame: pd.DataFrame, schema: Schema, params: Params) -> list[Chart]:
    """Every chart the schema allows, in reading order."""
    numeric = schema.of_kind("numeric")
    group = schema.column(schema.group) if schema.group else None
    charts: list[Chart] = []
    focus_name = schema.focus
    if focus_name is None and group is not None and numeric:
        focus_name = most_separated(frame, numeric, group)
    if focus_name:
        focus = schema.column(focus_name)
        charts.append(distribution(frame, schema, focus, group, params))
        if group is not None and schema.split and schema.split != schema.group:
            charts.append(
                subgroups(frame, schema, focus, group, schema.column(schema.split), params)
            )
    # with a group the violins rank every measurement by η²; without, the focus has its chart
    spread_columns = numeric if group else [c for c in numeric if c.name != focus_name]
    if spread_columns:
        charts.append(spread(frame, schema, spread_columns, group, params))
    # every pair × grouping test first: the findings that quote a test take its p-value
    # adjusted over the whole family
    found = correlation_family(frame, schema, numeric[: params.max_panels], group, params)
    family = found[0]
    if schema.pair:
        x, y = (schema.column(name) for name in schema.pair)
        charts.append(relationship(frame, schema, x, y, group, params, family))
    if len(numeric) >= 2:
        shown = frame
        if len(frame) > params.max_points:  # a readable plot, drawn in seconds
            shown = frame.sample(params.max_points, random_state=params.seed)
        drawn = numeric[: params.max_pair_columns]
        omitted = numeric[len(drawn) :]
        charts.append(pairs(frame, schema, shown, drawn, group, params, family, omitted))
        charts.append(
            correlation(frame, schema, numeric[: params.max_panels], group, params, found)
        )
    if group is not None:
        stack = schema.column(schema.stack) if schema.stack else None
        charts.append(composition(frame, schema, group, stack, params.max_categories))
    return charts


def most_separated(frame: pd.DataFrame, numeric: list[Column], group: Column) -> str:
    """The main measurement when the data set names none: the one the group separates most
    (largest η², on the scale the axes show), so the first figures answer the sharpest
    question; the measurements figure ranks them all."""
    scaled = frame.assign(**{c.name: features.on_axis(frame[c.name], c.log) for c in numeric})
    names = [column.name for column in numeric]
    eta = stats.eta_squared_replicates(scaled, names, group.name, resamples=0, seed=0)[0]
    return names[int(np.nanargmax(eta))]


def _split_by(frame: pd.DataFrame, value: str, group: Column) -> dict[str, pd.Series]:
    data = frame.dropna(subset=[value, group.name])
    parts = {str(k): part[value] for k, part in data.groupby(group.name, observed=True)}
    return {level: part for level, part in parts.items() if len(part)}


def ranked_medians(
    parts: dict[str, pd.Series], params: Params, key: str, step: float = float("nan")
) -> tuple[dict[str, Estimate], list[tuple[str, str, Estimate]], dict[str, Estimate]]:
    """Each part's median with its exact interval (order statistics), highest first; the
    difference of each neighbour pair in that order (higher minus lower) with its bootstrap
    interval; and the leader's difference from each other part, each with its own interval.
    The intervals' ends rounded to ``step``, the data's resolution."""
    # each part's bootstrap medians once: both neighbour differences use them (the parts are
    # independent samples, so their replicates subtract)
    replicates = {
        level: stats.median_replicates(
            part, resamples=params.resamples, seed=seed_for(params, key, level)
        )
        for level, part in parts.items()
    }
    point = {level: float(part.median()) for level, part in parts.items()}
    enough = {level: part.count() >= params.min_group_rows for level, part in parts.items()}
    # a median's exact interval holds from 6 values; its differences' bootstrap needs more
    medians = {level: stats.median_interval(part).rounded(step) for level, part in parts.items()}
    order = sorted(medians, key=lambda level: -medians[level].value)
    steps = [
        (
            high,
            low,
            stats.from_replicates(
                replicates[high] - replicates[low],
                point[high] - point[low],
                usable=enough[high] and enough[low],
            ).rounded(step),
        )
        for high, low in zip(order, order[1:], strict=False)
    ]
    leader = order[0]
    versus = {
        other: stats.from_replicates(
            replicates[leader] - replicates[other],
            point[leader] - point[other],
            usable=enough[leader] and enough[other],
        ).rounded(step)
        for other in order[1:]
    }
    return {level: medians[level] for level in order}, steps, versus


def distribution(
    frame: pd.DataFrame, schema: Schema, focus: Column, group: Column | None, params: Params
) -> Chart:
    unit = report.unit_suffix(focus)
    parts = _split_by(frame, focus.name, group) if group is not None else {}
    values: dict[str, object] = {}
    details: list[str] = []
    if len(parts) >= 2:
        assert group is not None
        step = stats.resolution(frame[focus.name])
        medians, steps, versus = ranked_medians(parts, params, focus.name, step)
        name = {level: report.level(group, level) for level in medians}
        high = next(iter(medians))
        finding = report.leader_finding(
            name[high],
            medians[high],
            {name[other]: gap for other, gap in versus.items()},
            focus.short,
            unit,
        )
        # the other groups among themselves, neighbour by neighbour, for reports/report.md
        named = {name[level]: estimate for level, estimate in medians.items()}
        for upper, lower, gap in steps[1:]:
            if pd.isna(gap.low) or gap.spans_zero:
                details.append(
                    report.capital(report.tie(name[upper], name[lower], named, gap, unit)) + "."
                )
            else:
                details.append(f"{name[upper]} is {report.with_ci(gap, unit)} above {name[lower]}.")
        for level, estimate in medians.items():
            values[f"median_{level}"] = estimate.value
            values[f"median_{level}_ci"] = [estimate.as_dict()["low"], estimate.as_dict()["high"]]
        values["differences"] = [
            {"higher": upper, "lower": lower, **step.as_dict()} for upper, lower, step in steps
        ]
        values["unit"] = unit.strip()
        values["leader_differences"] = [
            {"higher": high, "lower": other, **gap.as_dict()} for other, gap in versus.items()
        ]
        title = f"Distribution of {focus.short} by {group.short}"
    else:
        median = stats.median_interval(frame[focus.name])
        q1, q3 = frame[focus.name].quantile([0.25, 0.75])
        finding = (
            f"The median {focus.short} is {report.with_ci(median, unit)}; half of the "
            f"{schema.entity} lie between {fmt(q1)} and {fmt(q3)}{unit}."
        )
        medians = {"": median}
        values = {
            "median": median.value,
            "median_ci": [median.as_dict()["low"], median.as_dict()["high"]],
        }
        values |= {"q1": float(q1), "q3": float(q3)}
        title = f"Distribution of {focus.short}"
    figure = plots.histogram(
        frame,
        focus,
        group,
        title=plots.finding_title(finding),
        entity=schema.entity,
        medians=medians,
    )
    question = f"How is {focus.short} distributed" + (
        f", and does it differ by {group.short}?" if group else "?"
    )
    return Chart("distribution", title, question, finding, figure, values, "", details)


def subgroups(
    frame: pd.DataFrame,
    schema: Schema,
    focus: Column,
    group: Column,
    split: Column,
    params: Params,
) -> Chart:
    """The main measurement by group and a second category: does the second one matter within
    each group?"""
    data = frame.dropna(subset=[focus.name, group.name, split.name])
    unit = report.unit_suffix(focus)
    details: list[str] = []
    medians: dict[tuple[str, str], Estimate] = {}
    # (group level, split level, reference level, difference): every split level against the
    # first one the group has, in the column's order (no picking of the widest gap)
    gaps: list[tuple[str, str, str, Estimate]] = []
    step = stats.resolution(frame[focus.name])
    for level, part in data.groupby(group.name, observed=True):
        inner = _split_by(part, focus.name, split)
        if len(inner) < 2:
            continue
        ranked, _, _ = ranked_medians(inner, params, f"{focus.name}|{level}", step)
        medians |= {(str(level), key): estimate for key, estimate in ranked.items()}
        reference, *others = [v for v in split.levels if v in inner] or list(inner)
        for other in others:
            gap = stats.difference(
                inner[other],
                inner[reference],
                resamples=params.resamples,
                seed=seed_for(params, focus.name, level, other, reference),
                min_rows=params.min_group_rows,
            ).rounded(step)
            gaps.append((str(level), other, reference, gap))
    left_out = len(frame) - len(data)
    title = f"{focus.plain} by {group.short} and {split.short}"
    consistent, untested = False, ""
    if not gaps:
        finding = f"No {group.short} has two {split.short} groups to compare."
    else:
        pairs_named = {(b, a) for _, b, a, _ in gaps}
        signs = {gap.value > 0 for *_, gap in gaps}
        shown = [gap for *_, gap in gaps if pd.notna(gap.low)]
        ties = [gap for gap in shown if gap.spans_zero]
        too_few = [(g, b, a) for g, b, a, gap in gaps if pd.isna(gap.low)]
        consistent = len(pairs_named) == 1 and len(signs) == 1 and not ties and not too_few
        if consistent:
            # the verdict first, then each group's difference with its interval
            b, a = next(iter(pairs_named))
            above = signs.pop()
            more = "above" if above else "below"
            flipped = {
                g: gap if above else Estimate(-gap.value, -gap.high, -gap.low)
                for g, *_, gap in gaps
            }
            pieces = [
                f"{report.with_ci(gap, unit)} in {report.level(group, g)}"
                for g, gap in flipped.items()
            ]
            finding = (
                f"{report.capital(report.level(split, b))} median {focus.short} is {more} the "
                f"{report.level(split, a)} median within every {group.short}: by "
                + ", ".join(pieces)
            )
        else:
            finding = subgroup_differences(gaps, focus, group, split, unit)
        shown_in = {g for g, *_, gap in gaps if pd.notna(gap.low)}
        untested = ", ".join(dict.fromkeys(g for g, *_ in too_few if g not in shown_in))
        if too_few:  # named with their sizes: a number without an interval stays out
            sizes = data.groupby([data[group.name].astype(str), data[split.name].astype(str)])
            n = sizes.size()
            small: dict[str, list[str]] = {}
            for g, b, a in too_few:
                cells = small.setdefault(g, [])
                cells += [
                    s for s in (a, b) if n.get((g, s), 0) < params.min_group_rows and s not in cells
                ]
            few = "; ".join(
                f"{report.level(group, g)} "
                + ", ".join(f"{report.level(split, s)} n = {n.get((g, s), 0)}" for s in cells)
                for g, cells in small.items()
            )
            under = params.min_group_rows
            text = f"not tested, under {under} rows: {few}"
            finding = f"{finding}; {text}" if finding else f"No difference given: {text}"
        finding += "."
    # the same direction in every group, every interval clear of zero: the headline's rule
    values: dict[str, object] = {"holds_in_every_group": bool(gaps) and consistent}
    if frame[split.name].isna().any():
        # every other grouping (species, island, year): missing values collected in one
        # season or place would bias that one's comparisons
        others = [c for c in schema.of_kind("category") if c.name not in (split.name, group.name)]
        # rows with no measurement at all lack the category for another reason: left out
        measured = frame[[c.name for c in schema.of_kind("numeric")]].notna().any(axis=1)
        found = missingness(frame[measured], split, [group, *others], params)
        found["unmeasured"] = int(frame.loc[~measured, split.name].isna().sum())
        values["missing"] = found
        details += report.missing_sentences(found, schema.entity)
    values |= {
        "left_out": left_out,
        "medians": {f"{g} / {s}": e.as_dict() for (g, s), e in medians.items()},
        "differences": {
            f"{g}: {b} − {a}": {"level": b, "reference": a, **gap.as_dict()}
            for g, b, a, gap in gaps
        },
    }
    cells = data.dropna(subset=[focus.name, group.name, split.name])
    sizes = cells.groupby([cells[group.name].astype(str), cells[split.name].astype(str)]).size()
    values["cell_rows"] = {f"{g} / {s}": int(n) for (g, s), n in sizes.items()}  # n per cell
    shown_title = plots.finding_title(finding)
    if not consistent and gaps:  # what was tested, and where it could not be
        tested = ", ".join(dict.fromkeys(g for g, *_, gap in gaps if pd.notna(gap.low)))
        ties = all(gap.spans_zero for *_, gap in gaps if pd.notna(gap.low))
        shown_title = (
            f"Too few rows to test a {split.short} difference"
            if not tested
            else f"No {split.short} difference detectable in {tested}"
            if ties
            else f"The {split.short} differences are not alike in every {group.short}"
        ) + (
            f";\nnot tested in {untested} (cells under {params.min_group_rows} rows)"
            if untested and tested
            else ""
        )
    figure = plots.subgroups(
        data,
        focus,
        group,
        split,
        medians,
        title=shown_title,
        min_rows=stats.MEDIAN_MIN_ROWS,
        left_out=left_out,
    )
    question = f"Within each {group.short}, does {focus.short} differ by {split.short}?"
    # under the headline: each cell's median with its exact interval, one line per group
    lines = [
        f"{report.level(group, g)}: "
        + ", ".join(
            f"{report.level(split, s)} {report.with_ci(e, unit)}"
            for (g2, s), e in medians.items()
            if g2 == g
        )
        + "."
        for g in dict.fromkeys(g for g, _ in medians)
    ]
    details.append("Each cell's median, with its exact 95% interval (order statistics):")
    details += [f"  {line}" for line in lines]  # nested under the sentence above
    return Chart("subgroups", title, question, finding, figure, values, "", details, lines)


def subgroup_differences(
    gaps: list[tuple[str, str, str, Estimate]],
    focus: Column,
    group: Column,
    split: Column,
    unit: str,
) -> str:
    """Each group's differences from its reference level, the group named once: "in A,
    median … of each site minus site 1: no difference detectable; the intervals allow …"."""
    by_group: dict[str, list[tuple[str, str, Estimate]]] = {}
    for g, b, a, gap in gaps:
        if pd.notna(gap.low):  # a number without an interval stays out of the text
            by_group.setdefault(g, []).append((b, a, gap))
    parts = []
    for g, found in by_group.items():
        references = sorted({report.level(split, a) for _, a, _ in found})
        others = " or ".join(references)
        where = report.level(group, g)
        lead = f"in {where}, median {focus.short} of each {split.short} minus {others}: "
        if len(found) == 1:
            b = report.level(split, found[0][0])
            lead = f"in {where}, {b} minus {others} median {focus.short}: "
        if all(gap.spans_zero for *_, gap in found):
            allowed = " and ".join(
                (f"{report.level(split, b)} " if len(found) > 1 else "") + report.allows(gap, unit)
                for b, _, gap in found
            )
            verb = "allows" if len(found) == 1 else "allow"
            noun = "interval" if len(found) == 1 else "intervals"
            parts.append(f"{lead}no difference detectable; the {noun} {verb} {allowed} (95% CI)")
        else:
            parts.append(
                lead
                + ", ".join(
                    f"{report.level(split, b)} {report.with_ci(gap, unit)}"
                    + (" (no difference detectable)" if gap.spans_zero else "")
                    for b, _, gap in found
                )
            )
    return report.capital("; ".join(parts))


def missingness(
    frame: pd.DataFrame, column: Column, groupings: list[Column], params: Params
) -> dict[str, object]:
    """Where a category's missing values are: their count in each level of each grouping,
    whether they are concentrated (a permutation test per grouping, not adjusted: a check for
    bias should not be made lenient). Values missing at random leave the findings unbiased;
    concentrated ones may not."""
    missing = frame[column.name].isna()
    by: dict[str, dict[str, object]] = {}
    for grouping in groupings:
        known = frame[grouping.name].notna()
        flags, labels = missing[known].to_numpy(), frame.loc[known, grouping.name].astype(str)
        counts = {
            str(level): [int(part.sum()), len(part)]
            for level, part in missing[known].groupby(labels, sort=False)
        }
        p = stats.independence_p(
            flags,
            labels.to_numpy(),
            resamples=params.resamples,
            seed=seed_for(params, "missing", column.name, grouping.name),
        )
        ranked = dict(sorted(counts.items(), key=lambda item: -item[1][0] / item[1][1]))
        by[grouping.name] = {"label": grouping.short, "counts": ranked, "p": p}
    for entry, adjusted in zip(by.values(), stats.holm([e["p"] for e in by.values()]), strict=True):
        entry["p_holm"] = adjusted  # what the smallest p is worth among the groupings tested
    found = {"column": column.name, "label": column.short, "rows": int(missing.sum())}
    return found | {"measured": len(frame), "by": by}


def outer_gap(
    frame: pd.DataFrame, column: Column, group: Column, params: Params
) -> tuple[str, dict] | None:
    """The group that sets itself apart on ``column``: of the highest and the lowest median,
    the one farther from its neighbour, with the bootstrap interval of that difference."""
    parts = _split_by(frame, column.name, group)
    if len(parts) < 2:
        return None
    step = stats.resolution(frame[column.name])
    _, steps, _ = ranked_medians(parts, params, f"outer|{column.name}", step)
    top, bottom = steps[0], steps[-1]
    upper, lower, gap = top if top[2].value >= bottom[2].value else bottom
    unit = report.unit_suffix(column)
    if (upper, lower, gap) == top:
        lead, other, side = upper, lower, "above"
    else:
        lead, other, side = lower, upper, "below"
    nearest = ", the nearest" if len(parts) > 2 else ""
    text = (
        f"{report.level(group, lead)}'s median is {report.with_ci(gap, unit)} {side} "
        f"{report.level(group, other)}'s{nearest}"
    )
    return text, {"group": lead, "nearest": other, "side": side, **gap.as_dict()}


def spread(
    frame: pd.DataFrame,
    schema: Schema,
    numeric: list[Column],
    group: Column | None,
    params: Params,
) -> Chart:
    """The measurements' spread; with a group, η² of every one, drawn in its order (the first
    ``max_panels``), the finding naming the winner when it is not drawn."""
    eta: dict[str, Estimate] = {}
    shown = numeric[: params.max_panels]
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
        ranked = sorted(eta, key=lambda name: -eta[name].value)
        best = ranked[0]
        shown = [by_name[name] for name in ranked][: params.max_panels]  # the winner first
        drawn = {column.name for column in shown}
        # "most" is a ranking: claimed only when the paired gap to the runner-up excludes 0
        lead = None
        if len(ranked) > 1:
            runner = ranked[1]
            lead = stats.paired_difference(replicates, names.index(best), names.index(runner))
        most = "best"
        if lead is not None and lead.spans_zero:
            most = f"best, tied with {by_name[runner].short}"
        finding = (
            f"{report.capital(by_name[best].short)} separates the {group.short} groups {most}, "
            f"{plots.eta_text(eta[best], by_name[best].log)}"
        )
        driver = outer_gap(frame, by_name[best], group, params)
        if driver is not None:
            finding += f": {driver[0]}"
        if best not in drawn:
            finding += f"; {by_name[best].short} is not drawn here"
        finding += "."
        details = []  # each η² with its interval is in its panel's title
        if lead is not None:
            verdict = "tied" if lead.spans_zero else "ahead"
            details.append(
                f"η² minus the runner-up's ({by_name[runner].short}): "
                f"{report.with_ci(lead, digits=2)}, paired bootstrap ({verdict})."
            )
        values: dict[str, object] = {f"eta_squared_{name}": e.as_dict() for name, e in eta.items()}
        if driver is not None:
            values["largest_gap"] = driver[1]
        if lead is not None:
            values["eta_squared_lead"] = {
                "group": group.name,
                "higher": best,
                "runner_up": runner,
                **lead.as_dict(),
                "tie": lead.spans_zero,
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
            f"{report.with_ci(skew[most], digits=1)}): its median describes it better than its "
            "mean."
        )
        values = {f"skewness_{column.name}": e.as_dict() for column, e in skew.items()}
        details = []
        title = "Distribution of each measurement"
        question = "How spread out and how skewed is each measurement?"
    figure = plots.violins(
        frame,
        shown,
        group,
        title=plots.finding_title(finding),
        eta=eta,
        strip_below=params.strip_below,
    )
    return Chart("measurements", title, question, finding, figure, values, "", details)


def relationship(
    frame: pd.DataFrame,
    schema: Schema,
    x: Column,
    y: Column,
    group: Column | None,
    params: Params,
    family: Family,
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
    r = report.symbol(method)  # the pair's statistic in every other chart too
    direction = "rises" if pooled.value > 0 else "falls"
    if pooled.spans_zero:
        finding = (
            f"Across all {schema.entity}, no linear relation of {y.short} to {x.short} is shown"
        )
    else:
        finding = f"Across all {schema.entity}, {y.short} {direction} with {x.short}"
    finding += f" ({report.r_ci(pooled, r)})"
    values: dict[str, object] = {
        "r_all": round(pooled.value, 4),
        "r_all_ci": [pooled.low, pooled.high],
        "n": n,
    }
    details: list[str] = []
    summary, summary_lines, cells = "", [], None
    if group is not None:
        by_group, by_cells, details, size = pair_details(
            scaled, (x.name, y.name), group, schema, params, family, method
        )
        record_tests(values, by_group, by_cells, size)
        if by_group is not None:
            finding += report.describe(by_group, group, r)
        split = schema.column(schema.split) if schema.split else None
        if by_cells is not None and split is not None:  # in the finding, not drawn
            finding += "; " + report.second_grouping(by_cells, split.short, group.short, r)
        finding += "."
        if by_group is not None and by_group.label == stats.REVERSED:
            # the headline adds the second grouping's cells when they were tested and do not
            # differ (the marks show them)
            both = by_cells is not None and by_cells.test is not None and not by_cells.differs
            cells = by_cells if both and split is not None else None
            subject = f"all {schema.entity}, {y.short} {direction} with {x.short}"
            summary, summary_lines = report.reversal_headline(
                subject, pooled, by_group, group.short, r, cells, split.short if cells else ""
            )
    else:
        finding += "."
    title = f"{y.plain} against {x.plain.lower()}"
    shown_title = plots.finding_title(finding)
    if summary and group is not None:  # a reversal: the title says it
        turn = "rises" if direction == "falls" else "falls"
        low, *_, high = sorted(e.value for e in by_group.within.values())
        second = f"within each {group.short} it {turn} ({r} {low:+.2f} to {high:+.2f})"
        shown_title = (
            f"Pooled, {y.short} {direction} with {x.short} ({r} = {pooled.value:+.2f});\n{second}"
        )
    figure = plots.scatter(
        frame,
        x,
        y,
        group,
        title=shown_title,
        entity=schema.entity,
        clip_iqr=params.clip_iqr,
        split=schema.column(schema.split) if schema.split else None,
    )
    details.append(
        "The figure's lines: least squares on the axes' scale, with 95% bands, drawn over the "
        "middle 95% of x."
    )
    question = f"How does {y.short} change with {x.short}?"
    return Chart(
        "relationship", title, question, finding, figure, values, summary, details, summary_lines
    )


def pairs(
    frame: pd.DataFrame,
    schema: Schema,
    shown: pd.DataFrame,
    numeric: list[Column],
    group: Column | None,
    params: Params,
    family: Family,
    omitted: list[Column] | None = None,
) -> Chart:
    """Every pair of the first ``max_pair_columns`` measurements; the finding is about the
    strongest pair the scatter plot does not already show; the title and the finding name
    the ``omitted`` ones."""
    method, names = correlation_method(numeric), [c.name for c in numeric]
    symbol = report.symbol(method)
    omitted = omitted or []
    left_out = ", ".join(column.plain for column in omitted)
    if len(omitted) > 2:  # a title cannot hold a long list: the finding names them
        left_out = f"{len(omitted)} more measurements"
    ranked = sorted(pooled_comparisons(frame, names, method), key=lambda c: -abs(c.pooled.value))
    tied = identities(frame, names, params)
    scatter_pair = set(schema.pair)
    candidates = [c for c in ranked if (c.a, c.b) not in tied and {c.a, c.b} != scatter_pair]
    best = next(iter(candidates), ranked[0])
    labels = {column.name: report.plain_name(column) for column in numeric}
    # "after x × y" only when the scatter plot's pair ranks above the best one
    scatter_first = any({c.a, c.b} == scatter_pair for c in ranked[: ranked.index(best)])
    besides = (
        f" after {labels[schema.pair[0]]} × {labels[schema.pair[1]]}"
        if candidates and scatter_first
        else ""
    )
    strongest = "next strongest" if besides else "strongest"
    details = []
    runner = next((c for c in candidates if c is not best), None)
    gap = None
    if runner is not None:
        gap = stats.pooled_gap(
            frame,
            (best.a, best.b),
            (runner.a, runner.b),
            method,
            resamples=params.resamples,
            seed=seed_for(params, "strongest", best.a, best.b),
        )
        verdict = "tied" if gap.spans_zero else "ahead"
        details.append(
            f"Its |{symbol}| minus that of the next, {labels[runner.a]} × {labels[runner.b]}: "
            f"{report.with_ci(gap, digits=2)}, paired bootstrap ({verdict})."
        )
    if gap is not None and gap.spans_zero:
        finding = (
            f"The {strongest} pooled relations{besides} tie: {labels[best.a]} and "
            f"{labels[best.b]} ({report.r_ci(best.pooled, symbol)}), and {labels[runner.a]} "
            f"and {labels[runner.b]} ({report.r_ci(runner.pooled, symbol)})"
        )
    else:
        finding = (
            f"The {strongest} pooled relation{besides} is between {labels[best.a]} and "
            f"{labels[best.b]} ({report.r_ci(best.pooled, symbol)})"
        )
    if omitted:
        details.append(f"Not drawn (`max_pair_columns`): {', '.join(c.plain for c in omitted)}.")
    if tied:
        details.append(
            "Left out as arithmetic or near-copies, not behaviour: "
            f"{'; '.join(sorted(set(tied.values())))}."
        )
    values: dict[str, object] = {
        "strongest_pair": f"{best.a} / {best.b}",
        "strongest_r": round(best.pooled.value, 4),
        "strongest_r_ci": [best.pooled.low, best.pooled.high],
    }
    if group is not None:
        by_group, by_cells, more, size = pair_details(
            frame, (best.a, best.b), group, schema, params, family, method
        )
        details += more
        record_tests(values, by_group, by_cells, size)
        if by_group is not None:
            finding += report.describe(by_group, group, symbol)
    finding += "."
    title = "Every pair of measurements" + (f", by {group.short}" if group else "")
    if left_out:
        title += f", without {left_out}"
    if len(frame) > len(shown):
        title += f" ({len(shown):,} of {len(frame):,} rows)"
    short = "ρ" if method == "spearman" else "r"

    def panel(pair: Comparison) -> str:
        """The pooled value and, below it, the range of the groups' own: a reversal shows."""
        text = f"pooled {short} = {pair.pooled.value:+.2f}"
        found = family.find(pair.a, pair.b, group.name, method) if group else None
        if found is not None and found.within:
            ordered = sorted(e.value for e in found.within.values())
            text += f"\nwithin: {ordered[0]:+.2f} to {ordered[-1]:+.2f}"
        return text

    pooled = {frozenset((c.a, c.b)): panel(c) for c in ranked}
    shown_title = plots.finding_title(finding)
    if group is not None and by_group is not None:  # the pooled value is not the whole story
        low, *_, high = sorted(e.value for e in by_group.within.values())
        shown_title += (
            f"\n(pooled {short} = {best.pooled.value:+.2f}; within each {group.short} "
            f"{low:+.2f} to {high:+.2f})"
        )
    figure = plots.pair_grid(shown, numeric, group, title=shown_title, pooled=pooled)
    question = "Which measurements move together" + (
        f", and do the {group.short} groups separate?" if group else "?"
    )
    return Chart("pairs", title, question, finding, figure, values, "", details)


def composition(
    frame: pd.DataFrame, schema: Schema, group: Column, stack: Column | None, max_levels: int
) -> Chart:
    rows, split = (stack, group) if stack is not None else (group, None)
    table = features.crosstab(frame, rows.name, split.name if split else None)
    table = table.iloc[:max_levels] if len(table) > max_levels else table
    totals = table.sum(axis=1)
    top = report.level(rows, totals.index[0])
    total = int(len(frame[frame[rows.name].notna()]))
    runner_up = (
        f", then {report.level(rows, totals.index[1])} with {int(totals.iloc[1]):,}"
        if len(totals) > 1
        else ""
    )
    # counts per group describe how the data were collected, not a population: no interval
    finding = (
        f"{top} has the most {schema.entity} in this data set: {int(totals.iloc[0]):,} of "
        f"{total:,}{runner_up} ({schema.counts})"
    )
    if split is not None:
        single = [
            f"{report.level(rows, level)} has only "
            f"{report.level(split, table.columns[(table.loc[level] > 0).to_numpy()][0])}"
            for level in table.index
            if (table.loc[level] > 0).sum() == 1
        ]
        # and the other way round: a split level found under one row level only
        single += [
            f"{report.level(split, level)} only in "
            f"{report.level(rows, table.index[(table[level] > 0).to_numpy()][0])}"
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
    figure = plots.bar_counts(
        table, rows, split, title=plots.finding_title(finding), entity=schema.entity
    )
    values: dict[str, object] = {f"count_{level}": int(value) for level, value in totals.items()}
    return Chart("composition", title, question, finding, figure, values)
