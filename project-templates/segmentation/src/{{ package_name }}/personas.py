"""Personas from stated rules: a name from what sets a segment apart, actions and risk flags
from conditions on its medians. Nothing here is written per segment by hand."""

from __future__ import annotations

import operator
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPERATORS = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Signal:
    """A feature a segment can be named by, with the words for its customers ranking above or
    below everyone."""

    column: str
    high: str
    low: str


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
    short: str = ""
    """The action in a few words, for the headline table (``text`` when empty)."""
    why: str = ""
    """Why the thresholds are where they are (shown with the rule)."""
    remedy: str = ""
    """For a flag: the protective action of every customer who meets it, whatever the segment."""

    def conditions(self) -> list[tuple[str, str, float]]:
        upper = [(self.column, "<", self.below)] if self.below is not None else []
        return [(self.column, self.op, self.value), *upper, *self.also]

    @property
    def key(self) -> str:
        """The rule's id in metrics.json: its conditions' columns and operators, so rewording
        its text or moving a cut-off keeps it."""
        return " and ".join(f"{column} {op}" for column, op, _ in self.conditions())

    def applies(self, medians: pd.Series) -> bool:
        return bool(self.members(medians.to_frame().T).iloc[0])

    def members(self, table: pd.DataFrame) -> pd.Series:
        """Per customer (row of ``table``), whether the conditions hold on their own values; a
        value that is not defined (NaN or no column) does not meet a condition."""
        held = pd.Series(True, index=table.index)
        for column, op, value in self.conditions():
            held &= OPERATORS[op](table.get(column, np.nan), value)
        return held

    def clears(self, low: pd.Series, high: pd.Series) -> bool:
        """Whether the whole 95% bootstrap interval of each median meets the rule (the same
        operator and cut-off as ``applies``): an interval that crosses the cut-off is
        borderline."""
        return bool(self.members(pd.DataFrame([low, high])).all())

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


MOSTLY = 2 / 3
"""Share of a segment's customers from which their card use names it ('mostly ...'); set after
seeing CC GENERAL's segments, where 'mostly' at a half misdescribed two of them."""


def names(ranks: pd.DataFrame, signals: list, uses: pd.DataFrame, implied: dict) -> dict:
    """Per segment, two words: first the card use at least ``MOSTLY`` of its customers share
    (a column of ``uses``, shares per segment), then its most distinguishing traits: the
    ``rank_profile`` furthest from 50 (everyone's average) among those where it ranks strictly
    further that way than every other segment (a tie names no one), each with the word for its
    direction: e.g. 'Mostly cash only & low limits'. A trait a segment's use already says
    (``implied``) neither names it nor makes it a rival: cash-only segments rarely buy, so among
    the segments that buy, the one buying in fewest months is 'rarely buy'."""
    words = {signal.column: signal for signal in signals}
    use = {s: [c for c in uses.columns if uses.loc[s, c] >= MOSTLY] for s in ranks.index}
    said = {s: {c for word in use[s] for c in implied.get(word, ())} for s in ranks.index}
    result = {}
    for segment, row in ranks.iterrows():
        traits = []
        for column, value in (row - 50).items():
            if column in said[segment] or value == 0:
                continue
            rivals = [ranks.loc[s, column] - 50 for s in ranks.index if column not in said[s]]
            if sum(value * np.sign(value) <= rival * np.sign(value) for rival in rivals) == 1:
                traits.append(column)
        traits.sort(key=lambda column: -abs(row[column] - 50))
        named = [f"mostly {word}" for word in use[segment]] + [
            words[c].high if row[c] > 50 else words[c].low for c in traits
        ]
        text = " & ".join(named[:2])
        result[segment] = text[0].upper() + text[1:] if text else f"Segment {segment}"
    repeated = [s for s in result if list(result.values()).count(result[s]) > 1]
    return {s: f"{n} ({s})" if s in repeated else n for s, n in result.items()}


def customer_actions(
    derived: pd.DataFrame, segments: np.ndarray, acting: dict, risks: list
) -> pd.DataFrame:
    """Per customer: a column per risk rule (met on their own values), ``at_risk``, and the
    actions that follow. Risk is a customer's own: every customer who meets a risk rule gets its
    remedy, whatever their segment, and never a growth action; a segment's action (a rule its
    median meets, ``acting[segment]``) goes to its customers who meet the rule themselves."""
    flags = pd.DataFrame(
        {f"flag: {rule.text.split(':')[0]}": rule.members(derived) for rule in risks},
        index=derived.index,
    )
    at_risk = flags.any(axis=1) if len(risks) else pd.Series(False, index=derived.index)
    rules = {id(rule): rule for rules in acting.values() for rule in rules}
    meets = {key: rule.members(derived).to_numpy() for key, rule in rules.items()}
    actions = []
    for row, (segment, own_flags, risky) in enumerate(
        zip(segments, flags.to_numpy(), at_risk, strict=True)
    ):
        texts = [rule.remedy for rule, held in zip(risks, own_flags, strict=True) if held]
        texts += [
            rule.text
            for rule in acting[segment]
            if meets[id(rule)][row] and not (risky and rule.growth) and rule.text not in texts
        ]
        actions.append("; ".join(texts))
    return flags.assign(flagged=at_risk, actions=actions)


def median_interval(values: pd.DataFrame, resamples: int, seed: int) -> tuple[pd.Series, pd.Series]:
    """The 95% bootstrap interval (percentile) of each column's median, over ``resamples``
    draws of the rows; NaN values are ignored as the median ignores them."""
    rng = np.random.default_rng(seed)
    array = values.to_numpy(dtype=float)
    draws = rng.integers(0, len(array), size=(resamples, len(array)))
    with warnings.catch_warnings():  # a column with no defined value has no median: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        medians = np.nanmedian(array[draws], axis=1)  # resamples x columns
        low, high = np.nanpercentile(medians, [2.5, 97.5], axis=0)
    return pd.Series(low, index=values.columns), pd.Series(high, index=values.columns)
