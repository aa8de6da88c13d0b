"""Tables behind the figures: axis scales, counts, missing cells.

Pure functions of a table; the intervals and group comparisons are in ``stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import Column


def on_axis(values: pd.Series, log: bool) -> pd.Series:
    """Values as a chart's axis spaces them: log10 on a logarithmic axis."""
    return np.log10(values) if log else values


def scatter_method(x: Column, y: Column) -> str:
    """The correlation a scatter plot quotes: r as the axes show the points (of the logs on a
    log axis), ranks (Spearman) when a column is piled up at zero or skewed on a linear or
    symlog axis, where a few huge values would dominate r."""
    return "spearman" if (x.heavy or y.heavy) and not (x.log or y.log) else "pearson"


def crosstab(frame: pd.DataFrame, category: str, stack: str | None) -> pd.DataFrame:
    """Counts per level of ``category`` (rows), split by ``stack`` (columns) when given."""
    if stack is None:
        counts = frame[category].value_counts(sort=False).to_frame("count")
    else:
        counts = pd.crosstab(frame[category], frame[stack])
    counts = counts.loc[counts.sum(axis=1) > 0]
    return counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]


def missing_cells(frame: pd.DataFrame) -> int:
    return int(np.asarray(frame.isna()).sum())
