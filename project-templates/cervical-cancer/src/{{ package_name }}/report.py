"""The results section of the README and of the model card, built from metrics.json."""

from __future__ import annotations

from pathlib import Path

from . import config, readme

FIGURES = (
    ("roc.png", "ROC curves per fold and mean"),
    ("pr.png", "Precision-recall curves per fold and mean"),
    ("calibration.png", "Calibration curve"),
    ("confusion_matrix.png", "Confusion matrix at the screening threshold"),
    ("feature_importance.png", "Permutation importance"),
    ("missing_values.png", "Missing-value map"),
    ("class_balance.png", "Class balance"),
    ("correlation.png", "Correlation heatmap"),
)
METRICS = (
    ("roc_auc", "ROC-AUC"),
    ("pr_auc", "PR-AUC"),
    ("sensitivity", "sensitivity"),
    ("specificity", "specificity"),
    ("brier", "Brier score"),
)


def pm(score: dict) -> str:
    """A score as 'mean ± std'."""
    return f"{score['mean']:.3f} ± {score['std']:.3f}"


def metrics_table(metrics: dict) -> str:
    rows = [
        [config.MODEL_LABELS.get(name, name)]
        + [pm(scores[key]) for key, _ in METRICS]
        + [f"{scores['threshold']:.3f}"]
        for name, scores in metrics["models"].items()
    ]
    return readme.markdown_table(["model", *(label for _, label in METRICS), "threshold"], rows)


def leakage_table(metrics: dict) -> str:
    clean = metrics["models"][metrics["leakage_check"]["model"]]
    leaky = metrics["leakage_check"]["metrics"]
    added = ", ".join(metrics["leakage_check"]["added_features"]) or "none"
    rows = [
        ["without them (this project)", *(pm(clean[key]) for key in ("roc_auc", "pr_auc"))],
        [f"with {added} (the guided project)", *(pm(leaky[key]) for key in ("roc_auc", "pr_auc"))],
    ]
    return readme.markdown_table(["XGBoost features", "ROC-AUC", "PR-AUC"], rows)


def comparison_line(metrics: dict) -> str:
    """What XGBoost adds over the baseline, judged against the fold-to-fold spread."""
    xgb, base = metrics["models"]["xgboost"], metrics["models"]["logistic_regression"]
    parts = []
    for key, label in (("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC")):
        gain = xgb[key]["mean"] - base[key]["mean"]
        parts.append(f"{label} {gain:+.3f}")
    spread = max(xgb["roc_auc"]["std"], base["roc_auc"]["std"])
    gain = xgb["roc_auc"]["mean"] - base["roc_auc"]["mean"]
    if abs(gain) < spread:
        verdict = f"within the fold-to-fold spread (± {spread:.3f}): the simpler model does as well"
    else:
        verdict = f"larger than the fold-to-fold spread (± {spread:.3f})"
    return f"XGBoost against the logistic-regression baseline: {', '.join(parts)}, {verdict}."


def data_notes(metrics: dict) -> str:
    dropped = "\n".join(f"- `{column}`: {reason}" for column, reason in metrics["dropped"].items())
    imputed = ", ".join(f"`{column}` {share:.0%}" for column, share in metrics["imputed"].items())
    return (
        f"Not used as features:\n\n{dropped}\n\n"
        f"Imputed inside every training fold (median plus a was-missing indicator): "
        f"{imputed or 'nothing was missing'}."
    )


def summary_line(metrics: dict) -> str:
    prevalence = metrics["prevalence"]
    source = (
        "the SYNTHETIC SAMPLE"
        if metrics["data_source"] == "synthetic sample"
        else "the official UCI file (SHA-256 verified)"
    )
    cv = metrics["cross_validation"]
    return (
        f"Target **{metrics['target']}**: {metrics['positives']} positives in {metrics['rows']} "
        f"patients ({prevalence:.1%}), from {source}. Scores are mean ± std over the "
        f"{cv['repeats']}x{cv['splits']} held-out folds of repeated stratified cross-validation. "
        f"Sensitivity and specificity are at a threshold chosen to find "
        f"{metrics['sensitivity_target']:.0%} of the positives (each fold's threshold is set on "
        "the other folds); `threshold` is the one the app uses. For reference, a random guess "
        f"has a PR-AUC of {prevalence:.3f} (the prevalence) and always predicting the prevalence "
        f"gives a Brier score of {prevalence * (1 - prevalence):.3f}."
    )


def results_parts(metrics: dict) -> list[str]:
    """What the README and the model card both show: the sample warning when it applies,
    the metrics, the comparison with the baseline, the leakage check and the data notes."""
    parts = [readme.SAMPLE_WARNING] if metrics["data_source"] == "synthetic sample" else []
    return parts + [
        summary_line(metrics),
        metrics_table(metrics),
        comparison_line(metrics),
        "Leakage check: the other diagnostic test results as features (XGBoost):",
        leakage_table(metrics),
        data_notes(metrics),
    ]


def readme_section(metrics: dict) -> str:
    """Markdown for the README between the results markers."""
    figures = "\n".join(f"![{alt}](reports/figures/{name})" for name, alt in FIGURES[:5])
    more = ", ".join(f"[{alt.lower()}](reports/figures/{name})" for name, alt in FIGURES[5:])
    parts = results_parts(metrics) + [
        figures,
        f"More figures: {more}. All numbers: `reports/metrics.json`; model card: `MODEL_CARD.md`.",
    ]
    return "\n\n".join(parts)


def model_card_section(metrics: dict) -> str:
    """Markdown for the model card between the results markers."""
    parts = results_parts(metrics)
    parts += [
        f"Features used ({len(metrics['features'])}): "
        + ", ".join(f"`{feature}`" for feature in metrics["features"])
        + ".",
    ]
    return "\n\n".join(parts)


def write(path: Path, body: str) -> None:
    """Replace the results section of the Markdown file at ``path``."""
    readme.write_results(path, body)
