"""The README results section, made from reports/metrics.json (nothing is typed by hand)."""

from __future__ import annotations

import json

from . import readme
from .config import Paths

FIGURES = [
    ("k_selection", "Choosing k: elbow, silhouette, stability and Davies-Bouldin for every k"),
    ("pca", "Segments on the first two principal components"),
    ("profiles", "Segment profiles: each segment against everyone, medians in original units"),
    ("distributions", "Feature distributions"),
    ("correlation", "Correlation between features"),
]


def results_section(metrics: dict) -> str:
    """Markdown for the README: the data, the choice of k, the segments, the figures."""
    data = metrics["data"]
    stability = metrics["stability"]
    parts = [readme.SAMPLE_WARNING] if data["sample"] else []
    parts.append(
        f"Data: {data['source']}, {data['rows']:,} customers, {data['features']} features"
        + (f" (sha256 `{data['sha256'][:12]}…`)" if data["sha256"] else "")
        + ". Cleaning: "
        + "; ".join(data["cleaning"])
        + "."
    )
    parts.append(
        f"**{metrics['chosen_k']} segments** (k searched from {metrics['k_range'][0]} to "
        f"{metrics['k_range'][1]}), silhouette {metrics['silhouette']:.3f}, stability (mean "
        f"adjusted Rand index over {stability['resamples']} bootstrap resamples) "
        f"{stability['mean_ari']:.3f} ± {stability['std_ari']:.3f}. Why this k: "
        f"{metrics['reason']}. Clustered: {metrics['clustering_space']}."
    )
    parts.append(
        readme.markdown_table(
            ["segment", "customers", "share", "description"],
            [
                [row["segment"], f"{row['customers']:,}", f"{row['share']:.1%}", row["description"]]
                for row in metrics["segments"]
            ],
        )
    )
    parts.append(
        readme.markdown_table(
            [
                "k",
                "inertia",
                "silhouette",
                "Calinski-Harabasz",
                "Davies-Bouldin",
                "stability (ARI)",
            ],
            [
                [
                    f"**{row['k']}**" if row["k"] == metrics["chosen_k"] else row["k"],
                    f"{row['inertia']:,.0f}",
                    row["silhouette"],
                    f"{row['calinski_harabasz']:,.0f}",
                    row["davies_bouldin"],
                    f"{row['stability']:.3f} ± {row['stability_std']:.3f}",
                ]
                for row in metrics["scores"]
            ],
        )
    )
    variance = metrics["pca_explained_variance"]
    parts.append(
        f"The PCA map shows {sum(variance):.1%} of the variance (PC1 {variance[0]:.1%}, "
        f"PC2 {variance[1]:.1%}): segments that overlap there can still be apart in the other "
        "dimensions. Every customer's segment is in `reports/segments.csv`, the medians per "
        "segment in `reports/segment_profiles.csv`."
    )
    parts += [f"![{title}](reports/figures/{name}.png)" for name, title in FIGURES]
    return "\n\n".join(parts)


def run(paths: Paths) -> str:
    """The report stage: write the results section of README.md from reports/metrics.json."""
    if not paths.metrics.exists():
        raise readme.ReadmeError(f"No {paths.metrics}: run the evaluate stage first.")
    if not paths.readme.exists():
        raise readme.ReadmeError(f"No {paths.readme} to write the results into.")
    body = results_section(json.loads(paths.metrics.read_text(encoding="utf-8")))
    readme.write_results(paths.readme, body)
    return body
