"""Metrics with exact intervals, the cost-aware threshold, and what drives the predictions.

Poisonous is the positive class. The dangerous error is a poisonous mushroom called edible (a
*miss*); calling an edible one poisonous (a *false alarm*) costs a meal. Every count of errors
on the random split comes with an exact (Clopper-Pearson) 95 % interval on its rate, because
"0 missed" still allows a miss rate above zero. Those rows are near-copies of training rows, so
that interval covers near-copies only; the grouped cross-validation (``experiments.grouped``)
measures unseen clusters, with intervals that resample clusters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta
from sklearn.inspection import permutation_importance
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline

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

    ``proba`` are out-of-fold probabilities of training rows from a cross-validation that holds
    out whole clusters (so they are what a model gives a species it never saw); the threshold
    is chosen without the rows it is judged on. It is ``ceiling`` (the usual 0.5), lowered to
    the lowest probability any poisonous training mushroom got, if that is lower. A poisonous
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
    model: Pipeline,
    split: tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series],
    *,
    repeats: int,
    importance_rows: int,
    seed: int,
) -> tuple[dict, np.ndarray]:
    """One trained model on the random split: its held-out probabilities and the permutation
    importance of each attribute there. Errors are counted by the caller, at the threshold the
    grouped cross-validation chose (``scored``)."""
    _, x_test, _, y_test = split
    proba = probabilities(model, x_test)
    rows = x_test.sample(n=min(importance_rows, len(x_test)), random_state=seed).index
    drivers = importance(model, x_test.loc[rows], y_test.loc[rows], repeats=repeats, seed=seed)
    table = {
        feature: {"mean": float(row["mean"]), "std": float(row["std"])}
        for feature, row in drivers.iterrows()
    }
    return {"permutation_importance": table}, proba


def scored(
    y_test: pd.Series, proba: np.ndarray, threshold: float, *, ceiling: float
) -> dict[str, dict]:
    """The held-out errors at the chosen ``threshold`` and at ``ceiling``, and the scores."""
    return {
        "test": errors(y_test, proba, threshold),
        "test_at_ceiling": errors(y_test, proba, ceiling),
        "scores": holdout_scores(y_test, proba, threshold),
    }
