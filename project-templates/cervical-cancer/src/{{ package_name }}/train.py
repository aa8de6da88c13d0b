"""The two models, saved and loaded with skops.

Both are pipelines that impute inside themselves (the training median), so in cross-validation
every imputation value is learned from the training folds only. Neither model gets a
was-missing indicator: in this data "not answered" marks a distinct subgroup of patients with
almost no positives on any test (see features.missingness and features.subgroup), which says
who these patients are or how they were examined, not the value of a risk factor. Neither
model weights the classes either: weighting would inflate every risk, and the risks are read as
probabilities (their calibration is measured in evaluate.py, not assumed).
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
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
]
"""The only types a saved model may contain; anything else is refused on load."""


STD_COUNT = "STDs (number)"

PER_PATIENTS = config.Params().c_per_patients
"""``logistic_c`` is the C of a fit on this many patients (see ``scaled_c``)."""


def scaled_c(c: float, rows: int) -> float:
    """scikit-learn's C for a fit on ``rows`` patients: ``c * PER_PATIENTS / rows``.

    scikit-learn adds the same L2 penalty to a loss summed over the rows, so a fixed C shrinks
    a fit on fewer rows harder: a C chosen by an inner cross-validation (fits on three
    quarters of the rows) would mean a weaker penalty on the fit on all of them. Scaled, the
    penalty per patient is the same in every fit.
    """
    return c * PER_PATIENTS / rows


def make_model(
    name: str, params: config.Params, columns: list[str], *, indicators: bool = False
) -> Pipeline:
    """An unfitted pipeline for ``name`` on ``columns``; ``indicators`` adds was-missing columns
    (only for the check that measures what they would add, never for a model that is used).

    The logistic regression standardises every column, yes/no answers included, so the L2
    penalty weighs every answer on the same scale."""
    impute = ("impute", SimpleImputer(strategy="median", add_indicator=indicators))
    if name == "logistic_regression":
        model = LogisticRegression(C=params.logistic_c, solver="newton-cholesky")
        return Pipeline([impute, ("scale", StandardScaler()), ("model", model)])
    if name == "xgboost":
        # One more STD never lowers the risk (the regression's sign is checked in the tests).
        rising = () if indicators else tuple(int(c == STD_COUNT) for c in columns)
        model = XGBClassifier(
            **params.xgboost,
            eval_metric="logloss",
            random_state=params.seed,
            monotone_constraints=rising or None,
        )
        return Pipeline([impute, ("model", model)])
    raise ValueError(f"unknown model {name!r}; choose one of {config.MODELS}")


def fit(
    name: str, X: pd.DataFrame, y: pd.Series, params: config.Params, *, indicators: bool = False
) -> Pipeline:
    if y.nunique() < 2:
        raise ValueError("the training data must contain both classes")
    model = make_model(name, params, list(X.columns), indicators=indicators)
    if name == "logistic_regression":
        model.set_params(model__C=scaled_c(params.logistic_c, len(X)))
    return model.fit(X, y)


def predict_risk(model: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """The model's probability of a positive result (no class weighting to undo)."""
    return model.predict_proba(X)[:, 1]


def save(model: Pipeline, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)


def load(path: Path) -> Pipeline:
    """Load a model saved by ``save``, refusing any type outside TRUSTED_TYPES."""
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ValueError(f"{path} contains types that are not trusted: {untrusted}")
    return sio.load(path, trusted=TRUSTED_TYPES)
