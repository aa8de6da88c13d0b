"""Repeated grouped cross-validation, a nested screening threshold, and scores with intervals.

With about 6 % positives, accuracy says nothing (predicting "negative" always scores 94 %).
Each model is scored on held-out folds: ranking (ROC-AUC, PR-AUC), calibration (slope,
intercept, Brier score and Brier skill) and screening at a threshold chosen inside each
training set (sensitivity, specificity, PPV, NPV, share flagged). Every score comes with a 95 %
group-bootstrap interval on the pooled out-of-fold risks (see stats.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from . import config, stats, train


@dataclass
class Fold:
    repeat: int
    test: np.ndarray
    """Row positions of the held-out fold."""
    y: np.ndarray
    risk: np.ndarray
    threshold: float = math.nan
    """Screening threshold chosen by an inner cross-validation of this fold's training rows."""


@dataclass
class CVResult:
    model: str
    folds: list[Fold]
    metrics: dict = field(default_factory=dict)

    def by_repeat(self, rows: int) -> list[np.ndarray]:
        """The pooled out-of-fold risks of every repeat, one per patient, in row order."""
        pooled = [np.full(rows, np.nan) for _ in range(1 + max(f.repeat for f in self.folds))]
        for fold in self.folds:
            pooled[fold.repeat][fold.test] = fold.risk
        return pooled

    def flags_by_repeat(self, rows: int) -> list[np.ndarray]:
        """Whether each patient was flagged at their fold's threshold, per repeat."""
        pooled = [np.zeros(rows) for _ in range(1 + max(f.repeat for f in self.folds))]
        for fold in self.folds:
            pooled[fold.repeat][fold.test] = fold.risk >= fold.threshold
        return pooled

    def fold_roc_auc(self) -> np.ndarray:
        return np.array([roc_auc_score(fold.y, fold.risk) for fold in self.folds])


def splits(
    y: pd.Series, groups: np.ndarray, n_splits: int, n_repeats: int, seed: int
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(repeat, training rows, test rows) of repeated stratified folds that keep groups whole.

    Rows of one group are identical (answers and results), so the folds are stratified folds
    of the groups, each group labelled by its rows' shared result.
    """
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    group_y = y.to_numpy()[first]
    out = []
    for repeat in range(n_repeats):
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed + repeat)
        for _, test_groups in splitter.split(group_y, group_y):
            test = np.isin(inverse, test_groups)
            out.append((repeat, np.flatnonzero(~test), np.flatnonzero(test)))
    return out


def screening_threshold(y: np.ndarray, risk: np.ndarray, sensitivity: float) -> float:
    """The highest threshold at which ``risk >= threshold`` finds ``sensitivity`` of positives."""
    positives = np.sort(risk[y == 1])[::-1]
    if len(positives) == 0:
        raise ValueError("no positive cases to set a screening threshold on")
    needed = max(1, math.ceil(sensitivity * len(positives)))
    return float(positives[needed - 1])


def fold_threshold(
    X: pd.DataFrame, y: pd.Series, groups: np.ndarray, name: str, params: config.Params
) -> float:
    """The screening threshold learned from one training set only (nested cross-validation).

    An inner grouped cross-validation of these rows gives every row an out-of-fold risk; the
    threshold is the one that finds the target share of their positives. The outer test fold
    is never seen, so the sensitivity measured on it is an honest estimate.
    """
    risk = np.empty(len(y))
    for _, fit_rows, test_rows in splits(y, groups, params.inner_splits, 1, params.seed):
        model = train.fit(name, X.iloc[fit_rows], y.iloc[fit_rows], params)
        risk[test_rows] = train.predict_risk(model, X.iloc[test_rows])
    return screening_threshold(y.to_numpy(), risk, params.sensitivity_target)


def cross_validate(
    X: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    name: str,
    params: config.Params,
    *,
    nested: bool = True,
    indicators: bool = False,
) -> CVResult:
    """Out-of-fold risks of model ``name`` (and, if ``nested``, each fold's own threshold)."""
    folds = []
    for repeat, fit_rows, test_rows in splits(
        y, groups, params.n_splits, params.n_repeats, params.seed
    ):
        X_fit, y_fit = X.iloc[fit_rows], y.iloc[fit_rows]
        model = train.fit(name, X_fit, y_fit, params, indicators=indicators)
        X_test, y_test = X.iloc[test_rows], y.iloc[test_rows]
        fold = Fold(repeat, test_rows, y_test.to_numpy(), train.predict_risk(model, X_test))
        if nested:
            fold.threshold = fold_threshold(X_fit, y_fit, groups[fit_rows], name, params)
        folds.append(fold)
    return CVResult(name, folds)


def permutation_ranking(
    X: pd.DataFrame, y: pd.Series, groups: np.ndarray, name: str, params: config.Params
) -> dict[str, dict[str, float]]:
    """Drop in held-out ROC-AUC when each column is shuffled, over the folds of one repeat
    (mean and spread over folds): what the model relies on, for a model without coefficients."""
    drops = []
    for index, (_, fit_rows, test_rows) in enumerate(
        splits(y, groups, params.n_splits, 1, params.seed)
    ):
        model = train.fit(name, X.iloc[fit_rows], y.iloc[fit_rows], params)
        result = permutation_importance(
            model,
            X.iloc[test_rows],
            y.iloc[test_rows],
            scoring="roc_auc",
            n_repeats=params.permutation_repeats,
            random_state=params.seed + index,
            n_jobs=1,
        )
        drops.append(result.importances_mean)
    means, stds = np.mean(drops, axis=0), np.std(drops, axis=0)
    return {
        X.columns[i]: {"mean": round(float(means[i]), 4), "std": round(float(stds[i]), 4)}
        for i in np.argsort(-means)
    }


RANKING_AND_CALIBRATION = {
    "roc_auc": stats.roc_auc,
    "pr_auc": stats.average_precision,
    "brier": stats.brier,
    "brier_skill": stats.brier_skill,
    "calibration_slope": stats.calibration_slope,
    "calibration_intercept": stats.calibration_intercept,
}


def _ratio(numerator: str, denominator: str) -> stats.Score:
    """A weighted share of patients, e.g. ("flagged & positive", "positive") = sensitivity;
    the flags are passed in place of the risks."""

    def count(part: str, y: np.ndarray, flags: np.ndarray, w: np.ndarray) -> np.ndarray:
        masks = {
            "all": np.ones_like(y, dtype=bool),
            "positive": y == 1,
            "negative": y == 0,
            "flagged": flags == 1,
            "cleared": flags == 0,
        }
        mask = np.logical_and.reduce([masks[name] for name in part.split(" & ")])
        return (w * mask).sum(axis=1)

    def score(y: np.ndarray, flags: np.ndarray, w: np.ndarray) -> np.ndarray:
        below = count(denominator, y, flags, w)
        return count(numerator, y, flags, w) / np.maximum(below, 1e-12)

    return score


SCREENING = {
    "sensitivity": _ratio("flagged & positive", "positive"),
    "specificity": _ratio("cleared & negative", "negative"),
    "ppv": _ratio("flagged & positive", "flagged"),
    "npv": _ratio("cleared & negative", "cleared"),
    "flagged": _ratio("flagged", "all"),
}


def summarize(result: CVResult, y: np.ndarray, weights: np.ndarray, params: config.Params) -> dict:
    """Every score of one model with its 95 % interval, the deployed threshold and the average
    confusion matrix, all from the out-of-fold risks."""
    rows = len(y)
    risks = result.by_repeat(rows)
    summary: dict = {
        key: stats.interval(score, y, risks, weights)
        for key, score in RANKING_AND_CALIBRATION.items()
    }
    summary["mean_risk"] = round(float(np.mean(risks)), 4)
    if math.isnan(result.folds[0].threshold):
        return summary
    flags = result.flags_by_repeat(rows)
    for key, score in SCREENING.items():
        summary[key] = stats.interval(score, y, flags, weights)
    # The deployed model is fitted on every row; its threshold comes from the same rule applied
    # to every row's out-of-fold risk (over all repeats).
    summary["threshold"] = round(
        screening_threshold(
            np.tile(y, len(risks)), np.concatenate(risks), params.sensitivity_target
        ),
        4,
    )
    fold_thresholds = [fold.threshold for fold in result.folds]
    summary["fold_thresholds"] = {
        "min": round(min(fold_thresholds), 4),
        "max": round(max(fold_thresholds), 4),
    }
    matrix = np.zeros((2, 2))
    for flagged in flags:
        for truth in (0, 1):
            for flag in (0, 1):
                matrix[truth, flag] += np.sum((y == truth) & (flagged == flag))
    summary["confusion_matrix"] = (matrix / len(flags)).round(1).tolist()
    return summary


def compare(challenger: CVResult, baseline: CVResult, n_splits: int) -> dict:
    """Paired per-fold ROC-AUC differences (challenger - baseline), corrected t-test."""
    differences = challenger.fold_roc_auc() - baseline.fold_roc_auc()
    return stats.corrected_paired_test(differences, test_share=1 / n_splits)


def choose_app_model(comparison: dict) -> tuple[str, str]:
    """XGBoost only if it ranks patients better than the baseline beyond doubt; else the
    logistic regression, whose odds ratios a reader can check. Returns the model and why."""
    d = comparison
    measured = (
        f"XGBoost minus logistic regression, ROC-AUC {d['difference']:+.3f} "
        f"[{d['low']:+.3f}, {d['high']:+.3f}] (corrected paired t-test over "
        f"{d['folds']} folds, p = {d['p_value']:.2f})"
    )
    if d["low"] > 0:
        return "xgboost", f"{measured}: XGBoost ranks patients better, so the app uses it."
    return (
        "logistic_regression",
        f"{measured}: the interval includes no gain for XGBoost, so the app uses the logistic "
        "regression, whose odds ratios can be read.",
    )


def odds_ratio_intervals(
    X: pd.DataFrame, y: pd.Series, groups: np.ndarray, params: config.Params
) -> dict[str, dict[str, float]]:
    """Odds ratios of the logistic regression fitted on every row, with 95 % group-bootstrap
    intervals from refits on resampled rows."""
    model = train.fit("logistic_regression", X, y, params)
    point, sds = train.odds_ratios(model), train.standard_deviations(model)
    weights = stats.bootstrap_weights(groups, params.odds_ratio_resamples, params.seed + 1)
    draws = []
    for w in weights:
        rows = np.repeat(np.arange(len(y)), w.astype(int))
        if y.iloc[rows].nunique() == 2:
            model = train.fit("logistic_regression", X.iloc[rows], y.iloc[rows], params)
            draws.append(list(train.odds_ratios(model).values()))
    low, high = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
    return {
        feature: {
            "value": round(float(value), 4),
            "low": round(float(lo), 4),
            "high": round(float(hi), 4),
            "sd": round(sds[feature], 4),
        }
        for (feature, value), lo, hi in zip(point.items(), low, high, strict=True)
    }


def decision_summary(result: CVResult, y: np.ndarray, threshold: float) -> dict:
    """Where the model's net benefit (mean over repeats) beats flagging everyone and no one,
    and its net benefit at the screening threshold (Vickers & Elkin 2006)."""
    prevalence = float(y.mean())
    grid = np.round(np.arange(0.005, 0.5, 0.0025), 4)
    model = np.mean([stats.net_benefit(y, risk, grid) for risk in result.by_repeat(len(y))], axis=0)
    everyone = prevalence - (1 - prevalence) * grid / (1 - grid)
    better = (model > everyone) & (model > 0)
    # Contiguous runs of thresholds where the model beats both; runs under 1 point are noise.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], better.astype(int), [0]])))
    spans = [
        {"low": float(grid[start]), "high": float(grid[end - 1])}
        for start, end in zip(edges[::2], edges[1::2], strict=True)
        if end - start > 4
    ]
    at = np.array([threshold])
    return {
        "range": {"low": float(grid[0]), "high": float(grid[-1])},
        "better_than_both": spans,
        "at_threshold": {
            "model": round(
                float(np.mean([stats.net_benefit(y, r, at)[0] for r in result.by_repeat(len(y))])),
                4,
            ),
            "everyone": round(prevalence - (1 - prevalence) * threshold / (1 - threshold), 4),
        },
    }
