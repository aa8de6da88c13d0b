"""The stages, reading and writing files at their edges: data, figures, report."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd

from . import data, features, gallery, report
from .config import DATASET, Settings
from .fetch import DataError
from .readme import write_results
from .schema import Schema, apply_types


def run_data(settings: Settings, *, sample: bool, **options: object) -> pd.DataFrame:
    """Get, validate and clean the data; write the clean table and where it came from."""
    frame, schema, source = data.load_data(settings, sample=sample, **options)
    settings.processed_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(settings.table_path, index=False)
    meta = {"dataset": DATASET, "source": asdict(source), "schema": schema.to_dict()}
    settings.meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return frame


def read_table(settings: Settings) -> tuple[pd.DataFrame, Schema, data.Source]:
    """The clean table written by the data stage, with its schema and source."""
    if not settings.table_path.is_file() or not settings.meta_path.is_file():
        raise DataError(
            f"No clean table in {settings.processed_dir}: run the data stage first "
            f"(`python -m {__package__} data`, or `all`)."
        )
    meta = json.loads(settings.meta_path.read_text(encoding="utf-8"))
    schema = Schema.from_dict(meta["schema"])
    frame = apply_types(pd.read_csv(settings.table_path), schema)
    return frame, schema, data.Source(**meta["source"])


def gallery_params(settings: Settings) -> gallery.GalleryParams:
    """The gallery's parameters, taken from the settings."""
    return gallery.GalleryParams(
        max_categories=settings.max_categories,
        max_pair_columns=settings.max_pair_columns,
        rolling_window=settings.rolling_window,
        max_panels=settings.max_panels,
        max_points=settings.max_points,
        seed=settings.seed,
        resamples=settings.resamples,
        min_group_rows=settings.min_group_rows,
    )


def run_figures(settings: Settings) -> dict:
    """Draw the gallery into reports/figures/ and write reports/metrics.json; return the metrics."""
    frame, schema, source = read_table(settings)
    params = gallery_params(settings)
    charts = gallery.build(frame, schema, params)
    settings.figures_dir.mkdir(parents=True, exist_ok=True)
    for extension in settings.formats:  # figures of an earlier run (or another file) go
        for old in settings.figures_dir.glob(f"*.{extension}"):
            old.unlink()
    figures = []
    for chart in charts:
        if source.is_sample:
            gallery.plots.mark_sample(chart.figure)
        paths = gallery.plots.save(
            chart.figure,
            settings.figures_dir,
            chart.name,
            formats=settings.formats,
            dpi=settings.dpi,
        )
        figures.append(
            {
                "name": chart.name,
                "title": chart.title,
                "question": chart.question,
                "finding": chart.finding,
                "files": [path.relative_to(settings.reports_dir).as_posix() for path in paths],
                "values": chart.values,
            }
        )
    metrics = {
        "dataset": DATASET,
        "title": schema.title,
        "source": asdict(source),
        "rows": len(frame),
        "columns": len(schema.columns),
        "ignored": list(schema.ignored),
        "missing_cells": features.missing_cells(frame[[c.name for c in schema.columns]]),
        "figures": figures,
    }
    settings.metrics_path.write_text(
        json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return metrics


def run_report(settings: Settings) -> None:
    """Write reports/report.md and the README's results section from reports/metrics.json."""
    if not settings.metrics_path.is_file():
        raise DataError(
            f"No {settings.metrics_path}: run the figures stage first (`python -m {__package__} "
            "figures`, or `all`)."
        )
    metrics = json.loads(settings.metrics_path.read_text(encoding="utf-8"))
    settings.report_path.write_text(report.report_markdown(metrics), encoding="utf-8")
    write_results(settings.readme_path, report.readme_results(metrics))
