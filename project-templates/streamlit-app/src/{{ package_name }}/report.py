"""The README results section and the model card, written from reports/metrics.json."""

from __future__ import annotations

from collections.abc import Mapping

from .data import label
from .readme import SAMPLE_WARNING, markdown_table

FIGURES = {
    "comparison": [
        ("roc_curves.png", "ROC curves"),
        ("pr_curves.png", "Precision-recall curves"),
    ],
    "details": [
        ("confusion_matrices.png", "Confusion matrices"),
        ("permutation_importance.png", "Permutation importance"),
        ("one_rule.png", "Accuracy of one attribute alone"),
    ],
}


def _pm(stats: Mapping[str, float]) -> str:
    return f"{stats['mean']:.4f} ± {stats['std']:.4f}"


def _param(name: str, value: object) -> str:
    return "unlimited" if name == "max_depth" and value == 0 else str(value)


def comparison(metrics: Mapping) -> str:
    """The comparison table: held-out metrics and cross-validated accuracy per model."""
    header = ["model", "accuracy", "precision", "recall", "F1", "ROC-AUC", "CV accuracy", "CV F1"]
    rows = []
    for result in metrics["models"].values():
        test = result["test"]
        rows.append(
            [
                result["label"],
                test["accuracy"],
                test["precision"],
                test["recall"],
                test["f1"],
                test["roc_auc"],
                _pm(result["cv"]["accuracy"]),
                _pm(result["cv"]["f1"]),
            ]
        )
    return markdown_table(header, rows)


def separability(metrics: Mapping) -> str:
    """Why the scores are so high, in numbers from this run."""
    rules = list(metrics["one_rule"].items())
    best, best_accuracy = rules[0]
    second, second_accuracy = rules[1]
    top = {
        name: next(iter(result["permutation_importance"]))
        for name, result in metrics["models"].items()
    }
    drivers = ", ".join(
        f"{metrics['models'][name]['label']}: {label(feature)}" for name, feature in top.items()
    )
    return (
        "**Why the scores are so high.** This data set is almost perfectly separable, so "
        "near-perfect scores here say little about a model's quality. A rule that looks at "
        f"one attribute alone, **{label(best)}**, classifies {best_accuracy:.1%} of the held-out "
        f"mushrooms correctly (the next best, {label(second)}, {second_accuracy:.1%}); always "
        f"answering 'edible' scores {metrics['baseline_accuracy']:.1%}. The "
        f"{metrics['n_rows']:,} rows are hypothetical samples of only 23 species from one field "
        "guide, so many rows share their attributes and the split tests the same species the "
        "model was trained on. Shuffling the attribute each model relies on most costs it the "
        f"most accuracy ({drivers}); attributes that stand in for each other share the credit, "
        "so a low importance does not mean an attribute is uninformative. None of this makes a "
        "model fit to judge a real mushroom: "
        "the guide itself says there is no simple rule for edibility."
    )


def results_section(metrics: Mapping) -> str:
    """The Markdown that goes between the README's results markers."""
    source = metrics["source"]
    parts = []
    if source["kind"] == "sample":
        parts.append(SAMPLE_WARNING)
    data = (
        f"synthetic sample ({metrics['n_rows']} rows, seed {source['seed']})"
        if source["kind"] == "sample"
        else f"`{source['file']}` (sha256 `{source['sha256'][:12]}…`)"
    )
    parts.append(
        f"Data: {data}; {metrics['n_train']:,} mushrooms to train on, {metrics['n_test']:,} held "
        f"out (stratified, seed {metrics['seed']}). Positive class: poisonous. Held-out metrics "
        f"at threshold 0.5; CV is mean ± standard deviation over {metrics['cv_folds']} "
        "stratified folds of the training part."
    )
    parts.append(comparison(metrics))
    if source["kind"] != "sample":  # the sample is made up: its separability means nothing
        parts.append(separability(metrics))
    for group in FIGURES.values():
        parts.append(" ".join(f"![{alt}](reports/figures/{name})" for name, alt in group))
    return "\n\n".join(parts)


def model_card(metrics: Mapping, project_name: str) -> str:
    """MODEL_CARD.md: data, intended use, metrics with spread, limitations, ethics."""
    source = metrics["source"]
    warning = f"{SAMPLE_WARNING}\n\n" if source["kind"] == "sample" else ""
    models = "\n".join(
        f"- {result['label']}: "
        + ", ".join(f"{name}={_param(name, value)}" for name, value in result["params"].items())
        for result in metrics["models"].values()
    )
    why = "" if source["kind"] == "sample" else f"\n\n{separability(metrics)}"
    return f"""# Model card: {project_name}

{warning}## Models

Each is a scikit-learn pipeline (one-hot encoding of the attribute codes, then the classifier),
saved with skops in `models/`; the hyperparameters are set in `config.py`.

{models}

## Data

UCI Mushroom (id 73, CC BY 4.0, https://doi.org/10.24432/C5959T): 8,124 hypothetical samples
of 23 species of gilled mushrooms (Agaricus and Lepiota) from The Audubon Society Field Guide
to North American Mushrooms (1981), 22 categorical attributes. "Poisonous" includes species of
unknown edibility. `veil_type` is constant and dropped; a missing `stalk_root` (`?`) is kept as
its own category.

## Intended use

Teaching and demonstrating a classification workflow and a Streamlit app. **Not** for deciding
whether a real mushroom is safe to eat.

## Metrics

{comparison(metrics)}{why}

## Limitations

- The rows describe species from one field guide, not individual mushrooms in the field: the
  held-out split contains the same species as the training data, so these scores do not
  measure how a model does on species it has not seen.
- Attributes are judged by eye (odour, colours); a person's description differs from the guide's.
- Recall on "poisonous" is what matters: a single missed poisonous mushroom can be fatal.

## Ethical considerations

A confident prediction from this model must never replace an expert's identification. The app
says so next to every prediction.
"""
