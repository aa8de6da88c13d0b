"""Describe the chosen segmentation: sizes, profiles in the original units, words, the map."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import data, plots, train
from .config import FIGURE_DPI, Params, Paths


@dataclass
class Evaluation:
    segments: pd.DataFrame
    """Per customer: segment (1-based), pc1, pc2."""
    medians: pd.DataFrame
    """Per segment (rows) and feature: the median, in the original units; last row 'all'."""
    standardised: pd.DataFrame
    """Per segment and feature: mean distance from everyone's mean, in standard deviations."""
    summary: pd.DataFrame
    """Per segment: customers, share, description."""
    explained_variance: list[float]


def assign(segmenter: train.Segmenter, table: pd.DataFrame) -> np.ndarray:
    """The segment of each customer, numbered from 1 (segment 1 is the largest)."""
    return segmenter.model.predict(table[data.FEATURES]) + 1


def standardised_means(
    segmenter: train.Segmenter, table: pd.DataFrame, segments: np.ndarray
) -> pd.DataFrame:
    """Each segment's mean of the scaled (and log-transformed) features."""
    preprocess = segmenter.model.named_steps["space"].named_steps["preprocess"]
    scaled = pd.DataFrame(preprocess.transform(table[data.FEATURES]), columns=data.FEATURES)
    return scaled.groupby(segments).mean().rename_axis("segment")


def medians(table: pd.DataFrame, segments: np.ndarray) -> pd.DataFrame:
    per_segment = table[data.FEATURES].groupby(segments).median().rename_axis("segment")
    overall = table[data.FEATURES].median().to_frame("all").T
    return pd.concat([per_segment, overall])


def describe(standardised: pd.Series, threshold: float, terms: int) -> str:
    """A few words from a segment's profile: its most distinctive themes, high or low.

    Each theme (e.g. 'purchases') is named once, by its most distinctive feature.
    """
    strongest: dict[str, float] = {}
    for column, value in standardised.items():
        theme = data.THEMES.get(column, column.lower().replace("_", " "))
        if abs(value) > abs(strongest.get(theme, 0.0)):
            strongest[theme] = float(value)
    ranked = sorted(strongest.items(), key=lambda item: -abs(item[1]))
    words = []
    for theme, value in ranked[:terms]:
        if abs(value) < threshold:
            break
        level = "high" if value > 0 else "low"
        words.append(f"{'very ' if abs(value) >= 2 * threshold else ''}{level} {theme}")
    return ", ".join(words) if words else "close to the average customer"


def label_mix(table: pd.DataFrame, segments: np.ndarray, segment: int) -> str:
    """Label values a segment is dominated by, e.g. 'mostly Retail (85%)'.

    A value is named when it is the majority of the segment (60% or more) and at least ten
    points above its share among all customers: a label everyone shares says nothing.
    """
    parts = []
    names = getattr(data, "LABEL_NAMES", {})
    for label in data.LABELS:
        shares = table.loc[segments == segment, label].value_counts(normalize=True)
        overall = table[label].value_counts(normalize=True)
        if shares.empty or shares.iloc[0] < max(0.6, overall[shares.index[0]] + 0.1):
            continue
        value = names.get(label, {}).get(int(shares.index[0]), shares.index[0])
        parts.append(f"mostly {value} ({shares.iloc[0]:.0%})")
    return "; ".join(parts)


def evaluate(segmenter: train.Segmenter, table: pd.DataFrame, params: Params) -> Evaluation:
    """Everything the report says about the chosen segments."""
    segments = assign(segmenter, table)
    standardised = standardised_means(segmenter, table, segments)
    points = segmenter.model.named_steps["space"].transform(table[data.FEATURES])
    coords = segmenter.pca.transform(points)
    sizes = pd.Series(segments).value_counts().sort_index()
    rows = []
    for segment, size in sizes.items():
        words = describe(
            standardised.loc[segment], params.describe_threshold, params.describe_terms
        )
        mix = label_mix(table, segments, segment)
        rows.append(
            {
                "segment": int(segment),
                "customers": int(size),
                "share": float(size / len(table)),
                "description": f"{words}; {mix}" if mix else words,
            }
        )
    return Evaluation(
        segments=pd.DataFrame(
            {"segment": segments, "pc1": coords[:, 0], "pc2": coords[:, 1]}, index=table.index
        ),
        medians=medians(table, segments),
        standardised=standardised,
        summary=pd.DataFrame(rows).set_index("segment"),
        explained_variance=[float(v) for v in segmenter.pca.explained_variance_ratio_],
    )


def space_description(segmenter: train.Segmenter) -> str:
    steps = segmenter.model.named_steps["space"].named_steps
    dims = segmenter.pca.n_features_in_
    if "embed" in steps:
        error = steps["embed"].reconstruction_error_
        return (
            f"autoencoder embedding ({dims} dimensions) of the standardised features "
            f"(reconstruction mean squared error {error:.3f})"
        )
    return f"standardised features ({dims} dimensions)"


def metrics(segmenter: train.Segmenter, evaluation: Evaluation, info: dict, params: Params) -> dict:
    """The content of reports/metrics.json."""
    chosen = segmenter.scores.loc[segmenter.k]
    return {
        "data": info,
        "k_range": [params.k_min, params.k_max],
        "rule": (
            "highest silhouette among the k with mean bootstrap adjusted Rand index >= "
            f"{params.min_stability} ({params.stability_resamples} resamples)"
        ),
        "chosen_k": segmenter.k,
        "reason": segmenter.reason,
        "silhouette": float(chosen["silhouette"]),
        "stability": {
            "mean_ari": float(chosen["stability"]),
            "std_ari": float(chosen["stability_std"]),
            "resamples": params.stability_resamples,
        },
        "clustering_space": space_description(segmenter),
        "pca_explained_variance": evaluation.explained_variance,
        "scores": segmenter.scores.reset_index().to_dict(orient="records"),
        "segments": evaluation.summary.reset_index().to_dict(orient="records"),
        "seed": params.seed,
    }


def run(paths: Paths, params: Params) -> dict:
    """The evaluate stage: segments.csv, segment profiles, figures and metrics.json."""
    table = train.read_table(paths.customers)
    segmenter = train.load(paths.model, paths.search)
    info = json.loads(paths.data_info.read_text(encoding="utf-8"))
    with threadpool_limits(limits=params.threads):
        evaluation = evaluate(segmenter, table, params)
    paths.figures_dir.mkdir(parents=True, exist_ok=True)
    evaluation.segments.to_csv(paths.segments, float_format="%.4f")
    evaluation.medians.to_csv(paths.profiles, index_label="segment", float_format="%.4f")
    figures = {
        "distributions": plots.distributions(
            table, data.FEATURES, data.SKEWED if params.log_transform else []
        ),
        "correlation": plots.correlation(table, data.FEATURES),
        "k_selection": plots.k_selection(segmenter.scores, segmenter.k, params.min_stability),
        "pca": plots.pca_map(evaluation.segments, evaluation.explained_variance),
        "profiles": plots.profile_heatmap(evaluation.standardised, evaluation.medians),
    }
    for name, figure in figures.items():
        figure.savefig(paths.figures_dir / f"{name}.png", dpi=FIGURE_DPI)
    result = metrics(segmenter, evaluation, info, params)
    paths.metrics.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
