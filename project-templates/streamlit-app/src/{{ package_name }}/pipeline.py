"""The stages at the edges: each reads its inputs from files, calls the pure functions and
writes its outputs. The CLI calls these; tests call them with a temporary project root."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from . import config, data, evaluate, features, plots, readme, report, train
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
    for name in config.CLASSIFIERS:
        models[name] = train.fit(name, config.default_params(name), x_train, y_train, config.SEED)
        train.save(models[name], paths.model(name))
        progress(f"trained {config.LABELS[name]} -> {paths.model(name)}")
    return models


def run_evaluate(paths: config.Paths, *, progress=_quiet) -> dict:
    """Score every saved model, draw the figures and write reports/metrics.json."""
    source = data.read_source(paths.source)
    split = _split(paths)
    x_train, x_test, y_train, y_test = split
    results, probas = {}, {}
    for name in config.CLASSIFIERS:
        model = train.load(paths.model(name))
        result, probas[name] = evaluate.evaluate_model(
            name,
            model,
            config.default_params(name),
            split,
            folds=config.CV_FOLDS,
            repeats=config.PERMUTATION_REPEATS,
            importance_rows=config.PERMUTATION_ROWS,
            seed=config.SEED,
        )
        results[name] = {"label": config.LABELS[name], **result}
        progress(
            f"evaluated {config.LABELS[name]}: accuracy {result['test']['accuracy']:.4f}, "
            f"CV {result['cv']['accuracy']['mean']:.4f} ± {result['cv']['accuracy']['std']:.4f}"
        )
    one_rule = features.one_rule_accuracy(x_train, y_train, x_test, y_test)
    baseline = float(max(y_test.mean(), 1 - y_test.mean()))
    metrics = {
        "source": source,
        "seed": config.SEED,
        "n_rows": len(x_train) + len(x_test),
        "n_train": len(x_train),
        "n_test": len(x_test),
        "cv_folds": config.CV_FOLDS,
        "positive_class": "poisonous",
        "baseline_accuracy": baseline,
        "models": results,
        "one_rule": {feature: float(value) for feature, value in one_rule.items()},
    }
    best = max(result["test"]["accuracy"] for result in results.values())
    figures = {
        "confusion_matrices.png": plots.confusion_matrices(y_test, probas, config.LABELS),
        "roc_curves.png": plots.roc_curves(y_test, probas, config.LABELS),
        "pr_curves.png": plots.pr_curves(y_test, probas, config.LABELS),
        "permutation_importance.png": plots.importances(
            {name: result["permutation_importance"] for name, result in results.items()},
            config.LABELS,
        ),
        "one_rule.png": plots.one_rule(metrics["one_rule"], baseline, best),
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
