"""Build a classifier from its module in ``classifiers/``, fit it, save and load it with skops."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import skops.io as sio
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from .classifiers import REGISTRY
from .runtime import ProjectError

CALIBRATION = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)
"""Every saved model is calibrated (``experiments.fit_calibrated``): these types it holds."""
TRUSTED_TYPES = sorted(
    {name for module in REGISTRY.values() for name in module.TRUSTED} | set(CALIBRATION)
)
"""The types a saved model holds that skops does not trust by default; loading refuses others."""


def make_model(name: str, params: Mapping, seed: int) -> Pipeline:
    """A fresh pipeline: one-hot encoding of the codes, then the classifier ``name``."""
    if name not in REGISTRY:
        raise ValueError(f"unknown classifier {name!r}; known: {', '.join(REGISTRY)}")
    # Dense output (SVC fits several times faster on it than on a sparse matrix here) unless
    # the classifier's module asks for the sparse one (its SPARSE_INPUT).
    sparse = REGISTRY[name].SPARSE_INPUT
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=sparse)
    return Pipeline([("encode", encoder), ("classify", REGISTRY[name].build(params, seed))])


def fit(name: str, params: Mapping, x: pd.DataFrame, y: pd.Series, seed: int) -> Pipeline:
    """Train classifier ``name`` with ``params`` on ``x``, ``y``."""
    return make_model(name, params, seed).fit(x, y)


def save(model: BaseEstimator, path: Path) -> None:
    """Save a model with skops (no pickle)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)


def load(path: Path) -> BaseEstimator:
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
