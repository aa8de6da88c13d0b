"""Metrics on the held-out split, cross-validated spread, and what drives the predictions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline

from .train import make_model

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
"""Scored with "poisonous" as the positive class: recall is the share of poisonous
mushrooms the model catches, the number that matters most here."""


def probabilities(model: Pipeline, x: pd.DataFrame) -> np.ndarray:
    """Predicted probability that each mushroom is poisonous."""
    return model.predict_proba(x)[:, 1]


def holdout_scores(y_true: pd.Series, proba: np.ndarray) -> dict[str, float]:
    """The five metrics on one split, from the predicted probabilities (threshold 0.5)."""
    predicted = (proba >= 0.5).astype(int)
    return {
        "accuracy": float(accuracy_score(y_true, predicted)),
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "f1": float(f1_score(y_true, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y_true, proba)),
    }


def cross_validated(
    name: str, params: Mapping, x: pd.DataFrame, y: pd.Series, *, folds: int, seed: int
) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each metric over stratified folds of ``x``."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = cross_validate(make_model(name, params, seed), x, y, cv=splitter, scoring=METRICS)
    return {
        metric: {
            "mean": float(np.mean(scores[f"test_{metric}"])),
            "std": float(np.std(scores[f"test_{metric}"])),
        }
        for metric in METRICS
    }


def importance(
    model: Pipeline, x: pd.DataFrame, y: pd.Series, *, repeats: int, seed: int
) -> pd.DataFrame:
    """Permutation importance of each attribute: the drop in accuracy when it is shuffled."""
    result = permutation_importance(
        model, x, y, scoring="accuracy", n_repeats=repeats, random_state=seed
    )
    table = pd.DataFrame(
        {"mean": result.importances_mean, "std": result.importances_std}, index=x.columns
    )
    return table.sort_values("mean", ascending=False)


def evaluate_model(
    name: str,
    model: Pipeline,
    params: Mapping,
    split: tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series],
    *,
    folds: int,
    repeats: int,
    importance_rows: int,
    seed: int,
) -> tuple[dict, np.ndarray]:
    """Everything reported about one trained model, and its test-set probabilities."""
    x_train, x_test, y_train, y_test = split
    proba = probabilities(model, x_test)
    rows = x_test.sample(n=min(importance_rows, len(x_test)), random_state=seed).index
    drivers = importance(model, x_test.loc[rows], y_test.loc[rows], repeats=repeats, seed=seed)
    result = {
        "params": dict(params),
        "test": holdout_scores(y_test, proba),
        "cv": cross_validated(name, params, x_train, y_train, folds=folds, seed=seed),
        "confusion_matrix": confusion_matrix(y_test, (proba >= 0.5).astype(int)).tolist(),
        "permutation_importance": {
            feature: {"mean": float(row["mean"]), "std": float(row["std"])}
            for feature, row in drivers.iterrows()
        },
    }
    return result, proba


def comparison_table(models: Mapping[str, dict], labels: Mapping[str, str]) -> pd.DataFrame:
    """One row per model: test metrics and the cross-validated accuracy (mean, std)."""
    rows = []
    for name, result in models.items():
        row = {"model": labels.get(name, name), **result["test"]}
        row["cv_accuracy_mean"] = result["cv"]["accuracy"]["mean"]
        row["cv_accuracy_std"] = result["cv"]["accuracy"]["std"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")
