"""The stages as commands: ``python -m <package> data|train|evaluate|report|all|app``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from . import config
from .fetch import DataError

app = typer.Typer(
    help="Mushroom classifiers on the UCI Mushroom data: pipeline stages and the app.",
    no_args_is_help=True,
    add_completion=False,
)

Root = Annotated[
    Path | None,
    typer.Option(help="Project root (default: this checkout, or $" + config.ROOT_ENV + ")."),
]
Sample = Annotated[
    bool,
    typer.Option(help="Use a small synthetic sample instead of the real data (no download)."),
]


def _paths(root: Path | None) -> config.Paths:
    return config.Paths(root) if root is not None else config.Paths()


def _say(message: str) -> None:
    typer.echo(f"  {message}")


@contextmanager
def _user_errors() -> Iterator[None]:
    """A problem the user can fix is one clear line on stderr and exit code 1."""
    try:
        yield
    except DataError as error:
        typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


def _stage(title: str, run: Callable[[], object]) -> None:
    typer.echo(f"[{title}]")
    start = time.perf_counter()
    with _user_errors():
        run()
    typer.echo(f"  done in {time.perf_counter() - start:.1f} s")


@app.command()
def data(root: Root = None, sample: Sample = False) -> None:
    """Get the raw data (local file or verified download), validate it, write the clean table."""
    from .pipeline import run_data

    _stage("data", lambda: run_data(_paths(root), sample=sample, progress=_say))


@app.command()
def train(root: Root = None) -> None:
    """Fit every configured classifier and save it with skops."""
    from .pipeline import run_train

    _stage("train", lambda: run_train(_paths(root), progress=_say))


@app.command()
def evaluate(root: Root = None) -> None:
    """Compute the metrics and figures into reports/."""
    from .pipeline import run_evaluate

    _stage("evaluate", lambda: run_evaluate(_paths(root), progress=_say))


@app.command()
def report(root: Root = None) -> None:
    """Write the results section of README.md and MODEL_CARD.md."""
    from .pipeline import run_report

    _stage("report", lambda: run_report(_paths(root), config.PROJECT_NAME, progress=_say))


@app.command(name="all")
def all_stages(root: Root = None, sample: Sample = False) -> None:
    """Run data, train, evaluate and report, in order."""
    start = time.perf_counter()
    data(root=root, sample=sample)
    train(root=root)
    evaluate(root=root)
    report(root=root)
    typer.echo(f"All stages done in {time.perf_counter() - start:.1f} s.")


@app.command(name="app")
def serve(root: Root = None) -> None:
    """Serve the Streamlit app."""
    paths = _paths(root)
    env = {**os.environ, config.ROOT_ENV: str(paths.root)}
    # The app file is run as a script: make sure it can import this package.
    package_parent = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    app_file = Path(__file__).with_name("app.py")
    command = [sys.executable, "-m", "streamlit", "run", str(app_file)]
    raise typer.Exit(subprocess.call(command, env=env))
