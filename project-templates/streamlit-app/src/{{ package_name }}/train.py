"""The classifiers: one registry, built from parameters passed in, saved and loaded with skops."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import skops.io as sio
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import BernoulliNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from .runtime import ProjectError


def _svm(p: Mapping, seed: int) -> ClassifierMixin:
    # SVC has no probabilities of its own (scikit-learn deprecated probability=True):
    # a sigmoid calibration on internal folds gives them, as scikit-learn recommends.
    # Three internal folds keep the SVM's training time within the pipeline's minute.
    svc = SVC(C=p["C"], kernel=p["kernel"], gamma=p["gamma"], random_state=seed)
    return CalibratedClassifierCV(svc, ensemble=False, cv=3)


def _depth(value: object) -> int | None:
    return None if not value else int(value)


BUILDERS: dict[str, Callable[[Mapping, int], ClassifierMixin]] = {
    "svm": _svm,
    "logistic_regression": lambda p, seed: LogisticRegression(
        C=p["C"], max_iter=int(p["max_iter"]), random_state=seed
    ),
    "random_forest": lambda p, seed: RandomForestClassifier(
        n_estimators=int(p["n_estimators"]),
        max_depth=_depth(p["max_depth"]),
        bootstrap=bool(p["bootstrap"]),
        random_state=seed,
    ),
    "decision_tree": lambda p, seed: DecisionTreeClassifier(
        max_depth=_depth(p["max_depth"]),
        criterion=p["criterion"],
        min_samples_leaf=int(p["min_samples_leaf"]),
        random_state=seed,
    ),
    # One-hot columns are binary indicators: Bernoulli naive Bayes is the matching model.
    "naive_bayes": lambda p, seed: BernoulliNB(alpha=p["alpha"]),
    "gradient_boosting": lambda p, seed: GradientBoostingClassifier(
        n_estimators=int(p["n_estimators"]),
        learning_rate=p["learning_rate"],
        max_depth=int(p["max_depth"]),
        random_state=seed,
    ),
}

TRUSTED_TYPES = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
]
"""The types a saved model holds that skops does not trust by default; loading refuses others."""


def make_model(name: str, params: Mapping, seed: int) -> Pipeline:
    """A fresh pipeline: one-hot encoding of the codes, then the classifier ``name``."""
    if name not in BUILDERS:
        raise ValueError(f"unknown classifier {name!r}; known: {', '.join(BUILDERS)}")
    # Dense output: SVC fits several times faster on it than on a sparse matrix here.
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return Pipeline([("encode", encoder), ("classify", BUILDERS[name](params, seed))])


def fit(name: str, params: Mapping, x: pd.DataFrame, y: pd.Series, seed: int) -> Pipeline:
    """Train classifier ``name`` with ``params`` on ``x``, ``y``."""
    return make_model(name, params, seed).fit(x, y)


def save(model: Pipeline, path: Path) -> None:
    """Save a model with skops (no pickle)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)


def load(path: Path) -> Pipeline:
    """Load a model saved by ``save``, trusting only the types this project saves."""
    if not path.is_file():
        raise ProjectError(f"{path} does not exist. Run the train stage first.")
    try:
        untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ProjectError(
            f"{path} is not a model saved by this project ({error}). Delete it and run the "
            "train stage again."
        ) from error
    if untrusted:
        raise ProjectError(
            f"{path} holds types this project never saves ({', '.join(sorted(untrusted))}); "
            "it was not loaded. Delete it and run the train stage again."
        )
    return sio.load(path, trusted=TRUSTED_TYPES)
