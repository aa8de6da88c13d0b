"""Reading and checking CSV files: every way a file can be wrong becomes one clear error.

The data set's own module (chosen when the project was generated) says which file, which
columns and which values; ``read_any_table`` reads a table of any shape (your own CSV, or an
upload in the app). Nothing here writes files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .config import Params
from .runtime import ProjectError
from .schema import Schema, apply_types, infer_schema

MIN_ROWS = 5
"""Fewest data rows a table of any shape needs before it is charted."""


class ValidationError(ProjectError):
    """The input file was read but its content is not what the project expects."""


class ColumnsError(ValidationError):
    """The file is readable but is not the table the project's data set expects."""


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
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"{path} is not a readable CSV file: it is not UTF-8 text (byte "
            f"{error.object[error.start]:#x} at position {error.start}); save it as UTF-8."
        ) from error
    except (pd.errors.ParserError, ValueError) as error:
        reason = str(error).splitlines()[0][:200]
        raise ValidationError(f"{path} is not a readable CSV file ({reason}).") from error
    if frame.empty:
        raise ValidationError(f"{path} has a header but no data rows.")
    infinite = frame.select_dtypes("number").abs().eq(float("inf")).any()
    if infinite.any():
        raise ValidationError(
            f"{path}: column {infinite.idxmax()} holds an infinite value; "
            "only finite numbers can be charted."
        )
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
        raise ColumnsError(
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


SEPARATORS = ",;\t|"
"""The separators a table may use; the first one that splits every sampled line alike wins."""


def _first_lines(path: Path, count: int = 20) -> list[str]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        first = [line for _, line in zip(range(count), lines, strict=False)]
    return [line.rstrip("\r\n") for line in first if line.strip()]


def sniff_separator(path: Path) -> str:
    """The file's separator among ``SEPARATORS``, from its first lines; a comma when none
    splits them alike (the file is then read as one column, which ``one_column_error``
    checks). Letters are never taken for separators, as Python's own sniffer may."""
    if not path.is_file() or path.stat().st_size == 0:
        return ","  # read_csv_file says what is wrong
    try:
        return csv.Sniffer().sniff("\n".join(_first_lines(path)), delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def one_column_error(path: Path) -> ValidationError | None:
    """A table that reads as one column, though a character splits its first lines alike: its
    separator was not found. A table of one column split by nothing is read as it is."""
    lines = _first_lines(path)
    counts = {
        char: {line.count(char) for line in lines}
        for char in dict.fromkeys(lines[0] if lines else "")
        if not char.isalnum() and char not in "\"'._-"
    }
    alike = [char for char, seen in counts.items() if len(seen) == 1 and 0 not in seen]
    if not alike:
        return None
    return ValidationError(
        f"{path} reads as a single column: its lines are split alike by {alike[0]!r}, not by "
        "a comma, semicolon, tab or |. Save it with commas between the columns (a "
        "spreadsheet's 'CSV (comma delimited)'), then run again."
    )


def read_any_table(path: Path, params: Params | None = None) -> tuple[pd.DataFrame, Schema]:
    """Read any CSV file (the separator is detected), infer the column roles, check it is usable."""
    # "?" is a common missing-value mark (UCI files), besides pandas' own NA, N/A, null, ...
    separator = sniff_separator(path)
    frame = read_csv_file(path, sep=separator, na_values=["?"])
    error = one_column_error(path) if frame.shape[1] == 1 else None
    if error is not None:
        raise error
    frame.columns = [str(name).strip() for name in frame.columns]
    title = path.name
    if header_is_data(frame):  # read it again, keeping the first row as data
        frame = read_csv_file(path, sep=separator, na_values=["?"], header=None)
        frame.columns = [f"column_{number}" for number in range(1, frame.shape[1] + 1)]
        title = f"{path.name} (no header row: columns named column_1 to column_{frame.shape[1]})"
    else:  # pandas renames a repeated name ("sex" to "sex.1"): refuse it instead
        header = read_csv_file(path, sep=separator, header=None, nrows=1).iloc[0].dropna()
        names = [str(name).strip() for name in header]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise ValidationError(
                f"{path} repeats the column name(s) {', '.join(repeated)}: give each column "
                "its own name, then run again."
            )
    if len(frame) < MIN_ROWS:
        raise ValidationError(
            f"{path} has {len(frame)} data row(s); the charts need at least {MIN_ROWS}."
        )
    schema = infer_schema(frame, title=title, params=params)
    if not schema.of_kind("numeric") and not schema.of_kind("category"):
        raise ValidationError(
            f"{path} has no column to chart: no numbers and no category with 2 to 20 values "
            f"(columns: {', '.join(frame.columns[:10])}). Is it the right file, with a header row?"
        )
    return apply_types(frame, schema), schema


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def header_is_data(frame: pd.DataFrame) -> bool:
    """Whether the "column names" are really the first data row of a file without a header.

    Either every name is a number, or every numeric column is named by a number and one of
    those has a decimal part (a measurement such as 39.1; a header of years 2019, 2020 stays).
    """
    names = [str(name) for name in frame.columns]
    if all(_is_number(name) for name in names):
        return True
    numeric = [str(name) for name in frame.columns if pd.api.types.is_numeric_dtype(frame[name])]
    named_by_numbers = bool(numeric) and all(_is_number(name) for name in numeric)
    return named_by_numbers and any(not float(name).is_integer() for name in numeric)
