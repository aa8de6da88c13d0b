"""One patient's risk from the saved model, the factors that moved it, and input checks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from . import data, train

# Pairs (a, b) where a patient's value of a cannot be larger than b (same unit). The official
# file breaks only the first, in 2 rows (first intercourse after the age: entry errors).
NOT_LARGER_THAN = (
    ("First sexual intercourse", "Age"),
    ("Smokes (years)", "Age"),
    ("Hormonal Contraceptives (years)", "Age"),
    ("IUD (years)", "Age"),
    ("STDs: Number of diagnosis", "STDs (number)"),
)


def check(answers: dict[str, float | None]) -> list[str]:
    """Problems with one patient's answers (``None`` = not answered), as sentences."""
    problems = []
    for name, value in answers.items():
        column = data.BY_NAME.get(name)
        if column is None:
            problems.append(f"'{name}' is not a risk factor of this model.")
        elif value is not None and not column.low <= value <= column.high:
            problems.append(f"{name} must be between {column.low:g} and {column.high:g}.")
    for smaller, larger in NOT_LARGER_THAN:
        a, b = answers.get(smaller), answers.get(larger)
        if a is not None and b is not None and a > b:
            problems.append(f"{smaller} ({a:g}) cannot be more than {larger} ({b:g}).")
    # A sexually transmitted disease answered "yes" counts in the number of them.
    count = answers.get("STDs (number)")
    for name, value in answers.items():
        if name.startswith("STDs:") and value == 1 and count == 0:
            problems.append(f"{name} is answered 'yes' but STDs (number) is 0.")
    return problems


def consistent(rows: pd.DataFrame) -> np.ndarray:
    """Which rows of answers ``check`` accepts, for many rows at once (the ranges hold for
    every candidate answer by construction, so only the rules between questions are checked;
    a missing value breaks no rule, as in ``check``)."""
    ok = np.ones(len(rows), dtype=bool)
    for smaller, larger in NOT_LARGER_THAN:
        if smaller in rows.columns and larger in rows.columns:
            ok &= ~(rows[smaller] > rows[larger]).to_numpy()
    if "STDs (number)" in rows.columns:
        none = (rows["STDs (number)"] == 0).to_numpy()
        for name in (name for name in rows.columns if name.startswith("STDs:")):
            ok &= ~(none & (rows[name] == 1).to_numpy())
    return ok


MAX_COMBINATIONS = 3**8
"""A range is computed only when the unanswered questions have at most this many combinations
of typical answers (6,561): their number grows as 2 to 3 to the power of the questions left
open, and a CSV scores one set per row. On the real data skipping every question of the
default model gives 1,296."""


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
    """The answers an unanswered question is scored at: both answers of a yes/no question; the
    typical value (training median) of a number, plus its ``spread`` values (e.g. the
    quartiles of the answered values) when given."""
    typical = typical_values(model)
    out = {}
    for name in features_of(model):
        if data.BY_NAME[name].binary:
            out[name] = [0.0, 1.0]
        else:
            out[name] = sorted({float(typical[name]), *(spread or {}).get(name, [])})
    return out


def risk(model: Pipeline, answers: dict[str, float | None]) -> float:
    """The model's probability for one patient, exactly as cross-validation scored it: an
    unanswered question is filled with the training median (the typical answer) by the
    model's own imputer, so the held-out calibration measured in evaluate.py applies to it."""
    return float(train.predict_risk(model, as_row(model, answers))[0])


def risk_range(
    model: Pipeline,
    answers: dict[str, float | None],
    spread: dict[str, list[float]] | None = None,
) -> tuple[float, float] | None:
    """Lowest and highest risk over typical answers: every combination of the ``candidates``
    of the unanswered questions (median, quartiles; both answers of a yes/no question) that
    ``check`` accepts together with the given answers.

    The range also contains ``risk`` itself (the typical answer is among the candidates; it is
    added even when the given answers make that combination one ``check`` rejects). None
    when there are more than MAX_COMBINATIONS combinations.
    A question left unanswered is therefore never scored below the same patient with the
    typical answer (in this data, patients who skipped some questions were rarely positive,
    see features.missingness; no model gets to use that). Skipping all 13 questions of the
    default model scores about 300,000 rows: still well under a second.
    """
    row = as_row(model, answers)
    options = candidates(model, spread)
    open_questions = [name for name in features_of(model) if np.isnan(row.at[0, name])]
    if math.prod(len(options[q]) for q in open_questions) > MAX_COMBINATIONS:
        return None
    combinations = np.array(list(itertools.product(*(options[q] for q in open_questions))))
    rows = pd.concat([row] * len(combinations), ignore_index=True)
    if open_questions:
        rows[open_questions] = combinations
    rows = pd.concat([row, rows[consistent(rows)]], ignore_index=True)
    risks = train.predict_risk(model, rows)
    return float(risks.min()), float(risks.max())


def typical_values(model: Pipeline) -> dict[str, float]:
    """The training medians the model's imputer learned: a 'typical patient'."""
    imputer = model.named_steps["impute"]
    return dict(zip(features_of(model), imputer.statistics_, strict=True))


def factor_effects(model: Pipeline, answers: dict[str, float | None], top: int = 6) -> pd.DataFrame:
    """How much each answer moves the risk, compared with the typical value for that factor.

    For each factor, the answer is replaced by the training median and the risk recomputed
    (an unanswered question already is at the median, so it moves nothing): the difference is
    what this answer adds (a what-if on the model, not a causal effect).
    """
    base = risk(model, answers)
    typical = typical_values(model)
    effects = []
    for name in features_of(model):
        value = answers.get(name)
        delta = base - risk(model, {**answers, name: typical[name]})
        if not math.isclose(delta, 0.0, abs_tol=1e-6):
            effects.append(
                {
                    "factor": name,
                    "answer": "not answered" if value is None else f"{value:g}",
                    "typical": f"{typical[name]:g}",
                    "change in risk (points)": round(100 * delta, 2),
                }
            )
    table = pd.DataFrame(
        effects, columns=["factor", "answer", "typical", "change in risk (points)"]
    )
    order = table["change in risk (points)"].abs().sort_values(ascending=False).index
    return table.loc[order].head(top).reset_index(drop=True)


def _answers(patients: pd.DataFrame) -> list[list[float | None]]:
    return [
        [None if pd.isna(value) else float(value) for value in row]
        for row in patients.itertuples(index=False)
    ]


def score(
    model: Pipeline,
    patients: pd.DataFrame,
    threshold: float | None,
    spread: dict[str, list[float]] | None = None,
) -> pd.DataFrame:
    """Risk (the median-imputed one cross-validation scored), the range over the candidate
    answers of each row's unanswered questions (missing beyond MAX_COMBINATIONS) and, if a
    ``threshold`` is given, the screening decision, for every row of a validated table."""
    names = features_of(model)
    risks = train.predict_risk(model, patients[names])
    ranges = np.array(
        [
            risk_range(model, dict(zip(names, values, strict=True)), spread) or (np.nan, np.nan)
            for values in _answers(patients[names])
        ]
    )
    scored = patients.copy()
    if threshold is not None:
        scored.insert(0, "flagged", risks >= threshold)
    scored.insert(0, "highest if answered", ranges[:, 1].round(4))
    scored.insert(0, "lowest if answered", ranges[:, 0].round(4))
    scored.insert(0, "risk", risks.round(4))
    return scored
