"""One patient's risk from the saved model, and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from . import config, data, train

EARLIEST_START = 6
"""Smoking, hormonal contraception or an IUD counted from before this age is refused: no
patient of the official file started earlier."""

NOT_LARGER_THAN = (
    ("First sexual intercourse", "Age", 0, "it cannot come after the patient's age"),
    ("Smokes (years)", "Age", EARLIEST_START, f"that would start before age {EARLIEST_START}"),
    (
        "Hormonal Contraceptives (years)",
        "Age",
        EARLIEST_START,
        f"that would start before age {EARLIEST_START}",
    ),
    ("IUD (years)", "Age", EARLIEST_START, f"that would start before age {EARLIEST_START}"),
    ("Num of pregnancies", "Age", 10, "more than one a year from age 10"),
    ("STDs: Number of diagnosis", "STDs (number)", 0, "each diagnosis is one of them"),
)
"""Rules (a, b, margin, why): a patient's a can be at most b - margin. The official file breaks
only the first, in 2 rows (entry errors the data stage sets to missing)."""

REQUIRED = ("Age",)
"""Questions no patient of the data skipped: a patient without them is not scored (the form
has no 'not answered' box for them; imputing them would score a patient nobody described)."""

SMOKING = ("Smokes (years)", "Smokes (packs/year)")
"""Years smoked and packs a year are both 0 (never smoked) or both above 0: every patient of
the official file who answered them does so."""

PARTNERS = "Number of sexual partners"
HAD_INTERCOURSE = ("First sexual intercourse", "Num of pregnancies")
"""A first intercourse or a pregnancy needs at least one sexual partner (no patient of the
official file has 0 partners). A rule between "years of" answers and the years since first
intercourse is not applied: the official file breaks it for hormonal contraceptives and IUDs
(contraception is also prescribed for other reasons), so it would refuse patients like the
training ones; the ranges of the data (``support``) bound those answers instead."""


def check(
    answers: dict[str, float | None], support: dict[str, list[float]] | None = None
) -> list[str]:
    """Problems with one patient's answers (``None`` = not answered), as sentences.

    ``support`` (metrics' ``answer_support``: the lowest and highest answer of each number
    question in the training data) refuses an answer outside the data the model saw: the
    model would extrapolate its fitted slopes there (e.g. a noise coefficient turned into a
    large effect), so no estimate is given rather than a clamped one that describes another
    patient."""
    problems = [f"{name} is required." for name in REQUIRED if answers.get(name, 0) is None]
    for name, value in answers.items():
        column = data.BY_NAME.get(name)
        if column is None:
            problems.append(f"'{name}' is not a risk factor of this model.")
        elif value is not None and not column.low <= value <= column.high:
            problems.append(f"{name} must be between {column.low:g} and {column.high:g}.")
        elif value is not None and name in (support or {}):
            low, high = support[name]
            if not low <= value <= high:
                problems.append(
                    f"{name} ({value:g}) is outside the data the model saw ({low:g} to "
                    f"{high:g}): no estimate."
                )
    partners = answers.get(PARTNERS)
    given = [name for name in HAD_INTERCOURSE if answers.get(name) not in (None, 0)]
    if partners == 0 and given:
        problems.append(f"{PARTNERS} is 0 but {' and '.join(given)} is answered.")
    for smaller, larger, margin, why in NOT_LARGER_THAN:
        a, b = answers.get(smaller), answers.get(larger)
        if a is not None and b is not None and a > b - margin:
            limit = (
                f"{larger} ({b:g})" if not margin else f"{larger} minus {margin} ({b - margin:g})"
            )
            problems.append(f"{smaller} ({a:g}) cannot be more than {limit}: {why}.")
    years, packs = (answers.get(name) for name in SMOKING)
    if years is not None and packs is not None and (years > 0) != (packs > 0):
        problems.append(
            f"{SMOKING[0]} ({years:g}) and {SMOKING[1]} ({packs:g}) must both be 0 (never "
            "smoked) or both above 0."
        )
    return problems


def consistent(rows: pd.DataFrame) -> np.ndarray:
    """Which rows of answers ``check`` accepts, for many rows at once (the ranges hold for
    every candidate answer by construction, so only the rules between questions are checked;
    a missing value breaks no rule, as in ``check``)."""
    ok = np.ones(len(rows), dtype=bool)
    if PARTNERS in rows.columns:
        given = np.zeros(len(rows), dtype=bool)
        for name in (name for name in HAD_INTERCOURSE if name in rows.columns):
            given |= (rows[name].notna() & (rows[name] != 0)).to_numpy()
        ok &= ~((rows[PARTNERS] == 0).to_numpy() & given)
    for smaller, larger, margin, _ in NOT_LARGER_THAN:
        if smaller in rows.columns and larger in rows.columns:
            ok &= ~(rows[smaller] > rows[larger] - margin).to_numpy()
    if all(name in rows.columns for name in SMOKING):
        years, packs = (rows[name] for name in SMOKING)
        both = years.notna() & packs.notna()
        ok &= ~(both & ((years > 0) != (packs > 0))).to_numpy()
    return ok


def miscalibrated(blocks: list[dict]) -> list[str]:
    """The questions of every block of unanswered questions whose skippers' positives differ
    from those the model expected (metrics' missingness blocks, p below ALPHA): for a patient
    who skips one, the median the model fills in does not describe her, so the app gives no
    verdict."""
    return [q for b in blocks if b["p_observed_vs_expected"] < config.ALPHA for q in b["questions"]]


def top_fifth(risk: np.ndarray | float, cut: float) -> pd.api.extensions.ExtensionArray:
    """'yes' for a risk in the top fifth (at or above metrics' ``top_fifth_cut``), else 'no';
    missing for a missing risk."""
    risk = np.atleast_1d(np.asarray(risk, dtype=float))
    top = np.where(risk >= cut, "yes", "no")
    return pd.array(np.where(np.isnan(risk), None, top), "string")


def features_of(model: Pipeline) -> list[str]:
    return list(model.feature_names_in_)


def as_row(model: Pipeline, answers: dict[str, float | None]) -> pd.DataFrame:
    """A one-row table in the model's column order; unanswered values are missing (NaN),
    which the model's imputer fills with the training median."""
    values = {name: answers.get(name) for name in features_of(model)}
    return pd.DataFrame([{k: np.nan if v is None else float(v) for k, v in values.items()}])


def candidates(
    model: Pipeline, spread: dict[str, list[float]] | None = None
) -> dict[str, list[float]]:
    """The answers an unanswered question is scored at: the typical value (training median),
    plus its ``spread`` values (see features.answer_spread: the answers of a yes/no question
    the app accepts; for a number the quartiles of the answered values and the median of the
    answers above 0)."""
    typical = typical_values(model)
    out = {}
    for name in features_of(model):
        default = [0.0, 1.0] if data.BY_NAME[name].binary else []
        out[name] = sorted({float(typical[name]), *(spread or {}).get(name, default)})
    return out


def risk(model: Pipeline, answers: dict[str, float | None]) -> float:
    """The model's probability for one patient, exactly as cross-validation scored it: an
    unanswered question is filled with the training median (the typical answer) by the
    model's own imputer."""
    return float(train.predict_risk(model, as_row(model, answers))[0])


def risk_range(
    model: Pipeline,
    answers: dict[str, float | None],
    spread: dict[str, list[float]] | None = None,
) -> tuple[float, float]:
    """Lowest and highest risk over the ``candidates`` of the unanswered questions, in
    combinations ``check`` accepts together with the given answers (see ``ranges``)."""
    low, high = ranges(model, as_row(model, answers), spread)[0]
    return float(low), float(high)


RANGE_ANSWERS = (
    "the answers of a yes/no question the app accepts and, for a number, its median, "
    "quartiles and the median of the answers above 0"
)
"""What the range beside a probability spans (the ``candidates``), in words."""

ANCHOR = "STDs (number)"
"""The one question another question's answer depends on (the number of STD diagnoses cannot
exceed it): ``ranges`` tries each of its candidates in turn and searches the others."""


def ranges(
    model: Pipeline, rows: pd.DataFrame, spread: dict[str, list[float]] | None = None
) -> np.ndarray:
    """Lowest and highest risk of every row (shape (rows, 2)) over the candidate answers of its
    unanswered questions, in combinations ``check`` accepts.

    A search, not an enumeration, so its cost grows linearly with the questions left open and
    the rows (every combination would grow as 2 to 3 to the power of the questions): from the
    typical answers, each open question in turn takes the candidate that lowers (raises) the
    risk most, twice over all questions, for each candidate of ANCHOR. For the logistic
    regression, whose log-odds add up over the questions, that reaches the exact extremes (a
    test compares it with every combination); for XGBoost it can be narrower than the exact range.
    The range always contains the filled-in risk itself, so a skipped question is never
    scored below the same patient with the typical answer.
    """
    names = features_of(model)
    options = candidates(model, spread)
    start = rows[names].astype(float)
    unanswered = start.isna().to_numpy()
    start = start.fillna(typical_values(model))
    base = train.predict_risk(model, start)
    bounds = np.column_stack([base, base])
    skips_anchor = ANCHOR in names and unanswered[:, names.index(ANCHOR)].any()
    anchors = options[ANCHOR] if skips_anchor else [None]
    for sign, column in ((-1.0, 0), (1.0, 1)):
        for anchor in anchors:
            current = start.copy()
            if anchor is not None:
                current.loc[unanswered[:, names.index(ANCHOR)], ANCHOR] = anchor
            found = _search(model, current, unanswered, options, sign, fixed=ANCHOR)
            best = np.where(np.isfinite(found), found, base)
            bounds[:, column] = (np.minimum if sign < 0 else np.maximum)(bounds[:, column], best)
    return bounds


def _search(
    model: Pipeline,
    current: pd.DataFrame,
    unanswered: np.ndarray,
    options: dict[str, list[float]],
    sign: float,
    fixed: str,
    sweeps: int = 2,
) -> np.ndarray:
    """Coordinate search (minimum if ``sign`` < 0, maximum if > 0) of the risk of every row
    over its unanswered questions (all but ``fixed``), keeping only accepted combinations;
    -inf/inf sign-scaled where no accepted combination was reached."""
    names = list(current.columns)
    value = np.where(consistent(current), sign * train.predict_risk(model, current), -np.inf)
    for _ in range(sweeps):
        for index, name in enumerate(names):
            rows = unanswered[:, index]
            if name == fixed or not rows.any():
                continue
            trials = pd.concat([current.assign(**{name: v}) for v in options[name]])
            scored = np.where(consistent(trials), sign * train.predict_risk(model, trials), -np.inf)
            scored = scored.reshape(len(options[name]), len(current))
            best = scored.argmax(axis=0)
            gain = rows & (scored[best, np.arange(len(current))] > value)
            current.loc[gain, name] = np.asarray(options[name])[best[gain]]
            value = np.where(gain, scored[best, np.arange(len(current))], value)
    return np.where(np.isfinite(value), sign * value, np.nan)


def typical_values(model: Pipeline) -> dict[str, float]:
    """The training medians the model's imputer learned: a 'typical patient'."""
    imputer = model.named_steps["impute"]
    return dict(zip(features_of(model), imputer.statistics_, strict=True))


RELATED = ("STDs", "Smokes", "Hormonal Contraceptives", "IUD")
"""Prefixes of questions that restate one fact (a yes, its count, its years): the form keeps
them together."""


def related(name: str) -> str:
    """The RELATED prefix ``name`` belongs to, or ``name`` itself."""
    return next((prefix for prefix in RELATED if name.startswith(prefix)), name)


def score(
    model: Pipeline,
    patients: pd.DataFrame,
    spread: dict[str, list[float]] | None = None,
    support: dict[str, list[float]] | None = None,
    cells: list[str] | None = None,
) -> pd.DataFrame:
    """Risk (the median-imputed one cross-validation scored), the range over the candidate
    answers of each row's unanswered questions (``ranges``, all rows at once), for every row of
    a validated table.

    A row ``check`` refuses (answers that contradict each other, or outside ``support``) gets
    no risk or range, and says why in ``problems`` (empty for a scored row), as does a
    row with a bad cell (``cells``: each row's problems found on reading)."""
    names = features_of(model)
    rows = patients[names].reset_index(drop=True)
    problems = []
    for cell, row in zip(cells or [""] * len(rows), rows.to_dict("records"), strict=True):
        answers = {k: None if pd.isna(v) else float(v) for k, v in row.items()}
        problems.append(" ".join(filter(None, [cell.strip(), *check(answers, support)])))
    ok = np.array([not text for text in problems])
    risks = np.full(len(rows), np.nan)
    extent = np.full((len(rows), 2), np.nan)
    if ok.any():
        risks[ok] = train.predict_risk(model, rows[ok])
        extent[ok] = ranges(model, rows[ok].reset_index(drop=True), spread)
    scored = patients.copy()
    scored.insert(0, "problems", problems)
    scored.insert(0, "highest if answered", extent[:, 1].round(4))
    scored.insert(0, "lowest if answered", extent[:, 0].round(4))
    scored.insert(0, "risk", risks.round(4))
    return scored
