"""The pipeline stages as commands: ``python -m <package> data|train|evaluate|report|all|app``."""

from __future__ import annotations

from .config import Params, Paths
from .runtime import Context, Stage, build_cli


def _data(ctx: Context) -> None:
    from . import data

    loaded = data.run(ctx.paths, ctx.params, use_sample=ctx.sample)
    ctx.say(f"{len(loaded.table):,} customers from {loaded.source}")


def _train(ctx: Context) -> None:
    from . import train

    segmenter = train.run(ctx.paths, ctx.params, progress=ctx.say)
    ctx.say(f"chosen k={segmenter.k}: {segmenter.reason}")


def _evaluate(ctx: Context) -> None:
    from . import evaluate

    metrics = evaluate.run(ctx.paths, ctx.params)
    for row in metrics["segments"]:
        ctx.say(f"segment {row['segment']} ({row['customers']:,}): {row['name']}")


def _report(ctx: Context) -> None:
    from . import report

    if report.run(ctx.paths):
        ctx.say(f"results written to {ctx.paths.readme}")
    else:
        ctx.say(f"no {ctx.paths.readme.name} in {ctx.paths.root}: the results are in reports/")


STAGES = [
    Stage(
        "data",
        "Get the raw data (local file or verified download), validate it, write the clean table",
        _data,
    ),
    Stage(
        "train",
        "Score every k, test structure and stability, choose k for use, save the model (skops)",
        _train,
    ),
    Stage(
        "evaluate",
        "Name the segments, write metrics, segments.csv, profiles and figures into reports/",
        _evaluate,
    ),
    Stage("report", "Write the results into this README", _report),
]

app = build_cli(
    help="Customer segmentation: get the data, choose k, describe the segments, report.",
    stages=STAGES,
    paths=Paths,
    params=Params,
    results=["README.md", "reports"],
)
