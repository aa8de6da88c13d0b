"""Which columns the models see, and why the others are left out.

Decisions made here use no target values, so taking them on the whole table does not leak;
imputation, which learns from values, happens inside the model pipeline (see train.py).
What the columns mean is documented on the UCI page of the data set
(https://archive.ics.uci.edu/dataset/383/cervical+cancer+risk+factors) and in Fernandes,
Cardoso & Fernandes (2017), "Transfer learning with partial observability applied to cervical
cancer screening", IbPRIA 2017, LNCS 10255, pp. 243-250.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import config, data
from . import stats as rates


@dataclass(frozen=True)
class FeaturePlan:
    features: list[str]
    dropped: dict[str, str]
    """Column -> the reason it is not a feature."""


STD_TYPES = {f"STDs:{kind}" for kind in data.STD_TYPES}
"""The yes/no question of each sexually transmitted disease: `STDs (number)` counts their yes
answers (in every answered row of the official file), so the models use the count. A flag on its
own lets a model learn a direction from a handful of patients (syphilis: 18 said yes, none
positive; genital herpes: 1 said yes)."""


def plan_features(table: pd.DataFrame, params: config.Params) -> FeaturePlan:
    """Choose the feature columns: no target, no other test results, no empty, constant or
    copied one, and no STD type (counted in `STDs (number)`). Uses no target values."""
    dropped: dict[str, str] = {}
    for test in config.DIAGNOSTIC_TESTS:
        if test == params.target:
            dropped[test] = "the target"
        elif not params.include_other_tests:
            dropped[test] = (
                "another diagnostic test, not available at questionnaire time (a UCI target)"
            )
    for column in table.columns:
        if column in dropped:
            continue
        if column.startswith(DX) and not params.include_dx:
            dropped[column] = "a diagnosis flag of undocumented timing (see below)"
            continue
        if column in STD_TYPES:
            dropped[column] = "counted in `STDs (number)`, which the models use instead"
            continue
        missing = table[column].isna().mean()
        if missing > params.max_missing_fraction:
            dropped[column] = f"missing in {missing:.0%} of rows (too many to impute)"
        elif table[column].nunique(dropna=True) <= 1:
            dropped[column] = "the same value in every row (carries no information)"
    kept = [column for column in table.columns if column not in dropped]
    for column, copy_of in redundant(table[kept]).items():
        dropped[column] = f"the same as `{copy_of}` > 0 in every row answering both (an exact copy)"
    features = [column for column in table.columns if column not in dropped]
    return FeaturePlan(features=features, dropped=dropped)


def redundant(table: pd.DataFrame) -> dict[str, str]:
    """Yes/no columns that repeat another column: equal to ``other > 0`` (e.g. `Smokes` and
    `Smokes (years)`) or to ``other`` in every row answering both, and missing wherever
    ``other`` is (or also where data.IMPUTED_MEANS set ``other`` to missing).

    A copy splits one effect over two columns.
    """
    copies: dict[str, str] = {}
    for column in table.columns:
        values = table[column]
        if not values.dropna().isin([0, 1]).all():
            continue
        for other in table.columns:
            if other == column or other in copies or (values.isna() & table[other].notna()).any():
                continue
            answered = values.notna() & table[other].notna()
            mine, theirs = values[answered], table.loc[answered, other]
            if (mine == (theirs > 0)).all() and (theirs != mine).any():
                copies[column] = other
                break
            if (mine == theirs).all() and table.columns.get_loc(other) < table.columns.get_loc(
                column
            ):
                copies[column] = other
                break
    return copies


DX = "Dx"
"""The prefix of the diagnosis flags (`Dx:Cancer`, `Dx:CIN`, `Dx:HPV`, `Dx`)."""


def split(table: pd.DataFrame, plan: FeaturePlan, target: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target as the models take them."""
    return table[plan.features], table[target].astype(int)


def duplicate_groups(X: pd.DataFrame) -> np.ndarray:
    """One group id per row; rows with identical features (answers) share one, whatever
    their test results.

    Cross-validation keeps a group on one side of every split, so a model is never tested on
    a copy of a row it was trained on.
    """
    return X.fillna(-1.0).groupby(list(X.columns), sort=False).ngroup().to_numpy()


def duplicates(groups: np.ndarray) -> dict[str, int]:
    """How many rows repeat another row, and how many rows are in groups of two or more."""
    _, counts = np.unique(groups, return_counts=True)
    return {
        "extra_copies": int((counts - 1).sum()),
        "rows_in_groups": int(counts[counts > 1].sum()),
        "groups": int((counts > 1).sum()),
    }


def missingness(table: pd.DataFrame, plan: FeaturePlan, target: str) -> list[dict]:
    """Share of positives among patients who did and did not answer each block of questions.

    Questions left unanswered together (the same rows missing) form one block. Blocks can
    overlap (the same patients skipping several blocks): ``subgroup`` measures that. A block
    whose unanswered patients have a very different positive rate makes "not answered" a
    predictor of who these patients are (and whether they were examined), not of a risk
    factor's value, so the models get no was-missing indicator (see train.py).
    """
    y = table[target].astype(int)
    blocks: dict[tuple, list[str]] = {}
    for column in plan.features:
        missing = table[column].isna()
        if missing.any():
            blocks.setdefault(tuple(missing), []).append(column)
    rows = []
    for mask, columns in blocks.items():
        missing = np.array(mask)
        unanswered, answered = y[missing], y[~missing]
        test = stats.fisher_exact(
            [[unanswered.sum(), len(unanswered) - unanswered.sum()],
             [answered.sum(), len(answered) - answered.sum()]]
        )  # fmt: skip
        rows.append(
            {
                "questions": columns,
                "unanswered": int(missing.sum()),
                "unanswered_positives": int(unanswered.sum()),
                "answered": int((~missing).sum()),
                "answered_positives": int(answered.sum()),
                "unanswered_rate": rates.exact_rate(int(unanswered.sum()), len(unanswered)),
                "answered_rate": rates.exact_rate(int(answered.sum()), len(answered)),
                "p_value": float(test.pvalue),
                "runs": skip_runs(missing),
            }
        )
    rows.sort(key=lambda row: row["p_value"])
    # One test per block, so the smallest p is not luck of many.
    for row, adjusted in zip(rows, rates.holm([row["p_value"] for row in rows]), strict=True):
        row["p_value"], row["p_holm"] = round(row["p_value"], 4), adjusted
    return rows


def subgroup(table: pd.DataFrame, blocks: list[dict], tests: tuple[str, ...]) -> dict:
    """Who left the most telling block unanswered (the first of ``blocks``): how many of them
    also left each other block unanswered, their mean age against the others', and their
    positives on every diagnostic test. Overlapping blocks are one subgroup seen several
    times, not independent findings."""
    if not blocks:
        return {}
    first = table[blocks[0]["questions"][0]].isna()
    overlaps = [
        {
            "question": block["questions"][0],
            "unanswered": block["unanswered"],
            "also_first": int((first & table[block["questions"][0]].isna()).sum()),
        }
        for block in blocks[1:]
    ]
    return {
        "question": blocks[0]["questions"][0],
        "patients": int(first.sum()),
        "overlaps": [o for o in overlaps if o["also_first"] > 0],
        "mean_age": {
            "unanswered": round(float(table.loc[first, "Age"].mean()), 1),
            "answered": round(float(table.loc[~first, "Age"].mean()), 1),
        },
        "positives": {test: int(table.loc[first, test].sum()) for test in tests},
    }


RUN = config.Params().skip_run
"""See ``config.Params.skip_run``."""


def skip_runs(missing: np.ndarray) -> list[list[int]]:
    """First and last data row (1-based, file order) of every run of at least RUN consecutive
    rows with the block unanswered."""
    edges = np.diff(np.concatenate([[0], missing.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [[int(a) + 1, int(b)] for a, b in zip(starts, ends, strict=True) if b - a >= RUN]


def answer_support(table: pd.DataFrame, plan: FeaturePlan) -> dict[str, list[float]]:
    """Lowest and highest answer of every question in the training data: the app gives no
    estimate outside them (predict.check). Uses no target."""
    return {
        column: [float(table[column].min()), float(table[column].max())]
        for column in plan.features
        if table[column].notna().any()
    }


def answer_spread(table: pd.DataFrame, plan: FeaturePlan) -> dict[str, list[float]]:
    """The answers the app scores a question left unanswered at, besides the median: no and yes
    for a yes/no question; the quartiles of the answered values and the median of the answers
    above 0 for a number (for smoking, IUD or STD counts the quartiles are all 0, and this
    stands for a patient who answered yes). Uses no target."""
    spread = {}
    for column in plan.features:
        if data.BY_NAME[column].binary:
            spread[column] = [0.0, 1.0]
        else:
            answered = table[column].dropna()
            values = {float(v) for v in answered.quantile([0.25, 0.75])}
            if (answered > 0).any():
                values.add(float(answered[answered > 0].median()))
            spread[column] = sorted(values)
    return spread
