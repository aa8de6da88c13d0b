"""The stages as commands: ``python -m <package> data|train|evaluate|report|all|app``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import config
from .fetch import DataError
from .readme import ReadmeError

T = TypeVar("T")

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Cervical cancer risk prediction: data, train, evaluate, report, app.",
)

Root = Annotated[
    Path | None,
    typer.Option(
        "--root", help="Project directory to read and write (default: current directory)."
    ),
]
Sample = Annotated[
    bool,
    typer.Option(
        "--sample", help="Use a small synthetic sample instead of the real data (no download)."
    ),
]


def _say(message: str) -> None:
    typer.echo(f"  {message}")


def _fail(error: Exception) -> typer.Exit:
    typer.secho(f"Error: {error}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _run(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one stage; a data or README problem is one clear line on stderr and exit code 1."""
    try:
        return step(*args, **kwargs)
    except (DataError, ReadmeError) as error:
        raise _fail(error) from None


@app.command()
def data(sample: Sample = False, root: Root = None) -> None:
    """Get the raw data (local file or verified download), validate it, write the clean table."""
    from .pipeline import run_data

    _run(run_data, config.paths(root), config.PARAMS, sample=sample, progress=_say)


@app.command()
def train(root: Root = None) -> None:
    """Fit the models on the whole table and save them with skops."""
    from .pipeline import run_train

    _run(run_train, config.paths(root), config.PARAMS, progress=_say)


@app.command()
def evaluate(root: Root = None) -> None:
    """Cross-validate the models; write reports/metrics.json and the figures."""
    from .pipeline import run_evaluate

    _run(run_evaluate, config.paths(root), config.PARAMS, progress=_say)


@app.command()
def report(root: Root = None) -> None:
    """Write the results into README.md and MODEL_CARD.md."""
    from .pipeline import run_report

    _run(run_report, config.paths(root), progress=_say)


@app.command(name="all")
def all_stages(sample: Sample = False, root: Root = None) -> None:
    """Run data, train, evaluate and report, in order."""
    from .pipeline import run_data, run_evaluate, run_report, run_train

    paths = config.paths(root)
    steps = [
        ("data", lambda: run_data(paths, config.PARAMS, sample=sample, progress=_say)),
        ("train", lambda: run_train(paths, config.PARAMS, progress=_say)),
        ("evaluate", lambda: run_evaluate(paths, config.PARAMS, progress=_say)),
        ("report", lambda: run_report(paths, progress=_say)),
    ]
    for number, (name, step) in enumerate(steps, start=1):
        typer.echo(f"[{number}/{len(steps)}] {name}")
        _run(step)
    if sample:
        typer.secho(
            "Done, on the SYNTHETIC SAMPLE: the numbers mean nothing.", fg=typer.colors.YELLOW
        )
    else:
        typer.echo("Done: see README.md, MODEL_CARD.md and reports/.")


@app.command(name="app")
def serve(root: Root = None) -> None:
    """Serve the Streamlit risk calculator."""
    script = Path(__file__).with_name("app.py")
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    raise typer.Exit(subprocess.call(command, cwd=config.paths(root).root))
