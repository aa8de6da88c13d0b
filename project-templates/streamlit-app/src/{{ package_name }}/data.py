"""The UCI Mushroom data: official source, load, validate, decode, and a synthetic sample.

Column names and the meaning of every code come from the dataset's documentation,
``agaricus-lepiota.names`` (UCI id 73), so the app can say "odor: foul" rather than "f".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .fetch import RawFile, fetch
from .runtime import ProjectError

RAW = RawFile(
    name="agaricus-lepiota.data",
    url="https://archive.ics.uci.edu/static/public/73/mushroom.zip",
    sha256="e65d082030501a3ebcbcd7c9f7c71aa9d28fdfff463bf4cf4716a3fe13ac360e",
    landing_page="https://archive.ics.uci.edu/dataset/73/mushroom",
    member="agaricus-lepiota.data",
)

TARGET = "class"
POSITIVE = "p"
"""The positive class: poisonous (which in this data includes "edibility unknown")."""

CODES: dict[str, dict[str, str]] = {
    TARGET: {"e": "edible", "p": "poisonous"},
    "cap_shape": {
        "b": "bell", "c": "conical", "x": "convex", "f": "flat", "k": "knobbed", "s": "sunken"
    },
    "cap_surface": {"f": "fibrous", "g": "grooves", "y": "scaly", "s": "smooth"},
    "cap_color": {
        "n": "brown", "b": "buff", "c": "cinnamon", "g": "gray", "r": "green",
        "p": "pink", "u": "purple", "e": "red", "w": "white", "y": "yellow",
    },
    "bruises": {"t": "bruises", "f": "no"},
    "odor": {
        "a": "almond", "l": "anise", "c": "creosote", "y": "fishy", "f": "foul",
        "m": "musty", "n": "none", "p": "pungent", "s": "spicy",
    },
    "gill_attachment": {"a": "attached", "d": "descending", "f": "free", "n": "notched"},
    "gill_spacing": {"c": "close", "w": "crowded", "d": "distant"},
    "gill_size": {"b": "broad", "n": "narrow"},
    "gill_color": {
        "k": "black", "n": "brown", "b": "buff", "h": "chocolate", "g": "gray", "r": "green",
        "o": "orange", "p": "pink", "u": "purple", "e": "red", "w": "white", "y": "yellow",
    },
    "stalk_shape": {"e": "enlarging", "t": "tapering"},
    "stalk_root": {
        "b": "bulbous", "c": "club", "u": "cup", "e": "equal", "z": "rhizomorphs",
        "r": "rooted", "?": "missing",
    },
    "stalk_surface_above_ring": {"f": "fibrous", "y": "scaly", "k": "silky", "s": "smooth"},
    "stalk_surface_below_ring": {"f": "fibrous", "y": "scaly", "k": "silky", "s": "smooth"},
    "stalk_color_above_ring": {
        "n": "brown", "b": "buff", "c": "cinnamon", "g": "gray", "o": "orange",
        "p": "pink", "e": "red", "w": "white", "y": "yellow",
    },
    "stalk_color_below_ring": {
        "n": "brown", "b": "buff", "c": "cinnamon", "g": "gray", "o": "orange",
        "p": "pink", "e": "red", "w": "white", "y": "yellow",
    },
    "veil_type": {"p": "partial", "u": "universal"},
    "veil_color": {"n": "brown", "o": "orange", "w": "white", "y": "yellow"},
    "ring_number": {"n": "none", "o": "one", "t": "two"},
    "ring_type": {
        "c": "cobwebby", "e": "evanescent", "f": "flaring", "l": "large",
        "n": "none", "p": "pendant", "s": "sheathing", "z": "zone",
    },
    "spore_print_color": {
        "k": "black", "n": "brown", "b": "buff", "h": "chocolate", "r": "green",
        "o": "orange", "u": "purple", "w": "white", "y": "yellow",
    },
    "population": {
        "a": "abundant", "c": "clustered", "n": "numerous",
        "s": "scattered", "v": "several", "y": "solitary",
    },
    "habitat": {
        "g": "grasses", "l": "leaves", "m": "meadows", "p": "paths",
        "u": "urban", "w": "waste", "d": "woods",
    },
}  # fmt: skip
COLUMNS = list(CODES)
"""The 23 columns of the file, in order: the class, then the 22 attributes."""
SPECIES = 23
"""Species the guide describes, as the data set's documentation (agaricus-lepiota.names)
states; the file itself names no species."""
ATTRIBUTES = COLUMNS[1:]


def label(column: str) -> str:
    """Human-readable attribute name: ``stalk_root`` -> ``stalk root``."""
    return column.replace("_", " ")


def read_table(path: Path, *, header: bool) -> pd.DataFrame:
    """Read a mushroom table (the raw file has no header; the processed one has) and validate it.

    Every problem a user can hit is a ProjectError that names the file and the problem.
    """
    if not path.is_file():
        raise ProjectError(
            f"{path} does not exist. Run the data stage first: python -m {__package__} data"
        )
    try:
        frame = pd.read_csv(
            path,
            header=0 if header else None,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError as error:
        raise ProjectError(f"{path} is empty: delete it and run the data stage again.") from error
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ProjectError(f"{path} is not a comma-separated mushroom table: {error}") from error
    if not header:
        if frame.shape[1] != len(COLUMNS):
            raise ProjectError(
                f"{path} has {frame.shape[1]} columns; the UCI Mushroom file has {len(COLUMNS)} "
                "(the class, then 22 attributes). Is it the right file?"
            )
        frame.columns = COLUMNS
    return validate(frame, source=str(path))


def validate(frame: pd.DataFrame, *, source: str, target: bool = True) -> pd.DataFrame:
    """Check columns and codes; return the frame with exactly the expected columns, in order.

    ``target=False`` checks attributes only (a table of mushrooms to classify), and does not
    ask for ``veil_type``: it is constant in the data and no model reads it.
    """
    frame = normalise_columns(frame)
    expected = (
        COLUMNS
        if target
        else [c for c in ATTRIBUTES if c != "veil_type" or "veil_type" in frame.columns]
    )
    missing = [column for column in expected if column not in frame.columns]
    if missing:
        raise ProjectError(
            f"{source} lacks {len(missing)} of the {len(expected)} expected columns "
            f"({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}). Expected, in any "
            f"order: {', '.join(expected)}."
        )
    if frame.empty:
        raise ProjectError(f"{source} has the right columns but no rows.")
    frame = frame[expected].astype(str).apply(lambda column: column.str.strip().str.lower())
    for column in expected:
        unknown = sorted(set(frame[column]) - set(CODES[column]))
        if unknown:
            allowed = ", ".join(f"{code}={name}" for code, name in CODES[column].items())
            raise ProjectError(
                f"{source}: column {column} has unknown value(s) "
                f"{', '.join(code or '(blank)' for code in unknown[:5])}; "
                f"allowed: {allowed}."
            )
    # Object dtype: pandas 3's Arrow-backed strings make one-hot encoding and grouping many
    # times slower, with the same values.
    return frame.astype(object).reset_index(drop=True)


def normalise_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its column names spelt as here, whichever copy of the data it came from:
    "cap-shape", "bruises?" and "Odor" become cap_shape, bruises and odor."""
    return frame.rename(columns=lambda c: str(c).strip().lower().replace("-", "_").rstrip("?"))


def decode(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace every code with its meaning, e.g. odor ``f`` -> ``foul``."""
    return frame.apply(lambda column: column.map(CODES[column.name]))


def encode(frame: pd.DataFrame) -> pd.DataFrame:
    """Accept codes or their meanings (as ``decode`` writes them), under any spelling of the
    column names, and return codes under this project's names."""
    coded = normalise_columns(frame)
    for column in coded.columns.intersection(COLUMNS):
        meanings = {name: code for code, name in CODES[column].items()}
        coded[column] = coded[column].astype(str).str.strip().str.lower().replace(meanings)
    return coded


def make_sample(rows: int, seed: int) -> pd.DataFrame:
    """A synthetic table with the real schema, for trying the pipeline without the data.

    Attributes are drawn uniformly from their codes; the class follows a noisy version of the
    odour rule the documentation describes, so the models have something to learn. It says
    nothing about real mushrooms.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {column: rng.choice(list(CODES[column]), size=rows) for column in ATTRIBUTES}
    )
    frame["veil_type"] = "p"  # constant in the real data too
    odourless = frame["odor"].isin(["a", "l", "n"])
    noise = rng.random(rows) < 0.08
    frame[TARGET] = np.where(odourless ^ noise, "e", "p")
    return frame[COLUMNS].astype(object)


def get_raw(raw_dir: Path, *, url: str | None = None) -> Path:
    """The verified raw file: ``raw_dir/agaricus-lepiota.data``, downloaded if missing."""
    return fetch(RAW, raw_dir, url=url)
