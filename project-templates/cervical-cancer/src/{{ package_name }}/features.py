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


def plan_features(table: pd.DataFrame, params: config.Params) -> FeaturePlan:
    """Choose the feature columns: no target, no other test results, no empty, constant or
    copied one. Every other yes/no question is kept however rare its yes (a rule set after a
    cut-off on how many said yes dropped `STDs:HIV`). Uses no target values."""
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
        missing = table[column].isna().mean()
        if missing > params.max_missing_fraction:
            dropped[column] = f"missing in {missing:.0%} of rows (too many to impute)"
        elif table[column].nunique(dropna=True) <= 1:
            dropped[column] = "the same value in every row (carries no information)"
    kept = [column for column in table.columns if column not in dropped]
    for column, copy_of in redundant(table[kept]).items():
        dropped[column] = f"the same as `{copy_of}` > 0 in every row (an exact copy)"
    kept = [column for column in table.columns if column not in dropped]
    for column, (copy_of, differ, shared, yes) in near_copies(table[kept]).items():
        dropped[column] = (
            f"a near-copy of `{copy_of}`: {shared} of the {yes} patients who said yes to either "
            f"said yes to both, the two differ in {differ} answered row"
            f"{'' if differ == 1 else 's'} (one kept: two would split one effect)"
        )
    features = [column for column in table.columns if column not in dropped]
    return FeaturePlan(features=features, dropped=dropped)


def redundant(table: pd.DataFrame) -> dict[str, str]:
    """Yes/no columns that repeat another column exactly: same rows missing and equal to
    ``other > 0`` (e.g. `Smokes` and `Smokes (years)`) or to ``other`` in every answered row.

    A copy adds no information, but it splits one effect over two columns.
    """
    copies: dict[str, str] = {}
    for column in table.columns:
        values = table[column]
        if not values.dropna().isin([0, 1]).all():
            continue
        for other in table.columns:
            if other == column or other in copies or not values.isna().equals(table[other].isna()):
                continue
            answered = values.notna()
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

NEAR_COPY = config.Params().near_copy
"""See ``config.Params.near_copy``."""


def near_copies(table: pd.DataFrame) -> dict[str, tuple[str, int, int, int]]:
    """Yes/no columns that nearly repeat another yes/no column (e.g.
    `STDs:vulvo-perineal condylomatosis` and `STDs:condylomatosis`): column -> (the column
    kept, rows that differ, patients who said yes to both, patients who said yes to either).
    Of a pair, the column with fewer yes answers goes (on a tie, the later one)."""
    binary = [c for c in table.columns if table[c].dropna().isin([0, 1]).all()]
    copies: dict[str, tuple[str, int, int, int]] = {}
    for index, first in enumerate(binary):
        for second in binary[index + 1 :]:
            if first in copies or second in copies:
                continue
            answered = table[first].notna() & table[second].notna()
            a, b = table.loc[answered, first] == 1, table.loc[answered, second] == 1
            either, both = int((a | b).sum()), int((a & b).sum())
            if either == 0 or both / either < NEAR_COPY:
                continue
            drop, keep = (first, second) if a.sum() < b.sum() else (second, first)
            copies[drop] = (keep, int((a != b).sum()), both, either)
    return copies


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


def answer_support(table: pd.DataFrame, plan: FeaturePlan, min_yes: int) -> dict[str, list[float]]:
    """Lowest and highest answer of every question in the training data: the app gives no
    estimate outside them (predict.check). A yes/no question's highest is 0 when fewer than
    ``min_yes`` patients said yes: the model cannot have learned what that yes means. Uses no
    target."""
    return {
        column: [float(table[column].min()), float(table[column].max())]
        if not data.BY_NAME[column].binary
        else [0.0, yes_seen(table[column], min_yes)]
        for column in plan.features
        if table[column].notna().any()
    }


def yes_seen(answers: pd.Series, min_yes: int) -> float:
    """1 if at least ``min_yes`` patients answered yes (1), else 0."""
    return float((answers == 1).sum() >= min_yes)


def answer_spread(table: pd.DataFrame, plan: FeaturePlan, min_yes: int) -> dict[str, list[float]]:
    """The answers the app scores a question left unanswered at, besides the median: no, and
    yes if at least ``min_yes`` patients said it, for a yes/no question; the quartiles of the
    answered values and the median of the answers above 0 for a number (for smoking, IUD or
    STD counts the quartiles are all 0, and this stands for a patient who answered yes). Uses
    no target."""
    spread = {}
    for column in plan.features:
        if data.BY_NAME[column].binary:
            spread[column] = sorted({0.0, yes_seen(table[column], min_yes)})
        else:
            answered = table[column].dropna()
            values = {float(v) for v in answered.quantile([0.25, 0.75])}
            if (answered > 0).any():
                values.add(float(answered[answered > 0].median()))
            spread[column] = sorted(values)
    return spread
