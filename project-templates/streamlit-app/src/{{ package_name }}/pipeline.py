"""The stages at the edges: each reads its inputs from files, calls the pure functions and
writes its outputs. The CLI runs them with a ``Context``; tests pass a temporary project root."""

from __future__ import annotations

import pandas as pd
import sklearn
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from . import config, data, evaluate, experiments, features, nearness, plots, readme, report, train
from .runtime import Context, Provenance, load_metrics, write_metrics


def run_data(ctx: Context, *, url: str | None = None) -> pd.DataFrame:
    """Get the raw file (or make the sample), validate it and write the clean table."""
    paths, params = ctx.paths, ctx.params
    if ctx.sample:
        frame = data.make_sample(params.sample_rows, params.seed)
        provenance = Provenance.sample(rows=len(frame))
        ctx.say(f"made a synthetic sample of {len(frame)} rows (not real data)")
    else:
        raw = data.get_raw(paths.raw_dir, url=url)
        frame = data.read_table(raw, header=False)
        provenance = Provenance.of_file(raw, source=data.RAW.landing_page, rows=len(frame))
        ctx.say(f"read and validated {raw} ({len(frame):,} rows)")
    paths.processed.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(paths.processed, index=False)
    provenance.save(paths)
    ctx.say(f"wrote {paths.processed}")
    return frame


def _split(ctx: Context):
    Provenance.load(ctx.paths)  # a clear error when the data stage never ran
    frame = data.read_table(ctx.paths.processed, header=True)
    return frame, features.split(frame, test_size=ctx.params.test_size, seed=ctx.params.seed)


def run_train(ctx: Context) -> dict:
    """Train every configured classifier on the training split, its probabilities calibrated
    (sigmoid) on row-level folds of the training part, and save it with skops. The app answers
    only mushrooms with near-copies among the training rows; row-level folds calibrate on
    exactly such rows (every calibration row has near-copies among the rows that fit)."""
    _, (x_train, _, y_train, _) = _split(ctx)
    models = {}
    # Small dense matrices: BLAS threads cost more than they give (and the cores are shared).
    with threadpool_limits(limits=1, user_api="blas"):
        for name in config.CLASSIFIERS:
            params = ctx.params.model_params(name)
            models[name] = experiments.fit_calibrated(
                name,
                params,
                x_train,
                y_train,
                folds=ctx.params.calibration_folds,
                seed=ctx.params.seed,
            )
            train.save(models[name], ctx.paths.model(name))
            ctx.say(f"trained {config.LABELS[name]} -> {ctx.paths.model(name)}")
    return models


def _near_duplicates(frame: pd.DataFrame, split, params: config.Params):
    """Distances to the nearest training row (of every training row to the nearest other one;
    of the random split's held-out rows; of the rows of held-out clusters), the clusters of
    near-identical rows (described over every row), each row's cluster, and the training
    rows' clusters linked on the training part alone (the folds never see held-out rows)."""
    x_train, x_test, y_train, _ = split
    x, y = features.split_xy(frame)
    groups = nearness.clusters(nearness.as_codes(x))
    train_codes = nearness.as_codes(x_train)
    train_groups = nearness.clusters(train_codes)
    folds = experiments.cluster_folds(train_groups, params.folds_for(train_groups), params.seed)
    held_out = experiments.held_out_distance(train_codes, y_train, train_groups, folds)
    training = nearness.nearest_distance(train_codes, train_codes, itself=True)
    test = nearness.nearest_distance(train_codes, nearness.as_codes(x_test))
    summary = {
        "training": nearness.distance_counts(training),
        "random_split": nearness.distance_counts(test),
        "clusters_held_out": nearness.distance_counts(held_out),
        "clusters": nearness.describe_clusters(groups, y),
    }
    return summary, pd.Series(groups, index=frame.index), train_groups


MEASUREMENTS = ("grouped", "evaluate", "ablations", "learning_curve")
"""What is measured about every classifier; each is one task for the worker processes."""


def _measure(name: str, what: str, params: config.Params, model_path, split, groups):
    """One measurement of one classifier (runs in a worker thread)."""
    settings, seed = params.model_params(name), params.seed
    x_train, _, y_train, _ = split
    rows = (name, settings, x_train, y_train, groups)
    folds = params.folds_for(groups)
    with threadpool_limits(limits=1, user_api="blas"):
        if what == "grouped":
            return experiments.grouped(
                *rows,
                folds=folds,
                reps=params.bootstrap,
                seed=seed,
            )
        if what == "evaluate":
            model = train.load(model_path)
            result, proba = evaluate.evaluate_model(
                model,
                split,
                repeats=params.permutation_repeats,
                importance_rows=params.permutation_rows,
                seed=seed,
            )
            threshold = evaluate.cost_threshold(params.miss_cost)
            result["serving"] = evaluate.serving(model, x_train, threshold, params.serve_floor)
            return result, proba
        if what == "ablations":
            return experiments.ablations(name, settings, split, params.ablations, seed=seed)
        return experiments.learning_curve(
            name, settings, split, params.learning_sizes, draws=params.learning_draws, seed=seed
        )


def _measure_all(ctx: Context, split, groups) -> tuple[dict, dict, dict, dict]:
    """Every measurement of every classifier, spread over ``params.jobs`` threads.

    The threshold comes from the stated cost ratio alone; the held-out errors of the saved
    model are counted at it and at 0.5. Returns the results, the held-out and the grouped
    out-of-fold probabilities, and whether each training row was right in the grouped
    cross-validation."""
    # Many small tasks rather than one per classifier: the slow classifiers' parts spread
    # over both workers instead of leaving one worker idle. Threads, not processes: the fits
    # release the GIL, and worker processes would each import scikit-learn and unpickle the
    # data for every task (seconds of CPU time).
    tasks = [(name, what) for name in config.CLASSIFIERS for what in MEASUREMENTS]
    outputs = Parallel(n_jobs=ctx.params.jobs, return_as="generator", prefer="threads")(
        delayed(_measure)(name, what, ctx.params, ctx.paths.model(name), split, groups)
        for name, what in tasks
    )
    y_test = split[3]
    threshold = evaluate.cost_threshold(ctx.params.miss_cost)
    reason = (
        f"a missed poisonous mushroom costs {ctx.params.miss_cost:g} false alarms (`miss_cost`): "
        f"call it poisonous from 1 / (1 + {ctx.params.miss_cost:g})"
    )
    results, probas, grouped_probas, correct = {}, {}, {}, {}
    for (name, what), output in zip(tasks, outputs, strict=True):
        if what == "grouped":
            summary, correct[name], grouped_probas[name] = output
            results[name] = {
                "label": config.LABELS[name],
                "params": ctx.params.model_params(name),
                "threshold": {"value": threshold, "reason": reason},
                "grouped": summary,
            }
        elif what == "evaluate":
            result, probas[name] = output
            results[name].update(result)
            results[name].update(evaluate.scored(y_test, probas[name], threshold, ceiling=0.5))
        elif what == "ablations":
            results[name]["ablations"] = output
        else:
            results[name]["learning_curve"] = output
            ctx.say(
                f"evaluated {config.LABELS[name]}: accuracy "
                f"{results[name]['test']['accuracy']['rate']:.4f} on the random split, "
                f"{results[name]['grouped']['accuracy']['rate']:.4f} with clusters held out; "
                f"threshold {results[name]['threshold']['value']:.3g}"
            )
    return results, probas, grouped_probas, correct


def _nearest_neighbour(split, params: config.Params) -> dict:
    """The 1-nearest-neighbour lookup of the training part on the random split, at 0.5 and at
    the cost threshold (its "probability": the share poisonous among the nearest rows)."""
    x_train, x_test, y_train, y_test = split
    share = nearness.nearest_share(
        nearness.as_codes(x_train), y_train.to_numpy(), nearness.as_codes(x_test)
    )
    return {
        "test_at_ceiling": evaluate.errors(y_test, share, experiments.HALF),
        "test": evaluate.errors(y_test, share, evaluate.cost_threshold(params.miss_cost)),
    }


def run_evaluate(ctx: Context) -> dict:
    """Score every saved model, run the near-duplicate experiments, draw the figures and write
    reports/metrics.json."""
    params = ctx.params
    frame, split = _split(ctx)
    x_train, x_test, y_train, y_test = split
    with threadpool_limits(limits=1, user_api="blas"):
        nearest, cluster, groups = _near_duplicates(frame, split, params)
        closeness = experiments.closeness_curve(
            split, cluster, params.learning_sizes, draws=params.learning_draws, seed=params.seed
        )
    ctx.say(
        f"{nearest['clusters']['count']} clusters of near-identical rows; held-out rows at "
        f"distance {', '.join(nearest['random_split'])} from the training part"
    )
    results, probas, grouped_probas, correct = _measure_all(ctx, split, groups)
    curves = {name: result.pop("learning_curve") for name, result in results.items()}
    full = {name: result["test_at_ceiling"]["accuracy"] for name, result in results.items()}
    metrics = {
        "seed": params.seed,
        "n_rows": len(frame),
        "n_train": len(x_train),
        "n_test": len(x_test),
        "group_folds": params.group_folds,
        "cluster_folds": params.folds_for(groups),
        "positive_class": "poisonous",
        "miss_cost": params.miss_cost,
        "scikit_learn": sklearn.__version__,
        "baseline_accuracy": float(max(y_test.mean(), 1 - y_test.mean())),
        # A fixed "edible" for every mushroom, on the unseen-cluster folds: pooled over rows,
        # and averaged over clusters (each is of one class: right on the edible ones).
        "always_edible": {
            "accuracy": float(1 - y_train.mean()),
            "cluster_average": float(1 - y_train.groupby(groups).mean().mean()),
            "clusters_right": int(y_train.groupby(groups).mean().lt(0.5).sum()),
            "clusters": int(len(set(groups))),
        },
        "nearest": nearest,
        "models": results,
        "grouped_differences": experiments.paired_differences(
            correct, groups, reps=params.bootstrap, seed=params.seed
        ),
        **{
            f"grouped_{kind}": experiments.baseline_grouped(
                kind,
                x_train,
                y_train,
                groups,
                correct,
                folds=params.folds_for(groups),
                reps=params.bootstrap,
                seed=params.seed,
            )
            for kind in experiments.BASELINES
        },
        "nearest_neighbour": _nearest_neighbour(split, params),
        "learning_curve": {
            **closeness,
            "accuracy": curves,
            "full": {"size": len(x_train), "accuracy": full},
        },
        "pure_codes": features.pure_codes(x_train, y_train, groups),
        "one_rule": {
            feature: float(value)
            for feature, value in features.one_rule_accuracy(
                x_train,
                y_train,
                x_test,
                y_test,
                threshold=experiments.HALF,
            ).items()
        },
    }
    # The one-attribute rule the training part chooses, on the random split at 0.5 like the
    # models' random-split column.
    chosen = next(iter(metrics["one_rule"]))
    calls, _ = features.one_rule_predict(
        x_train[chosen], y_train, x_test[chosen], threshold=experiments.HALF
    )
    metrics["one_rule_test"] = {
        "attribute": chosen,
        **evaluate.errors(y_test, calls.to_numpy(dtype=float), experiments.HALF),
    }
    x_all, y_all = features.split_xy(frame)
    # A missing stalk root is kept as its own code, not imputed. Counted by row (what a random
    # split's models see) and by cluster (rows are near-copies).
    blank = (x_all["stalk_root"] == "?").to_numpy()
    by_cluster = y_all.groupby(cluster).mean().ge(0.5)
    marked = by_cluster.index.isin(cluster[blank].unique())
    metrics["stalk_root_missing"] = {
        "rows": int(blank.sum()),
        "poisonous_rows": int(y_all[blank].sum()),
        "poisonous_share": float(y_all[blank].mean()),
        "other_poisonous_share": float(y_all[~blank].mean()),
        "clusters": int(marked.sum()),
        "poisonous_clusters": int(by_cluster[marked].sum()),
        "other_clusters": int((~marked).sum()),
        "other_poisonous_clusters": int(by_cluster[~marked].sum()),
    }
    metrics["names_rules"] = evaluate.errors(y_all, features.names_rules(x_all), experiments.HALF)
    _figures(ctx, metrics, y_train, grouped_probas)
    metrics = write_metrics(ctx.paths, metrics, params)
    ctx.say(f"wrote {ctx.paths.metrics}")
    return metrics


def _figures(ctx: Context, metrics: dict, y_train: pd.Series, grouped: dict) -> None:
    """The figures. Errors and probabilities are drawn for unseen clusters (the grouped
    cross-validation of the training part): on the random split they are near perfect."""
    results = metrics["models"]
    half = dict.fromkeys(results, experiments.HALF)
    best = max(result["test_at_ceiling"]["accuracy"]["rate"] for result in results.values())
    figures = {
        "near_duplicates.png": plots.near_duplicates(metrics, config.LABELS),
        # Uncalibrated on unseen clusters: drawn at 0.5, the tables' threshold, not the cost's.
        "probabilities.png": plots.probabilities(
            y_train,
            grouped,
            half,
            config.LABELS,
            "Unseen clusters: out-of-fold probabilities by true class, at 0.5 as in the tables",
        ),
        "confusion_matrices.png": plots.confusion_matrices(y_train, grouped, half, config.LABELS),
        "permutation_importance.png": plots.importances(
            {name: result["permutation_importance"] for name, result in results.items()},
            config.LABELS,
        ),
        "one_rule.png": plots.one_rule(
            metrics["one_rule"], metrics["baseline_accuracy"], best, metrics["grouped_one_rule"]
        ),
    }
    for name, figure in figures.items():
        plots.save(figure, ctx.paths.figures_dir / name)
    ctx.say(f"wrote {len(figures)} figures to {ctx.paths.figures_dir}")


def run_report(ctx: Context) -> str:
    """Fill the README's headline, results and next-experiments blocks and write
    MODEL_CARD.md, all from metrics.json."""
    metrics = load_metrics(ctx.paths)
    body = report.results_section(metrics)
    blocks = {
        "headline": report.headline(metrics),
        "results": body,
        "next": "\n".join(f"- {item}" for item in report.next_experiments(metrics)),
    }
    readme.write_blocks(ctx.paths.readme, blocks, ctx.say)
    ctx.paths.model_card.write_text(
        report.model_card(metrics, config.PROJECT_NAME), encoding="utf-8"
    )
    ctx.say(f"model card written into {ctx.paths.model_card}")
    return body


STAGES = {"data": run_data, "train": run_train, "evaluate": run_evaluate, "report": run_report}
