"""The project's runtime: errors, paths, provenance, stages and the CLI.

The science lives in the other modules; this one holds no analysis. A stage is a plain function
of a ``Context``, listed in its pipeline module's ``STAGES``; ``build_cli`` turns the stages
into the project's commands, with the same progress lines, error handling and ``--root``
everywhere.
"""

import dataclasses
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer


class ProjectError(Exception):
    """A problem the user can fix. The message says what to do next."""


ROOT_VARIABLE = f"{__package__.upper()}_ROOT"
"""The root that ``--root`` gives the processes a command starts (the app, the notebook)."""


def default_root() -> Path:
    """The project root: ``--root`` when given, else the checkout this package lives in
    (``src/<package>/``), else the current folder."""
    if os.environ.get(ROOT_VARIABLE):
        return Path(os.environ[ROOT_VARIABLE]).resolve()
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


@dataclass(frozen=True)
class Paths:
    """Where every shared file lives, relative to one project root (a tmp dir in the tests)."""

    root: Path = field(default_factory=default_root)

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def provenance(self) -> Path:
        """Where the data came from, written by the data stage."""
        return self.processed_dir / "provenance.json"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def figures_dir(self) -> Path:
        return self.reports_dir / "figures"

    @property
    def metrics(self) -> Path:
        return self.reports_dir / "metrics.json"

    @property
    def app_screenshot(self) -> Path:
        return self.figures_dir / "app.png"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def notebook(self) -> Path:
        return self.root / "notebooks" / "01-eda.ipynb"


SAMPLE_NAME = "synthetic sample"


@dataclass(frozen=True)
class Provenance:
    """What a run's data was: the real file (with its checksum) or the synthetic sample."""

    kind: str
    """``"file"`` or ``"sample"``."""
    name: str
    sha256: str | None
    source: str | None
    rows: int

    @classmethod
    def of_file(cls, path: Path, *, source: str, rows: int) -> "Provenance":
        return cls("file", path.name, sha256_of(path), source, rows)

    @classmethod
    def sample(cls, *, rows: int) -> "Provenance":
        return cls("sample", SAMPLE_NAME, None, None, rows)

    def save(self, paths: Paths) -> None:
        paths.provenance.parent.mkdir(parents=True, exist_ok=True)
        paths.provenance.write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, paths: Paths) -> "Provenance":
        try:
            return cls(**json.loads(paths.provenance.read_text()))
        except FileNotFoundError:
            raise ProjectError(
                f"{paths.provenance} is missing: run the data stage first "
                f"(`python -m {__package__} data`)."
            ) from None

    def label(self) -> str:
        if self.kind == "sample":
            return "SYNTHETIC SAMPLE"
        return f"{self.name} (sha256 {self.sha256[:8]}…)" if self.sha256 else self.name


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def params_digest(params: Any) -> str:
    """A short digest of every parameter, so results can be matched to the settings they used."""
    text = json.dumps(dataclasses.asdict(params), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def package_version() -> str:
    """The installed version, else (run from a checkout without installing) the version in the
    checkout's pyproject.toml."""
    try:
        return metadata.version(__package__.replace("_", "-"))
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        found = pyproject.is_file() and re.search(
            r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE
        )
        return f"{found[1]} (not installed)" if found else "not installed"


def dependency_versions() -> dict[str, str]:
    """Python's version and that of every declared dependency in this environment: what the
    results were computed with, since the project pins lower bounds only."""
    try:
        requirements = metadata.requires(__package__.replace("_", "-")) or []
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        block = re.search(r"^dependencies = \[$(.*?)^\]$", pyproject.read_text(), re.M | re.S)
        requirements = re.findall(r'"([^"]+)"', block[1]) if block else []
    names = {re.match(r"[A-Za-z0-9._-]+", r)[0] for r in requirements if "extra ==" not in r}
    versions = {"python": platform.python_version()}
    for name in sorted(names, key=str.lower):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_metrics(paths: Paths, metrics: dict[str, Any], params: Any) -> dict[str, Any]:
    """Write ``reports/metrics.json`` with the record of what produced it; return the dict."""
    record = dataclasses.asdict(Provenance.load(paths))
    record |= {"params_digest": params_digest(params), "package_version": package_version()}
    record["versions"] = dependency_versions()
    written = {**metrics, "provenance": record}
    paths.metrics.parent.mkdir(parents=True, exist_ok=True)
    paths.metrics.write_text(json.dumps(written, indent=2, allow_nan=False) + "\n")
    return written


def load_metrics(paths: Paths) -> dict[str, Any]:
    try:
        return json.loads(paths.metrics.read_text())
    except FileNotFoundError:
        raise ProjectError(
            f"{paths.metrics} is missing: run the pipeline first (`python -m {__package__} all`)."
        ) from None


def is_sample(metrics: dict[str, Any]) -> bool:
    return metrics["provenance"]["kind"] == "sample"


def stale_results(paths: Paths, params: Any) -> str | None:
    """Why the committed results no longer match the settings or the data, or None if they do."""
    if not paths.metrics.exists():
        return None
    record = load_metrics(paths).get("provenance", {})
    advice = "run `make all` and commit"
    if record.get("params_digest") != params_digest(params):
        return f"the results were made with other settings: {advice}"
    data_file = paths.raw_dir / str(record.get("name"))
    changed = data_file.is_file() and sha256_of(data_file) != record.get("sha256")
    if record.get("kind") == "file" and changed:
        return f"the results were made from another data file: {advice}"
    return None


@dataclass(frozen=True)
class Context:
    """What every stage receives: where the files are, the parameters, and how to report."""

    paths: Paths
    params: Any
    sample: bool = False
    input: Path | None = None
    say: Callable[[str], None] = print


@dataclass(frozen=True)
class Stage:
    """A pipeline stage: its command, one line of help, and the module whose ``STAGES`` maps
    the name to the function that runs it. The module is imported when the stage runs, so
    ``--help`` stays instant however heavy the science is."""

    name: str
    help: str
    module: str

    def run(self, context: Context) -> None:
        importlib.import_module(self.module).STAGES[self.name](context)


def _say(message: str) -> None:
    typer.echo(f"  {message}")


@contextmanager
def user_errors() -> Iterator[None]:
    """The one error boundary: a user error is one red line and exit 1; Ctrl-C exits 130."""
    try:
        yield
    except ProjectError as error:
        typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.secho("Interrupted.", err=True)
        raise typer.Exit(130) from None


def run_stages(stages: Sequence[Stage], context: Context, *, numbered: bool = True) -> float:
    """Run ``stages`` in order with the project's progress lines; return the seconds taken."""
    total = time.perf_counter()
    if context.input is not None:
        typer.echo(f"Input: {context.input}")
    for number, stage in enumerate(stages, start=1):
        label = f"[{number}/{len(stages)}] {stage.name}" if numbered else stage.name
        typer.echo(f"{label} …")
        start = time.perf_counter()
        with user_errors():
            stage.run(context)
        typer.echo(f"{label} done in {time.perf_counter() - start:.1f} s")
    return time.perf_counter() - total


Root = Annotated[
    Path | None,
    typer.Option("--root", help="Project folder to read and write (default: this checkout)."),
]
Sample = Annotated[
    bool,
    typer.Option("--sample", help="Use a small synthetic sample (no download); reports say so."),
]


def run_notebook(paths: Paths) -> bool:
    """Run the notebook on this run's results, so it is committed with its outputs. Without the
    notebook's libraries it is skipped with a warning (returns False); a failing cell fails the
    command, since the committed notebook would no longer match the results."""
    from .showcase import execute_notebook

    if importlib.util.find_spec("nbclient") is None:
        typer.secho(
            'The notebook was not run: it needs pip install -e ".[dev]".',
            err=True,
            fg=typer.colors.YELLOW,
        )
        return False
    typer.echo("notebook …")
    start = time.perf_counter()
    try:
        execute_notebook(paths.notebook, root=paths.root)
    except ProjectError as error:
        typer.secho(
            f"Error: {error}\nThe results are this run's; the notebook is not. Fix it, then "
            f"run `python -m {__package__} notebook`.",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1) from None
    typer.echo(f"notebook done in {time.perf_counter() - start:.1f} s: saved with its outputs")
    return True


def build_cli(
    *,
    help: str,
    stages: Sequence[Stage],
    paths: type[Paths],
    params: Callable[[], Any],
    results: Sequence[str],
    input_option: str | None = None,
) -> typer.Typer:
    """The project's commands: one per stage, ``all``, ``app``, ``notebook`` and ``screenshot``.

    ``results`` are the files ``all`` asks the user to commit; ``input_option`` (e.g. ``--csv``)
    adds a data-file option to the first stage and ``all``.
    """
    cli = typer.Typer(
        no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False, help=help
    )
    Input = Annotated[
        Path | None,
        typer.Option(input_option or "--input", help="Your data file.", dir_okay=False),
    ]

    def context(root: Path | None, sample: bool = False, data_file: Path | None = None) -> Context:
        where = paths(root.resolve()) if root else paths()
        return Context(where, params(), sample, data_file.resolve() if data_file else None, _say)

    def add_stage(stage: Stage, first: bool) -> None:
        if first and input_option:

            def command(sample: Sample = False, data_file: Input = None, root: Root = None) -> None:
                run_stages([stage], context(root, sample, data_file), numbered=False)
        elif first:

            def command(sample: Sample = False, root: Root = None) -> None:
                run_stages([stage], context(root, sample), numbered=False)
        else:

            def command(root: Root = None) -> None:
                run_stages([stage], context(root), numbered=False)

        cli.command(name=stage.name, help=stage.help)(command)

    for index, stage in enumerate(stages):
        add_stage(stage, index == 0)

    def finish(ctx: Context, seconds: float) -> None:
        typer.echo(f"All {len(stages)} stages done in {seconds:.1f} s.")
        if ctx.sample:
            typer.secho(
                "These results come from the SYNTHETIC SAMPLE: do not commit them.",
                fg=typer.colors.YELLOW,
            )
            return
        committed = list(results)
        if ctx.paths.notebook.is_file() and run_notebook(ctx.paths):
            committed.append(ctx.paths.notebook.relative_to(ctx.paths.root).as_posix())
        typer.echo(
            f"Commit the results: git add {' '.join(committed)} && "
            'git commit -m "Results of the pipeline"'
        )

    if input_option:

        @cli.command(name="all")
        def run_all_with_input(
            sample: Sample = False, data_file: Input = None, root: Root = None
        ) -> None:
            """Every stage in order, then the notebook and the line to commit the results."""
            ctx = context(root, sample, data_file)
            finish(ctx, run_stages(stages, ctx))
    else:

        @cli.command(name="all")
        def run_all(sample: Sample = False, root: Root = None) -> None:
            """Every stage in order, then the notebook and the line to commit the results."""
            ctx = context(root, sample)
            finish(ctx, run_stages(stages, ctx))

    @cli.command(name="app")
    def serve(root: Root = None) -> None:
        """Serve the Streamlit app."""
        where = context(root).paths.root
        script = Path(__file__).with_name("app.py")
        command = [sys.executable, "-m", "streamlit", "run", str(script)]
        env = {**os.environ, ROOT_VARIABLE: str(where)}
        with user_errors():
            raise typer.Exit(subprocess.call(command, cwd=where, env=env))

    @cli.command(name="notebook")
    def notebook(root: Root = None) -> None:
        """Run notebooks/01-eda.ipynb in place, so it is saved with its outputs."""
        from .showcase import execute_notebook

        where = context(root).paths
        with user_errors():
            execute_notebook(where.notebook, root=where.root)
        typer.echo(f"Executed {where.notebook} with its outputs.")

    @cli.command(name="screenshot")
    def screenshot(root: Root = None) -> None:
        """Serve the app, open it in headless Chromium and save reports/figures/app.png."""
        from .showcase import screenshot_app, show_screenshot

        where = context(root).paths
        with user_errors():
            screenshot_app(Path(__file__).with_name("app.py"), where.root, where.app_screenshot)
            typer.echo(f"Saved {where.app_screenshot}.")
            show_screenshot(where, typer.echo)

    return cli
