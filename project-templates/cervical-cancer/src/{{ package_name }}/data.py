"""Get, verify, load and validate the UCI cervical cancer risk-factor table; make the sample."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from . import config
from .fetch import RawFile, fetch
from .runtime import ProjectError, Provenance

SOURCE = RawFile(
    name="risk_factors_cervical_cancer.csv",
    url="https://archive.ics.uci.edu/static/public/383/cervical+cancer+risk+factors.zip",
    sha256="8df193ad5c9ff4288fb4c401eef70dcd2cbda404ce7f82ac74c68cfc960ab063",
    landing_page="https://archive.ics.uci.edu/dataset/383/cervical+cancer+risk+factors",
    member="risk_factors_cervical_cancer.csv",
)


class ValidationError(ProjectError):
    """The file was read but its content is not the expected table."""


@dataclass(frozen=True)
class Column:
    name: str
    low: float
    high: float
    unit: str = ""

    @property
    def binary(self) -> bool:
        return (self.low, self.high) == (0, 1)


def _binary(name: str) -> Column:
    return Column(name, 0, 1)


STD_TYPES = (
    "condylomatosis",
    "cervical condylomatosis",
    "vaginal condylomatosis",
    "vulvo-perineal condylomatosis",
    "syphilis",
    "pelvic inflammatory disease",
    "genital herpes",
    "molluscum contagiosum",
    "AIDS",
    "HIV",
    "Hepatitis B",
    "HPV",
)

# The official header, in order (note the official spelling "Citology"), with the ranges a
# valid value can take. The ranges are generous: they catch wrong files, not rare patients.
SCHEMA = (
    Column("Age", 10, 100, "years"),
    Column("Number of sexual partners", 0, 100),
    Column("First sexual intercourse", 5, 60, "age in years"),
    Column("Num of pregnancies", 0, 30),
    _binary("Smokes"),
    Column("Smokes (years)", 0, 80, "years"),
    Column("Smokes (packs/year)", 0, 100, "packs per year"),
    _binary("Hormonal Contraceptives"),
    Column("Hormonal Contraceptives (years)", 0, 60, "years"),
    _binary("IUD"),
    Column("IUD (years)", 0, 60, "years"),
    _binary("STDs"),
    Column("STDs (number)", 0, 20),
    *(_binary(f"STDs:{kind}") for kind in STD_TYPES),
    Column("STDs: Number of diagnosis", 0, 20),
    Column("STDs: Time since first diagnosis", 0, 80, "years"),
    Column("STDs: Time since last diagnosis", 0, 80, "years"),
    _binary("Dx:Cancer"),
    _binary("Dx:CIN"),
    _binary("Dx:HPV"),
    _binary("Dx"),
    *(_binary(test) for test in config.DIAGNOSTIC_TESTS),
)
COLUMNS = tuple(column.name for column in SCHEMA)
BY_NAME = {column.name: column for column in SCHEMA}

DISGUISED_MISSING = {"STDs: Number of diagnosis": "STDs (number)"}
"""Columns the official file writes as 0, not '?', for patients who skipped the block of
questions they belong to (column -> a question of that block). In the real file all 105
patients without an answer to 'STDs (number)' have 'STDs: Number of diagnosis' 0. Read as
missing, like the block (IMPUTED_MEANS are the other disguised missing values)."""


def read_text(source: Path | IO[bytes], name: str) -> pd.DataFrame:
    """Read a CSV with every cell as text, turning pandas' errors into clear ones."""
    try:
        text = pd.read_csv(source, dtype=str, keep_default_na=False)
    except FileNotFoundError as error:
        raise ProjectError(f"{name} does not exist. Run the data stage to get it.") from error
    except pd.errors.EmptyDataError as error:
        raise ValidationError(f"{name} is empty: it has no header and no rows.") from error
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValidationError(f"{name} is not a readable CSV file ({error}).") from error
    if len(text.columns) == 1 and ";" in text.columns[0]:
        raise ValidationError(
            f"{name} is separated by ';', not ',' (as an Excel re-save can be): save it as a "
            "comma-separated CSV."
        )
    return text


def load_raw(path: Path) -> pd.DataFrame:
    """Read the official CSV (``?`` means missing) and validate it; raise ValidationError."""
    return validate(read_text(path, str(path)), str(path))


def load_patients(
    source: IO[bytes], name: str, features: list[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Read an uploaded CSV of patients: the model's feature columns, in the official format,
    each row's problem with a cell ('' if none: a bad cell refuses its row, not the file) and
    the other columns, which are ignored (an `id`, the test results).

    Impossible or out-of-range answers are kept, so that the app refuses their rows.
    """
    text = read_text(source, name)
    ignored = [column for column in text.columns if column not in features]
    cells = [""] * len(text)
    table = validate(text.drop(columns=ignored), name, required=features, clear=False, cells=cells)
    return table[features], cells, ignored


def validate(
    text: pd.DataFrame,
    name: str,
    required: Sequence[str] = COLUMNS,
    clear: bool = True,
    cells: list[str] | None = None,
) -> pd.DataFrame:
    """Check columns, types and ranges of the table read as text; return it as numbers, with
    the IMPOSSIBLE values set to missing if ``clear``. With ``cells`` (one string per row), a
    non-number is noted there and read as missing, and a value out of range is kept."""
    missing = [column for column in required if column not in text.columns]
    extra = [column for column in text.columns if column not in BY_NAME]
    if missing or extra:
        hint = ""
        if "Cytology" in extra:
            hint = " (the official file spells it 'Citology'; this copy was renamed)"
        raise ValidationError(
            f"{name} does not have the columns of the UCI cervical cancer file{hint}: "
            f"missing {missing or 'none'}, unexpected {extra or 'none'}."
        )
    if text.empty:
        raise ValidationError(f"{name} has the right header but no rows.")
    table = pd.DataFrame(index=text.index)
    for column in (column for column in SCHEMA if column.name in text.columns):
        values = text[column.name].str.strip().replace({"?": None, "": None})
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna()
        if cells is not None:
            for row in np.flatnonzero(bad):
                cells[row] += f"'{column.name}' is not a number ({values.iloc[row]!r}). "
        elif bad.any():
            row = int(bad.idxmax())
            raise ValidationError(
                f"{name}: column '{column.name}' has the non-numeric value "
                f"{values[row]!r} in data row {row + 1} (missing values must be '?')."
            )
        out_of_range = (numbers < column.low) | (numbers > column.high)
        if out_of_range.any() and cells is None:
            row = int(out_of_range.idxmax())
            raise ValidationError(
                f"{name}: column '{column.name}' has the value {numbers[row]:g} in data row "
                f"{row + 1}, outside its valid range {column.low:g} to {column.high:g}."
            )
        table[column.name] = numbers.astype(float)
    restore_missing(table)
    if clear:
        clear_impossible(table)
    for test in (test for test in config.DIAGNOSTIC_TESTS if test in required):
        if table[test].isna().any():
            row = int(table[test].isna().idxmax())
            raise ValidationError(
                f"{name}: data row {row + 1} has no value for '{test}' (the file may be "
                "truncated; the test results are never missing in the official file)."
            )
    return table


IMPOSSIBLE = {"First sexual intercourse": "Age"}
"""A value larger than its partner's (same unit, years) is an entry error: the official file
has two rows with first intercourse after the current age. It is set to missing, so that the
models learn from the same inputs the app accepts (the app rejects such an answer)."""
IMPUTED_MEANS = {
    "Smokes (years)": 1.266972909,
    "Smokes (packs/year)": 0.5132021277,
    "Hormonal Contraceptives (years)": 2.282200521,
}
"""Column means that whoever prepared the official file wrote in place of answers (15 smokers
with 1.27 smoking years, where the other smokers' mean is 8.4): set to missing for the model,
like an entry error, and counted."""


def clear_impossible(table: pd.DataFrame) -> pd.DataFrame:
    """Set every IMPOSSIBLE value and IMPUTED_MEANS value to missing (in place), keeping their
    rows in ``table.attrs["entry_errors"]``: the file has a value there, not '?', so they are
    not counted as unanswered (``save_table`` writes them beside the table)."""
    errors = {}
    for column, limit in IMPOSSIBLE.items():
        if column in table.columns and limit in table.columns:
            wrong = table[column] > table[limit]
            errors[column] = np.flatnonzero(wrong).tolist()
            table.loc[wrong, column] = np.nan
    for column, mean in IMPUTED_MEANS.items():
        if column in table.columns:
            errors[column] = np.flatnonzero(table[column] == mean).tolist()
            table.loc[table[column] == mean, column] = np.nan
    table.attrs["entry_errors"] = errors
    return table


def answered(table: pd.DataFrame, entry_errors: dict[str, list[int]]) -> pd.DataFrame:
    """A copy of ``table`` in which an entry error counts as an answer (not missing): what a
    patient left unanswered, as opposed to what the pipeline set to missing."""
    out = table.copy()
    for column, rows in entry_errors.items():
        out.loc[out.index[rows], column] = -1.0  # a placeholder: only its presence is read
    return out


def restore_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Set the DISGUISED_MISSING zeros to missing where their block is unanswered (in place)."""
    for column, block in DISGUISED_MISSING.items():
        if column in table.columns and block in table.columns:
            table.loc[table[block].isna(), column] = np.nan
    return table


def disguised_zeros(table: pd.DataFrame) -> dict[str, int]:
    """Per DISGUISED_MISSING column, the rows ``restore_missing`` sets to missing (their block
    is unanswered): values the file gives as 0, counted as missing in ``table``."""
    return {
        column: int(table[block].isna().sum())
        for column, block in DISGUISED_MISSING.items()
        if column in table.columns and block in table.columns
    }


def recoded(table: pd.DataFrame, entry_errors: dict[str, list[int]]) -> dict[str, str]:
    """Per column, the values the file gives that ``table`` holds as missing, in words ('105
    disguised zeros', '2 entry errors'): missing without a '?' in the file."""
    out = {
        column: f"{n} disguised zero{'s' * (n > 1)}"
        for column, n in disguised_zeros(table).items()
        if n
    }
    for column, rows in entry_errors.items():
        what = "column mean" if column in IMPUTED_MEANS else "entry error"
        if rows:
            out[column] = f"{len(rows)} {what}{'s' * (len(rows) > 1)}"
    return out


def make_sample(n: int, seed: int) -> pd.DataFrame:
    """A synthetic table with the official schema, missing-value pattern and a weak signal.

    Only for trying the pipeline without the real data; its numbers mean nothing.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(15, 60, n).astype(float)
    first = np.minimum(age, rng.integers(13, 25, n)).astype(float)
    smokes = (rng.random(n) < 0.15).astype(float)
    hormonal = (rng.random(n) < 0.6).astype(float)
    iud = (rng.random(n) < 0.1).astype(float)
    stds = (rng.random(n) < 0.2).astype(float)
    table = pd.DataFrame(
        {
            "Age": age,
            "Number of sexual partners": rng.integers(1, 8, n).astype(float),
            "First sexual intercourse": first,
            "Num of pregnancies": rng.integers(0, 6, n).astype(float),
            "Smokes": smokes,
            "Smokes (years)": smokes * rng.integers(1, 20, n),
            "Smokes (packs/year)": smokes * rng.integers(1, 10, n) / 2,
            "Hormonal Contraceptives": hormonal,
            "Hormonal Contraceptives (years)": hormonal * rng.integers(1, 15, n),
            "IUD": iud,
            "IUD (years)": iud * rng.integers(1, 10, n),
            "STDs": stds,
            "STDs (number)": stds * rng.integers(1, 3, n),
        }
    )
    for kind in STD_TYPES:
        rate = 0.0 if kind in ("cervical condylomatosis", "AIDS") else 0.5
        table[f"STDs:{kind}"] = stds * (rng.random(n) < rate)
    table["STDs: Number of diagnosis"] = stds * (rng.random(n) < 0.7)
    since = np.where(table["STDs: Number of diagnosis"] > 0, rng.integers(1, 15, n), np.nan)
    table["STDs: Time since first diagnosis"] = since
    table["STDs: Time since last diagnosis"] = since
    for dx in ("Dx:Cancer", "Dx:CIN", "Dx:HPV"):
        table[dx] = (rng.random(n) < 0.08).astype(float)
    table["Dx"] = table[["Dx:Cancer", "Dx:CIN", "Dx:HPV"]].max(axis=1)
    logit = (
        -3.4
        + 0.15 * table["Hormonal Contraceptives (years)"]
        + 1.2 * stds
        + 1.5 * table["Dx"]
        + 0.03 * (age - 30)
        + rng.normal(0, 0.5, n)
    )
    disease = rng.random(n) < 1 / (1 + np.exp(-logit))
    for test, sensitivity in zip(config.DIAGNOSTIC_TESTS, (0.6, 0.8, 0.5, 1.0), strict=True):
        found = disease & (rng.random(n) < sensitivity)
        table[test] = (found | (rng.random(n) < 0.01)).astype(float)
    # The same missing-value pattern as the real file: whole blocks a patient did not answer.
    for block, rate in (
        (["Number of sexual partners"], 0.03),
        (["Num of pregnancies"], 0.06),
        (["Smokes", "Smokes (years)", "Smokes (packs/year)"], 0.02),
        (["Hormonal Contraceptives", "Hormonal Contraceptives (years)"], 0.12),
        (["IUD", "IUD (years)"], 0.13),
        (["STDs", "STDs (number)", *(f"STDs:{kind}" for kind in STD_TYPES)], 0.12),
    ):
        table.loc[rng.random(n) < rate, block] = np.nan
    # Like the file: 0, not missing, where the STD block is unanswered (see DISGUISED_MISSING).
    table.loc[table["STDs (number)"].isna(), "STDs: Number of diagnosis"] = 0.0
    return table[list(COLUMNS)]


def get_table(paths: config.Paths, *, sample: bool, params: config.Params) -> pd.DataFrame:
    """The validated table, the real file (fetched) or the sample, saved with its provenance."""
    if sample:
        table = restore_missing(make_sample(params.sample_size, params.seed))
        Provenance.sample(rows=len(table)).save(paths)
        return table
    path = fetch(SOURCE, paths.raw_dir)
    table = load_raw(path)
    Provenance.of_file(path, source=SOURCE.landing_page, rows=len(table)).save(paths)
    return table


def save_table(paths: config.Paths, table: pd.DataFrame) -> None:
    paths.processed.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(paths.processed, index=False)
    errors = table.attrs.get("entry_errors", {})
    _entry_errors_path(paths).write_text(json.dumps(errors), encoding="utf-8")


def _entry_errors_path(paths: config.Paths) -> Path:
    return paths.processed.with_name("entry_errors.json")


def read_entry_errors(paths: config.Paths) -> dict[str, list[int]]:
    """The rows of each column that ``clear_impossible`` set to missing (none if unknown)."""
    path = _entry_errors_path(paths)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def read_table(paths: config.Paths) -> pd.DataFrame:
    """The processed table written by the data stage."""
    if not paths.processed.exists():
        raise ProjectError(
            f"{paths.processed} is missing: run `data` first (or `all`, or `all --sample`)."
        )
    return pd.read_csv(paths.processed)
