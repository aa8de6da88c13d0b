"""The stages at the edges: each reads its inputs from disk, calls the pure functions, writes.

Each takes the runtime's ``Context`` (paths, parameters, --sample, progress); the CLI declares
them, and tests call them with a ``Context`` under a temporary directory.
"""

from __future__ import annotations

from dataclasses import replace

from . import config, data, evaluate, features, plots, readme, report, runtime, stats, train


def run_data(ctx: runtime.Context) -> None:
    """Get the table (real file or synthetic sample), validate it and write the processed copy."""
    table = data.get_table(ctx.paths, sample=ctx.sample, params=ctx.params)
    data.save_table(ctx.paths, table)
    label = runtime.Provenance.load(ctx.paths).label()
    ctx.say(f"{len(table)} rows from {label} -> {ctx.paths.processed}")


def run_train(ctx: runtime.Context) -> None:
    """Fit every model on the whole table and save it with skops."""
    paths, params = ctx.paths, ctx.params
    table = data.read_table(paths)
    X, y = features.split(table, features.plan_features(table, params), params.target)
    for name in config.MODELS:
        train.save(train.fit(name, X, y, params), paths.model(name))
        ctx.say(f"{config.MODEL_LABELS[name]} fitted on {len(X)} rows -> {paths.model(name)}")


def run_evaluate(ctx: runtime.Context) -> None:
    """Cross-validate both models and the checks, draw the figures, write metrics.json."""
    paths, params, progress = ctx.paths, ctx.params, ctx.say
    table = data.read_table(paths)
    provenance = runtime.Provenance.load(paths)
    plan = features.plan_features(table, params)
    X, y = features.split(table, plan, params.target)
    groups = features.duplicate_groups(table)
    weights = stats.bootstrap_weights(groups, params.bootstrap_resamples, params.seed)
    labels = y.to_numpy()
    results = {}
    for name in config.MODELS:
        progress(
            f"cross-validating {config.MODEL_LABELS[name]} ({params.n_repeats}x"
            f"{params.n_splits} grouped folds, thresholds by {params.inner_splits}-fold inner CV)"
        )
        result = evaluate.cross_validate(X, y, groups, name, params)
        result.metrics = evaluate.summarize(result, labels, weights, params)
        results[name] = result
    comparison = evaluate.compare(
        results["xgboost"], results["logistic_regression"], params.n_splits
    )
    app_model, app_reason = evaluate.choose_app_model(comparison)
    progress(app_reason)
    app_result = results[app_model]

    missingness = features.missingness(table, plan, params.target)
    progress(f"cross-validating {config.MODEL_LABELS[app_model]} with was-missing indicators")
    flagged_result = evaluate.cross_validate(
        X, y, groups, app_model, params, nested=False, indicators=True
    )
    artifact = _missingness_check(missingness, table, labels, app_result, flagged_result, weights)

    leaky_params = replace(params, include_other_tests=True)
    leaky_plan = features.plan_features(table, leaky_params)
    progress("cross-validating with the other test results as features (leakage check)")
    leaky = evaluate.cross_validate(
        *features.split(table, leaky_plan, params.target), groups, app_model, params, nested=False
    )
    # What the app's model relies on: odds ratios for the regression, else permutation importance.
    odds_ratios, ranking = None, None
    if app_model == "logistic_regression":
        odds_ratios = evaluate.odds_ratio_intervals(X, y, groups, params)
    else:
        ranking = evaluate.permutation_ranking(X, y, groups, app_model, params)

    figures = paths.figures_dir
    prevalence = float(y.mean())
    sample = provenance.kind == "sample"
    curves = list(results.values())
    drawn = {
        "missing_values": plots.missing_values(table),
        "class_balance": plots.class_balance(table, config.DIAGNOSTIC_TESTS, params.target),
        "correlation": plots.correlation(table),
        "roc": plots.roc_curves(curves, len(y)),
        "pr": plots.pr_curves(curves, len(y), prevalence),
        "calibration": plots.calibration(curves, labels),
        "decision_curve": plots.decision_curve(
            curves, labels, app_result.metrics["threshold"], config.MODEL_LABELS[app_model]
        ),
        "confusion_matrix": plots.confusion_matrix(
            app_result.metrics,
            config.MODEL_LABELS[app_model],
            params.target,
            params.sensitivity_target,
        ),
        "feature_importance": (
            plots.odds_ratios(odds_ratios)
            if ranking is None
            else plots.importance(ranking, config.MODEL_LABELS[app_model])
        ),
    }
    for name, figure in drawn.items():
        plots.save(figure, figures / f"{name}.png", sample=sample)
    progress(f"figures -> {figures}")

    metrics = {
        "target": params.target,
        "rows": len(table),
        "positives": int(y.sum()),
        "prevalence": round(prevalence, 4),
        "duplicates": features.duplicates(groups),
        "features": plan.features,
        "dropped": plan.dropped,
        "cross_validation": {
            "splits": params.n_splits,
            "repeats": params.n_repeats,
            "inner_splits": params.inner_splits,
            "seed": params.seed,
            "bootstrap_resamples": params.bootstrap_resamples,
        },
        "sensitivity_target": params.sensitivity_target,
        "models": {name: result.metrics for name, result in results.items()},
        "comparison": comparison,
        "app_model": app_model,
        "app_model_reason": app_reason,
        "odds_ratios": odds_ratios,
        "permutation_importance": ranking,
        "decision_curve": evaluate.decision_summary(
            app_result, labels, app_result.metrics["threshold"]
        ),
        "missingness": artifact,
        "leakage_check": {
            "model": app_model,
            "added_features": [
                column for column in leaky_plan.features if column not in plan.features
            ],
            "metrics": evaluate.summarize(leaky, labels, weights, params),
        },
    }
    runtime.write_metrics(paths, metrics, params)
    progress(f"metrics -> {paths.metrics}")


def _missingness_check(
    blocks: list[dict],
    table,
    y,
    without: evaluate.CVResult,
    with_indicators: evaluate.CVResult,
    weights,
) -> dict:
    """The blocks of unanswered questions, and what "not answered" adds to the app's model:
    its ROC-AUC with was-missing indicators, without (the model used), and without on the
    patients who answered the block whose missingness is most telling."""
    rows = len(y)
    scores = {
        "with_indicators": stats.interval(
            stats.roc_auc, y, with_indicators.by_repeat(rows), weights
        ),
        "without_indicators": without.metrics["roc_auc"],
    }
    if blocks:
        answered = table[blocks[0]["questions"][0]].notna().to_numpy()
        scores["answered_only"] = stats.interval(
            stats.roc_auc,
            y[answered],
            [risk[answered] for risk in without.by_repeat(rows)],
            weights[:, answered],
        )
    return {"blocks": blocks, "roc_auc": scores}


def run_report(ctx: runtime.Context) -> None:
    """Write the results into the README (headline, results, next experiments) and the card."""
    paths = ctx.paths
    metrics = runtime.load_metrics(paths)
    blocks = {
        paths.readme: {
            "headline": report.headline(metrics),
            "results": report.readme_section(metrics),
            "next": "\n".join(f"- {item}" for item in report.next_experiments(metrics)),
        },
        paths.model_card: {"results": report.model_card_section(metrics)},
    }
    for path, parts in blocks.items():
        if path.exists():
            readme.write_blocks(path, parts)
            ctx.say(f"results -> {path}")
        else:  # e.g. a scratch --root: the results stay in reports/
            ctx.say(f"no {path.name} in {paths.root}: the results are in {paths.reports_dir}")
