"""Personas from stated rules: a name from what sets a segment apart, actions and risk flags
from conditions on its medians. Nothing here is written per segment by hand."""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPERATORS = {">=": operator.ge, "<=": operator.le, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Signal:
    """A feature a segment can be named by: ``high`` if its customers rank high on it.

    A word is used only when the segment's median supports it: ``high`` needs the median above
    everyone's median (and at least ``high_at`` when given); ``low`` needs the median at most
    ``low_at`` when given, else below everyone's median. Ranks say how distinctive a word is;
    the medians say whether it is true.
    """

    column: str
    high: str
    low: str
    high_at: float | None = None
    low_at: float | None = None
    leads: bool = False
    """The high word is a segment's dominant trait when its median reaches ``high_at`` (the
    threshold of an action or risk rule): it then comes first in the name, however far other
    features set the segment apart."""

    def holds(self, high: bool, median: float, overall: float) -> bool:
        """Whether the word ``high`` (or ``low``) is true of a segment with this median."""
        if median != median:  # NaN: not defined for the median customer
            return False
        if high:
            return median > overall and (self.high_at is None or median >= self.high_at)
        return median <= self.low_at if self.low_at is not None else median < overall

    def rule(self) -> str:
        """The leading word's rule, e.g. "'cash-advance users' (cash_advance_share median >=
        0.5)"."""
        return f"'{self.high}' ({self.column} median >= {self.high_at:g})"


@dataclass(frozen=True)
class Rule:
    """``text`` applies to a segment whose median ``column`` satisfies ``op`` ``value`` (and
    stays below ``below`` when given, so that two rules on one column can exclude each other)."""

    column: str
    op: str
    value: float
    text: str
    growth: bool = False
    """An action that asks for more spending or credit: never for a segment at risk."""
    below: float | None = None
    also: tuple[tuple[str, str, float], ...] = ()
    """Further conditions (column, op, value) on the medians, all of which must hold too."""
    why: str = ""
    """Why the thresholds are where they are (shown with the rule)."""

    def conditions(self) -> list[tuple[str, str, float]]:
        upper = [(self.column, "<", self.below)] if self.below is not None else []
        return [(self.column, self.op, self.value), *upper, *self.also]

    def applies(self, medians: pd.Series) -> bool:
        values = [medians.get(column, np.nan) for column, _, _ in self.conditions()]
        return all(
            pd.notna(median) and OPERATORS[op](median, value)
            for median, (_, op, value) in zip(values, self.conditions(), strict=True)
        )

    def members(self, table: pd.DataFrame) -> pd.Series:
        """Per customer (row of ``table``), whether the conditions hold on their own values; a
        value that is not defined (NaN) does not meet a condition."""
        held = pd.Series(True, index=table.index)
        for column, op, value in self.conditions():
            held &= OPERATORS[op](table[column], value)
        return held

    def evidence(self, medians: pd.Series) -> str:
        """The segment's medians that meet the conditions, e.g. 'utilisation 0.45 >= 0.3' or
        'purchases_frequency 0.58 > 0.25 and < 0.75'."""
        first = f"{self.column} {float(medians[self.column]):.2f} " + (
            f"{self.op} {self.value:g}"
            if self.below is None
            else f"{self.op} {self.value:g} and < {self.below:g}"
        )
        return ", ".join(
            [first]
            + [
                f"{column} {float(medians[column]):.2f} {op} {value:g}"
                for column, op, value in self.also
            ]
        )

    def describe(self) -> str:
        listed = " and ".join(f"{c} {op} {v:g}" for c, op, v in self.conditions()[1:])
        more = f" and {listed}" if listed else ""
        why = f" ({self.why})" if self.why else ""
        return f"{self.column} median {self.op} {self.value:g}{more}: {self.text}{why}"


def shown_below(value: float, limit: float) -> str:
    """``value`` (below ``limit``) to three decimals, or more when three would round it up to
    the limit: 0.8496 against 0.85 is '0.8496', never '0.850 < 0.85'."""
    for digits in range(3, 8):
        text = f"{value:.{digits}f}"
        if float(text) < limit:
            return text
    return f"{value:.8f}"


def rank_profile(derived: pd.DataFrame, segments: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Per segment, the mean percentile of its customers among everyone (0-100; 50 = typical).

    Ties share their middle rank, so a column that is 0 for most customers does not make
    those customers look low or high.
    """
    ranks = derived[columns].rank(pct=True, method="average") * 100
    return ranks.groupby(segments).mean().rename_axis("segment")


def words(
    profile: pd.Series, signals: list, threshold: float, terms: int, claims: dict | None = None
) -> list[str]:
    """Up to ``terms`` words: first every leading signal whose median reaches its rule (the
    segment's dominant trait, ``Signal.leads``), then the signals at least ``threshold`` points
    from 50 whose claim holds, the most distinctive high ones first, then the most distinctive
    low ones.

    ``claims`` maps a signal's column to (segment median, everyone's median); without it every
    distinctive signal is kept (ranks only) and no word leads."""
    scored = [(profile[signal.column] - 50, signal) for signal in signals]
    leading = [
        (distance, signal)
        for distance, signal in scored
        if claims is not None
        and signal.leads
        and signal.high_at is not None
        and signal.holds(True, *claims[signal.column])
    ]
    kept = [
        (distance, signal)
        for distance, signal in scored
        if abs(distance) >= threshold
        and (distance, signal) not in leading
        and (claims is None or signal.holds(distance > 0, *claims[signal.column]))
    ]
    # The dominant trait first; what customers do names them before what they do not.
    leading.sort(key=lambda item: -item[0])
    kept.sort(key=lambda item: (item[0] < 0, -abs(item[0])))
    named = [signal.high for _, signal in leading]
    named += [signal.high if distance > 0 else signal.low for distance, signal in kept]
    return named[:terms]


def name(
    profile: pd.Series, signals: list, threshold: float, terms: int = 2, claims: dict | None = None
) -> str:
    """E.g. "Cash-advance users & near the limit"; "Typical customers" when nothing
    stands out."""
    found = words(profile, signals, threshold, terms, claims)
    if not found:
        return "Typical customers"
    text = " & ".join(found)
    return text[0].upper() + text[1:]


def claims_of(medians: pd.DataFrame, signals: list) -> dict:
    """Per segment, per signal column: (segment median, everyone's median); row 'all' is
    everyone."""
    return {
        segment: {
            signal.column: (
                float(medians.loc[segment, signal.column]),
                float(medians.loc["all", signal.column]),
            )
            for signal in signals
        }
        for segment in medians.index
        if segment != "all"
    }


def unique_names(
    profiles: pd.DataFrame, signals: list, threshold: float, medians: pd.DataFrame | None = None
) -> dict:
    """A name per segment; where two would use the same words (in any order), each gets one
    more signal, until they differ or the signals run out (then the number is added).

    ``medians`` (per segment and a row 'all') restricts each word to claims its median
    supports (Signal.holds)."""
    claims = claims_of(medians, signals) if medians is not None else {}
    terms = dict.fromkeys(profiles.index, 2)
    while True:
        sets = {
            s: frozenset(words(profiles.loc[s], signals, threshold, terms[s], claims.get(s)))
            for s in profiles.index
        }
        repeated = [s for s in sets if list(sets.values()).count(sets[s]) > 1]
        growing = [s for s in repeated if terms[s] < len(signals)]
        if not growing:
            names = {
                s: name(profiles.loc[s], signals, threshold, terms[s], claims.get(s)) for s in sets
            }
            return {s: f"{n} ({s})" if s in repeated else n for s, n in names.items()}
        for segment in growing:
            terms[segment] += 1


def name_fit(name: str, members: pd.DataFrame, overall: pd.Series, signals: list) -> dict:
    """Per word of a segment's name, the share of its customers of whom the word is true on
    their own (Signal.holds on each customer's value): a name is true of the median, and this
    says how many members it describes."""
    found = {signal.high: (signal, True) for signal in signals}
    found |= {signal.low: (signal, False) for signal in signals}
    fit = {}
    for word in name.split(" (")[0].split(" & "):
        key = word[0].lower() + word[1:]
        if key not in found:
            continue  # "Typical customers": no claim
        signal, high = found[key]
        everyone = float(overall[signal.column])
        holds = [signal.holds(high, value, everyone) for value in members[signal.column]]
        fit[key] = float(np.mean(holds)) if holds else 0.0
    return fit


def applying(rules: list, medians: pd.Series) -> list[str]:
    """The texts of the rules whose condition holds for these medians."""
    return [rule.text for rule in rules if rule.applies(medians)]


def chosen(rules: list, medians: pd.Series, at_risk: bool) -> list:
    """The rules whose condition holds; a segment with a risk flag gets no growth rule (more
    spending, more credit or rewards), only the ones that reduce the risk."""
    return [rule for rule in rules if rule.applies(medians) and not (at_risk and rule.growth)]
