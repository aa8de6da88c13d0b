"""From the validated table to model inputs: which columns, the target, the split."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .data import ATTRIBUTES, POSITIVE, TARGET

DROPPED = ("veil_type",)
"""veil_type is ``p`` (partial) in all 8,124 rows: a constant carries no information."""
FEATURES = [column for column in ATTRIBUTES if column not in DROPPED]
"""The 21 attributes the models see. stalk_root keeps ``?`` as a category of its own:
whether the root was recorded is itself informative, and imputing it would invent data."""


def split_xy(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Features (codes, as strings) and the target (1 = poisonous, 0 = edible)."""
    return frame[FEATURES], frame[TARGET].eq(POSITIVE).astype(int).rename("poisonous")


def split(
    frame: pd.DataFrame, *, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """One stratified train/test split; the same seed gives the same split everywhere."""
    features, target = split_xy(frame)
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=test_size, stratify=target, random_state=seed
    )
    return x_train, x_test, y_train, y_test


def one_rule_predict(
    train: pd.Series, y_train: pd.Series, test: pd.Series, *, threshold: float
) -> tuple[pd.Series, float]:
    """Holte's 1R on one attribute: every value predicts the majority class it has in the
    training data. A value no training row has gets poisonous when the training data's share
    of poisonous mushrooms reaches ``threshold``: at 0.5 the majority class (how a model at 0.5
    treats a code it never saw: as no information), at the cost threshold the cheaper answer
    under the stated costs. Returns the predictions for ``test`` and the rule's accuracy on the
    training data."""
    majority = y_train.groupby(train).mean().ge(0.5).astype(int)
    fallback = int(y_train.mean() >= threshold)
    fitted = train.map(majority).astype(int)
    predicted = test.map(majority).fillna(fallback).astype(int)
    return predicted, float((fitted.to_numpy() == y_train.to_numpy()).mean())


def one_rule_accuracy(
    x_train: pd.DataFrame,
    y_train: pd.Series,
    x_test: pd.DataFrame,
    y_test: pd.Series,
    *,
    threshold: float,
) -> pd.Series:
    """Test accuracy of the rule that looks at one attribute alone, for every attribute,
    ordered by the rule's accuracy on the training data: the first is the attribute the
    training data choose (no held-out row chooses it).

    For each attribute, every value predicts the majority class it has in the training data
    (Holte's 1R). It shows how separable the data is without any model.
    """
    scores, fitted = {}, {}
    for column in x_train.columns:
        predicted, fitted[column] = one_rule_predict(
            x_train[column], y_train, x_test[column], threshold=threshold
        )
        scores[column] = float((predicted.to_numpy() == y_test.to_numpy()).mean())
    order = sorted(scores, key=lambda column: -fitted[column])  # stable: ties keep column order
    return pd.Series({column: scores[column] for column in order}, name="accuracy")


def pure_codes(x_train: pd.DataFrame, y_train: pd.Series, *, min_rows: int) -> list[dict]:
    """Every attribute code that all training mushrooms having it share one class with (odour
    foul: poisonous in every training row that smells foul), in at least ``min_rows`` rows, with
    that class and its rows. An answer against such a code has no support in the training
    data; a code of few rows is no evidence either way (0 of 3 allows a share of 63 %)."""
    rules = []
    for column in x_train.columns:
        stats = y_train.groupby(x_train[column]).agg(["mean", "size"])
        for code, (share, rows) in stats.iterrows():
            if share in (0.0, 1.0) and rows >= min_rows:
                rules.append(
                    {"attribute": column, "code": code, "poisonous": bool(share), "rows": int(rows)}
                )
    return rules


def contradicted(frame: pd.DataFrame, poisonous: np.ndarray, rules: list[dict]) -> list[list]:
    """For every row of ``frame``, the rules of ``pure_codes`` its answer (``poisonous``: the
    row is called poisonous) goes against: a code every training mushroom with it was of the
    other class."""
    against: list[list] = [[] for _ in range(len(frame))]
    for rule in rules:
        hit = frame[rule["attribute"]].to_numpy() == rule["code"]
        for row in np.flatnonzero(hit & (poisonous != rule["poisonous"])):
            against[row].append(rule)
    return against
