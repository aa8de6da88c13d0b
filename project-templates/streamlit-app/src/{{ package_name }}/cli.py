"""The stages as commands: ``python -m <package> data|train|evaluate|report|all|app``."""

from .config import Params, Paths
from .runtime import Context, Stage, build_cli


def _data(ctx: Context) -> None:
    from .pipeline import run_data

    run_data(ctx)


def _train(ctx: Context) -> None:
    from .pipeline import run_train

    run_train(ctx)


def _evaluate(ctx: Context) -> None:
    from .pipeline import run_evaluate

    run_evaluate(ctx)


def _report(ctx: Context) -> None:
    from .pipeline import run_report

    run_report(ctx)


STAGES = [
    Stage(
        "data",
        "get the raw data (local file or verified download), validate it, write the clean table",
        _data,
    ),
    Stage("train", "fit the classifiers and save them with skops", _train),
    Stage(
        "evaluate",
        "metrics with exact intervals, thresholds, near-duplicate experiments, figures",
        _evaluate,
    ),
    Stage("report", "write the results into README.md and MODEL_CARD.md", _report),
]

app = build_cli(
    help="Mushroom classifiers on the UCI Mushroom data: pipeline stages and the app.",
    stages=STAGES,
    paths=Paths,
    params=Params,
    results=["README.md", "MODEL_CARD.md", "reports"],
)
