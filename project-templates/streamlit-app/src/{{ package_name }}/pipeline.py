"""The stages at the edges: each reads its inputs from files, calls the pure functions and
writes its outputs. The CLI calls these; tests call them with a temporary project root."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from . import config, data, evaluate, experiments, features, nearness, plots, readme, report, train
from .fetch import DataError

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def run_data(
    paths: config.Paths, *, sample: bool = False, url: str | None = None, progress=_quiet
) -> pd.DataFrame:
    """Get the raw file (or make the sample), validate it and write the clean table."""
    if sample:
        frame = data.make_sample(config.SAMPLE_ROWS, config.SEED)
        source = data.sample_source(config.SAMPLE_ROWS, config.SEED)
        progress(f"made a synthetic sample of {len(frame)} rows (not real data)")
    else:
        raw = data.get_raw(paths.raw_dir, url=url)
        frame = data.read_table(raw, header=False)
        source = data.real_source(raw)
        progress(f"read and validated {raw} ({len(frame):,} rows)")
    data.write_processed(frame, paths.processed, paths.source, source)
    progress(f"wrote {paths.processed}")
    return frame


def _split(paths: config.Paths):
    frame = data.read_table(paths.processed, header=True)
    return features.split(frame, test_size=config.TEST_SIZE, seed=config.SEED)


def run_train(paths: config.Paths, *, progress=_quiet) -> dict:
    """Train every configured classifier on the training split and save it with skops."""
    x_train, _, y_train, _ = _split(paths)
    models = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for name in config.CLASSIFIERS:
            params = config.default_params(name)
            models[name] = train.fit(name, params, x_train, y_train, config.SEED)
            train.save(models[name], paths.model(name))
            progress(f"trained {config.LABELS[name]} -> {paths.model(name)}")
    return models


def _near_duplicates(frame: pd.DataFrame, split) -> tuple[dict, np.ndarray]:
    """Distances to the nearest training row, and the clusters of near-identical rows."""
    x_train, x_test, _, _ = split
    x, y = features.split_xy(frame)
    codes = nearness.as_codes(x)
    groups = nearness.clusters(codes)
    folds = experiments.group_folds(config.GROUP_FOLDS, config.SEED)
    held_out = experiments.held_out_distance(codes, y, groups, folds)
    test = nearness.nearest_distance(nearness.as_codes(x_train), nearness.as_codes(x_test))
    summary = {
        "random_split": nearness.distance_counts(test),
        "clusters_held_out": nearness.distance_counts(held_out),
        "clusters": nearness.describe_clusters(groups, y),
    }
    return summary, groups


MEASUREMENTS = ("evaluate", "ablations", "grouped", "learning_curve")
"""What is measured about every classifier; each is one task for the worker processes."""


def _measure(name: str, what: str, model_path, split, x: pd.DataFrame, y: pd.Series, groups):
    """One measurement of one classifier (runs in a worker process)."""
    params = config.default_params(name)
    # Small dense matrices: BLAS threads cost more than they give (and the cores are shared).
    with threadpool_limits(limits=1, user_api="blas"):
        if what == "evaluate":
            return evaluate.evaluate_model(
                name,
                train.load(model_path),
                params,
                split,
                folds=config.CV_FOLDS,
                ceiling=config.THRESHOLD_CEILING,
                repeats=config.PERMUTATION_REPEATS,
                importance_rows=config.PERMUTATION_ROWS,
                seed=config.SEED,
            )
        if what == "ablations":
            return experiments.ablations(name, params, split, config.ABLATIONS, seed=config.SEED)
        if what == "grouped":
            return experiments.grouped(
                name,
                params,
                x,
                y,
                groups,
                folds=config.GROUP_FOLDS,
                reps=config.BOOTSTRAP,
                seed=config.SEED,
            )
        return experiments.learning_curve(
            name, params, split, config.LEARNING_SIZES, seed=config.SEED
        )


def run_evaluate(paths: config.Paths, *, progress=_quiet) -> dict:
    """Score every saved model, run the near-duplicate experiments, draw the figures and write
    reports/metrics.json. The classifiers are evaluated in parallel, one per process."""
    source = data.read_source(paths.source)
    frame = data.read_table(paths.processed, header=True)
    split = features.split(frame, test_size=config.TEST_SIZE, seed=config.SEED)
    x_train, x_test, y_train, y_test = split
    x, y = features.split_xy(frame)
    with threadpool_limits(limits=1, user_api="blas"):
        nearest, groups = _near_duplicates(frame, split)
        closeness = experiments.closeness_curve(split, config.LEARNING_SIZES, seed=config.SEED)
    progress(
        f"{nearest['clusters']['count']} clusters of near-identical rows; held-out rows at "
        f"distance {', '.join(nearest['random_split'])} from the training part"
    )
    # Many small tasks rather than one per classifier: the slow classifiers' parts spread
    # over both workers instead of leaving one worker idle.
    tasks = [(name, what) for name in config.CLASSIFIERS for what in MEASUREMENTS]
    jobs = Parallel(n_jobs=config.JOBS, return_as="generator")
    outputs = jobs(
        delayed(_measure)(name, what, paths.model(name), split, x, y, groups)
        for name, what in tasks
    )
    results, probas, correct, curve = {}, {}, {}, {**closeness, "accuracy": {}}
    for (name, what), output in zip(tasks, outputs, strict=True):
        if what == "evaluate":
            result, probas[name] = output
            results[name] = {"label": config.LABELS[name], **result}
        elif what == "ablations":
            results[name]["ablations"] = output
        elif what == "grouped":
            results[name]["grouped"], correct[name] = output
        else:
            curve["accuracy"][name] = output
            progress(
                f"evaluated {config.LABELS[name]}: accuracy "
                f"{results[name]['test']['accuracy']['rate']:.4f} on the random split, "
                f"{results[name]['grouped']['accuracy']['rate']:.4f} with clusters held out"
            )
    one_rule = features.one_rule_accuracy(x_train, y_train, x_test, y_test)
    metrics = {
        "source": source,
        "seed": config.SEED,
        "n_rows": len(x_train) + len(x_test),
        "n_train": len(x_train),
        "n_test": len(x_test),
        "cv_folds": config.CV_FOLDS,
        "group_folds": config.GROUP_FOLDS,
        "positive_class": "poisonous",
        "baseline_accuracy": float(max(y_test.mean(), 1 - y_test.mean())),
        "nearest": nearest,
        "models": results,
        "grouped_differences": experiments.paired_differences(
            correct, groups, reps=config.BOOTSTRAP, seed=config.SEED
        ),
        "learning_curve": {
            **curve,
            "full": {
                "size": len(x_train),
                "accuracy": {
                    name: results[name]["test_at_ceiling"]["accuracy"] for name in results
                },
            },
        },
        "one_rule": {feature: float(value) for feature, value in one_rule.items()},
    }
    thresholds = {name: result["threshold"]["value"] for name, result in results.items()}
    best = max(result["test"]["accuracy"]["rate"] for result in results.values())
    figures = {
        "near_duplicates.png": plots.near_duplicates(metrics, config.LABELS),
        "probabilities.png": plots.probabilities(y_test, probas, thresholds, config.LABELS),
        "confusion_matrices.png": plots.confusion_matrices(
            y_test, probas, thresholds, config.LABELS
        ),
        "roc_curves.png": plots.roc_curves(y_test, probas, config.LABELS),
        "pr_curves.png": plots.pr_curves(y_test, probas, config.LABELS),
        "permutation_importance.png": plots.importances(
            {name: result["permutation_importance"] for name, result in results.items()},
            config.LABELS,
        ),
        "one_rule.png": plots.one_rule(metrics["one_rule"], metrics["baseline_accuracy"], best),
    }
    for name, figure in figures.items():
        plots.save(figure, paths.figures_dir / name)
    progress(f"wrote {len(figures)} figures to {paths.figures_dir}")
    paths.metrics.parent.mkdir(parents=True, exist_ok=True)
    paths.metrics.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    progress(f"wrote {paths.metrics}")
    return metrics


def run_report(paths: config.Paths, project_name: str, *, progress=_quiet) -> str:
    """Fill the README's results section and write MODEL_CARD.md from metrics.json."""
    if not paths.metrics.is_file():
        raise DataError(f"{paths.metrics} does not exist. Run the evaluate stage first.")
    metrics = json.loads(paths.metrics.read_text(encoding="utf-8"))
    body = report.results_section(metrics)
    try:
        readme.write_results(paths.readme, body)
    except FileNotFoundError as error:
        raise DataError(f"{paths.readme} does not exist: nowhere to write the results.") from error
    except readme.ReadmeError as error:
        raise DataError(str(error)) from error
    paths.model_card.write_text(report.model_card(metrics, project_name), encoding="utf-8")
    progress(f"wrote the results into {paths.readme} and {paths.model_card}")
    return body
