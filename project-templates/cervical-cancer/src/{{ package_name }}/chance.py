"""Does the questionnaire rank patients above chance? A label-permutation test of the
headline's own procedure.

The headline ROC-AUC is the logistic regression's nested cross-validation: each outer fold's
inner grouped cross-validation picks C by held-out log-loss, then the model is fitted on the
fold's training rows. The test permutes the labels and reruns all of it (folds stratified on
the permuted labels, imputation, scaling, inner tuning over the whole C grid, fit). With
scikit-learn that costs about a second per permutation, so it runs here on arrays: the same
median imputation, standardisation and L2-penalised logistic
regression (Newton's method to convergence, intercept unpenalised, C scaled as in
``train.scaled_c``). On the real labels it reproduces the headline's pooled ROC-AUC of every
fold split; ``metrics.json`` stores the largest difference and a test checks it. The tested
statistic is the one the README reports: the mean over the fold splits, so there is one
p-value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from . import config, evaluate, stats, train


def _prepare(fit: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median imputation and standardisation of every column (see train.make_model) learned
    on ``fit`` (columns nobody answered are dropped, as scikit-learn's imputer does), with an
    intercept column."""
    kept = ~np.all(np.isnan(fit), axis=0)
    fit, test = fit[:, kept], test[:, kept]
    # The median of each column's answers (NaN sorts last), quicker than np.nanmedian.
    answered = (~np.isnan(fit)).sum(axis=0)
    ordered, columns = np.sort(fit, axis=0), np.arange(fit.shape[1])
    median = (ordered[(answered - 1) // 2, columns] + ordered[answered // 2, columns]) / 2
    fit = np.where(np.isnan(fit), median, fit)
    test = np.where(np.isnan(test), median, test)
    mean, scale = fit.mean(axis=0), fit.std(axis=0)
    scale[scale == 0] = 1.0
    return (
        np.column_stack([np.ones(len(fit)), (fit - mean) / scale]),
        np.column_stack([np.ones(len(test)), (test - mean) / scale]),
    )


def fit_path(A: np.ndarray, y: np.ndarray, cs: np.ndarray) -> np.ndarray:
    """Coefficients (intercept first) of the L2-penalised logistic regression at every C of
    ``cs`` (sklearn's C, see ``train.scaled_c``), all solved at once by Newton's method."""
    penalty = np.ones(A.shape[1])
    penalty[0] = 0.0
    ridge = (1 / cs)[:, None, None] * np.diag(penalty)
    beta = np.zeros((len(cs), A.shape[1]))
    for _ in range(100):
        p = expit(beta @ A.T)
        gradient = (p - y) @ A + (1 / cs)[:, None] * penalty * beta
        hessian = (A.T[None] * (p * (1 - p))[:, None, :]) @ A + ridge
        step = np.linalg.solve(hessian, gradient[:, :, None])[:, :, 0]
        beta -= step
        # Newton converges quadratically: after a step below 1e-6 the error is about its square.
        if np.abs(step).max() < 1e-6:
            break
    return beta


def nested_roc_auc(
    X: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    params: config.Params,
    repeat: int,
) -> float:
    """The pooled held-out ROC-AUC of one fold split (``repeat``) of the nested procedure."""
    c_grid = np.asarray(params.logistic_c_grid)
    risk = np.empty(len(labels))
    outer = evaluate.splits(pd.Series(labels), groups, params.n_splits, 1, params.seed + repeat)
    for _, fit_rows, test_rows in outer:
        y_fit = labels[fit_rows]
        inner = np.empty((len(c_grid), len(fit_rows)))
        for _, a, b in evaluate.splits(
            pd.Series(y_fit), groups[fit_rows], params.inner_splits, 1, params.seed
        ):
            A_a, A_b = _prepare(X[fit_rows[a]], X[fit_rows[b]])
            beta = fit_path(A_a, y_fit[a], train.scaled_c(c_grid, len(a)))
            inner[:, b] = expit(beta @ A_b.T)
        loss = [stats.log_loss(y_fit, risk) for risk in inner]
        c = c_grid[[int(np.argmin(loss))]]
        A_fit, A_test = _prepare(X[fit_rows], X[test_rows])
        beta = fit_path(A_fit, y_fit, train.scaled_c(c, len(fit_rows)))
        risk[test_rows] = expit(A_test @ beta[0])
    return float(stats.roc_auc(labels, risk, np.ones((1, len(labels))))[0])


def mean_roc_auc(X: np.ndarray, labels: np.ndarray, groups: np.ndarray, params: config.Params):
    """The headline statistic: the nested procedure's pooled ROC-AUC, mean over the
    ``n_repeats`` fold splits, and the per-split values."""
    by_split = [nested_roc_auc(X, labels, groups, params, r) for r in range(params.n_repeats)]
    return float(np.mean(by_split)), by_split


def permutation_test(
    X: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    params: config.Params,
    headline: list[float] | None = None,
) -> dict:
    """One test of the reported statistic (``mean_roc_auc``) against ``params.permutations``
    random permutations of the labels (in batches, until the verdict at ALPHA is settled, or
    ``params.max_permutations``), each rerunning the whole nested procedure on every fold
    split. p counts the permutations that score at least as high, plus one (Phipson & Smyth
    2010). ``headline``: the nested cross-validation's per-split ROC-AUC, which the observed
    values must reproduce."""
    A, labels = X.to_numpy(dtype=float), y.to_numpy()
    observed, by_split = mean_roc_auc(A, labels, groups, params)
    rng = np.random.default_rng(params.seed)
    null: list[float] = []
    # Sequential: batches until the p-value's Monte Carlo error (the exact 95 % interval of
    # the share of all permutations that score at least as high) leaves ALPHA on one side.
    while len(null) < params.max_permutations:
        null += [
            mean_roc_auc(A, rng.permutation(labels), groups, params)[0]
            for _ in range(params.permutations)
        ]
        higher = int(np.sum(np.array(null) >= observed))
        sampled = stats.exact_rate(higher, len(null))
        if not sampled["low"] <= config.ALPHA <= sampled["high"]:
            break
    test = {
        "model": "logistic regression, C tuned in every outer fold (the headline's procedure)",
        "splits": params.n_repeats,
        "roc_auc": round(observed, 4),
        "permutations": len(null),
        "p_value": round((1 + higher) / (1 + len(null)), 4),
        "p_interval": [round(sampled["low"], 4), round(sampled["high"], 4)],
        "null_95": round(float(np.quantile(null, 0.95)), 4),  # one-sided test at 5 %
    }
    if headline is not None:
        gaps = np.abs(np.array(by_split) - np.array(headline))
        test["headline_gap"] = round(float(gaps.max()), 6)
    return test
