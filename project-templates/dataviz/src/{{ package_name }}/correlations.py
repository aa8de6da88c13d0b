"""Correlations pooled and within every grouping: the Holm-adjusted tests (one family per
grouping), the
sentences that describe a pair within the groups, and the correlation chart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import plots, report, stats
from .chart import Chart, seed_for
from .config import Params
from .schema import Column, Schema, identities
from .stats import Comparison


def correlation_method(columns: list[Column]) -> str:
    # Rank correlation for skewed measurements: a few huge values would dominate Pearson's r.
    return "spearman" if any(column.log or column.heavy for column in columns) else "pearson"


def nested_levels(frame: pd.DataFrame, category: str, group: str) -> dict[str, str]:
    """Each level of ``category`` → the ``group`` levels found there, when some level lacks
    a group (islands holding different species): the two groupings are then confounded."""
    data = frame.dropna(subset=[category, group])
    held = data.groupby(category, observed=True)[group].agg(lambda s: sorted(set(map(str, s))))
    if all(len(groups) == data[group].nunique() for groups in held):
        return {}
    return {str(level): report.joined(groups) for level, groups in held.items()}


def crossed(frame: pd.DataFrame, group: Column, other: Column) -> tuple[pd.DataFrame, Column]:
    """The table with one more category: the cells of two groupings ("A / female")."""
    name = f"{group.name} × {other.name}"
    both = frame[group.name].notna() & frame[other.name].notna()
    cells = frame[group.name].astype(str) + " / " + frame[other.name].astype(str)
    column = Column(
        name=name,
        kind="category",
        label=f"{group.plain} × {other.plain.lower()} cell",
    )
    return frame.assign(**{name: cells.where(both)}), column


def pooled_comparisons(frame: pd.DataFrame, names: list[str], method: str) -> list[Comparison]:
    """Every pair's pooled correlation, as comparisons without groups."""
    result = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            estimate, _ = stats.correlation(frame[a], frame[b], method)
            result.append(Comparison(a, b, "", estimate, {}))
    return result


def small_groups(data: pd.DataFrame, name: str, comparisons: list[Comparison]) -> dict[str, int]:
    """The groups no pair kept (under the minimum of rows) and their rows: named, not hidden."""
    kept = {level for comparison in comparisons for level in comparison.within}
    counts = data[name].dropna().astype(str).value_counts()
    return {level: int(n) for level, n in counts.items() if level not in kept}


@dataclass(frozen=True)
class Family:
    """Every pair × grouping comparison of the correlation table. Each grouping's tests are one
    Holm family (one question: does holding this grouping fixed change the correlations?),
    fixed before any test is run; other findings quote these, so each p has one adjusted value."""

    groupings: dict[str, list[Comparison]]
    method: str
    small: dict[str, dict[str, int]] = field(default_factory=dict)

    def size(self, grouping: str) -> int:
        return sum(c.test is not None for c in self.groupings.get(grouping, []))

    def find(self, a: str, b: str, grouping: str, method: str) -> Comparison | None:
        if method != self.method:
            return None
        for comparison in self.groupings.get(grouping, []):
            if {comparison.a, comparison.b} == {a, b}:
                return comparison
        return None


def record_tests(
    values: dict, by_group: Comparison | None, by_cells: Comparison | None, size: int
) -> None:
    """Store a pair's comparison with the main grouping (its label and the size of its Holm
    family) and with the crossed cells in a figure's ``values``."""
    if by_group is not None:
        values["by_group"] = by_group.as_dict()
        values["label"] = by_group.label
        values["tests_in_family"] = size
    if by_cells is not None:
        values["by_cells"] = by_cells.as_dict()


def pair_details(
    frame: pd.DataFrame,
    names: tuple[str, str],
    group: Column,
    schema: Schema,
    params: Params,
    family: Family,
    method: str,
) -> tuple[Comparison | None, Comparison | None, list[str], int]:
    """A pair within the groups and within the cells of the group × the second grouping: the
    comparisons (from the correlation table's family when it holds them, else computed here
    and adjusted over these two tests), the sentences for report.md, and the family's size."""
    symbol = report.symbol(method)
    wanted: list[tuple[str, pd.DataFrame, str | None]] = [(group.name, frame, None)]
    split = schema.column(schema.split) if schema.split and schema.split != group.name else None
    if split is not None:
        cells, cell = crossed(frame, group, split)
        wanted.append((cell.name, cells, group.name))  # the cells tested within each group
    found = [family.find(*names, name, method) for name, _, _ in wanted]
    size = family.size(group.name)
    tests = "the grouping's pairs"
    if any(c is None for c in found):  # not in the table (another scale or method): test here
        computed = [
            next(
                iter(
                    stats.compare_within(
                        table,
                        list(names),
                        name,
                        method=method,
                        min_rows=params.min_group_rows,
                        strata=strata,
                    )
                ),
                None,
            )
            for name, table, strata in wanted
        ]
        kept = stats.adjusted([c for c in computed if c is not None])
        found = [kept.pop(0) if c is not None else None for c in computed]
        size = sum(c is not None and c.test is not None for c in found)
        tests = f"the {size} tests of this finding"
    by_group = found[0]
    by_cells = found[1] if len(found) > 1 else None
    details = []
    if by_group is not None:
        details.append(report.held_sentence(by_group, group.short, symbol))
        details.append(report.test_sentence(by_group, f"the {group.short} groups", tests))
    if by_cells is not None and split is not None:
        where = f"{split.short} within each {group.short}"
        details.append(report.test_sentence(by_cells, where, tests))
    return by_group, by_cells, [d for d in details if d], size


def correlation_family(
    frame: pd.DataFrame,
    schema: Schema,
    numeric: list[Column],
    group: Column | None,
    params: Params,
) -> tuple[Family, dict[str, dict[str, str]]]:
    """Every pair × grouping comparison: each category, and the main group crossed with each
    other category (tested within the main groups found in more than one of its levels).
    Returns them Holm-adjusted per grouping and the groupings confounded with the main one
    (level → the main levels it holds)."""
    method, names = correlation_method(numeric), [c.name for c in numeric]
    found: dict[str, list[Comparison]] = {}
    confounded: dict[str, dict[str, str]] = {}
    small: dict[str, dict[str, int]] = {}
    for category in schema.of_kind("category"):
        main = group is not None and category.name == group.name
        comparisons = stats.compare_within(
            frame,
            names,
            category.name,
            method=method,
            min_rows=params.min_group_rows,
            # the main grouping's findings quote between-group shares: intervals
            resamples=params.resamples if main else 0,
            seed=seed_for(params, "co-variation", category.name),
        )
        if comparisons:
            if group is not None and not main:
                nested = nested_levels(frame, category.name, group.name)
                if nested:
                    # levels holding different main groups make any difference partly the
                    # main grouping's: tested, and said so
                    confounded[category.name] = nested
            found[category.name] = comparisons
            small[category.name] = small_groups(frame, category.name, comparisons)
    if group is not None:
        for other in schema.of_kind("category"):
            if other.name == group.name:
                continue
            cells, cell = crossed(frame, group, other)
            comparisons = stats.compare_within(  # the other grouping tested given the group
                cells,
                names,
                cell.name,
                method=method,
                min_rows=params.min_group_rows,
                strata=group.name,
            )
            if comparisons:
                found[cell.name] = comparisons
                small[cell.name] = small_groups(cells, cell.name, comparisons)
    groupings = {name: stats.adjusted(comparisons) for name, comparisons in found.items()}
    small = {name: levels for name, levels in small.items() if levels}
    return Family(groupings, method, small), confounded


def correlation(
    frame: pd.DataFrame,
    schema: Schema,
    numeric: list[Column],
    group: Column | None,
    params: Params,
    found: tuple[Family, dict[str, dict[str, str]]],
) -> Chart:
    """Pooled correlations beside the ones within each group, for every grouping the table
    has: the chart shows the main grouping, the finding what holding it fixed does to each
    pooled correlation, report.md every grouping and test."""
    family, confounded = found
    method, names = correlation_method(numeric), [c.name for c in numeric]
    symbol = report.symbol(method)
    labels = {column.name: report.plain_name(column) for column in numeric}
    pooled = pooled_comparisons(frame, names, method)
    tied = identities(frame, names, params)
    strong = sum(abs(c.pooled.value) >= 0.5 and not c.pooled.spans_zero for c in pooled)
    strongest = max(
        [c for c in pooled if (c.a, c.b) not in tied] or pooled, key=lambda c: abs(c.pooled.value)
    )
    established = sum(not c.pooled.spans_zero for c in pooled)
    rows = int(frame[names].dropna().shape[0])
    # with many rows even a negligible correlation has an interval clear of zero: say how small
    floor = stats.fisher_interval(0.0, rows)[1] if rows > 3 else float("nan")
    strongest_name = "strongest" if not tied else "strongest that is not arithmetic or a near-copy"
    counts = (
        f"Pooled over all {schema.entity}, {established} of {len(pooled)} pairs have a 95% "
        f"interval clear of zero (with {rows:,} complete rows, any |{symbol}| above "
        f"{floor:.2f} has), {strong} with |{symbol}| ≥ 0.5"
    )
    overall = (
        f"{counts}; the {strongest_name} is {labels[strongest.a]} × {labels[strongest.b]} "
        f"({report.r_ci(strongest.pooled, symbol)})."
    )
    details = [f"{counts}."]  # the finding names the strongest
    if tied:
        details.append(f"Left out of 'strongest': {'; '.join(sorted(set(tied.values())))}.")
    main = family.groupings.get(group.name, []) if group is not None else []
    if main and group is not None:
        finding = report.capital(
            f"with {group.short} held fixed, "
            + report.label_counts(main, labels, group.short, named=False)
        )
        details.append(
            report.capital(
                f"with {group.short} held fixed, " + report.label_counts(main, labels, group.short)
            )
            + "."
        )
        strongest_main = max(main, key=lambda c: abs(c.pooled.value))  # the top black mark
        finding += (
            f"; the strongest pooled, {labels[strongest_main.a]} × {labels[strongest_main.b]}, is "
            f"{report.r_ci(strongest_main.pooled, symbol)}."
        )
    else:
        finding = overall
        details = details[1:]
    tested = [c for comparisons in family.groupings.values() for c in comparisons if c.test]
    differ = [c for c in tested if c.differs]
    shorts = {column.name: column.short for column in schema.of_kind("category")}

    def grouping(name: str) -> str:
        """A grouping as prose: "kind", "kind × site" (column names are not words)."""
        return " × ".join(shorts.get(part, part) for part in name.split(" × "))

    def tested_as(name: str) -> str:
        """What a grouping's test compares: a crossing's second grouping within the first's
        groups, named when only some hold two of its levels ("island within Adelie")."""
        parts = [shorts.get(part, part) for part in name.split(" × ")]
        if len(parts) == 1:
            return parts[0]
        tests = [c.test for c in family.groupings.get(name, []) if c.test]
        strata = sorted({level for test in tests for level in test.strata})
        if group is not None and strata and len(strata) < len(group.levels):
            return f"{parts[1]} within {report.joined(strata)}"
        return f"{parts[1]} within {parts[0]}"

    for name, comparisons in family.groupings.items():  # each label is in the table
        tests = [c for c in comparisons if c.test]
        if tests and not (group is not None and name == group.name):
            rejected = sum(c.differs for c in tests)
            smallest = min(c.p_adjusted for c in tests)
            details.append(
                f"Equal correlations by {tested_as(name)}: rejected for {rejected} of "
                f"{len(tests)} pairs (smallest adjusted {stats.p_text(smallest)})."
            )
        if name in confounded:
            held = "; ".join(f"{k}: {v}" for k, v in confounded[name].items())
            main_name = group.short if group else "the group"
            details.append(
                f"{report.capital(grouping(name))} is confounded with {main_name} ({held}): "
                f"a difference between its groups may be that of the {main_name} groups in "
                f"them; {tested_as(f'{group.name} × {name}')} compares like with like."
            )
    for name, levels in family.small.items():
        few = ", ".join(f"{level} (n = {n})" for level, n in levels.items())
        details.append(f"Left out of {grouping(name)}, under {params.min_group_rows} rows: {few}.")
    values: dict[str, object] = {
        "method": method,
        "labels": labels,
        "pairs": len(pooled),
        "established_pairs": established,
        "strong_pairs": strong,
        "complete_rows": rows,
        "zero_excluded_above": round(floor, 4),
        "identities": {f"{a} / {b}": reason for (a, b), reason in tied.items()},
        "pooled": {f"{c.a} / {c.b}": c.pooled.as_dict() for c in pooled},
        "groupings": {name: [c.as_dict() for c in cs] for name, cs in family.groupings.items()},
        "tests": len(tested),
        "tests_rejected": len(differ),
        "confounded": confounded,
        "small_groups": family.small,
    }
    shown = main or pooled
    shown = sorted(shown, key=lambda c: -abs(c.pooled.value))[: params.max_correlation_pairs]
    title = "Correlations, pooled and within " + (
        f"each {group.short}" if group and shown and shown[0].within else "the data"
    )
    shown_title = plots.finding_title(finding)
    if shown_title.count("\n") > 1:  # over two lines: the first count only, the rows say the rest
        shown_title = plots.finding_title(", ".join(finding.split(", ")[:2]))
    figure = plots.correlation_intervals(  # the finding's words and counts
        shown, labels, group=group, method=method, title=shown_title
    )
    return Chart(
        "correlation",
        title,
        "Which measurements move together, and does a grouping change the answer?",
        finding,
        figure,
        values,
        "",
        details,
    )
