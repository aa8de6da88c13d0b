"""The command line: the four stages, ``all``, ``app``, ``notebook`` and ``screenshot``.

The stages import their modules when they run, so ``--help`` stays instant.
"""

from __future__ import annotations

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
        "Get the raw data (local file or verified download), validate it, write the clean table.",
        _data,
    ),
    Stage("train", "Fit the models on the whole table and save them with skops.", _train),
    Stage(
        "evaluate",
        "Cross-validate the models; write reports/metrics.json and the figures.",
        _evaluate,
    ),
    Stage("report", "Write the results into README.md and MODEL_CARD.md.", _report),
]

app = build_cli(
    help="Cervical cancer risk prediction: data, train, evaluate, report, app.",
    stages=STAGES,
    paths=Paths,
    params=Params,
    results=["README.md", "MODEL_CARD.md", "reports"],
)
