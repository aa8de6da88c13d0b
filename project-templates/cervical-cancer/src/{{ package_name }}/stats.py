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


def _logit(risk: np.ndarray) -> np.ndarray:
    clipped = np.clip(risk, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))


def calibration_slope(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Slope b of the logistic recalibration y ~ a + b * logit(risk) (1: ideal, < 1: too
    extreme, > 1: too timid), fitted by Newton's method for every row of ``w`` at once."""
    x = _logit(risk)
    a, b = calibration_intercept(y, risk, w), np.ones(len(w))
    for _ in range(8):
        p = _expit(a[:, None] + b[:, None] * x)
        g_a, g_b = (w * (y - p)).sum(axis=1), (w * (y - p) * x).sum(axis=1)
        h = w * p * (1 - p)
        h_aa, h_ab, h_bb = h.sum(axis=1), (h * x).sum(axis=1), (h * x * x).sum(axis=1)
        det = h_aa * h_bb - h_ab**2
        # Steps are capped so that a resample with almost no positives cannot diverge.
        a = a + np.clip((h_bb * g_a - h_ab * g_b) / det, -1, 1)
        b = b + np.clip((h_aa * g_b - h_ab * g_a) / det, -1, 1)
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


def with_fold_spread(
    score: dict[str, float],
    fold_values: np.ndarray,
    test_share: float,
    bounds: tuple[float, float] = (0.0, 1.0),
    confidence: float = 0.95,
) -> dict[str, float]:
    """``score``'s bootstrap interval widened by the fold-to-fold spread of the same score
    (Nadeau-Bengio corrected), the two half-widths added in quadrature on each side.

    The bootstrap resamples patients with their held-out risks fixed, so it leaves out how
    much the risks change when the models are refitted on other data; the folds' spread
    measures that part. A coverage simulation of this design (DECISIONS.md) found the
    bootstrap alone too narrow for the ranking scores and the Brier scores, and this sum
    close to nominal; the screening scores combine the same two parts (``corrected_ratio``).
    The interval stops at the score's possible ``bounds`` (0 and 1 for a ROC-AUC).
    """
    values = np.asarray(fold_values, float)
    n = len(values)
    se = math.sqrt((1 / n + test_share / (1 - test_share)) * float(np.var(values, ddof=1)))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
    value = score["value"]
    floor, ceiling = bounds
    return {
        "value": value,
        "low": round(max(value - math.hypot(value - score["low"], half), floor), 4),
        "high": round(min(value + math.hypot(score["high"] - value, half), ceiling), 4),
    }


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
        "p_value": round(float(2 * stats.t.sf(abs(t), n - 1)), 4),
        "folds": n,
    }


def corrected_ratio(
    numerators: np.ndarray,
    denominators: np.ndarray,
    test_share: float,
    repeats: int,
    confidence: float = 0.95,
) -> dict[str, float]:
    """A share pooled over the folds of repeated cross-validation (e.g. flagged / patients)
    with a 95 % interval that adds two sources of uncertainty on the logit scale:

    - the fold-to-fold spread, Nadeau-Bengio corrected: each fold's share varies with the data
      it was trained on (its threshold) and with the patients it is tested on. Stratified folds
      hold the prevalence fixed, so this part alone misses that the patients are a sample;
    - the exact (Clopper-Pearson) interval of the share among the patients of one repeat (each
      patient counted once): the sampling variation of the patients, the prevalence included.

    Their half-widths are added in quadrature on the logit scale, so the interval always
    contains the exact one (e.g. a PPV of a screen that flags everyone contains the exact
    interval of the prevalence) and never needs clipping at 0 or 1. The fold ratio is
    linearised (residuals ``num - R * den``), so a fold where the denominator is 0 (e.g. no
    patient below the threshold) still counts.

    A home-made combination, so its coverage is measured, not assumed: a simulation of the
    real run's design (DECISIONS.md, ``config.INTERVAL_COVERAGE``) counts how often it holds
    the truth, and where that falls short of 95 % the evaluate stage widens it by the
    shortfall (``config.WIDENING``, ``widen``). tests/test_stats.py runs a small, fast
    version of that check.
    """
    numerators, denominators = np.asarray(numerators, float), np.asarray(denominators, float)
    n = len(numerators)
    ratio = float(numerators.sum() / denominators.sum())
    residuals = (numerators - ratio * denominators) / denominators.mean()
    se = math.sqrt((1 / n + test_share / (1 - test_share)) * float(np.var(residuals, ddof=1)))
    fold_half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    patients = round(denominators.sum() / repeats)
    exact = exact_rate(round(ratio * patients), patients)
    p = min(max(ratio, 1e-6), 1 - 1e-6)
    centre, logit_half = float(_logit(np.array(p))), fold_half / (p * (1 - p))
    below = centre - float(_logit(np.array(exact["low"])))
    above = float(_logit(np.array(exact["high"]))) - centre
    low = _expit(np.array(centre - math.hypot(below, logit_half)))
    high = _expit(np.array(centre + math.hypot(above, logit_half)))
    return {
        "value": round(ratio, 4),
        "low": round(float(min(low, exact["low"])), 4),
        "high": round(float(max(high, exact["high"])), 4),
    }


def widening(coverage: float, confidence: float = 0.95) -> float:
    """The factor that turns an interval measured to hold the truth in ``coverage`` of data
    sets into one of ``confidence``, if its errors are normal on the scale it is widened on:
    z at ``confidence`` over z at ``coverage`` (1.33 for 86 % and 95 %)."""
    return float(stats.norm.ppf(0.5 + confidence / 2) / stats.norm.ppf(0.5 + coverage / 2))


def widen(score: dict[str, float], factor: float) -> dict[str, float]:
    """``score``'s interval with both sides stretched by ``factor`` on the logit scale (a
    share's interval then stays inside 0 and 1)."""
    centre, low, high = (float(_logit(np.array(score[k]))) for k in ("value", "low", "high"))
    return {
        "value": score["value"],
        "low": round(float(_expit(np.array(centre - factor * (centre - low)))), 4),
        "high": round(float(_expit(np.array(centre + factor * (high - centre)))), 4),
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
