"""The `mlscaffold` command: parses arguments, calls the library, reports the result."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from mlscaffold import __version__
from mlscaffold.errors import MlscaffoldError


class _PlainValue:
    """Typer's coercion for a flag or a plain string: what the command line gave, as is.
    Typer otherwise builds a pydantic adapter for every such parameter, even ``--help``, and
    importing pydantic for that is most of the time ``list`` and ``info`` would take."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        return value if value is None else self.kind(value)


_PLAIN = {bool: _PlainValue(bool), str: _PlainValue(str)}


class _PlainStrings:
    """A repeatable string option (``--data``): the strings given, as a list."""

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        return value if value is None else [str(item) for item in value]


class _PlainPath:
    """A path: ``Path(value)`` when typer's checks (file or folder, readable...) pass, as
    typer's coercion gives; otherwise typer's coercion, built then, reports what fails. So no
    pydantic for a path that is fine."""

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor
        info = self.info = descriptor.parameter_info
        self.checked_here = not (
            info.exists or info.resolve_path or info.allow_dash or info.path_type is not None
        )

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return None
        if self.checked_here and self._passes(value):
            return Path(value)
        from typer._coercion import build_runtime_param

        return build_runtime_param(self.descriptor).coerce(value, param=param, ctx=ctx)

    def _passes(self, value: Any) -> bool:
        """What typer's coercion checks of a path that need not exist."""
        info = self.info
        try:
            mode = os.stat(value).st_mode
        except (OSError, ValueError):
            return True  # typer takes it as it is
        return not (
            (not info.file_okay and stat.S_ISREG(mode))
            or (not info.dir_okay and stat.S_ISDIR(mode))
            or (info.readable and not os.access(value, os.R_OK))
            or (info.writable and not os.access(value, os.W_OK))
        )


class _FlagsWithoutTypes:
    """Help that shows no ``<bool>`` after flags (``--force``, ``--help``): they take no value.
    Flags, strings and paths are taken as they are, without pydantic (`_PlainValue`,
    `_PlainStrings`, `_PlainPath`)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is None or getattr(param, "_runtime_param", 0) is not None:
                continue
            annotation = descriptor.annotation
            if param.multiple:
                if annotation == list[str]:
                    param._runtime_param = _PlainStrings()
            elif annotation is Path:
                param._runtime_param = _PlainPath(descriptor)
            elif plain := _PLAIN.get(annotation):
                param._runtime_param = plain
        return params


class _Command(_FlagsWithoutTypes, TyperCommand):
    pass


class _Group(_FlagsWithoutTypes, TyperGroup):
    pass


app = typer.Typer(
    name="mlscaffold",
    cls=_Group,
    help="Generate ready-to-run machine-learning portfolio repositories from guided projects.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="KEY=VALUE",
        help="Answer a question (repeatable); comma-separate several choices.",
    ),
]
PretendOption = Annotated[
    bool, typer.Option("--pretend", help="Show what would be written; write nothing.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mlscaffold {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Generate ready-to-run machine-learning portfolio repositories from guided projects."""


@contextlib.contextmanager
def _reported_errors(quiet: bool = False) -> Iterator[None]:
    """Show user errors as one red line on stderr (exit 1); Ctrl-C ends quietly (exit 130).
    Anything else is a bug and keeps its traceback. Progress notes (waiting for the template
    store's lock) go to stderr unless ``quiet``."""
    notes = logging.StreamHandler()  # stderr, as it is when the command runs
    notes.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("mlscaffold")
    logger.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.addHandler(notes)
    try:
        yield
    except MlscaffoldError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        copier_errors = sys.modules.get("copier.errors")
        if copier_errors is not None and isinstance(error, copier_errors.UserMessageError):
            _fail(str(error))
        raise
    finally:
        logger.removeHandler(notes)


def _fail(message: str) -> None:
    typer.secho(f"Error: {' '.join(message.split())}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("list", cls=_Command, short_help="List the templates and what each builds.")
def list_templates() -> None:
    """List the templates: the guided project each reproduces, what it builds, its data."""
    from mlscaffold.catalog import describe_templates

    # Plain lines, as `info` prints them: a table library would be most of this command's time.
    with _reported_errors():
        for number, template in enumerate(describe_templates()):
            if number:
                typer.echo()
            typer.secho(template.name, bold=True)
            typer.echo(f"  Guided project: {template.guided_project}")
            typer.echo(f"  Builds: {template.builds}")
            typer.echo(f"  Dataset: {template.dataset}")


@app.command(cls=_Command, short_help="Show a template and the questions it asks.")
def info(
    template: Annotated[str, typer.Argument(help="Template name, e.g. segmentation.")],
) -> None:
    """Show what a template builds and every question it asks."""
    from mlscaffold.catalog import get_template

    with _reported_errors():
        found = get_template(template)
        typer.secho(found.name, bold=True)
        typer.echo(f"Guided project: {found.guided_project}")
        typer.echo(f"Builds: {found.builds}")
        typer.echo(f"Dataset: {found.dataset}")
        typer.echo("\nQuestions (answer with --data KEY=VALUE):")
        for question in found.questions:
            kind = f"{question.type}, several of" if question.multiselect else question.type
            if question.choices:
                kind += f": {' | '.join(map(str, question.choices))}"
            typer.echo(f"  {question.name} ({kind})")
            typer.echo(f"      {question.help}")
            typer.echo(f"      default: {_show(question.default)}")


def _show(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


@app.command(cls=_Command, short_help="Generate a project from a template.")
def new(
    template: Annotated[str, typer.Argument(help="Template name; see `mlscaffold list`.")],
    dest: Annotated[
        Path | None,
        typer.Argument(help="Folder to create. Default: the project's slug, here."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-y", help="Answer every question with its default.")
    ] = False,
    data: DataOption = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", help="YAML file of answers (key: value).", dir_okay=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that is not empty.")
    ] = False,
    pretend: PretendOption = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Do not make the project a git repository.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Generate a project from a template, as a git repository with one initial commit."""
    from mlscaffold.answers import parse_data, read_data_file
    from mlscaffold.catalog import get_template
    from mlscaffold.generate import author_defaults, new_project

    with _reported_errors(quiet):
        answers = read_data_file(data_file) if data_file else {}
        answers.update(parse_data(data or []))
        # Questions need a terminal; in a pipe or CI the defaults answer them.
        if not defaults and sys.stdin.isatty():
            from mlscaffold.prompts import ask_questions

            found = get_template(template)
            answers = ask_questions(
                found, answers, defaults=author_defaults(found, dest or Path.cwd())
            )
        project = new_project(
            template,
            dest,
            data=answers,
            defaults=True,
            force=force,
            pretend=pretend,
            init_git=not no_git,
            quiet=quiet,
        )
    if pretend or quiet:
        return
    repository = " (git repository, initial commit made)" if project.git else ""
    typer.secho(
        f"Created {project.path} from the {project.template} template "
        f"(version {project.version}){repository}.",
        fg=typer.colors.GREEN,
    )
    typer.echo("Next steps:")
    for step in project.next_steps:
        typer.echo(f"  {step}")


@app.command(cls=_Command, short_help="Bring a project to the newest template version.")
def update(
    path: Annotated[Path, typer.Argument(help="The generated project.", file_okay=False)] = Path(
        "."
    ),
    conflict: Annotated[
        str,
        typer.Option(help="How to show conflicts: 'inline' markers or 'rej' files."),
    ] = "inline",
    data: DataOption = None,
    pretend: PretendOption = False,
    quiet: QuietOption = False,
) -> None:
    """Bring a generated project to the newest template version, keeping your edits."""
    from mlscaffold.answers import parse_data
    from mlscaffold.update import update_project

    with _reported_errors(quiet):
        result = update_project(
            path, data=parse_data(data or []), conflict=conflict, pretend=pretend, quiet=quiet
        )
    if pretend or quiet:
        return
    if result.old_version == result.new_version and not result.changed:
        typer.echo(f"Already up to date (template version {result.new_version}).")
        return
    typer.secho(
        f"Updated {result.path} from template version {result.old_version} "
        f"to {result.new_version}.",
        fg=typer.colors.GREEN,
    )
    typer.echo(f"Changed files ({len(result.changed)}):")
    for name in result.changed:
        typer.echo(f"  {name}")
    if result.kept:
        typer.secho(
            f"Kept because you edited them, though the template no longer has them "
            f"({len(result.kept)}):",
            fg=typer.colors.YELLOW,
        )
        for name in result.kept:
            typer.echo(f"  {name}")
    if result.conflicts:
        typer.secho(f"Conflicts to resolve ({len(result.conflicts)}):", fg=typer.colors.YELLOW)
        for name in result.conflicts:
            typer.echo(f"  {name}")
    typer.echo("Review with `git diff`, then commit.")
