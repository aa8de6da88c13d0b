"""The sentences of the findings: numbers with their 95% intervals in words, ties, what a
grouping does to a correlation, and the tests behind it. Statistics come from ``stats`` and
``gallery``; nothing here computes one."""

from __future__ import annotations

import pandas as pd

from . import stats
from .plots import fmt, fmt_interval
from .schema import Column
from .stats import Comparison, Estimate


def level(column: Column, level: object) -> str:
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


def pct(estimate: Estimate, *, inside: bool = False) -> str:
    interval = f"95% CI {estimate.low:.0%} to {estimate.high:.0%}"
    return f"{estimate.value:.0%}, {interval}" if inside else f"{estimate.value:.0%} ({interval})"


def tie(upper: str, lower: str, medians: dict[str, Estimate], step: Estimate, unit: str) -> str:
    """Two medians whose difference's interval holds zero, in plain words."""
    if pd.isna(step.low):
        return f"{upper} and {lower}: too few values to compare"
    high, low = medians[upper].value, medians[lower].value
    start, end = fmt_interval(step.low, step.high).split(" to ")
    sign = "+" if step.high > 0 else ""
    allowed = f"the data allow a difference from {start} to {sign}{end}{unit} (95% CI)"
    if high == low:
        return f"{upper} and {lower} have equal medians ({fmt(high)}{unit}), and {allowed}"
    return (
        f"{upper} ({fmt(high)}{unit}) and {lower} ({fmt(low)}{unit}) are within the noise: "
        f"{allowed}"
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def r_ci(estimate: Estimate, symbol: str) -> str:
    """ "r = 0.53, 95% CI 0.45 to 0.60" (inside brackets)."""
    return f"{symbol} = {with_ci(estimate, digits=2, inside=True)}"


def ends(comparison: Comparison, symbol: str) -> str:
    """The group correlations' range with the intervals of its two ends:
    "r from +0.39, 95% CI 0.25 to 0.52, to +0.65, 95% CI 0.53 to 0.74"."""
    ordered = sorted(comparison.within.values(), key=lambda e: e.value)
    low, high = ordered[0], ordered[-1]
    return (
        f"{symbol} from {low.value:+.2f}, 95% CI {low.low:.2f} to {low.high:.2f}, to "
        f"{high.value:+.2f}, 95% CI {high.low:.2f} to {high.high:.2f}"
    )


def describe(comparison: Comparison, group: Column, symbol: str) -> str:
    """What a grouping does to a pooled correlation: a clause that follows the pooled value,
    by the comparison's label (``Comparison.label``), with the within-group range and intervals."""
    label, pooled = comparison.label, comparison.pooled
    within = ends(comparison, symbol)
    every = all(not e.spans_zero for e in comparison.within.values())
    if label == stats.REVERSED:
        turn = "rises" if pooled.value < 0 else "falls"
        where = f"every {group.short}" if every else f"the {group.short} groups"
        return f", but within {where} it {turn} ({within})"
    if label == stats.VANISHES:
        return (
            f", but with {group.short} held fixed it vanishes "
            f"({r_ci(comparison.held, symbol)}; within each {group.short}, {within})"
        )
    if label == stats.APPEARS:
        return (
            f", but with {group.short} held fixed there is one "
            f"({r_ci(comparison.held, symbol)}; within each {group.short}, {within})"
        )
    if label == stats.BETWEEN_GROUPS:
        return (
            f", but {comparison.between:.0%} of its co-variation lies between the {group.short} "
            f"means; within each {group.short}, {within}"
        )
    return f"; within each {group.short}, {within}"


def held_sentence(comparison: Comparison, held: str, symbol: str) -> str:
    """ "With species held fixed (each value minus its group's mean), r = 0.53, 95% CI …"."""
    return f"With {held} held fixed, {r_ci(comparison.held, symbol)}."


def test_sentence(comparison: Comparison, where: str, family: str) -> str:
    """Cochran's Q of equal correlations across ``where``, raw and family-adjusted p."""
    test = comparison.test
    if test is None:
        return ""
    verdict = (
        f"the correlation differs between the {where}"
        if comparison.differs
        else f"equal correlations across the {where} are not rejected"
    )
    return (
        f"Equal correlations across the {where}: Q = {test.q:.1f} on {test.dof} df, "
        f"{stats.p_text(test.p)}; adjusted by Holm over {family}, "
        f"{stats.p_text(comparison.p_adjusted)}: {verdict}."
    )


def cells_sentence(comparison: Comparison, symbol: str) -> str:
    """The cells' range, and the cells whose interval holds zero."""
    low, high = comparison.within_range
    zero = [level for level, e in comparison.within.items() if e.spans_zero]
    text = f"Cell by cell, {symbol} runs from {low:.2f} to {high:.2f}"
    if zero:
        holds = "its interval holds" if len(zero) == 1 else "their intervals hold"
        return f"{text}; not established in {', '.join(zero)} ({holds} zero)."
    return f"{text}, every cell's interval clear of zero."


def plain_name(column: Column) -> str:
    return column.plain if column.plain.isupper() else column.plain.lower()


def symbol(method: str) -> str:
    return "Spearman ρ" if method == "spearman" else "r"


def listed(comparisons: list[Comparison], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[c.a]} × {labels[c.b]}" for c in comparisons)


def label_counts(comparisons: list[Comparison], labels: dict[str, str], group: str) -> str:
    """ "3 of the 6 pooled correlations reverse sign (…), and 3 are mostly …"."""
    phrases = {  # (one, several)
        stats.REVERSED: ("reverses sign", "reverse sign"),
        stats.VANISHES: ("vanishes", "vanish"),
        stats.BETWEEN_GROUPS: (
            f"is mostly a difference between {group} means",
            f"are mostly differences between {group} means",
        ),
        stats.APPEARS: ("appears only within groups", "appear only within groups"),
    }
    parts = []
    for label, (one, several) in phrases.items():
        hit = [c for c in comparisons if c.label == label]
        if hit:
            parts.append(f"{len(hit)} {one if len(hit) == 1 else several} ({listed(hit, labels)})")
    total = len(comparisons)
    if not parts:
        return f"all {total} pooled correlations hold"
    first = parts[0].split(" ", 1)
    text = f"{first[0]} of the {total} pooled correlations {first[1]}"
    if len(parts) > 1:
        text += (
            ", " + ", ".join(parts[1:-1]) + (", " if len(parts) > 2 else "") + "and " + parts[-1]
        )
    return text
