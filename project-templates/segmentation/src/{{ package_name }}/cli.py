"""The pipeline stages as commands: ``python -m <package> data|train|evaluate|report|all|app``."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .config import Params, Paths
from .fetch import DataError
from .readme import ReadmeError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Customer segmentation: get the data, choose k, describe the segments, report.",
)

Sample = Annotated[
    bool,
    typer.Option(
        "--sample", help="Use a small synthetic sample (no download); every report says so."
    ),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """A problem the user can fix becomes one red line on stderr and exit code 1."""
    try:
        yield
    except (DataError, ReadmeError) as error:
        typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


@app.callback()
def main(
    ctx: typer.Context,
    root: Annotated[
        Path, typer.Option(help="Project root holding data/, models/, reports/ and README.md.")
    ] = Path("."),
) -> None:
    ctx.obj = Paths(root.resolve())


def stage(name: str, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    typer.echo(f"{name} ...")
    with user_errors():
        action()
    typer.echo(f"{name} done in {time.perf_counter() - start:.1f}s")


def _data(paths: Paths, params: Params, use_sample: bool) -> None:
    from . import data

    loaded = data.run(paths, params, use_sample=use_sample)
    typer.echo(f"  {len(loaded.table):,} customers from {loaded.source}")


def _train(paths: Paths, params: Params) -> None:
    from . import train

    segmenter = train.run(paths, params, progress=typer.echo)
    typer.echo(f"  chosen k={segmenter.k}: {segmenter.reason}")


def _evaluate(paths: Paths, params: Params) -> None:
    from . import evaluate

    metrics = evaluate.run(paths, params)
    for row in metrics["segments"]:
        typer.echo(f"  segment {row['segment']} ({row['customers']:,}): {row['name']}")


def _report(paths: Paths) -> None:
    from . import report

    report.run(paths)
    typer.echo(f"  results written to {paths.readme}")


@app.command()
def data(ctx: typer.Context, sample: Sample = False) -> None:
    """Get the raw data (local file or verified download), validate it, write the clean table."""
    stage("data", lambda: _data(ctx.obj, Params(), sample))


@app.command()
def train(ctx: typer.Context) -> None:
    """Score every k, test structure and stability, choose k for use, save the model (skops)."""
    stage("train", lambda: _train(ctx.obj, Params()))


@app.command()
def evaluate(ctx: typer.Context) -> None:
    """Describe the segments and write metrics, segments.csv and figures into reports/."""
    stage("evaluate", lambda: _evaluate(ctx.obj, Params()))


@app.command()
def report(ctx: typer.Context) -> None:
    """Write the results section of README.md from reports/metrics.json."""
    stage("report", lambda: _report(ctx.obj))


@app.command(name="all")
def run_all(ctx: typer.Context, sample: Sample = False) -> None:
    """Every stage in order: data, train, evaluate, report."""
    paths, params = ctx.obj, Params()
    start = time.perf_counter()
    steps = [
        ("data", lambda: _data(paths, params, sample)),
        ("train", lambda: _train(paths, params)),
        ("evaluate", lambda: _evaluate(paths, params)),
        ("report", lambda: _report(paths)),
    ]
    for number, (name, action) in enumerate(steps, start=1):
        stage(f"[{number}/{len(steps)}] {name}", action)
    typer.echo(f"all done in {time.perf_counter() - start:.1f}s")


@app.command(name="app")
def serve(ctx: typer.Context) -> None:
    """Serve the Streamlit app (after `all`)."""
    script = Path(__file__).with_name("app.py")
    raise typer.Exit(
        subprocess.call([sys.executable, "-m", "streamlit", "run", str(script)], cwd=ctx.obj.root)
    )
