"""Metrics with exact intervals, the cost-aware threshold, and what drives the predictions.

Poisonous is the positive class. The dangerous error is a poisonous mushroom called edible (a
*miss*); calling an edible one poisonous (a *false alarm*) costs a meal. Every count of errors
comes with an exact (Clopper-Pearson) 95 % interval on its rate, because "0 missed" on a few
hundred mushrooms still allows a miss rate well above zero.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import beta
from sklearn.inspection import permutation_importance
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from .train import make_model

CONFIDENCE = 0.95


def probabilities(model: Pipeline, x: pd.DataFrame) -> np.ndarray:
    """Predicted probability that each mushroom is poisonous."""
    return model.predict_proba(x)[:, 1]


def exact_interval(count: int, total: int) -> tuple[float, float]:
    """Clopper-Pearson 95 % interval of a rate of ``count`` in ``total``."""
    alpha = 1 - CONFIDENCE
    low = 0.0 if count == 0 else float(beta.ppf(alpha / 2, count, total - count + 1))
    high = 1.0 if count == total else float(beta.ppf(1 - alpha / 2, count + 1, total - count))
    return low, high


def rate(count: int, total: int) -> dict[str, float]:
    """A count out of a total, its rate and the rate's exact 95 % interval."""
    low, high = exact_interval(count, total) if total else (0.0, 1.0)
    return {
        "count": int(count),
        "of": int(total),
        "rate": count / total if total else 0.0,
        "low": low,
        "high": high,
    }


def errors(y_true: pd.Series | np.ndarray, proba: np.ndarray, threshold: float) -> dict:
    """Accuracy, misses (of the poisonous) and false alarms (of the edible) at ``threshold``."""
    truth = np.asarray(y_true) == 1
    called = proba >= threshold
    return {
        "accuracy": rate(int((called == truth).sum()), len(truth)),
        "missed": rate(int((~called & truth).sum()), int(truth.sum())),
        "false_alarms": rate(int((called & ~truth).sum()), int((~truth).sum())),
    }


def choose_threshold(proba: np.ndarray, y: pd.Series, *, ceiling: float) -> tuple[float, str]:
    """The decision threshold under the rule "no poisonous mushroom missed in cross-validation".

    ``proba`` are out-of-fold probabilities of the training rows, so the threshold is chosen
    without the held-out rows it is judged on. It is ``ceiling`` (the usual 0.5), lowered to the
    lowest probability any poisonous training mushroom got, if that is lower. A poisonous
    mushroom at probability 0 could only be caught by calling every mushroom poisonous: then the
    rule cannot be met and the threshold stays at ``ceiling``. Returns the threshold and why.
    """
    poisonous = proba[np.asarray(y) == 1]
    lowest = float(poisonous.min()) if len(poisonous) else ceiling
    if lowest >= ceiling:
        return ceiling, f"every poisonous mushroom got at least {ceiling:g} in cross-validation"
    if lowest <= 0:
        missed = int((poisonous < ceiling).sum())
        return ceiling, (
            f"{missed} poisonous mushroom(s) got probability 0 in cross-validation; no threshold "
            f"catches them short of calling everything poisonous, so it stays at {ceiling:g}"
        )
    return lowest, (
        f"lowered from {ceiling:g} to the lowest probability a poisonous mushroom got in "
        "cross-validation"
    )


def out_of_fold(
    name: str,
    params: Mapping,
    x: pd.DataFrame,
    y: pd.Series,
    *,
    folds,
    groups=None,
    seed: int,
) -> np.ndarray:
    """Probabilities for every row from a model that did not see it (``folds`` is a splitter)."""
    model = make_model(name, params, seed)
    proba = cross_val_predict(model, x, y, cv=folds, groups=groups, method="predict_proba")
    return proba[:, 1]


def holdout_scores(y_true: pd.Series, proba: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall and F1 at ``threshold``, and ROC-AUC (which needs no threshold)."""
    predicted = (proba >= threshold).astype(int)
    return {
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "f1": float(f1_score(y_true, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y_true, proba)),
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
    ceiling: float,
    repeats: int,
    importance_rows: int,
    seed: int,
) -> tuple[dict, np.ndarray]:
    """Everything reported about one trained model on the random split, and its test-set
    probabilities. The threshold comes from the training part's out-of-fold probabilities."""
    x_train, x_test, y_train, y_test = split
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    cv_proba = out_of_fold(name, params, x_train, y_train, folds=splitter, seed=seed)
    threshold, reason = choose_threshold(cv_proba, y_train, ceiling=ceiling)
    proba = probabilities(model, x_test)
    rows = x_test.sample(n=min(importance_rows, len(x_test)), random_state=seed).index
    drivers = importance(model, x_test.loc[rows], y_test.loc[rows], repeats=repeats, seed=seed)
    result = {
        "params": dict(params),
        "threshold": {"value": threshold, "reason": reason},
        "cv": errors(y_train, cv_proba, threshold),
        "test": errors(y_test, proba, threshold),
        "test_at_ceiling": errors(y_test, proba, ceiling),
        "scores": holdout_scores(y_test, proba, threshold),
        "permutation_importance": {
            feature: {"mean": float(row["mean"]), "std": float(row["std"])}
            for feature, row in drivers.iterrows()
        },
    }
    return result, proba
