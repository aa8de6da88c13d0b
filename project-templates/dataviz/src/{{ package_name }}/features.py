"""The numbers behind the figures: group medians, correlations, shares, rolling means.

Pure functions of a table; the figures draw them and the findings quote them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def group_medians(frame: pd.DataFrame, value: str, group: str) -> pd.Series:
    """Median of ``value`` per level of ``group``, largest first (empty groups left out)."""
    medians = frame.groupby(group, observed=True)[value].median().dropna()
    return medians.sort_values(ascending=False)


def eta_squared(frame: pd.DataFrame, value: str, group: str) -> float:
    """Share of the variance of ``value`` explained by ``group`` (0 to 1)."""
    data = frame[[value, group]].dropna()
    if data.empty:
        return float("nan")
    total = ((data[value] - data[value].mean()) ** 2).sum()
    means = data.groupby(group, observed=True)[value].transform("mean")
    between = ((means - data[value].mean()) ** 2).sum()
    return float(between / total) if total > 0 else float("nan")


def correlations(frame: pd.DataFrame, columns: list[str], method: str) -> pd.DataFrame:
    """Pairwise correlation matrix ("pearson" or "spearman") of the given columns."""
    return frame[columns].corr(method=method)


def ranked_pairs(corr: pd.DataFrame) -> pd.DataFrame:
    """Every pair of columns once, strongest (by absolute value) first: columns a, b, r."""
    names = list(corr.columns)
    rows = [(a, b, float(corr.loc[a, b])) for i, a in enumerate(names) for b in names[i + 1 :]]
    pairs = pd.DataFrame(rows, columns=["a", "b", "r"]).dropna()
    return pairs.reindex(pairs["r"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def on_axis(values: pd.Series, log: bool) -> pd.Series:
    """Values as a chart's axis spaces them: log10 on a logarithmic axis."""
    return np.log10(values) if log else values


def axis_correlation(frame: pd.DataFrame, x: str, y: str, *, x_log: bool, y_log: bool) -> float:
    """Pearson correlation as the scatter plot shows it (on log axes: of the logarithms)."""
    data = frame[[x, y]].dropna()
    if len(data) < 3:
        return float("nan")
    return float(on_axis(data[x], x_log).corr(on_axis(data[y], y_log)))


def group_correlations(
    frame: pd.DataFrame, x: str, y: str, group: str, *, x_log: bool = False, y_log: bool = False
) -> pd.Series:
    """``axis_correlation`` of ``x`` and ``y`` within each level of ``group``."""
    result = {
        level: axis_correlation(part, x, y, x_log=x_log, y_log=y_log)
        for level, part in frame.groupby(group, observed=True)
    }
    return pd.Series(result, dtype="float64").dropna()


def shares(values: pd.Series, max_categories: int) -> pd.Series:
    """Shares (summing to 1) of the largest ``max_categories - 1`` values, the rest as 'Other'.

    ``values`` is a non-negative amount per category, e.g. counts or totals.
    """
    values = values[values > 0].sort_values(ascending=False)
    if len(values) > max_categories:
        head = values.iloc[: max_categories - 1]
        values = pd.concat([head, pd.Series({"Other": values.iloc[max_categories - 1 :].sum()})])
    return values / values.sum()


def crosstab(frame: pd.DataFrame, category: str, stack: str | None) -> pd.DataFrame:
    """Counts per level of ``category`` (rows), split by ``stack`` (columns) when given."""
    if stack is None:
        counts = frame[category].value_counts(sort=False).to_frame("count")
    else:
        counts = pd.crosstab(frame[category], frame[stack])
    counts = counts.loc[counts.sum(axis=1) > 0]
    return counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]


def time_frequency(dates: pd.Series, max_periods: int = 400) -> str:
    """The finest of day, week or month that gives at most ``max_periods`` points."""
    span = dates.max() - dates.min()
    if span.days <= max_periods:
        return "D"
    if span.days / 7 <= max_periods:
        return "W"
    return "MS"


def rolling_trend(
    frame: pd.DataFrame, date: str, value: str, window: int
) -> tuple[pd.DataFrame, str]:
    """Mean of ``value`` per period and its centred rolling mean; returns (table, frequency).

    The table has a ``period`` column and ``mean`` / ``rolling`` columns.
    """
    data = frame[[date, value]].dropna()
    frequency = time_frequency(data[date])
    per_period = data.set_index(date)[value].resample(frequency).mean()
    rolling = per_period.rolling(window, center=True, min_periods=max(1, window // 2)).mean()
    table = pd.DataFrame({"mean": per_period, "rolling": rolling}).rename_axis("period")
    return table.reset_index(), frequency


def missing_cells(frame: pd.DataFrame) -> int:
    return int(np.asarray(frame.isna()).sum())
