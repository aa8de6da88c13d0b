"""Scores with 95 % intervals, computed on pooled out-of-fold risks.

Every score is computed for each repeat of the cross-validation on the pooled held-out risks of
that repeat (one risk per patient), then averaged over repeats. Its 95 % interval comes from a
bootstrap over groups of identical patients: each resample draws groups with replacement and
gives every row the number of times its group was drawn as a weight. The functions below take a
weight matrix ``w`` (one row per resample; a row of ones is the plain score) so that a thousand
resamples cost one vectorised pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats

Score = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def bootstrap_weights(groups: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Row weights of ``resamples`` group-bootstrap resamples, shape (resamples, rows)."""
    codes, inverse = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(len(codes), np.full(len(codes), 1 / len(codes)), size=resamples)
    return drawn[:, inverse].astype(float)


def _tie_groups(sorted_risk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First index, last index and group of every row of a sorted vector of risks."""
    _, first, counts = np.unique(sorted_risk, return_index=True, return_counts=True)
    order = np.argsort(first)
    first, counts = first[order], counts[order]
    return first, first + counts - 1, np.repeat(np.arange(len(first)), counts)


def roc_auc(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted ROC-AUC (ties count one half), one value per row of ``w``."""
    order = np.argsort(risk, kind="stable")
    first, last, group = _tie_groups(risk[order])
    positive = w[:, order] * y[order]
    negative = w[:, order] * (1 - y[order])
    below_and_tied = np.cumsum(negative, axis=1)[:, last]
    below = below_and_tied - np.add.reduceat(negative, first, axis=1)
    tied = below_and_tied - below
    wins = np.sum(positive * (below[:, group] + 0.5 * tied[:, group]), axis=1)
    return wins / (positive.sum(axis=1) * negative.sum(axis=1))


def average_precision(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted average precision (scikit-learn's step-wise PR-AUC), one value per row of w."""
    order = np.argsort(-risk, kind="stable")
    _, last, _ = _tie_groups(-risk[order])
    true_pos = np.cumsum(w[:, order] * y[order], axis=1)[:, last]
    flagged = np.cumsum(w[:, order], axis=1)[:, last]
    precision = true_pos / np.maximum(flagged, 1e-12)
    recall_step = np.diff(true_pos, axis=1, prepend=0.0) / true_pos[:, -1:]
    return np.sum(recall_step * precision, axis=1)


def brier(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (w * (risk - y) ** 2).sum(axis=1) / w.sum(axis=1)


def brier_skill(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """1 - Brier / Brier of always predicting the prevalence (0: no better than that)."""
    prevalence = (w * y).sum(axis=1) / w.sum(axis=1)
    return 1 - brier(y, risk, w) / (prevalence * (1 - prevalence))


def log_loss(y: np.ndarray, risk: np.ndarray) -> float:
    """Mean log-loss, risks clipped to [eps, 1 - eps] as scikit-learn's ``log_loss`` does
    (without its input checks, which cost more than the sum on these small folds)."""
    eps = np.finfo(float).eps
    clipped = np.clip(risk, eps, 1 - eps)
    return float(-np.mean(y * np.log(clipped) + (1 - y) * np.log1p(-clipped)))


def _logit(risk: np.ndarray) -> np.ndarray:
    clipped = np.clip(risk, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))


def calibration_slope(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Slope b of the logistic recalibration y ~ a + b * logit(risk) (1: ideal, < 1: too
    extreme, > 1: too timid), fitted by Newton's method for every row of ``w`` at once.

    The logit is centred on its weighted mean, so the intercept and the slope are not
    collinear when the risks are narrow, and Newton runs until its steps vanish. Each step is
    shortened as a whole (never one coordinate alone), so a resample with almost no positives
    cannot diverge and the others keep Newton's direction."""
    x = _logit(risk)
    x = x - ((w * x).sum(axis=1) / w.sum(axis=1))[:, None]
    prevalence = np.clip((w * y).sum(axis=1) / w.sum(axis=1), 1e-6, 1 - 1e-6)
    a, b = np.log(prevalence / (1 - prevalence)), np.ones(len(w))
    for _ in range(100):
        p = _expit(a[:, None] + b[:, None] * x)
        g_a, g_b = (w * (y - p)).sum(axis=1), (w * (y - p) * x).sum(axis=1)
        h = w * p * (1 - p)
        h_aa, h_ab, h_bb = h.sum(axis=1), (h * x).sum(axis=1), (h * x * x).sum(axis=1)
        det = h_aa * h_bb - h_ab**2
        step_a, step_b = (h_bb * g_a - h_ab * g_b) / det, (h_aa * g_b - h_ab * g_a) / det
        length = np.hypot(step_a, step_b)
        shrink = np.minimum(1.0, 1.0 / np.maximum(length, 1e-300))
        a, b = a + shrink * step_a, b + shrink * step_b
        if np.all(length < 1e-10):
            break
    return b


def calibration_intercept(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Calibration in the large: a in y ~ a + logit(risk) (0: ideal, < 0: risks too high)."""
    x = _logit(risk)
    a = np.zeros(len(w))
    for _ in range(8):
        p = _expit(a[:, None] + x)
        a = a + np.clip((w * (y - p)).sum(axis=1) / (w * p * (1 - p)).sum(axis=1), -1, 1)
    return a


def interval(
    score: Score, y: np.ndarray, by_repeat: list[np.ndarray], weights: np.ndarray
) -> dict[str, float]:
    """Mean over repeats of ``score`` and its 95 % group-bootstrap interval."""
    ones = np.ones((1, len(y)))
    point = float(np.mean([score(y, values, ones)[0] for values in by_repeat]))
    # A resample without positives (or negatives) has no AUC: it is left out as NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled = np.mean([score(y, values, weights) for values in by_repeat], axis=0)
    low, high = np.nanpercentile(resampled, [2.5, 97.5])
    return {"value": round(point, 4), "low": round(float(low), 4), "high": round(float(high), 4)}


def corrected_paired_test(
    differences: np.ndarray, test_share: float, confidence: float = 0.95
) -> dict[str, float]:
    """Nadeau and Bengio's corrected resampled t-test of per-fold paired differences.

    Folds of repeated cross-validation share training rows, so their differences are correlated
    and the plain t-test is far too confident; the correction inflates the variance by
    ``test_share / (1 - test_share)`` (Nadeau & Bengio 2003, Machine Learning 52:239-281).
    """
    n = len(differences)
    mean = float(np.mean(differences))
    variance = float(np.var(differences, ddof=1))
    se = math.sqrt((1 / n + test_share / (1 - test_share)) * variance)
    t = mean / se if se > 0 else 0.0
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    return {
        "difference": round(mean, 4),
        "low": round(mean - half, 4),
        "high": round(mean + half, 4),
        "t": round(t, 3),
        # Unrounded: Holm's adjustment (permutation_ranking) works on it.
        "p_value": float(2 * stats.t.sf(abs(t), n - 1)),
        "folds": n,
    }


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment of p-values, in the order given."""
    order = np.argsort(p_values, kind="stable")
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = round(running, 4)
    return adjusted


def expected_count(risks: list[np.ndarray], rows: np.ndarray) -> float:
    """The positives a model expects among ``rows``: the sum of their held-out risks, averaged
    over the repeats of the cross-validation."""
    return round(float(np.mean([risk[rows].sum() for risk in risks])), 2)


def poisson_p(observed: int, expected: float) -> float:
    """Two-sided p-value of ``observed`` positives where ``expected`` are expected (Poisson:
    each risk is small): twice the smaller tail, at most 1."""
    low = stats.poisson.cdf(observed, expected)
    high = stats.poisson.sf(observed - 1, expected)
    return round(float(min(1.0, 2 * min(low, high))), 4)


def exact_rate(positives: int, n: int) -> dict[str, float]:
    """A share with its exact (Clopper-Pearson) 95 % interval."""
    if n == 0:
        return {"value": math.nan, "low": math.nan, "high": math.nan}
    low = stats.beta.ppf(0.025, positives, n - positives + 1) if positives else 0.0
    high = stats.beta.ppf(0.975, positives + 1, n - positives) if positives < n else 1.0
    return {
        "value": round(positives / n, 4),
        "low": round(float(low), 4),
        "high": round(float(high), 4),
    }
