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
    """The correlation a scatter plot quotes, the same one the pair gets everywhere else:
    ranks (Spearman) when a column is skewed (log axis) or piled up at zero, where a few huge
    values would dominate r; ranks do not change on a log axis."""
    return "spearman" if x.heavy or y.heavy or x.log or y.log else "pearson"


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


def repeated_minima(frame: pd.DataFrame, columns: list[Column]) -> dict[str, object]:
    """The table's smallest non-zero value when it recurs, in one column or several: a floor
    (a recording limit, a minimum order) looks like that. Per column how many rows hold it, and
    the number of rows with any."""
    values = frame[[c.name for c in columns]].apply(pd.to_numeric, errors="coerce")
    low = values[values != 0].min().min()
    at = values == low
    by = {name: int(n) for name, n in at.sum().items() if n}
    if pd.isna(low) or sum(by.values()) < 2:
        return {"columns": {}}
    return {
        "minimum": float(low),
        "columns": by,
        "values": sum(by.values()),
        "rows": int(at.any(axis=1).sum()),
    }
