"""The stages at the edges: each reads its inputs from disk, calls the pure functions, writes.

The CLI calls these; tests call them with a ``Paths`` under a temporary directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from . import config, data, evaluate, features, plots, report, train

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Default progress callback: say nothing."""


def run_data(
    paths: config.Paths, params: config.Params, *, sample: bool, progress: Progress = _quiet
) -> dict:
    """Get the table (real file or synthetic sample), validate it and write the processed copy."""
    table, source = data.get_table(paths, sample=sample, params=params)
    data.save_table(paths, table, source)
    progress(f"{len(table)} rows from the {source['source']} data -> {paths.processed}")
    return source


def run_train(paths: config.Paths, params: config.Params, *, progress: Progress = _quiet) -> list:
    """Fit every model on the whole table and save it with skops."""
    table, _ = data.read_table(paths)
    plan = features.plan_features(table, params)
    X, y = features.split(table, plan, params.target)
    saved = []
    for name in config.MODELS:
        train.save(train.fit(name, X, y, params), paths.model(name))
        saved.append(paths.model(name))
        progress(f"{config.MODEL_LABELS[name]} fitted on {len(X)} rows -> {paths.model(name)}")
    return saved


def run_evaluate(
    paths: config.Paths, params: config.Params, *, progress: Progress = _quiet
) -> dict:
    """Cross-validate every model (and the leaky variant), draw the figures, write metrics.json."""
    table, source = data.read_table(paths)
    plan = features.plan_features(table, params)
    X, y = features.split(table, plan, params.target)
    results = []
    for name in config.MODELS:
        progress(
            f"cross-validating {config.MODEL_LABELS[name]} "
            f"({params.n_repeats}x{params.n_splits} folds)"
        )
        results.append(
            evaluate.cross_validate(X, y, name, params, importance=name == config.APP_MODEL)
        )
    leaky_params = replace(params, include_other_tests=True)
    leaky_plan = features.plan_features(table, leaky_params)
    progress("cross-validating XGBoost with the other test results as features (leakage check)")
    leaky = evaluate.cross_validate(
        *features.split(table, leaky_plan, params.target), "xgboost", params
    )

    by_name = {result.model: result for result in results}
    figures = paths.figures_dir
    prevalence = float(y.mean())
    sample = data.is_sample(source)
    app_result = by_name[config.APP_MODEL]
    drawn = {
        "missing_values": plots.missing_values(table),
        "class_balance": plots.class_balance(table, config.DIAGNOSTIC_TESTS, params.target),
        "correlation": plots.correlation(table),
        "roc": plots.roc_curves(results),
        "pr": plots.pr_curves(results, prevalence),
        "calibration": plots.calibration(results),
        "confusion_matrix": plots.confusion_matrix(
            app_result, params.target, params.sensitivity_target
        ),
        "feature_importance": plots.importance(app_result),
    }
    for name, figure in drawn.items():
        plots.save(figure, figures / f"{name}.png", sample=sample)
    progress(f"figures -> {figures}")

    metrics = {
        "data_source": source["source"],
        "source": source,
        "target": params.target,
        "rows": len(table),
        "positives": int(y.sum()),
        "prevalence": round(prevalence, 4),
        "features": plan.features,
        "dropped": plan.dropped,
        "imputed": features.missing_summary(table, plan),
        "cross_validation": {
            "splits": params.n_splits,
            "repeats": params.n_repeats,
            "seed": params.seed,
        },
        "sensitivity_target": params.sensitivity_target,
        "app_model": config.APP_MODEL,
        "models": {result.model: result.metrics for result in results},
        "leakage_check": {
            "model": "xgboost",
            "added_features": [
                column for column in leaky_plan.features if column not in plan.features
            ],
            "metrics": {
                key: leaky.metrics[key]
                for key in ("roc_auc", "pr_auc", "sensitivity", "specificity")
            },
        },
    }
    paths.metrics.parent.mkdir(parents=True, exist_ok=True)
    paths.metrics.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    progress(f"metrics -> {paths.metrics}")
    return metrics


def run_report(paths: config.Paths, *, progress: Progress = _quiet) -> None:
    """Write the results into the README and the model card, between their markers."""
    if not paths.metrics.exists():
        raise data.DataError(f"{paths.metrics} is missing: run `evaluate` first (or `all`).")
    metrics = json.loads(paths.metrics.read_text(encoding="utf-8"))
    report.write(paths.readme, report.readme_section(metrics))
    report.write(paths.model_card, report.model_card_section(metrics))
    progress(f"results -> {paths.readme} and {paths.model_card}")
