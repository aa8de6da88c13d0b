"""Nested, repeated, grouped cross-validation and scores with intervals.

With about 6 % positives, accuracy says nothing (predicting "negative" always scores 94 %).
Each model is scored on held-out folds: ranking (ROC-AUC, PR-AUC), calibration (slope,
intercept, Brier score and Brier skill) and the top fifth of each fold model's risks as a
screen, each with a 95 % group-bootstrap interval on the pooled out-of-fold risks (fixed: it
leaves out how much refitting on other data would move them). Each outer fold's setting
(C; depth and trees) is chosen by an inner cross-validation of its training rows; ``deploy``
applies that rule to every row for the saved model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from . import chance, config, stats, train


@dataclass
class Fold:
    repeat: int
    test: np.ndarray
    """Row positions of the held-out fold."""
    y: np.ndarray
    risk: np.ndarray
    tuned: dict = field(default_factory=dict)
    """The settings that inner cross-validation chose (``Params`` fields), empty if none."""
    choice: str = ""
    """Their label, e.g. 'C = 0.01' or 'depth 2, 150 trees'."""
    top_cut: float = math.nan
    """Where the top fifth of the fold model's risks on its own training rows starts."""


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

    def top_by_repeat(self, rows: int) -> list[np.ndarray]:
        """Whether each patient is in their fold model's top fifth, per repeat."""
        pooled = [np.zeros(rows, dtype=bool) for _ in range(1 + max(f.repeat for f in self.folds))]
        for fold in self.folds:
            pooled[fold.repeat][fold.test] = fold.risk >= fold.top_cut
        return pooled

    def fold_roc_auc(self) -> np.ndarray:
        return np.array([roc_auc_score(fold.y, fold.risk) for fold in self.folds])


def splits(
    y: pd.Series, groups: np.ndarray, n_splits: int, n_repeats: int, seed: int
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(repeat, training rows, test rows) of repeated stratified folds that keep groups whole.

    Rows of one group give identical answers (features); their test results can differ. The
    folds are stratified folds of the groups, each group labelled positive if any of its rows
    is.
    """
    _, inverse = np.unique(groups, return_inverse=True)
    group_y = np.zeros(inverse.max() + 1, dtype=int)
    np.maximum.at(group_y, inverse, y.to_numpy())
    out = []
    for repeat in range(n_repeats):
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed + repeat)
        for _, test_groups in splitter.split(group_y, group_y):
            test = np.isin(inverse, test_groups)
            out.append((repeat, np.flatnonzero(~test), np.flatnonzero(test)))
    return out


def flagged_to_find(sensitivity: float) -> stats.Score:
    """A reading of the held-out ROC curve, not a rule: the share of patients that must be
    flagged, highest risks first, to find ``sensitivity`` of the positives (one value per row
    of weights)."""

    def score(y: np.ndarray, risk: np.ndarray, w: np.ndarray) -> np.ndarray:
        order = np.argsort(-risk, kind="stable")
        found = np.cumsum(w[:, order] * y[order], axis=1) / (w @ y)[:, None]
        first = np.argmax(found >= sensitivity - 1e-9, axis=1)
        return np.cumsum(w[:, order], axis=1)[np.arange(len(w)), first] / w.sum(axis=1)

    return score


def grid(name: str, params: config.Params) -> dict[str, dict]:
    """The settings an inner cross-validation tries for ``name``: label -> ``Params`` fields.

    The logistic regression tries every C of ``logistic_c_grid``; XGBoost every (depth,
    trees) pair of ``xgboost_grid``, the rest of ``params.xgboost`` unchanged."""
    if name == "logistic_regression":
        return {f"C = {c:g}": {"logistic_c": c} for c in params.logistic_c_grid}
    return {
        f"depth {depth}, {trees} trees": {
            "xgboost": {**params.xgboost, "max_depth": depth, "n_estimators": trees}
        }
        for depth, trees in params.xgboost_grid
    }


def inner_cv(
    X: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    name: str,
    params: config.Params,
) -> tuple[str, dict[str, np.ndarray]]:
    """An inner grouped cross-validation of one training set only (nested cross-validation):
    the setting of ``grid`` with the lowest held-out log-loss, and the out-of-fold risks of
    every setting tried; the outer test fold is never seen."""
    settings = grid(name, params)
    risks = {label: np.empty(len(y)) for label in settings}
    for _, fit_rows, test_rows in splits(y, groups, params.inner_splits, 1, params.seed):
        X_fit, y_fit, X_test = X.iloc[fit_rows], y.iloc[fit_rows], X.iloc[test_rows]
        # One imputer (and scaler) per inner fold; only the final estimator changes with the
        # setting, so the others are fitted once.
        prepare = train.make_model(name, params, list(X.columns))[:-1]
        prepare = prepare.fit(X_fit)
        A_fit, A_test = prepare.transform(X_fit), prepare.transform(X_test)
        if name == "logistic_regression":
            # The whole C path at once (chance.fit_path: the same penalised fit, by Newton's
            # method), a fifth of the CPU of one scikit-learn fit per C.
            cs = train.scaled_c(np.array([t["logistic_c"] for t in settings.values()]), len(y_fit))
            ones = np.ones((len(A_fit), 1)), np.ones((len(A_test), 1))
            beta = chance.fit_path(np.hstack([ones[0], A_fit]), y_fit.to_numpy(), cs)
            for label, coefficients in zip(settings, beta, strict=True):
                risks[label][test_rows] = chance.expit(np.hstack([ones[1], A_test]) @ coefficients)
            continue
        fitted: dict[tuple, object] = {}
        for label, tuned in settings.items():
            # Boosting adds trees in sequence: a model's first n trees are the n-tree model,
            # so each depth is fitted once, with its most trees, and read at every count.
            trees = tuned["xgboost"]["n_estimators"]
            key = tuple(sorted((k, v) for k, v in tuned["xgboost"].items() if k != "n_estimators"))
            if key not in fitted:
                most = max(t for d, t in params.xgboost_grid if d == tuned["xgboost"]["max_depth"])
                largest = replace(params, xgboost={**tuned["xgboost"], "n_estimators": most})
                fitted[key] = train.make_model(name, largest, list(X.columns))[-1].fit(A_fit, y_fit)
            risk = fitted[key].predict_proba(A_test, iteration_range=(0, trees))[:, 1]
            risks[label][test_rows] = risk
    losses = {label: stats.log_loss(y.to_numpy(), risk) for label, risk in risks.items()}
    return min(losses, key=losses.__getitem__), risks


def top_cut(fit_risk: np.ndarray) -> float:
    """Where the top fifth of a model's risks on its own training rows starts: the app's rule
    (flag the top 20 %), chosen after a 90 %-sensitivity threshold was seen to flag nearly
    everyone, and set without the rows it is evaluated on."""
    return float(np.quantile(fit_risk, 0.8))


@dataclass(frozen=True)
class Deployed:
    """The saved model and its setting, chosen by the same rule as in every outer fold, with
    every row as the training set."""

    params: config.Params
    choice: str
    model: object


def deploy(
    X: pd.DataFrame, y: pd.Series, groups: np.ndarray, name: str, params: config.Params
) -> Deployed:
    """The saved model: the setting with the lowest log-loss in an inner CV of every row,
    fitted on every row. Each outer fold of ``cross_validate`` applies the same rule to its
    own training rows, so the nested scores are those of this procedure."""
    choice, _ = inner_cv(X, y, groups, name, params)
    held = replace(params, **grid(name, params)[choice])
    return Deployed(held, choice, train.fit(name, X, y, held))


def cross_validate(
    X: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    name: str,
    params: config.Params,
    *,
    nested: bool = True,
    indicators: bool = False,
    like: CVResult | None = None,
) -> CVResult:
    """Out-of-fold risks of model ``name``. If ``nested``, each outer fold runs ``deploy``'s
    rule on its own training rows only, so the outer test rows choose nothing and the scores
    are those of the procedure that made the saved model. A check that is not nested (``like``:
    the nested result it is compared with) fits each fold with the setting that result's
    fold chose, so the comparison is paired on the same folds and the same settings."""
    folds = []
    outer = splits(y, groups, params.n_splits, params.n_repeats, params.seed)
    for index, (repeat, fit_rows, test_rows) in enumerate(outer):
        X_fit, y_fit = X.iloc[fit_rows], y.iloc[fit_rows]
        X_test, y_test = X.iloc[test_rows], y.iloc[test_rows]
        fold = Fold(repeat, test_rows, y_test.to_numpy(), np.empty(0))
        if nested:
            deployed = deploy(X_fit, y_fit, groups[fit_rows], name, params)
            fold.choice, model = deployed.choice, deployed.model
            fold.tuned = grid(name, params)[fold.choice]
            fold.top_cut = top_cut(train.predict_risk(model, X_fit))
        else:
            if like is not None:
                fold.tuned, fold.choice = like.folds[index].tuned, like.folds[index].choice
            model = train.fit(name, X_fit, y_fit, fold_params(fold, params), indicators=indicators)
        fold.risk = train.predict_risk(model, X_test)
        folds.append(fold)
    return CVResult(name, folds)


def permutation_ranking(
    X: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    result: CVResult,
    params: config.Params,
) -> dict[str, dict[str, float]]:
    """Drop in held-out ROC-AUC when each column is shuffled, in
    every outer fold of the cross-validation (each fitted as in ``result``, with its own C):
    what the model relies on, for a model without coefficients.

    Per column: the mean drop with a Nadeau-Bengio corrected 95 % interval over the folds
    (the folds share training rows, so the plain standard error would be far too small) and
    its p-value, Holm-adjusted over the columns.
    """
    columns = list(X.columns)
    drops = []
    folds = splits(y, groups, params.n_splits, params.n_repeats, params.seed)
    for index, ((_, fit_rows, test_rows), fold) in enumerate(zip(folds, result.folds, strict=True)):
        model = train.fit(
            result.model, X.iloc[fit_rows], y.iloc[fit_rows], fold_params(fold, params)
        )
        X_test, y_test = X.iloc[test_rows], y.iloc[test_rows].to_numpy()
        ones = np.ones((1, len(y_test)))
        base = stats.roc_auc(y_test, train.predict_risk(model, X_test), ones)[0]
        rng = np.random.default_rng(params.seed + index)
        # The raw answer is shuffled before the whole pipeline (imputation, scaling, model);
        # every shuffled copy is scored in one call.
        copies = []
        for column in columns:
            for _ in range(params.permutation_repeats):
                shuffled = X_test.copy()
                shuffled[column] = X_test[column].to_numpy()[rng.permutation(len(y_test))]
                copies.append(shuffled)
        risks = train.predict_risk(model, pd.concat(copies, ignore_index=True))
        scores = [stats.roc_auc(y_test, r, ones)[0] for r in risks.reshape(len(copies), -1)]
        drops.append(base - np.mean(np.reshape(scores, (len(columns), -1)), axis=1))
    drops = np.array(drops)
    tests = [
        stats.corrected_paired_test(drops[:, i], test_share=1 / params.n_splits)
        for i in range(len(columns))
    ]
    adjusted = stats.holm([test["p_value"] for test in tests])
    ranking = {
        column: {
            "mean": test["difference"],
            "low": test["low"],
            "high": test["high"],
            "p_holm": p_holm,
        }
        for column, test, p_holm in zip(columns, tests, adjusted, strict=True)
    }
    return dict(sorted(ranking.items(), key=lambda item: -item[1]["mean"]))


def directions(model, X: pd.DataFrame) -> dict[str, int]:
    """Which way each factor moves the saved model's risk: the sign of the mean change in the
    training patients' risks when the factor goes from its lowest answer to its highest, the
    other answers as they are (for the logistic regression, the sign of its coefficient)."""
    out = {}
    for column in X.columns:
        low, high = (X.assign(**{column: X[column].agg(end)}) for end in ("min", "max"))
        change = train.predict_risk(model, high) - train.predict_risk(model, low)
        out[column] = int(np.sign(round(float(change.mean()), 6)))
    return out


def fold_params(fold: Fold, params: config.Params) -> config.Params:
    """The parameters an outer fold was fitted with: its own inner CV's setting, if any."""
    return replace(params, **fold.tuned)


RANKING_AND_CALIBRATION = {
    "roc_auc": stats.roc_auc,
    "pr_auc": stats.average_precision,
    "brier": stats.brier,
    "brier_skill": stats.brier_skill,
    "calibration_slope": stats.calibration_slope,
    "calibration_intercept": stats.calibration_intercept,
}


SCREENING = {
    "sensitivity": ("flagged & positive", "positive"),
    "specificity": ("cleared & negative", "negative"),
    "ppv": ("flagged & positive", "flagged"),
    "npv": ("cleared & negative", "cleared"),
    "flagged": ("flagged", "all"),
}
"""Each screening score as (numerator, denominator): the patients counted."""


def _mask(part: str, y: np.ndarray, flags: np.ndarray) -> np.ndarray:
    masks = {
        "all": np.ones_like(y, dtype=bool),
        "positive": y == 1,
        "negative": y == 0,
        "flagged": flags,
        "cleared": ~flags,
    }
    return np.logical_and.reduce([masks[name] for name in part.split(" & ")])


def _share(numerator: str, denominator: str) -> stats.Score:
    """A screening score as a weighted share of patients, one value per row of weights."""

    def score(y: np.ndarray, flags: np.ndarray, w: np.ndarray) -> np.ndarray:
        flags = flags.astype(bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (w @ _mask(numerator, y, flags)) / (w @ _mask(denominator, y, flags))

    return score


RANKING = {"roc_auc": stats.roc_auc, "pr_auc": stats.average_precision}
"""The scores of a check (the other tests, the `Dx` flags) compared on ranking only."""


def summarize(
    result: CVResult,
    y: np.ndarray,
    weights: np.ndarray,
    params: config.Params,
    scores: dict[str, stats.Score] = RANKING_AND_CALIBRATION,
    deployed: Deployed | None = None,
) -> dict:
    """Every score of one model with its 95 % interval, from the out-of-fold risks; for a
    nested result, the settings chosen, the share flagged to find ``sensitivity_target`` of
    the positives and the top fifth as a screen."""
    rows = len(y)
    risks = result.by_repeat(rows)
    summary: dict = {key: stats.interval(score, y, risks, weights) for key, score in scores.items()}
    if "calibration_slope" in summary:
        # The pooled interval hides how much the slope moves with the fold split: its range
        # over the repeats is reported beside it.
        ones = np.ones((1, rows))
        slopes = [float(stats.calibration_slope(y, risk, ones)[0]) for risk in risks]
        summary["calibration_slope"]["repeats"] = {
            "low": round(min(slopes), 4),
            "high": round(max(slopes), 4),
        }
    summary["mean_risk"] = round(float(np.mean(risks)), 4)
    low, high = np.quantile(np.concatenate(risks), [0.05, 0.95])
    summary["risk_band"] = {"low": round(float(low), 4), "high": round(float(high), 4)}
    if scores is RANKING or math.isnan(result.folds[0].top_cut):
        return summary
    summary["flagged_to_find"] = stats.interval(
        flagged_to_find(params.sensitivity_target), y, risks, weights
    )
    choices = [fold.choice for fold in result.folds]
    summary["tuning"] = {
        "outer_choices": {c: choices.count(c) for c in grid(result.model, params) if c in choices}
    }
    if result.model == "xgboost":
        # How often each depth and tree count is chosen: a pile at an edge asks for a wider grid.
        for key, values in (
            ("max_depth", {d for d, _ in params.xgboost_grid}),
            ("n_estimators", {t for _, t in params.xgboost_grid}),
        ):
            chosen = [fold.tuned["xgboost"][key] for fold in result.folds]
            summary["tuning"][key] = {str(v): chosen.count(v) for v in sorted(values)}
    if deployed is not None:
        summary["tuning"]["saved_model"] = deployed.choice
    # The top fifth as a screen, and the positive rate among the rest.
    top = result.top_by_repeat(rows)
    parts = {**SCREENING, "rest": ("cleared & positive", "cleared")}
    summary["top_fifth"] = {
        key: stats.interval(_share(*part), y, top, weights) for key, part in parts.items()
    }
    summary["top_fifth"]["confusion_matrix"] = _confusion(y, top)
    return summary


def _confusion(y: np.ndarray, flags: list[np.ndarray]) -> list[list[float]]:
    """Patients by truth (rows) and flag (columns), mean over the repeats."""
    matrix = [[np.mean([np.sum((y == t) & (f == flag)) for f in flags]) for flag in (0, 1)]
              for t in (0, 1)]  # fmt: skip
    return np.round(matrix, 1).tolist()


def compare(challenger: CVResult, baseline: CVResult, n_splits: int) -> dict:
    """Paired per-fold ROC-AUC differences (challenger - baseline), corrected t-test."""
    differences = challenger.fold_roc_auc() - baseline.fold_roc_auc()
    return stats.corrected_paired_test(differences, test_share=1 / n_splits)


def choose_app_model(comparison: dict) -> tuple[str, str]:
    """XGBoost only if it ranks patients better than the baseline beyond doubt; else the
    simpler logistic regression. Returns the model and why."""
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
        f"{measured}: the interval includes no gain for XGBoost, so the app uses the simpler "
        "logistic regression.",
    )


def net_benefits(
    y: np.ndarray, risks: list[np.ndarray], w: np.ndarray, grid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Net benefit of the model (averaged over repeats) and of flagging everyone at each
    threshold of ``grid``, one row per row of ``w`` (resamples)."""
    odds = grid / (1 - grid)
    total, positives = w.sum(axis=1), (w * y).sum(axis=1)
    everyone = (positives[:, None] - (total - positives)[:, None] * odds) / total[:, None]
    model = []
    for risk in risks:
        order = np.argsort(-risk, kind="stable")
        true_pos = np.cumsum(w[:, order] * y[order], axis=1)
        false_pos = np.cumsum(w[:, order] * (1 - y[order]), axis=1)
        flagged = (risk[None, :] >= grid[:, None]).sum(axis=1)  # rows at or above each t
        take = np.maximum(flagged - 1, 0)
        some = flagged > 0
        tp = np.where(some, true_pos[:, take], 0.0)
        fp = np.where(some, false_pos[:, take], 0.0)
        model.append((tp - fp * odds) / total[:, None])
    return np.mean(model, axis=0), everyone


_FIRST, _LAST, _STEP = config.Params().decision_grid
DECISION_GRID = np.round(np.arange(_FIRST, _LAST + _STEP / 5, _STEP), 4)
"""The threshold risks of the decision curve, in the summary and in its figure."""


def decision_summary(result: CVResult, y: np.ndarray) -> dict:
    """The grid of the decision curve, and where the model's net benefit (held-out risks,
    averaged over repeats) is below 0, worse than flagging no one. No threshold is picked."""
    grid = DECISION_GRID
    benefit = net_benefits(y, result.by_repeat(len(y)), np.ones((1, len(y))), grid)[0][0]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (benefit < 0).astype(int), [0]])))
    return {
        "range": {"low": float(grid[0]), "high": float(grid[-1])},
        "below_no_one": [
            {"low": float(grid[a]), "high": float(grid[b - 1])}
            for a, b in zip(edges[::2], edges[1::2], strict=True)
        ],
    }
