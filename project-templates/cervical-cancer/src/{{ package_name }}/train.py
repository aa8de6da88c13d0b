"""The two models, fitted with class weighting, saved and loaded with skops.

Both are pipelines that impute inside themselves (median plus a was-missing indicator), so in
cross-validation every imputation value is learned from the training folds only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from . import config

TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
]
"""The only types a saved model may contain; anything else is refused on load."""


def positive_weight(y: pd.Series) -> float:
    """Weight of a positive case so both classes count equally (negatives / positives)."""
    positives = int(y.sum())
    if positives == 0 or positives == len(y):
        raise ValueError("the training data must contain both classes")
    return (len(y) - positives) / positives


def make_model(name: str, weight: float, params: config.Params) -> Pipeline:
    """An unfitted pipeline for ``name`` whose positive class is weighted by ``weight``."""
    impute = ("impute", SimpleImputer(strategy="median", add_indicator=True))
    if name == "logistic_regression":
        return Pipeline(
            [
                impute,
                ("scale", StandardScaler()),
                (
                    "model",
                    LogisticRegression(
                        C=params.logistic_c, class_weight={0: 1.0, 1: weight}, max_iter=2000
                    ),
                ),
            ]
        )
    if name == "xgboost":
        return Pipeline(
            [
                impute,
                (
                    "model",
                    XGBClassifier(
                        **params.xgboost,
                        scale_pos_weight=weight,
                        eval_metric="logloss",
                        random_state=params.seed,
                    ),
                ),
            ]
        )
    raise ValueError(f"unknown model {name!r}; choose one of {config.MODELS}")


def fit(name: str, X: pd.DataFrame, y: pd.Series, params: config.Params) -> Pipeline:
    """Fit one model on ``X``, ``y`` with the class weight computed from ``y``."""
    return make_model(name, positive_weight(y), params).fit(X, y)


def predict_risk(model: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Probability of a positive result, with the class weighting undone.

    Weighting positives by w multiplies the model's odds by about w; dividing the odds by w
    brings the scores back to the real prevalence (a monotone change: rankings, ROC and the
    screening threshold's sensitivity are unaffected; calibration is restored).
    """
    final = model[-1]
    weight = final.scale_pos_weight if isinstance(final, XGBClassifier) else final.class_weight[1]
    p = model.predict_proba(X)[:, 1]
    return p / (p + (1 - p) * weight)


def save(model: Pipeline, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)


def load(path: Path) -> Pipeline:
    """Load a model saved by ``save``, refusing any type outside TRUSTED_TYPES."""
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ValueError(f"{path} contains types that are not trusted: {untrusted}")
    return sio.load(path, trusted=TRUSTED_TYPES)
