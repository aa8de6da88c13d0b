"""Uncertainty and groupings: 95 % intervals, and correlations pooled against within groups.

Every finding quotes an interval from here: Fisher intervals for correlations, seeded
percentile-bootstrap intervals for medians (from a minimum of values), their differences,
shares and η².
``compare_within`` tells whether a grouping reverses, hides or inflates a pooled correlation
(Simpson's paradox), for any categorical column of any table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

# scipy.special's distribution functions: scipy.stats would cost a second of import for the
# same numbers
from scipy import special

Z95 = float(special.ndtri(0.975))
"""The standard normal's 97.5 % quantile: two-sided 95 % intervals."""


@dataclass(frozen=True)
class Estimate:
    """A number with its 95 % interval."""

    value: float
    low: float
    high: float

    @property
    def spans_zero(self) -> bool:
        """The interval holds zero: no sign (no difference, no relation) is established."""
        return not (self.low > 0 or self.high < 0)  # no interval (nan): nothing established

    def rounded(self, step: float) -> Estimate:
        """The interval's ends to the nearest multiple of ``step`` (the data's resolution:
        a mass recorded in 25 g steps); unchanged when no step is known (nan)."""
        if not step > 0:
            return self
        low, high = (float(np.round(end / step) * step) for end in (self.low, self.high))
        return Estimate(self.value, low, high)

    def as_dict(self, digits: int = 4) -> dict[str, float]:
        """JSON-ready; an interval that was not computed (too few values) is null."""
        return {
            "value": round(self.value, digits),
            "low": None if np.isnan(self.low) else round(self.low, digits),
            "high": None if np.isnan(self.high) else round(self.high, digits),
        }


def resolution(values: pd.Series) -> float:
    """The step the values were recorded in (25 for masses in 25 g steps, 0.1 for lengths to
    the millimetre's tenth): the smallest gap between distinct values when every value is a
    multiple of it, else nan."""
    data = np.unique(values.dropna().to_numpy(dtype=float))
    if len(data) < 2:
        return float("nan")
    step = float(np.diff(data).min())
    step = float(f"{step:.6g}")  # 0.09999999999999432 → 0.1
    multiples = data / step
    return step if np.allclose(multiples, np.round(multiples), atol=1e-6) else float("nan")


def _percentiles(replicates: np.ndarray, value: float) -> Estimate:
    low, high = np.nanpercentile(replicates, [2.5, 97.5])
    return Estimate(float(value), float(low), float(high))


def _resample(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` bootstrap samples of ``values``, one per row."""
    return values[rng.integers(0, len(values), size=(resamples, len(values)))]


def _counts(rows: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``rows`` rows is drawn in each of ``resamples`` bootstrap samples
    (resamples × rows): the same samples as ``_resample``, kept as counts, so that the sums
    of every column are one matrix product instead of a copy of every sample."""
    drawn = rng.integers(0, rows, size=(resamples, rows))
    drawn += np.arange(resamples)[:, None] * rows
    return np.bincount(drawn.ravel(), minlength=resamples * rows).reshape(resamples, rows)


def median_replicates(values: pd.Series, *, resamples: int, seed: int) -> np.ndarray:
    """The medians of ``resamples`` bootstrap samples of the values (missing ones left out)."""
    data = values.dropna().to_numpy(dtype=float)
    return np.median(_resample(data, resamples, np.random.default_rng(seed)), axis=1)


def from_replicates(replicates: np.ndarray, value: float, *, usable: bool = True) -> Estimate:
    """A value with the percentile 95 % interval of its bootstrap replicates; none (nan)
    when the replicates are not ``usable`` (too few values behind them)."""
    if not usable:
        return Estimate(float(value), float("nan"), float("nan"))
    return _percentiles(replicates, value)


MEDIAN_MIN_ROWS = 6
"""The fewest values whose median's exact interval reaches 95 %: at 6, the smallest to the
largest value, 96.9 %."""


def median_interval(values: pd.Series, min_rows: int = MEDIAN_MIN_ROWS) -> Estimate:
    """The median with its exact 95 % interval from order statistics: the k-th smallest and
    k-th largest values, with k the largest rank such that a Binomial(n, 1/2) count falls
    below k with probability at most 2.5 %. It assumes only independent rows from a
    continuous distribution, so it holds at any n (coverage at least 95 %, where the
    percentile bootstrap under-covers in small samples). Fewer than 6 values cannot reach
    95 %; under ``min_rows`` (a figure's rule for every interval of a group, the differences'
    too) no interval is given either (nan)."""
    data = np.sort(values.dropna().to_numpy(dtype=float))
    n = len(data)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    median = float(np.median(data))
    if n < min_rows:
        return Estimate(median, float("nan"), float("nan"))
    # ranks 1..k have P(B <= k - 1) <= 2.5 %
    k = int(np.searchsorted(special.bdtr(np.arange(n + 1), n, 0.5), 0.025, "right"))
    if k < 1 or k > n - k + 1:
        return Estimate(median, float("nan"), float("nan"))
    return Estimate(median, float(data[k - 1]), float(data[n - k]))


def skewness_interval(values: pd.Series, *, resamples: int, seed: int) -> Estimate:
    """The skewness with a percentile-bootstrap 95 % interval."""
    data = values.dropna().to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    # pandas' adjusted Fisher-Pearson skewness, one resample per column
    replicates = pd.DataFrame(_resample(data, resamples, rng).T).skew().to_numpy()
    return _percentiles(replicates, float(pd.Series(data).skew()))


def pooled_gap(
    frame: pd.DataFrame,
    first: tuple[str, str],
    second: tuple[str, str],
    method: str,
    *,
    resamples: int,
    seed: int,
) -> Estimate:
    """|correlation of the first pair| minus |that of the second|, with a paired bootstrap
    interval: the rows complete in all their columns, resampled together (Spearman on the
    data's ranks). Tells whether "the strongest" is a tie."""
    columns = list(dict.fromkeys([*first, *second]))
    data = frame[columns].apply(pd.to_numeric, errors="coerce").dropna()
    if method == "spearman":
        data = data.rank()
    weights = _counts(len(data), resamples, np.random.default_rng(seed)).astype(float)
    weights = np.vstack([np.ones(len(data)), weights])

    def strength(a: str, b: str) -> np.ndarray:
        x, y = data[a].to_numpy(dtype=float), data[b].to_numpy(dtype=float)
        n, sx, sy = weights.sum(axis=1), weights @ x, weights @ y
        sxy, sxx, syy = weights @ (x * y), weights @ (x * x), weights @ (y * y)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sxy - sx * sy / n
            return np.abs(cov / np.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)))

    gap = strength(*first) - strength(*second)
    return _percentiles(gap[1:], float(gap[0]))


def difference(
    a: pd.Series,
    b: pd.Series,
    *,
    resamples: int,
    seed: int,
    statistic: Callable = np.median,
    min_rows: int = 0,
) -> Estimate:
    """statistic(a) - statistic(b) (the median unless told) with a percentile-bootstrap 95 %
    interval; a and b are resampled independently. No interval (nan) when either has fewer
    than ``min_rows`` values."""
    first, second = (part.dropna().to_numpy(dtype=float) for part in (a, b))
    if min(len(first), len(second)) < min_rows:
        return Estimate(float(np.median(first) - np.median(second)), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    replicates = statistic(_resample(first, resamples, rng), axis=1) - statistic(
        _resample(second, resamples, rng), axis=1
    )
    return _percentiles(replicates, float(statistic(first) - statistic(second)))


def paired_difference(replicates: np.ndarray, first: int, second: int) -> Estimate:
    """Column ``first`` minus column ``second`` of ``eta_squared_replicates``: row 0 the data,
    the other rows the same bootstrap samples for both, so the interval is a paired one."""
    gap = replicates[:, first] - replicates[:, second]
    return _percentiles(gap[1:], float(gap[0]))


def eta_squared_replicates(
    frame: pd.DataFrame, values: list[str], group: str, *, resamples: int, seed: int
) -> np.ndarray:
    """η² of each column in ``values`` (columns) on the data (row 0) and on ``resamples``
    bootstrap samples that resample rows within each group (rows 1…), the same samples for
    every column."""
    data = frame.dropna(subset=[group])
    rng = np.random.default_rng(seed)
    # per resample (row 0: the data themselves) and column: sum, sum of squares, count, and
    # the sum over groups of (group sum)² / group count
    sums, squares, counts, between = np.zeros((4, resamples + 1, len(values)))
    for _, part in data.groupby(group, observed=True):
        x = part[values].to_numpy(dtype=float)
        present = ~np.isnan(x)
        x = np.where(present, x, 0.0)
        weights = np.vstack([np.ones(len(x)), _counts(len(x), resamples, rng)])
        group_sums, group_counts = weights @ x, weights @ present
        sums += group_sums
        squares += weights @ (x * x)
        counts += group_counts
        with np.errstate(invalid="ignore", divide="ignore"):
            between += np.where(group_counts > 0, group_sums**2 / group_counts, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = sums**2 / counts
        total = squares - grand
        return np.where(total > 0, (between - grand) / total, np.nan)


def fisher_interval(r: float, n: int, method: str = "pearson") -> tuple[float, float]:
    """95 % interval of a correlation from Fisher's z transform.

    Spearman's ρ uses the Bonett & Wright (2000) variance, 1.06 / (n - 3).
    """
    if n <= 3 or pd.isna(r):
        return float("nan"), float("nan")
    spread = Z95 * np.sqrt((1.06 if method == "spearman" else 1.0) / (n - 3))
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return float(np.tanh(z - spread)), float(np.tanh(z + spread))


def pair_correlation(x: pd.Series, y: pd.Series, method: str = "pearson") -> float:
    """Pearson's r, or Spearman's ρ as Pearson's r on the average ranks."""
    if method == "spearman":
        x, y = x.rank(), y.rank()
    return float(x.corr(y))


def correlation(x: pd.Series, y: pd.Series, method: str = "pearson") -> tuple[Estimate, int]:
    """The correlation of x and y over their complete rows, its Fisher interval, and n."""
    data = pd.DataFrame({"x": x, "y": y}).dropna()
    n = len(data)
    r = pair_correlation(data["x"], data["y"], method) if n >= 3 else float("nan")
    return Estimate(r, *fisher_interval(r, n, method)), n


def pooled_z(found: list[tuple[float, int]], method: str = "pearson") -> Estimate:
    """The groups' correlations, given as (r, n), pooled on Fisher's z scale weighted by
    n − 3 (the inverse of each z's variance), with its 95 % interval; groups under 4 rows or
    without an r are left out. Each group counts by its size, not by the square of it (pooled
    raw ranks would let the largest group dominate)."""
    usable = [(r, n) for r, n in found if n >= 4 and not pd.isna(r)]
    if not usable:
        return Estimate(float("nan"), float("nan"), float("nan"))
    zs = np.arctanh(np.clip([r for r, _ in usable], -0.999999, 0.999999))
    w = np.array([n - 3.0 for _, n in usable])
    z = float((w * zs).sum() / w.sum())
    spread = Z95 * np.sqrt((1.06 if method == "spearman" else 1.0) / w.sum())
    return Estimate(float(np.tanh(z)), float(np.tanh(z - spread)), float(np.tanh(z + spread)))


def within_correlation(
    frame: pd.DataFrame, x: str, y: str, group: str, method: str = "pearson"
) -> tuple[Estimate, int, int]:
    """One correlation of x and y with ``group`` held fixed: each group's own correlation over
    its complete rows, pooled on Fisher's z scale weighted by n − 3 (``pooled_z``), with its
    95 % interval. Returns the estimate, n and the number of groups. When the groups'
    correlations differ (``cochran_q``) this average is no finding of its own: quote the
    groups' values."""
    data = frame[[x, y, group]].dropna()
    found = [
        (pair_correlation(part[x], part[y], method) if len(part) >= 4 else float("nan"), len(part))
        for _, part in data.groupby(group, observed=True)
    ]
    return pooled_z(found, method), len(data), int(data[group].nunique())


def p_text(p: float) -> str:
    """A p-value as a reader sees it: three decimals, or "< 0.001"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q of the groups' Fisher-z correlations: do they differ more than their
    sampling error allows? Q on groups − 1 degrees of freedom, and its χ² p-value. A test
    given a first grouping (``stratified_q``) keeps each stratum's own test in ``strata``."""

    q: float
    dof: int
    p: float
    strata: dict[str, Heterogeneity] = field(default_factory=dict)

    def as_dict(self) -> dict:
        found: dict = {"q": round(self.q, 4), "df": self.dof, "p": round(self.p, 6)}
        if self.strata:
            found["within"] = {level: test.as_dict() for level, test in self.strata.items()}
        return found


def cochran_q(
    found: list[tuple[float, int]], *, method: str, min_rows: int
) -> Heterogeneity | None:
    """Cochran's Q of the groups' correlations given as (r, n), from groups with at least
    ``min_rows`` rows (and 4) and an r; None under two such groups."""
    usable = [(r, n) for r, n in found if n >= max(min_rows, 4) and not pd.isna(r)]
    if len(usable) < 2:
        return None
    zs = np.arctanh(np.clip([r for r, _ in usable], -0.999999, 0.999999))
    w = np.array([(n - 3) / (1.06 if method == "spearman" else 1.0) for _, n in usable])
    mean = (w * zs).sum() / w.sum()
    q = float((w * (zs - mean) ** 2).sum())
    return Heterogeneity(q, len(usable) - 1, float(special.chdtrc(len(usable) - 1, q)))


def stratified_q(
    found: dict[str, list[tuple[float, int]]], *, method: str, min_rows: int
) -> Heterogeneity | None:
    """A second grouping tested given the first: Cochran's Q across the cells of each stratum
    (the sites within one kind), summed over the strata, on the summed degrees of
    freedom. Unlike one Q across every cell, it does not detect again what differs between
    the strata. None when no stratum has two usable cells."""
    tests = {
        level: cochran_q(cells, method=method, min_rows=min_rows) for level, cells in found.items()
    }
    strata = {level: test for level, test in tests.items() if test is not None}
    if not strata:
        return None
    q, dof = sum(t.q for t in strata.values()), sum(t.dof for t in strata.values())
    return Heterogeneity(q, dof, float(special.chdtrc(dof, q)), strata)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: each p-value corrected for the whole family, in the
    family's order (controls the chance of any false rejection at the level used)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def independence_p(flags: np.ndarray, labels: np.ndarray, *, resamples: int, seed: int) -> float:
    """Whether yes/no ``flags`` (a missing value) are spread over the ``labels`` (species) as
    chance would spread them: a permutation test of the chi-square statistic of the 2 × k
    table, the flags shuffled over the rows ``resamples`` times: a Monte Carlo p-value, valid
    (the +1 correction) for small counts, where the chi-square approximation fails."""
    flags = np.asarray(flags, dtype=float)
    codes = np.unique(np.asarray(labels), return_inverse=True)[1]
    onehot = np.eye(codes.max() + 1)[codes]
    sizes = onehot.sum(axis=0)
    expected = flags.sum() * sizes / len(flags)
    if flags.sum() in (0, len(flags)) or len(sizes) < 2:
        return 1.0

    def statistic(counts: np.ndarray) -> np.ndarray:
        other = sizes - counts
        return ((counts - expected) ** 2 / expected).sum(axis=-1) + (
            (other - (sizes - expected)) ** 2 / (sizes - expected)
        ).sum(axis=-1)

    observed = statistic(flags @ onehot)
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.tile(flags, (resamples, 1)), axis=1)
    above = int((statistic(shuffled @ onehot) >= observed - 1e-9).sum())
    return (1 + above) / (1 + resamples)


def between_share(frame: pd.DataFrame, x: str, y: str, group: str, method: str) -> float:
    """The share of the pooled cross-product Σ(x − x̄)(y − ȳ) that lies between the group
    means (the rest lies within the groups), over the rows complete in x, y and group; on
    pooled ranks for Spearman. 0.8: four fifths of the pooled co-variation is the groups
    differing; above 1: within the groups the relation has the other sign."""
    data = frame[[x, y, group]].dropna()
    if method == "spearman":
        data = data.assign(**{x: data[x].rank(), y: data[y].rank()})
    dx, dy = data[x] - data[x].mean(), data[y] - data[y].mean()
    total = float((dx * dy).sum())
    means = data.groupby(group, observed=True)[[x, y]].transform("mean")
    between = float(((means[x] - data[x].mean()) * (means[y] - data[y].mean())).sum())
    return between / total if total else float("nan")


# What a grouping does to a pooled correlation: a label by a stated rule, or none. Each rule
# needs the pooled 95% interval clear of zero, and compares it with the correlation with the
# grouping held fixed (``within_correlation``) and its interval.
REVERSED = "reversed"
"""With the grouping held fixed, the correlation's 95% interval excludes zero on the other side
of the pooled one's."""
VANISHES = "vanishes within groups"
"""With the grouping held fixed, the correlation's 95% interval holds zero, and so does every
group's own."""
BETWEEN_GROUPS = "mostly between groups"
"""The groups' correlations are not shown to differ (``differs``) and, held fixed, weaker and
not reversed: the held-fixed interval lies entirely closer to zero than
the pooled value, and more than half of the pooled cross-product lies between the group means
(``between_share`` above 0.5)."""
APPEARS = "appears within groups"
"""The pooled interval holds zero; with the grouping held fixed, the interval excludes it."""
NOT_ESTABLISHED = "only in some groups"
"""The pooled interval excludes zero; with the grouping held fixed the interval holds zero, but
some group's own interval does not (the groups disagree, or one carries the relation)."""
NO_RELATION = "no relation"
"""Both the pooled interval and the held-fixed one hold zero."""
DIFFERS = "groups differ"
"""The groups' correlations differ (``differs``): no common held-fixed value exists, so only
*reversed* (every group's own interval on the other side of zero from the pooled one) or this."""


@dataclass(frozen=True)
class Comparison:
    """One pair of columns and one grouping: the pooled correlation, the correlation within
    each group, the one with the grouping held fixed, the share of the pooled co-variation
    between the groups, and Cochran's Q of equal correlations across the groups (``p_adjusted``
    is set once the whole family of tests is known)."""

    a: str
    b: str
    group: str
    pooled: Estimate
    within: dict[str, Estimate]
    held: Estimate = Estimate(float("nan"), float("nan"), float("nan"))
    between: float = float("nan")
    test: Heterogeneity | None = None
    p_adjusted: float = float("nan")
    between_ci: Estimate = Estimate(float("nan"), float("nan"), float("nan"))
    """``between`` with its bootstrap interval (``co_variation_replicates``)."""

    @property
    def label(self) -> str:
        """One of the labels above by its rule, or "" (the relation holds, same sign, with the
        grouping held fixed)."""
        pooled, held = self.pooled, self.held
        if pd.isna(held.low) or pd.isna(pooled.low):
            return ""
        if self.differs:  # judged on each group's own interval, never on their average
            other = all(
                not e.spans_zero and e.value * pooled.value < 0 for e in self.within.values()
            )
            return REVERSED if other and not pooled.spans_zero else DIFFERS
        if pooled.spans_zero:
            return APPEARS if not held.spans_zero else NO_RELATION
        if held.value * pooled.value < 0 and not held.spans_zero:
            return REVERSED
        if held.spans_zero:
            return VANISHES if all(e.spans_zero for e in self.within.values()) else NOT_ESTABLISHED
        weaker = held.low > -abs(pooled.value) and held.high < abs(pooled.value)
        return BETWEEN_GROUPS if weaker and self.between > 0.5 else ""

    @property
    def unclear(self) -> list[str]:
        """Groups whose own 95% interval includes zero: there the relation is not
        distinguishable from 0."""
        return [level for level, e in self.within.items() if e.spans_zero]

    @property
    def against(self) -> list[str]:
        """Groups whose own 95% interval excludes zero on the other side from the held-fixed
        value: there the relation keeps the other sign. A reversal is claimed group by group
        only outside this list and ``unclear``."""
        sign = self.held.value
        return [
            level
            for level, e in self.within.items()
            if not e.spans_zero and not pd.isna(sign) and e.value * sign < 0
        ]

    @property
    def differs(self) -> bool:
        """Equal correlations across the groups are rejected at 5% after the adjustment."""
        return bool(self.p_adjusted < 0.05)

    @property
    def quoted(self) -> Estimate | None:
        """The held-fixed average when it may be quoted: not when the groups' correlations
        differ (then each group's own value is the finding, not their average)."""
        return None if self.differs or pd.isna(self.held.value) else self.held

    def as_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "group": self.group,
            "pooled": self.pooled.as_dict(),
            "within": {level: e.as_dict() for level, e in self.within.items()},
            "held_fixed": self.held.as_dict(),
            "between_share": None if pd.isna(self.between) else round(self.between, 4),
            "between_share_ci": [
                None if pd.isna(end) else round(end, 4)
                for end in (self.between_ci.low, self.between_ci.high)
            ],
            "label": self.label,
            "unclear_groups": self.unclear,
            "against_groups": self.against,
            "test": None
            if self.test is None
            else {**self.test.as_dict(), "p_adjusted": round(self.p_adjusted, 6)},
        }


def adjusted(comparisons: list[Comparison]) -> list[Comparison]:
    """The comparisons with ``p_adjusted`` set: Holm over the tests among them (one family)."""
    tested = [c for c in comparisons if c.test is not None]
    corrected = dict(zip(map(id, tested), holm([c.test.p for c in tested]), strict=True))
    return [replace(c, p_adjusted=corrected.get(id(c), float("nan"))) for c in comparisons]


def compare_within(
    frame: pd.DataFrame,
    columns: list[str],
    group: str,
    *,
    method: str,
    min_rows: int,
    resamples: int = 0,
    seed: int = 0,
    strata: str | None = None,
) -> list[Comparison]:
    """Pooled against within-group correlations for every pair of ``columns``, with the
    grouping held fixed, the between-group share and the test of equal correlations (its p
    not yet adjusted: see ``adjusted``); with ``resamples``, the between-group share's interval
    (``co_variation_replicates``, one set of resamples for every pair).

    Groups with fewer than ``min_rows`` complete rows are left out; a grouping needs two groups
    left to be compared with the pooled value (otherwise the list is empty). With ``strata``
    (a column constant within each group: the kind of a kind / site cell), the test is
    the groups' equality within each stratum (``stratified_q``).
    """
    pooled = correlations(frame, columns, method)
    rng = np.random.default_rng(seed)
    weights = _counts(len(frame), resamples, rng).astype(float) if resamples else None
    groups = {
        str(level): correlations(part, columns, method)
        for level, part in frame.groupby(group, observed=True)
    }
    stratum_of = None
    if strata:
        first = frame.dropna(subset=[group]).groupby(group, observed=True)[strata].first()
        stratum_of = dict(zip(first.index.astype(str), first.astype(str), strict=True))
    result = []
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            within = {
                level: found[a, b][0]
                for level, found in groups.items()
                if found[a, b][1] >= min_rows and not pd.isna(found[a, b][0].value)
            }
            if len(within) < 2 or pd.isna(pooled[a, b][0].value):
                continue
            mask = frame[group].astype(str).isin(within).to_numpy()
            kept = frame[mask]
            # the groups' own r and n, already computed: Q needs nothing else
            found = {
                level: (groups[level][a, b][0].value, groups[level][a, b][1]) for level in within
            }
            if stratum_of is None:
                test = cochran_q(list(found.values()), method=method, min_rows=min_rows)
            else:
                by_stratum: dict[str, list[tuple[float, int]]] = {}
                for level, r_n in found.items():
                    by_stratum.setdefault(stratum_of[level], []).append(r_n)
                test = stratified_q(by_stratum, method=method, min_rows=min_rows)
            between = between_share(kept, a, b, group, method)
            held = within_correlation(kept, a, b, group, method)[0]
            share = Estimate(between, float("nan"), float("nan"))
            if resamples:
                shares = co_variation_replicates(frame, mask, a, b, group, method, weights)
                share = _percentiles(shares[np.isfinite(shares)], between)
            result.append(
                Comparison(
                    a,
                    b,
                    group,
                    pooled[a, b][0],
                    within,
                    held=held,
                    between=between,
                    test=test,
                    p_adjusted=float("nan") if test is None else test.p,
                    between_ci=share,
                )
            )
    return result


def co_variation_replicates(
    frame: pd.DataFrame, rows: np.ndarray, x: str, y: str, group: str, method: str, weights
) -> np.ndarray:
    """Bootstrap replicates of ``between_share`` of x and y, on the ``rows`` (a mask) of
    ``frame`` complete in x, y and group.
    ``weights`` (resamples × rows of ``frame``, from ``_counts``) are the resamples: the same
    ones for every pair, so two pairs' replicates are paired. Spearman uses the pooled ranks,
    not re-ranked per resample."""
    data = frame.loc[rows, [x, y, group]]
    present = data.notna().all(axis=1).to_numpy()
    weights, data = weights[:, rows][:, present], data[present]
    pooled = data[[x, y]].rank() if method == "spearman" else data[[x, y]]

    def moments(values: pd.DataFrame) -> np.ndarray:
        a, b = values[x].to_numpy(dtype=float), values[y].to_numpy(dtype=float)
        return np.column_stack([np.ones_like(a), a, b, a * b, a * a, b * b])

    def centred(s: np.ndarray) -> np.ndarray:
        """Per resample: the centred Σxy, Σx², Σy² from count, Σx, Σy, Σxy, Σx², Σy²."""
        n, sx, sy = s[:, 0], s[:, 1], s[:, 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            found = np.stack([s[:, 3] - sx * sy / n, s[:, 4] - sx * sx / n, s[:, 5] - sy * sy / n])
        return np.where(n > 0, np.nan_to_num(found), 0.0)

    labels = data[group].astype(str).to_numpy()
    on_pooled = moments(pooled)
    total = centred(weights @ on_pooled)
    inside = np.zeros_like(total)  # within-group cross products on the pooled scale
    for level in np.unique(labels):
        part = labels == level
        w = weights[:, part]
        inside += centred(w @ on_pooled[part])
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total[0] - inside[0]) / total[0]


def correlations(
    frame: pd.DataFrame, columns: list[str], method: str
) -> dict[tuple[str, str], tuple[Estimate, int]]:
    """``correlation`` of every pair of ``columns`` at once (each pair over its complete
    rows), keyed by (a, b) in the columns' order."""
    data = frame[columns].apply(pd.to_numeric, errors="coerce")
    r = data.corr(method).to_numpy()
    present = data.notna().to_numpy(dtype=float)
    counts = (present.T @ present).astype(int)
    found = {}
    for i, a in enumerate(columns):
        for j in range(i + 1, len(columns)):
            n = int(counts[i, j])
            value = float(r[i, j]) if n >= 3 else float("nan")
            found[a, columns[j]] = (Estimate(value, *fisher_interval(value, n, method)), n)
    return found


def line_with_band(
    x: np.ndarray, y: np.ndarray, grid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares line of y on x at ``grid``, with the 95 % band of the fitted mean."""
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    sigma = np.sqrt((residual**2).sum() / (n - 2))
    spread = ((x - x.mean()) ** 2).sum()
    line = slope * grid + intercept
    half = special.stdtrit(n - 2, 0.975) * sigma * np.sqrt(1 / n + (grid - x.mean()) ** 2 / spread)
    return line, line - half, line + half
