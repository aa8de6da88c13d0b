"""Metrics with exact intervals, the cost threshold, and what drives the predictions.

Poisonous is the positive class. The dangerous error is a poisonous mushroom called edible (a
*miss*); calling an edible one poisonous (a *false alarm*) costs a meal. The threshold follows
from a stated cost ratio (``cost_threshold``). Every count of errors on the random split comes
with an exact (Clopper-Pearson) 95 % interval on its rate, because "0 missed" still allows a
miss rate above zero. Those rows are near-copies of training rows, so that interval covers
near-copies only; the grouped cross-validation (``experiments.grouped``)
measures unseen clusters, with intervals that resample clusters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta
from sklearn.base import BaseEstimator
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

CONFIDENCE = 0.95


def probabilities(model: BaseEstimator, x: pd.DataFrame) -> np.ndarray:
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


def cost_threshold(miss_cost: float) -> float:
    """The decision threshold when a missed poisonous mushroom costs ``miss_cost`` false alarms.

    Calling a mushroom poisonous costs 1 if it is edible (probability ``1 - p``); calling it
    edible costs ``miss_cost`` if it is poisonous (probability ``p``). The cheaper call is
    "poisonous" once ``p >= 1 / (1 + miss_cost)``. The threshold follows from the stated cost
    ratio alone: no data chooses it, so no data is spent on it.
    """
    if miss_cost <= 0:
        raise ValueError(f"miss_cost must be positive, not {miss_cost}")
    return 1 / (1 + miss_cost)


def serving(model: BaseEstimator, x_train: pd.DataFrame, threshold: float, share: float) -> dict:
    """Whether the app may serve an "edible" call of ``model``: its probability floor (the
    lowest probability of poisonous it gives any training mushroom; training rows only, no
    held-out row decides) must be at most ``share`` times the threshold. A floor just under the
    threshold makes every "edible" call a hair's breadth from "poisonous": the call then rests
    on the model's lowest output, not on anything it learned about the mushroom. A model that
    fails this still answers, but its "edible" becomes "treat as poisonous"."""
    floor = float(probabilities(model, x_train).min())
    limit = share * threshold
    return {"floor": floor, "limit": limit, "served": floor <= limit}


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
    model: BaseEstimator, x: pd.DataFrame, y: pd.Series, *, repeats: int, seed: int
) -> pd.DataFrame:
    """Permutation importance of each attribute: the drop in accuracy when it is shuffled
    (mean and spread over ``repeats`` shuffles). Every shuffled copy is predicted in one call:
    the one-hot encoder's per-call cost, not the model, dominates on tables this small."""
    rng = np.random.default_rng(seed)
    copies = []
    for column in x.columns:
        for _ in range(repeats):
            shuffled = x.copy()
            shuffled[column] = x[column].to_numpy()[rng.permutation(len(x))]
            copies.append(shuffled)
    truth = y.to_numpy()
    # A shuffle often leaves a row as it was (few codes per attribute): each distinct row is
    # predicted once, which spares the SVM most of its kernel evaluations.
    stacked = pd.concat([x, *copies], ignore_index=True)
    keys = pd.util.hash_pandas_object(stacked, index=False).to_numpy()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    predicted = model.predict(stacked.iloc[first])[inverse].reshape(-1, len(x))
    right = (predicted == truth).mean(axis=1)
    drops = (right[0] - right[1:]).reshape(len(x.columns), repeats)
    table = pd.DataFrame({"mean": drops.mean(axis=1), "std": drops.std(axis=1)}, index=x.columns)
    return table.sort_values("mean", ascending=False)


def evaluate_model(
    model: BaseEstimator,
    split: tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series],
    *,
    repeats: int,
    importance_rows: int,
    seed: int,
) -> tuple[dict, np.ndarray]:
    """One trained model on the random split: its held-out probabilities and the permutation
    importance of each attribute there. Errors are counted by the caller, at the cost threshold
    (``scored``)."""
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
