"""Coverage of the reported 95 % intervals, simulated under this project's design.

Run as a module with the number of data sets (``python -m <package>.coverage 222``, after
``all``). It draws data sets of the
real size from the real answers, with risks from the saved regression sharpened to a
ROC-AUC near 0.7 (``SHARPEN``) at the real prevalence, runs each through the whole nested
procedure of ``evaluate.cross_validate`` with the project's parameters, and counts how often
each interval holds the truth: the same procedure fitted on 80 % of a fresh data set and
scored on 20,000 new patients whose answers it never saw. It ends by printing the
``INTERVAL_COVERAGE`` to paste into ``config.py``, from where the evaluate stage copies it into
metrics.json and the README quotes it. Not part of ``all`` (several seconds of CPU per data
set).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from . import config, data, evaluate, features, stats, train

SHARPEN = 2.0
"""Slope applied to the saved model's log-odds: its in-sample risks are too flat to give the
population the ROC-AUC the data show."""
NEW_PATIENTS = 20_000


def _truth(y: np.ndarray, risk: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    ones = np.ones((1, len(y)))
    out = {
        key: float(score(y, risk, ones)[0])
        for key, score in evaluate.RANKING_AND_CALIBRATION.items()
    }
    out.update(
        sensitivity=float(flagged[y == 1].mean()),
        specificity=float((~flagged)[y == 0].mean()),
        ppv=float(y[flagged].mean()) if flagged.any() else np.nan,
        npv=float(1 - y[~flagged].mean()) if (~flagged).any() else np.nan,
        flagged=float(flagged.mean()),
    )
    return out


def simulate(paths: config.Paths, params: config.Params, data_sets: int) -> list[dict]:
    """One record per data set: the reported intervals and the truth they aim at."""
    table = data.read_table(paths)
    X, y = features.split(table, features.plan_features(table, params), params.target)
    groups = features.duplicate_groups(X)
    fitted = train.predict_risk(train.load(paths.model("logistic_regression")), X)
    shift = brentq(lambda a: expit(a + SHARPEN * logit(fitted)).mean() - y.mean(), -20, 20)
    truth_risk = expit(shift + SHARPEN * logit(fitted))
    rng = np.random.default_rng(params.seed)

    def draw(n: int, pool: np.ndarray) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
        rows = pool[rng.integers(0, len(pool), n)]
        outcome = (rng.random(n) < truth_risk[rows]).astype(int)
        return X.iloc[rows].reset_index(drop=True), pd.Series(outcome, name=y.name), rows

    everyone = np.arange(len(X))
    records = []
    for index in range(data_sets):
        X_s, y_s, _ = draw(len(X), everyone)
        groups_s = features.duplicate_groups(X_s)
        result = evaluate.cross_validate(X_s, y_s, groups_s, "logistic_regression", params)
        weights = stats.bootstrap_weights(groups_s, params.bootstrap_resamples, index)
        reported = evaluate.summarize(result, y_s.to_numpy(), weights, params, widen=False)
        X_t, y_t, used = draw(int(0.8 * len(X)), everyone)
        deployed = evaluate.deploy(
            X_t, y_t, features.duplicate_groups(X_t), "logistic_regression", params
        )
        unseen = np.flatnonzero(~np.isin(groups, groups[used]))
        X_p, y_p, _ = draw(NEW_PATIENTS, unseen)
        risk = train.predict_risk(deployed.model, X_p)
        truth = _truth(y_p.to_numpy(), risk, risk >= deployed.threshold)
        records.append({key: (reported[key], truth[key]) for key in truth})
    return records


def coverage(records: list[dict], factors: dict[str, float] | None = None) -> dict[str, float]:
    """Share of data sets whose interval (stretched by ``factors``, where given) holds the
    truth averaged over data sets."""
    factors = factors or {}
    out = {}
    for key in records[0]:
        truth = np.nanmean([record[key][1] for record in records])
        intervals = [record[key][0] for record in records]
        if key in factors:
            intervals = [stats.widen(interval, factors[key]) for interval in intervals]
        held = [interval["low"] <= truth <= interval["high"] for interval in intervals]
        out[key] = float(np.mean(held))
    return out


def main(argv: list[str]) -> None:
    data_sets = int(argv[0]) if argv else 222
    records = simulate(config.Paths(), config.Params(), data_sets)
    shares = coverage(records)
    for key, share in shares.items():
        print(f"{key:22s} {share:.0%} of {len(records)} data sets")
    rounded = {key: round(share, 2) for key, share in shares.items()}
    # The widening the nominal coverage implies, and what the widened intervals then hold
    # (measured on the same data sets that set the factor).
    narrow = [
        key
        for key in config.SHARES
        if key in rounded and rounded[key] < config.narrow_below(len(records))
    ]
    factors = {key: stats.widening(rounded[key]) for key in narrow}
    widened = coverage(records, factors)
    run = {
        "target": config.TARGET,
        "data_sets": len(records),
        "as_reported": rounded,
        "widened": {key: round(widened[key], 2) for key in narrow},
    }
    print(f"INTERVAL_COVERAGE = {run!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
