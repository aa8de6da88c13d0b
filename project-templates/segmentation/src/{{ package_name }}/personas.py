"""Personas from stated rules: a name from what sets a segment apart, actions and risk flags
from conditions on its medians. Nothing here is written per segment by hand."""

from __future__ import annotations

import operator
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPERATORS = {">=": operator.ge, "<=": operator.le, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Signal:
    """A feature a segment can be named by: ``high`` needs the median above everyone's (and at
    least ``high_at``); ``low`` at most ``low_at``, else below everyone's median."""

    column: str
    high: str
    low: str
    high_at: float | None = None
    low_at: float | None = None
    leads: bool = False
    """The high word comes first in a name when the median reaches ``high_at`` (a flag's)."""

    def holds(
        self,
        high: bool,
        median: float,
        overall: float,
        low_end: float | None = None,
        high_end: float | None = None,
    ) -> bool:
        """Whether the word is true of this median; given its 95% interval (``low_end``,
        ``high_end``), the whole interval must clear the threshold."""
        if median != median:  # NaN: not defined for the median customer
            return False
        if high:
            at = median if low_end is None else low_end
            return median > overall and (self.high_at is None or at >= self.high_at)
        at = median if high_end is None else high_end
        return at <= self.low_at if self.low_at is not None else median < overall

    def borderline(
        self, median: float, overall: float, low_end: float, high_end: float
    ) -> str | None:
        """'high' or 'low' when the word holds for the median but not for its whole interval."""
        for high in (True, False):
            if self.holds(high, median, overall) and not self.holds(
                high, median, overall, low_end, high_end
            ):
                return "high" if high else "low"
        return None

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
    short: str = ""
    """The action in a few words, for the headline table (``text`` when empty)."""
    persona: str = ""
    """The name of a segment with this action when no word fits, e.g. 'Occasional users'."""
    meets: str = ""
    """What the customers who meet the rule do, e.g. 'buy in at most 25% of months'."""
    why: str = ""
    """Why the thresholds are where they are (shown with the rule)."""
    remedy: str = ""
    """For a flag: the protective action of every customer who meets it, whatever the segment."""

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

    def clears(self, low: pd.Series, high: pd.Series) -> bool:
        """Whether the whole 95% bootstrap interval of each median meets its condition (the
        lower end for ``>=``/``>``, the upper end for ``<=``/``<``): a rule met by the median
        alone, not by its interval, is borderline."""
        return all(
            pd.notna(low.get(column, np.nan))
            and OPERATORS[op]((low if op in (">=", ">") else high)[column], value)
            for column, op, value in self.conditions()
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
    profile: pd.Series,
    signals: list,
    threshold: float,
    terms: int,
    claims: dict | None = None,
    include: tuple[str, ...] = (),
    fits: dict | None = None,
) -> list[str]:
    """Up to ``terms`` words: every leading signal whose median reaches its rule first, then the
    words of the columns in ``include`` (the traits behind the actions), then the signals at
    least ``threshold`` points from 50, high before low, most distinctive first. ``claims``
    (column -> segment median, everyone's[, interval ends]) keeps only words the medians
    support; ``fits`` (``word_fits``) only words that fit the customers."""

    def fitting(signal, high: bool) -> bool:
        return fits is None or fits_well(fits.get((signal.column, high)))

    scored = [(profile[signal.column] - 50, signal) for signal in signals]
    leading = [
        (distance, signal)
        for distance, signal in scored
        if claims is not None
        and signal.leads
        and signal.high_at is not None
        and signal.holds(True, *claims[signal.column])
        and fitting(signal, True)
    ]
    forced = [
        (distance, signal)
        for distance, signal in scored
        if signal.column in include
        and (distance, signal) not in leading
        and (claims is None or signal.holds(distance > 0, *claims[signal.column]))
        and fitting(signal, distance > 0)
    ]
    kept = [
        (distance, signal)
        for distance, signal in scored
        if abs(distance) >= threshold
        and (distance, signal) not in leading + forced
        and (claims is None or signal.holds(distance > 0, *claims[signal.column]))
        and fitting(signal, distance > 0)
    ]
    # The dominant trait first; what customers do names them before what they do not.
    leading.sort(key=lambda item: -item[0])
    kept.sort(key=lambda item: (item[0] < 0, -abs(item[0])))
    named = [signal.high for _, signal in leading]
    named += [signal.high if distance > 0 else signal.low for distance, signal in forced + kept]
    return named[: max(terms, len(leading) + len(forced))]


def name(
    profile: pd.Series,
    signals: list,
    threshold: float,
    terms: int = 2,
    claims: dict | None = None,
    include: tuple[str, ...] = (),
    fits: dict | None = None,
) -> str:
    """E.g. "Cash-advance users & near the limit"; "Typical customers" when nothing
    stands out."""
    found = words(profile, signals, threshold, terms, claims, include, fits)
    if not found:
        return "Typical customers"
    text = " & ".join(found)
    return text[0].upper() + text[1:]


def claims_of(
    medians: pd.DataFrame,
    signals: list,
    low: pd.DataFrame | None = None,
    high: pd.DataFrame | None = None,
) -> dict:
    """Per segment, per signal column: (segment median, everyone's median), plus the ends of
    the median's 95% bootstrap interval when ``low`` and ``high`` (per segment) are given; row
    'all' is everyone."""
    return {
        segment: {
            signal.column: (
                float(medians.loc[segment, signal.column]),
                float(medians.loc["all", signal.column]),
                *(
                    (
                        float(low.loc[segment, signal.column]),
                        float(high.loc[segment, signal.column]),
                    )
                    if low is not None and high is not None
                    else ()
                ),
            )
            for signal in signals
        }
        for segment in medians.index
        if segment != "all"
    }


def unique_names(
    profiles: pd.DataFrame,
    signals: list,
    threshold: float,
    medians: pd.DataFrame | None = None,
    traits: dict | None = None,
    bounds: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    fits: dict | None = None,
    gap: float | None = None,
    fallback: dict | None = None,
) -> dict:
    """A name per segment from ``words``; two with the same words get one more word each until
    they differ (else the number is added). ``medians``/``bounds`` restrict words to what the
    medians and their intervals support, ``fits`` to what fits the customers, ``gap`` makes a
    shared word tell names apart (``distinct_siblings``), and ``fallback`` (column, persona,
    share) names a segment whose action's trait fits too few by that action."""
    claims = claims_of(medians, signals, *(bounds or (None, None))) if medians is not None else {}
    include = {s: set((traits or {}).get(s, ())) for s in profiles.index}
    terms = dict.fromkeys(profiles.index, 2)

    def found(s) -> list[str]:
        return words(
            profiles.loc[s],
            signals,
            threshold,
            terms[s],
            claims.get(s),
            tuple(include[s]),
            (fits or {}).get(s),
        )

    while True:
        sets = {s: frozenset(found(s)) for s in profiles.index}
        repeated = [s for s in sets if list(sets.values()).count(sets[s]) > 1]
        growing = [s for s in repeated if terms[s] < len(signals)]
        if not growing:
            chosen_words = {s: found(s) for s in sets}
            if gap is not None and fits:
                chosen_words = distinct_siblings(chosen_words, signals, claims, fits, gap, profiles)
            names = {s: " & ".join(found_words) for s, found_words in chosen_words.items()}
            for s, text in names.items():
                column, persona, detail = (fallback or {}).get(s, (None, "", ""))
                said = {w for sig in signals if sig.column == column for w in (sig.high, sig.low)}
                trait = [(fits or {}).get(s, {}).get((column, high)) for high in (True, False)]
                fitting = any(fit is not None and fit["fits"] for fit in trait)
                if persona and not said & set(chosen_words[s]) and not fitting:
                    # Its action's trait fits too few of its customers to be a word: the name
                    # leads with the action's persona and says how many meet it.
                    names[s] = " & ".join([persona, *chosen_words[s]]) + f" ({detail})"
                    continue
                # Nothing fits: "Typical customers" only if nothing sets the segment apart at
                # all, else a neutral number (its words do not fit enough of its customers).
                plain = fits and words(
                    profiles.loc[s], signals, threshold, terms[s], claims.get(s), tuple(include[s])
                )
                text = text or (f"Segment {s}" if plain else "Typical customers")
                names[s] = text[0].upper() + text[1:]
            return {s: f"{n} ({s})" if s in repeated else n for s, n in names.items()}
        for segment in growing:
            terms[segment] += 1


def distinct_siblings(
    chosen: dict, signals: list, claims: dict, fits: dict, gap: float, profiles: pd.DataFrame
) -> dict:
    """Per segment its words, where no word is shared by two names unless it tells them apart.

    A word in several names stays only in the one whose segment it fits (``word_fits`` share)
    by at least ``gap`` more than each other sharing segment; elsewhere it is replaced by the
    word that fits that segment by the widest margin (at least ``gap``) over the segments it
    shared the word with, or dropped. One exception, a family word: a leading trait that
    begins every sharing name (``Signal.leads``: its median meets a flag's threshold, a stated
    rule) stays, and each further word of those names must fit by ``gap`` more than in the
    siblings, or is replaced the same way. Repeated until no name changes."""
    keys = {signal.high: (signal, True) for signal in signals}
    keys |= {signal.low: (signal, False) for signal in signals}
    result = {segment: list(found) for segment, found in chosen.items()}

    def margin(segment, others, word) -> float:
        signal, high = keys[word]
        own = fits[segment][(signal.column, high)]["share"]
        return min(own - fits[other][(signal.column, high)]["share"] for other in others)

    def best(segment, others) -> str | None:
        """The word, not in any name yet, that fits the segment by the widest margin (at least
        ``gap``) over ``others``, of those whose median claim holds and that fit."""
        used = {w for found in result.values() for w in found}
        options = [
            (margin(segment, others, candidate), candidate)
            for signal in signals
            for high in (True, False)
            if (candidate := signal.high if high else signal.low) not in used
            and signal.holds(high, *claims[segment][signal.column])
            and fits_well(fits[segment].get((signal.column, high)))
            and (profiles.loc[segment, signal.column] > 50) == high
        ]
        top = max(options, default=None)
        return top[1] if top is not None and top[0] >= gap else None

    def replace(segment, others, word) -> None:
        place = result[segment].index(word)
        result[segment].remove(word)
        if (instead := best(segment, others)) is not None:
            result[segment].insert(place, instead)

    for _ in range(4 * len(signals)):
        changed = False
        for word in sorted(keys):
            group = [segment for segment, found in result.items() if word in found]
            if len(group) < 2:
                continue
            family = keys[word][0].leads and all(result[s][0] == word for s in group)
            for segment in group:
                others = [other for other in group if other != segment]
                if family:
                    for further in [w for w in result[segment][1:] if w in keys]:
                        if margin(segment, others, further) < gap:
                            replace(segment, others, further)
                            changed = True
                elif margin(segment, others, word) < gap:
                    replace(segment, others, word)
                    changed = True
            if family:
                for segment in group:
                    others = [other for other in group if other != segment]
                    if len(result[segment]) == 1 and (added := best(segment, others)):
                        result[segment].append(added)
                        changed = True
            if changed:
                break
        if not changed:
            break
    return result


def fits_well(fit: dict | None) -> bool:
    """Whether a word's fit (``word_fits``) lets it into a name. No fit given: no restriction."""
    return fit is None or fit["fits"]


def word_fits(
    derived: pd.DataFrame,
    segments: np.ndarray,
    signals: list,
    fit_share: float,
    min_lift: float = 1.0,
) -> dict:
    """Per segment, per (column, high): the share of its customers of whom the word is true on
    their own values (Signal.holds against everyone's median; a customer whose value is not
    defined counts as not fitting), the mean of that share over the other segments, the lift
    (share / others; None when no other segment fits at all), and whether it fits: true of at
    least ``fit_share`` of the segment's customers, and of at least ``min_lift`` times the
    other segments' mean share (any lift above 1 with the default)."""
    labels = sorted(set(segments))
    shares = {}
    for signal in signals:
        everyone = float(derived[signal.column].median())
        for high in (True, False):
            values = derived[signal.column].to_numpy(dtype=float)  # NaN compares False
            if high:
                held = (values > everyone) & (
                    values >= (-np.inf if signal.high_at is None else signal.high_at)
                )
            else:
                held = values <= signal.low_at if signal.low_at is not None else values < everyone
            shares[(signal.column, high)] = pd.Series(held, dtype=float).groupby(segments).mean()
    fits = {}
    for segment in labels:
        fits[segment] = {}
        for key, share in shares.items():
            others = float(share.drop(segment).mean()) if len(labels) > 1 else 0.0
            own = float(share.loc[segment])
            fits[segment][key] = {
                "share": own,
                "others": others,
                "lift": own / others if others > 0 else None,
                "fits": own >= fit_share and own > others and own >= min_lift * others,
            }
    return fits


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


def at_risk(risks: list, table: pd.DataFrame) -> pd.Series:
    """Per customer, whether they meet any risk rule on their own values."""
    held = pd.Series(False, index=table.index)
    for rule in risks:
        held |= rule.members(table)
    return held


def excluded(rule: Rule, risks: list, table: pd.DataFrame) -> int:
    """How many customers of ``table`` meet ``rule`` but are left out of it because they meet
    a risk rule on their own: a growth action never goes to a customer at risk, whatever their
    segment's median says. 0 for an action that is not growth."""
    if not rule.growth:
        return 0
    return int((rule.members(table) & at_risk(risks, table)).sum())


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
