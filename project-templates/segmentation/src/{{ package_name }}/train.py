"""Fit K-means for every k, score each k, choose k by the configured rule, fit the segmenter."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import data, features
from .config import Params, Paths


@dataclass
class Segmenter:
    """The fitted model and everything the report and the app need to explain it."""

    model: Pipeline
    """Raw customer row -> segment (0-based; segment 0 is the largest)."""
    pca: PCA
    """2-D map of the clustering space."""
    scores: pd.DataFrame
    """One row per k: inertia, silhouette, calinski_harabasz, davies_bouldin, stability."""
    k: int
    reason: str


def kmeans(k: int, params: Params, seed: int | None = None) -> KMeans:
    return KMeans(
        n_clusters=k, n_init=params.n_init, random_state=params.seed if seed is None else seed
    )


def stability(points: np.ndarray, labels: np.ndarray, k: int, params: Params) -> list[float]:
    """Adjusted Rand index between ``labels`` and K-means refitted on bootstrap resamples.

    Each resample's model labels every customer; 1 means the same segmentation every time,
    0 means no more agreement than chance.
    """
    rng = np.random.default_rng(params.seed + k)
    scores = []
    for resample in range(params.stability_resamples):
        rows = rng.integers(0, len(points), len(points))
        refit = kmeans(k, params, seed=params.seed + 1 + resample).fit(points[rows])
        scores.append(float(adjusted_rand_score(labels, refit.predict(points))))
    return scores


def score_k(points: np.ndarray, k: int, params: Params) -> dict[str, float]:
    """Every score of a K-means segmentation with ``k`` segments."""
    model = kmeans(k, params).fit(points)
    labels = model.labels_
    aris = stability(points, labels, k, params)
    return {
        "k": k,
        "inertia": float(model.inertia_),
        "silhouette": float(
            silhouette_score(
                points,
                labels,
                sample_size=min(len(points), params.silhouette_sample),
                random_state=params.seed,
            )
        ),
        "calinski_harabasz": float(calinski_harabasz_score(points, labels)),
        "davies_bouldin": float(davies_bouldin_score(points, labels)),
        "stability": float(np.mean(aris)),
        "stability_std": float(np.std(aris)),
    }


def search_k(
    points: np.ndarray, params: Params, progress: Callable[[int], object] | None = None
) -> pd.DataFrame:
    """Score every k of the configured range; ``progress(k)`` is called before each."""
    if params.k_max >= len(points):
        raise ValueError(f"k_max={params.k_max} needs more than {len(points)} customers")
    rows = []
    with threadpool_limits(limits=params.threads):
        for k in params.k_values:
            if progress is not None:
                progress(k)
            rows.append(score_k(points, k, params))
    return pd.DataFrame(rows).set_index("k")


def choose_k(scores: pd.DataFrame, min_stability: float) -> tuple[int, str]:
    """The rule: the highest silhouette among the k that are stable enough."""
    stable = scores[scores["stability"] >= min_stability]
    if stable.empty:
        k = int(scores["silhouette"].idxmax())
        return k, (
            f"no k reached the stability threshold (mean bootstrap ARI >= {min_stability}); "
            f"k={k} has the highest silhouette ({scores.loc[k, 'silhouette']:.3f}) but its "
            "segments should be read with caution"
        )
    k = int(stable["silhouette"].idxmax())
    return k, (
        f"k={k} has the highest silhouette ({scores.loc[k, 'silhouette']:.3f}) among the "
        f"{len(stable)} of {len(scores)} values of k whose segmentation is stable "
        f"(mean bootstrap ARI >= {min_stability}; k={k}: {scores.loc[k, 'stability']:.3f})"
    )


def ordered_kmeans(points: np.ndarray, k: int, params: Params) -> KMeans:
    """K-means with segments numbered by size (0 is the largest), so numbers are stable."""
    first = kmeans(k, params).fit(points)
    order = np.argsort(-np.bincount(first.labels_, minlength=k), kind="stable")
    # Restarting from the reordered centres converges at once to the same segmentation.
    return KMeans(n_clusters=k, init=first.cluster_centers_[order], n_init=1).fit(points)


def fit(
    table: pd.DataFrame, params: Params, progress: Callable[[int], object] | None = None
) -> Segmenter:
    """Build the clustering space, search k, fit the final segmenter and the PCA map."""
    with threadpool_limits(limits=params.threads):
        space = features.build_space(data.FEATURES, data.SKEWED, params)
        points = space.fit_transform(table[data.FEATURES])
        scores = search_k(points, params, progress)
        k, reason = choose_k(scores, params.min_stability)
        final = ordered_kmeans(points, k, params)
        pca = PCA(n_components=2, random_state=params.seed).fit(points)
    model = Pipeline([("space", space), ("kmeans", final)])
    return Segmenter(model, pca, scores, k, reason)


def save(segmenter: Segmenter, model_path: Path, search_path: Path) -> None:
    """The model and map with skops (no pickle); the scores and choice as JSON."""
    import skops.io as sio

    model_path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": segmenter.model, "pca": segmenter.pca}, model_path)
    search = {
        "k": segmenter.k,
        "reason": segmenter.reason,
        "scores": segmenter.scores.reset_index().to_dict(orient="records"),
    }
    search_path.write_text(json.dumps(search, indent=2) + "\n", encoding="utf-8")


def load(model_path: Path, search_path: Path) -> Segmenter:
    """Load a saved segmenter, trusting only the types the project itself saves."""
    import skops.io as sio

    if not model_path.exists() or not search_path.exists():
        raise data.DataError(
            f"No trained model at {model_path}: run the train stage (or `all`) first."
        )
    bundle = sio.load(model_path, trusted=features.trusted_types())
    search = json.loads(search_path.read_text(encoding="utf-8"))
    scores = pd.DataFrame(search["scores"]).set_index("k")
    return Segmenter(bundle["model"], bundle["pca"], scores, search["k"], search["reason"])


def run(paths: Paths, params: Params, progress: Callable[[str], object] = print) -> Segmenter:
    """The train stage: read the clean table, fit, save."""
    table = read_table(paths.customers)
    segmenter = fit(table, params, lambda k: progress(f"  k={k}: K-means, scores, stability"))
    save(segmenter, paths.model, paths.search)
    return segmenter


def read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise data.DataError(f"No clean table at {path}: run the data stage first.")
    return pd.read_csv(path, index_col="customer")
