"""Column roles: which columns are measurements, categories or dates, with labels and units.

The gallery picks its charts from a ``Schema``: the built-in data sets declare theirs, and a
CSV file of your own gets one inferred from its column types.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["numeric", "category", "date"]

# Unit suffixes recognised in column names such as body_mass_g or revenue_eur.
UNIT_SUFFIXES = {
    "mm": "mm",
    "cm": "cm",
    "m": "m",
    "km": "km",
    "g": "g",
    "kg": "kg",
    "c": "°C",
    "pct": "%",
    "percent": "%",
    "eur": "EUR",
    "usd": "USD",
    "gbp": "GBP",
    "s": "s",
    "sec": "s",
    "min": "min",
    "h": "h",
    "hours": "h",
    "days": "days",
    "years": "years",
}
DATE_FORMATS = ("ISO8601", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Column:
    """One column and how to show it."""

    name: str
    kind: Kind
    label: str
    """Axis label, with the unit in brackets where there is one."""
    unit: str = ""
    """Short unit for the findings ("g", "mm"); empty when unknown."""
    log: bool = False
    """Strongly right-skewed and positive: drawn on a logarithmic axis (statistics of the logs)."""
    symlog: float = 0.0
    """Strongly right-skewed with zeros: when above 0, drawn on a symlog axis, linear from 0 to
    this value and logarithmic above it (the axis label says so); statistics use ranks."""
    levels: tuple[str, ...] = ()
    """Categories in display order."""
    heavy: bool = False
    """Skewed or piled up at zero: correlations are ranked (Spearman), even without a log axis."""
    tick: str = ""
    """A short name for ticks, legends and titles; default: the label without its unit."""

    @property
    def plain(self) -> str:
        """A short name without the unit: "Bill length"."""
        return self.tick or self.label.split(" (")[0]

    @property
    def unit_label(self) -> str:
        """The bracketed unit of the label ("m.u./year"), or "" when there is none."""
        return self.label.split(" (", 1)[1].rstrip(")") if " (" in self.label else ""

    @property
    def compact(self) -> str:
        """The short name with its unit, for small axes: "Grocery (m.u./year)"."""
        return f"{self.plain} ({self.unit_label})" if self.unit_label else self.plain

    @property
    def short(self) -> str:
        """The label without its unit, in lower case, for sentences."""
        text = self.label.split(" (")[0]
        keep = text.isupper() or text[:2].isupper()  # "BALANCE", "STDs" stay as they are
        return text if keep else text[0].lower() + text[1:]


@dataclass(frozen=True)
class Schema:
    """The columns of a table and the roles the gallery gives them."""

    title: str
    entity: str
    """What one row is, in the plural ("penguins", "clients", "rows")."""
    columns: tuple[Column, ...]
    group: str | None = None
    """The category that colours the charts."""
    stack: str | None = None
    """A second category, crossed with ``group`` in the composition bar chart."""
    split: str | None = None
    """A second category the main measurement is compared across within each ``group``."""
    focus: str | None = None
    """The main measurement."""
    pair: tuple[str, str] | None = None
    """The two measurements of the scatter plot (x, y)."""
    parts: tuple[str, ...] = ()
    """Measurements that add up to a meaningful total (shown as shares of it)."""
    parts_label: str = ""
    """What that total is, e.g. "yearly spending of all clients"."""
    ignored: tuple[str, ...] = field(default=())
    """Columns left out of the charts (identifiers, free text)."""

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def of_kind(self, kind: Kind) -> list[Column]:
        return [column for column in self.columns if column.kind == kind]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Schema:
        columns = tuple(
            Column(**{**column, "levels": tuple(column["levels"])}) for column in data["columns"]
        )
        pair = tuple(data["pair"]) if data["pair"] else None
        return cls(
            **{
                **data,
                "columns": columns,
                "pair": pair,
                "parts": tuple(data["parts"]),
                "ignored": tuple(data["ignored"]),
            }
        )


def apply_types(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Return ``frame`` with the dtypes the schema says (categories in their order, dates)."""
    frame = frame.copy()
    for column in schema.columns:
        values = frame[column.name]
        if column.kind == "category":
            as_text = as_labels(values)
            levels = list(column.levels) or sorted(as_text.dropna().unique())
            frame[column.name] = pd.Categorical(as_text, categories=levels)
        elif column.kind == "date":
            frame[column.name] = parse_dates(values)
        else:
            frame[column.name] = pd.to_numeric(values, errors="coerce").astype("float64")
    kept = [column.name for column in schema.columns]
    return frame[kept + [name for name in schema.ignored if name in frame.columns]]


def as_labels(values: pd.Series) -> pd.Series:
    """Category values as text; whole numbers stored as floats read "1", not "1.0"."""
    if pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()):
        values = values.astype("Int64")
    return values.astype("string")


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse dates with the first known format that reads (nearly) all of them."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    best = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    present = values.notna().sum()
    for date_format in DATE_FORMATS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(values, errors="coerce", format=date_format)
        if present and parsed.notna().sum() >= 0.95 * present:
            return parsed
    return best


def label_for(name: str) -> tuple[str, str]:
    """A readable label and unit from a column name: 'revenue_eur' -> ('Revenue (EUR)', 'EUR')."""
    words = [word for word in re.split(r"[_\s]+", name.strip()) if word]
    unit = ""
    if len(words) > 1 and words[-1].lower() in UNIT_SUFFIXES:
        unit = UNIT_SUFFIXES[words.pop().lower()]
    text = " ".join(words) or name
    text = text[0].upper() + text[1:]
    return (f"{text} ({unit})" if unit else text), unit


def infer_schema(
    frame: pd.DataFrame, *, title: str, max_levels: int = 20, max_codes: int = 10
) -> Schema:
    """Give every column of an unknown table a role from its values.

    Numbers with few distinct values (codes such as 1/2/3) are categories; text that parses as
    dates is a date; text with at most ``max_levels`` values is a category; anything else
    (identifiers, free text) is ignored.
    """
    columns: list[Column] = []
    ignored: list[str] = []
    for name in frame.columns:
        values = frame[name]
        distinct = values.nunique(dropna=True)
        label, unit = label_for(str(name))
        if pd.api.types.is_bool_dtype(values):
            kind: Kind | None = "category"
        elif pd.api.types.is_numeric_dtype(values):
            integral = bool((values.dropna() % 1 == 0).all())
            kind = "category" if integral and distinct <= max_codes else "numeric"
        elif parse_dates(values).notna().sum() > 0:
            kind = "date"
        elif 1 < distinct <= max_levels:
            kind = "category"
        else:
            kind = None
        if kind is None or distinct < 2:
            ignored.append(str(name))
            continue
        levels: tuple[str, ...] = ()
        if kind == "category":
            counts = as_labels(values).value_counts()
            levels = tuple(counts.index)
            if all(str(level).lstrip("-").replace(".", "", 1).isdigit() for level in levels):
                levels = tuple(sorted(levels, key=float))  # ordinal codes in their own order
        log, symlog = axis_scale(values) if kind == "numeric" else (False, 0.0)
        heavy = kind == "numeric" and is_heavy(values)
        columns.append(
            Column(str(name), kind, label, unit, log=log, symlog=symlog, levels=levels, heavy=heavy)
        )

    schema = Schema(title=title, entity="rows", columns=tuple(columns), ignored=tuple(ignored))
    numeric = [column.name for column in schema.of_kind("numeric")]
    categories = [column.name for column in schema.of_kind("category")]
    pair = _most_correlated(frame, numeric)
    return Schema(
        **{
            **schema.__dict__,
            "group": categories[0] if categories else None,
            "stack": categories[1] if len(categories) > 1 else None,
            "split": categories[1] if len(categories) > 1 else None,
            "focus": numeric[0] if numeric else None,
            "pair": pair,
        }
    )


SKEWED = 2.0
"""Skewness above which a measurement without negative values gets a logarithmic axis."""


def axis_scale(values: pd.Series) -> tuple[bool, float]:
    """The axis a measurement is drawn on, by one rule: skewness above ``SKEWED`` and no
    negative value. Every value positive: a log axis, ``(True, 0.0)``. Some zeros (money
    columns: nothing spent): a symlog axis, ``(False, t)``, linear from 0 to t and logarithmic
    above; t is the power of ten at or below the 10th percentile of the positive values, so
    nine in ten of them are on the logarithmic part. Anything else: linear, ``(False, 0.0)``."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if len(values) <= 10 or (values < 0).any() or not values.skew() > SKEWED:
        return False, 0.0
    if (values > 0).all():
        return True, 0.0
    low = float(values[values > 0].quantile(0.1))
    return False, float(10 ** np.floor(np.log10(low)))


def is_heavy(values: pd.Series) -> bool:
    """Strongly right-skewed or piled up at zero (money columns): ranks, not Pearson's r."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if len(values) <= 10:
        return False
    return bool(values.skew() > 2 or ((values == 0).mean() > 0.2 and (values >= 0).all()))


# A count and its frequency (or any monotone copy) rank almost identically.
NEAR_COPY_RHO = 0.95


def identities(frame: pd.DataFrame, numeric: list[str]) -> dict[tuple[str, str], str]:
    """Pairs tied by arithmetic rather than by behaviour: one column is the sum of two others
    (PURCHASES = ONEOFF + INSTALLMENTS), the two are the same numbers (|r| > 0.99), or one is
    a near-copy of the other's order, such as a count and its frequency (|Spearman ρ| ≥ 0.95:
    CASH_ADVANCE_TRX and CASH_ADVANCE_FREQUENCY). Returns each such pair with the reason."""
    data = frame[numeric].apply(pd.to_numeric, errors="coerce")
    found: dict[tuple[str, str], str] = {}
    corr = data.corr().abs()
    ranks = data.corr("spearman").abs()
    for i, a in enumerate(numeric):
        for b in numeric[i + 1 :]:
            if corr.loc[a, b] > 0.99:
                found[(a, b)] = f"{a} and {b} are nearly the same numbers (|r| > 0.99)"
            elif ranks.loc[a, b] >= NEAR_COPY_RHO:
                found[(a, b)] = (
                    f"{a} and {b} are near-copies in order "
                    f"(|Spearman ρ| = {ranks.loc[a, b]:.2f} ≥ {NEAR_COPY_RHO})"
                )
    values = data.to_numpy(dtype=float)
    for t, total in enumerate(numeric):
        for i in range(len(numeric)):
            for j in range(i + 1, len(numeric)):
                if t in (i, j):
                    continue
                parts = values[:, i] + values[:, j]
                rows = ~np.isnan(parts) & ~np.isnan(values[:, t])
                if rows.sum() < 10:
                    continue
                close = np.isclose(values[rows, t], parts[rows], rtol=0.01, atol=0.01).mean()
                if close > 0.95:
                    a, b = numeric[i], numeric[j]
                    reason = f"{total} = {a} + {b} in {close:.0%} of rows"
                    for pair in ((total, a), (total, b), (a, b)):
                        found.setdefault(tuple(sorted(pair, key=numeric.index)), reason)
    return found


def _most_correlated(frame: pd.DataFrame, numeric: list[str]) -> tuple[str, str] | None:
    """The pair with the largest rank correlation that is not an arithmetic identity."""
    if len(numeric) < 2:
        return None
    corr = frame[numeric].apply(pd.to_numeric, errors="coerce").corr("spearman").abs().fillna(-1)
    tied = identities(frame, numeric)
    pairs = [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1 :]]
    pairs = [pair for pair in pairs if pair not in tied] or pairs
    return max(pairs, key=lambda pair: corr.loc[pair[0], pair[1]])
