"""The pipeline's stages, each a function of the run's ``Context``; ``STAGES`` lists them for
the command line and the app's first start."""

from __future__ import annotations

from . import data, evaluate, report, train
from .runtime import Context


def run_data(ctx: Context) -> None:
    loaded = data.run(ctx.paths, ctx.params, use_sample=ctx.sample)
    ctx.say(f"{len(loaded.table):,} customers from {loaded.source}")


def run_train(ctx: Context) -> None:
    segmenter = train.run(ctx.paths, ctx.params, progress=ctx.say)
    ctx.say(f"chosen k={segmenter.k} (why: README, after the report stage)")


def run_evaluate(ctx: Context) -> None:
    metrics = evaluate.run(ctx.paths, ctx.params)
    for row in metrics["segments"]:
        ctx.say(f"segment {row['segment']} ({row['customers']:,}): {row['name']}")


def run_report(ctx: Context) -> None:
    report.run(ctx.paths, ctx.say)


STAGES = {"data": run_data, "train": run_train, "evaluate": run_evaluate, "report": run_report}
