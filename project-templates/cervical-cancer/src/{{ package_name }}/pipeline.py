"""The stages at the edges: each reads its inputs from disk, calls the pure functions, writes.

Each takes the runtime's ``Context`` (paths, parameters, --sample, progress); the CLI declares
them, and tests call them with a ``Context`` under a temporary directory.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from . import chance, config, data, evaluate, features, plots, readme, report, runtime, stats, train


def run_data(ctx: runtime.Context) -> None:
    """Get the table (real file or synthetic sample), validate it and write the processed copy."""
    table = data.get_table(ctx.paths, sample=ctx.sample, params=ctx.params)
    data.save_table(ctx.paths, table)
    label = runtime.Provenance.load(ctx.paths).label()
    ctx.say(f"{len(table)} rows from {label} -> {ctx.paths.processed}")


def run_train(ctx: runtime.Context) -> None:
    """Fit every model on the whole table and save it with skops, with the setting its inner
    cross-validation chose beside it (the evaluate stage reads it)."""
    paths, params = ctx.paths, ctx.params
    table = data.read_table(paths)
    X, y = features.split(table, features.plan_features(table, params), params.target)
    groups = features.duplicate_groups(X)
    for name in config.MODELS:
        deployed = evaluate.deploy(X, y, groups, name, params)
        train.save(deployed.model, paths.model(name))
        paths.model(name).with_suffix(".json").write_text(
            json.dumps({"choice": deployed.choice}), encoding="utf-8"
        )
        ctx.say(f"{config.MODEL_LABELS[name]} fitted on {len(X)} rows -> {paths.model(name)}")


def _load_deployed(paths: config.Paths, name: str, params: config.Params) -> evaluate.Deployed:
    """The model the train stage saved, with its setting."""
    settings = paths.model(name).with_suffix(".json")
    if not settings.exists():
        raise runtime.ProjectError(
            f"{settings} is missing: run the train stage first (`python -m {__package__} train`)."
        )
    saved = json.loads(settings.read_text(encoding="utf-8"))
    held = replace(params, **evaluate.grid(name, params)[saved["choice"]])
    model = train.load(paths.model(name))
    return evaluate.Deployed(held, saved["choice"], model)


def run_evaluate(ctx: runtime.Context) -> None:
    """Cross-validate both models and the checks, draw the figures, write metrics.json."""
    paths, params, progress = ctx.paths, ctx.params, ctx.say
    table = data.read_table(paths)
    provenance = runtime.Provenance.load(paths)
    plan = features.plan_features(table, params)
    X, y = features.split(table, plan, params.target)
    groups = features.duplicate_groups(X)
    weights = stats.bootstrap_weights(groups, params.bootstrap_resamples, params.seed)
    labels = y.to_numpy()
    results, deployed = {}, {}
    for name in config.MODELS:
        progress(
            f"cross-validating {config.MODEL_LABELS[name]} ({params.n_repeats}x"
            f"{params.n_splits} grouped folds, settings by {params.inner_splits}-fold inner CV)"
        )
        deployed[name] = _load_deployed(paths, name, params)
        result = evaluate.cross_validate(X, y, groups, name, deployed[name].params)
        result.metrics = evaluate.summarize(
            result, labels, weights, deployed[name].params, deployed=deployed[name]
        )
        # The app's rule: the top fifth of the saved model's risks on the rows it was fitted on.
        saved_risk = train.predict_risk(deployed[name].model, X)
        result.metrics["top_fifth_cut"] = evaluate.top_cut(saved_risk)
        results[name] = result
    comparison = evaluate.compare(
        results["xgboost"], results["logistic_regression"], params.n_splits
    )
    app_model, app_reason = evaluate.choose_app_model(comparison)
    progress(app_reason)
    progress(
        f"testing the ranking against chance (batches of {params.permutations} label "
        f"permutations up to {params.max_permutations}, each rerunning the nested regression)"
    )
    headline = [
        stats.roc_auc(labels, risk, np.ones((1, len(labels))))[0]
        for risk in results["logistic_regression"].by_repeat(len(labels))
    ]
    against_chance = chance.permutation_test(X, y, groups, params, headline=headline)
    app_result = results[app_model]
    held = deployed[app_model].params

    # Unanswered means left unanswered by the patient: an entry error the pipeline set to
    # missing was an answer.
    entry_errors = data.read_entry_errors(paths)
    asked = data.answered(table, entry_errors)
    missingness = features.missingness(asked, plan, params.target)
    subgroup = features.subgroup(asked, missingness, config.DIAGNOSTIC_TESTS)
    progress(f"cross-validating {config.MODEL_LABELS[app_model]} with was-missing indicators")
    flagged_result = evaluate.cross_validate(
        X, y, groups, app_model, held, nested=False, indicators=True, like=app_result
    )
    artifact = _missingness_check(
        missingness, asked, labels, app_result, flagged_result, weights, params
    )
    history_plan = features.plan_features(table, replace(params, include_dx=True))
    history = [column for column in history_plan.features if column not in plan.features]
    # The Dx flags that the other feature rules drop even when Dx flags are allowed, and why.
    history_dropped = {
        column: reason
        for column, reason in history_plan.dropped.items()
        if column.startswith(features.DX)
    }
    progress(f"cross-validating {config.MODEL_LABELS[app_model]} with {', '.join(history)}")
    # The same groups (hence folds): rows identical on the wider set are identical on these.
    with_history = evaluate.cross_validate(
        table[history_plan.features], y, groups, app_model, held, nested=False, like=app_result
    )

    leaky_params = replace(params, include_other_tests=True)
    leaky_plan = features.plan_features(table, leaky_params)
    progress("cross-validating with the other test results as features (triage after testing)")
    X_leaky, _ = features.split(table, leaky_plan, params.target)
    # Nested, with its own setting: the questionnaire's C would shrink the tests' effects.
    leaky = evaluate.cross_validate(X_leaky, y, groups, app_model, params)
    # What the app's model relies on (a penalised model's odds ratios would be the penalty's).
    ranking = evaluate.permutation_ranking(X, y, groups, app_result, held)
    for column, sign in evaluate.directions(deployed[app_model].model, X).items():
        ranking[column]["direction"] = sign
    leakage = {
        "model": app_model,
        "added_features": [column for column in leaky_plan.features if column not in plan.features],
        "metrics": evaluate.summarize(leaky, labels, weights, params, evaluate.RANKING),
        "difference": evaluate.compare(leaky, app_result, params.n_splits),
    }
    decision = evaluate.decision_summary(app_result, labels)

    disguised = data.disguised_zeros(table)
    figures = paths.figures_dir
    prevalence = float(y.mean())
    sample = provenance.kind == "sample"
    curves = list(results.values())
    drawn = {
        "missing_values": plots.missing_values(table, data.recoded(table, entry_errors)),
        "class_balance": plots.class_balance(table, config.DIAGNOSTIC_TESTS, params.target),
        "roc": plots.roc_curves(curves, len(y)),
        "pr": plots.pr_curves(curves, len(y), prevalence),
        "calibration": plots.calibration(curves, labels),
        "leakage": plots.leakage(
            app_result,
            leaky,
            {"clean": app_result.metrics["roc_auc"], "leaky": leakage["metrics"]["roc_auc"]},
            len(y),
            leakage["added_features"],
        ),
        "decision_curve": plots.decision_curve(app_result, labels, weights),
        "confusion_matrix": plots.confusion_matrix(
            app_result.metrics, config.MODEL_LABELS[app_model], params.target
        ),
        "feature_importance": plots.importance(ranking, config.MODEL_LABELS[app_model]),
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
        "answer_spread": features.answer_spread(table, plan),
        "answer_support": features.answer_support(table, plan),
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
        "chance_test": against_chance,
        "app_model": app_model,
        "app_model_reason": app_reason,
        "permutation_importance": ranking,
        "decision_curve": decision,
        "with_history": {
            **_with_history(history, app_result, with_history, labels, weights, params),
            "dropped": history_dropped,
        },
        "verification": _verification(table, params.target),
        "dropped_answers": _dropped_answers(table, plan, y),
        "missingness": {**artifact, "subgroup": subgroup},
        "entry_errors": {column: len(rows) for column, rows in entry_errors.items() if rows},
        "disguised_zeros": disguised,
        "leakage_check": leakage,
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
    params: config.Params,
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
    check: dict = {
        "blocks": blocks,
        "roc_auc": scores,
        "indicator_difference": evaluate.compare(with_indicators, without, params.n_splits),
    }
    risks = without.by_repeat(rows)
    for block in blocks:
        # Calibration of the model used among those who skipped the block: positives observed
        # against the sum of their held-out risks (the positives the model expects).
        skipped = table[block["questions"][0]].isna().to_numpy()
        block["expected_positives"] = stats.expected_count(risks, skipped)
        block["p_observed_vs_expected"] = stats.poisson_p(
            block["unanswered_positives"], block["expected_positives"]
        )
    if blocks:
        answered = table[blocks[0]["questions"][0]].notna().to_numpy()
        scores["answered_only"] = stats.interval(
            stats.roc_auc, y[answered], [risk[answered] for risk in risks], weights[:, answered]
        )
        # Median imputation gives the unanswered the typical answers: their held-out risk shows
        # where that puts them.
        check["mean_risk"] = {
            "unanswered": round(float(np.mean([risk[~answered] for risk in risks])), 4),
            "answered": round(float(np.mean([risk[answered] for risk in risks])), 4),
        }
    return check


def _dropped_answers(table, plan, y) -> dict:
    """For each yes/no column that is not a feature (the diagnostic tests aside): patients who
    said yes, their positives, and the positives expected at the overall prevalence."""
    out = {}
    for column in plan.dropped:
        values = table[column]
        if column not in config.DIAGNOSTIC_TESTS and values.dropna().isin([0, 1]).all():
            yes = values == 1
            out[column] = {
                "yes": int(yes.sum()),
                "positives": int(y[yes].sum()),
                "expected": round(float(yes.sum() * y.mean()), 1),
            }
    return out


def _with_history(history, without, with_it, y, weights, params) -> dict:
    """The app's model (questionnaire answers only) with the Dx columns added, and the paired
    difference they make (with minus without)."""
    return {
        "model": without.model,
        "added": history,
        "metrics": evaluate.summarize(with_it, y, weights, params, evaluate.RANKING),
        "difference": evaluate.compare(with_it, without, params.n_splits),
    }


def _verification(table, target: str) -> dict:
    """Positives of the target among patients whose other three tests were all negative, and
    among those with at least one positive: the target test is not a test of everyone."""
    others = [test for test in config.DIAGNOSTIC_TESTS if test != target]
    any_other = table[others].fillna(0).max(axis=1) > 0
    y = table[target].astype(int)
    return {
        "other_tests": others,
        "others_negative": {
            "patients": int((~any_other).sum()),
            "positives": int(y[~any_other].sum()),
        },
        "other_positive": {"patients": int(any_other.sum()), "positives": int(y[any_other].sum())},
    }


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
        readme.write_blocks(path, parts, ctx.say)


STAGES = {"data": run_data, "train": run_train, "evaluate": run_evaluate, "report": run_report}
