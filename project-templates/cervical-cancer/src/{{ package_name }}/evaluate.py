"""Repeated stratified cross-validation, a screening threshold, and the metrics that matter.

With about 6 % positives, accuracy says nothing (predicting "negative" always scores 94 %).
Each model is scored on held-out folds by ROC-AUC and PR-AUC (with their spread over folds),
by sensitivity and specificity at a threshold chosen for screening, and by the Brier score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from . import config, train


@dataclass
class Fold:
    repeat: int
    test: np.ndarray
    """Row positions of the held-out fold."""
    y: np.ndarray
    risk: np.ndarray
    threshold: float = math.nan


@dataclass
class CVResult:
    model: str
    folds: list[Fold]
    importance: pd.DataFrame | None = None
    """Permutation importance on the held-out folds of the first repeat (drop in ROC-AUC)."""
    metrics: dict = field(default_factory=dict)


def screening_threshold(y: np.ndarray, risk: np.ndarray, sensitivity: float) -> float:
    """The highest threshold at which ``risk >= threshold`` finds ``sensitivity`` of positives."""
    positives = np.sort(risk[y == 1])[::-1]
    if len(positives) == 0:
        raise ValueError("no positive cases to set a screening threshold on")
    needed = max(1, math.ceil(sensitivity * len(positives)))
    return float(positives[needed - 1])


def cross_validate(
    X: pd.DataFrame, y: pd.Series, name: str, params: config.Params, *, importance: bool = False
) -> CVResult:
    """Out-of-fold risks of model ``name`` over repeated stratified folds."""
    splitter = RepeatedStratifiedKFold(
        n_splits=params.n_splits, n_repeats=params.n_repeats, random_state=params.seed
    )
    folds, importances = [], []
    for index, (fit_rows, test_rows) in enumerate(splitter.split(X, y)):
        model = train.fit(name, X.iloc[fit_rows], y.iloc[fit_rows], params)
        X_test, y_test = X.iloc[test_rows], y.iloc[test_rows]
        folds.append(
            Fold(
                index // params.n_splits,
                test_rows,
                y_test.to_numpy(),
                train.predict_risk(model, X_test),
            )
        )
        if importance and index < params.n_splits:  # first repeat only: it is the slow part
            result = permutation_importance(
                model,
                X_test,
                y_test,
                scoring="roc_auc",
                n_repeats=params.permutation_repeats,
                random_state=params.seed + index,
                n_jobs=1,
            )
            importances.append(
                pd.DataFrame({"feature": X.columns, "fold": index, "drop": result.importances_mean})
            )
    set_thresholds(folds, params.sensitivity_target)
    result = CVResult(name, folds, pd.concat(importances) if importances else None)
    result.metrics = summarize(result, params)
    return result


def set_thresholds(folds: list[Fold], sensitivity: float) -> None:
    """Give each fold a threshold chosen without its own labels.

    A fold's threshold comes from the out-of-fold risks of the *other* folds of its repeat, so
    the sensitivity measured on the fold is an honest estimate, not a fitted one.
    """
    for fold in folds:
        others = [other for other in folds if other.repeat == fold.repeat and other is not fold]
        y = np.concatenate([other.y for other in others])
        risk = np.concatenate([other.risk for other in others])
        fold.threshold = screening_threshold(y, risk, sensitivity)


def spread(values: list[float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)}


def fold_scores(fold: Fold) -> dict[str, float]:
    flagged = fold.risk >= fold.threshold
    positives, negatives = fold.y == 1, fold.y == 0
    return {
        "roc_auc": roc_auc_score(fold.y, fold.risk),
        "pr_auc": average_precision_score(fold.y, fold.risk),
        "sensitivity": float(flagged[positives].mean()),
        "specificity": float((~flagged[negatives]).mean()),
        "brier": brier_score_loss(fold.y, fold.risk),
    }


def summarize(result: CVResult, params: config.Params) -> dict:
    """Mean and spread over folds, the deployed threshold, and the average confusion matrix."""
    scores = pd.DataFrame([fold_scores(fold) for fold in result.folds])
    summary: dict = {metric: spread(list(scores[metric])) for metric in scores.columns}
    y = np.concatenate([fold.y for fold in result.folds])
    risk = np.concatenate([fold.risk for fold in result.folds])
    summary["threshold"] = round(screening_threshold(y, risk, params.sensitivity_target), 4)
    matrix = np.zeros((2, 2))
    for fold in result.folds:
        flagged = (fold.risk >= fold.threshold).astype(int)
        for truth, flag in zip(fold.y, flagged, strict=True):
            matrix[truth, flag] += 1
    summary["confusion_matrix"] = (matrix / params.n_repeats).round(1).tolist()
    if result.importance is not None:
        grouped = result.importance.groupby("feature")["drop"]
        means, stds = grouped.mean().sort_values(ascending=False), grouped.std()
        summary["permutation_importance"] = {
            feature: {
                "mean": round(float(means[feature]), 4),
                "std": round(float(stds[feature]), 4),
            }
            for feature in means.index
        }
    return summary
