"""Tables behind the figures: axis scales, counts, rolling means, missing cells.

Pure functions of a table; the intervals and group comparisons are in ``stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def on_axis(values: pd.Series, log: bool) -> pd.Series:
    """Values as a chart's axis spaces them: log10 on a logarithmic axis."""
    return np.log10(values) if log else values


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
