"""Reading and checking CSV files: every way a file can be wrong becomes one clear error.

The data set's own module (chosen when the project was generated) says which file, which
columns and which values; nothing here writes files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .runtime import ProjectError


class ValidationError(ProjectError):
    """The input file was read but its content is not what the project expects."""


def read_csv_file(path: Path, **options: object) -> pd.DataFrame:
    """Read a CSV file, turning every way it can fail into one clear ``ProjectError``."""
    if not path.is_file():
        raise ProjectError(f"{path} does not exist.")
    if path.stat().st_size == 0:
        raise ValidationError(f"{path} is empty: there is nothing to read.")
    try:
        frame = pd.read_csv(path, **options)
    except pd.errors.EmptyDataError as error:
        raise ValidationError(f"{path} has no columns: it is empty or blank.") from error
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        reason = str(error).splitlines()[0][:200]
        raise ValidationError(f"{path} is not a readable CSV file ({reason}).") from error
    if frame.empty:
        raise ValidationError(f"{path} has a header but no data rows.")
    return frame


def check_columns(frame: pd.DataFrame, expected: list[str], path: Path | str) -> None:
    """Raise unless the table has exactly the expected columns (in any order)."""
    missing = [name for name in expected if name not in frame.columns]
    extra = [str(name) for name in frame.columns if name not in expected]
    if missing or extra:
        details = "; ".join(
            part
            for part in (
                f"missing: {', '.join(missing)}" if missing else "",
                f"unexpected: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise ValidationError(
            f"{path} does not have the expected columns ({details}). Expected: "
            f"{', '.join(expected)}."
        )


def check_values(
    frame: pd.DataFrame,
    path: Path | str,
    *,
    ranges: dict[str, tuple[float, float]],
    allowed: dict[str, set[object]],
) -> None:
    """Raise on non-numeric measurements, values out of range or unknown categories."""
    for name, (low, high) in ranges.items():
        values = frame[name]
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & numbers.isna()
        if bad.any():
            raise ValidationError(
                f"{path}: column {name} holds text where numbers belong "
                f"(first: {values[bad].iloc[0]!r} in row {bad.idxmax() + 2})."
            )
        outside = numbers.notna() & ~numbers.between(low, high)
        if outside.any():
            raise ValidationError(
                f"{path}: column {name} has {int(outside.sum())} value(s) outside {low:g} to "
                f"{high:g} (first: {numbers[outside].iloc[0]:g} in row {outside.idxmax() + 2})."
            )
    for name, levels in allowed.items():
        unknown = sorted({str(value) for value in frame[name].dropna() if value not in levels})
        if unknown:
            raise ValidationError(
                f"{path}: column {name} has unknown value(s) {', '.join(unknown[:5])}; "
                f"expected one of {', '.join(sorted(map(str, levels)))}."
            )
