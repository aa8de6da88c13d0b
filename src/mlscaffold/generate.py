"""Generate a project: copier renders from the template store into a temporary folder, the
result becomes a git repository, and only then is it moved into place."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlscaffold.catalog import TEMPLATE_QUESTION, Template, get_template
from mlscaffold.errors import MlscaffoldError
from mlscaffold.gitutil import git, identity, require_git
from mlscaffold.store import ensure_store

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class NewProject:
    """What `new` made: where, from which template version, with which answers."""

    path: Path
    template: str
    version: str
    answers: dict[str, Any]
    next_steps: list[str]
    git: bool


def parse_data(items: list[str], multiselect: Iterable[str] = ()) -> dict[str, Any]:
    """``KEY=VALUE`` strings as answers; the values of ``multiselect`` questions are split
    on commas."""
    answers: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise MlscaffoldError(f"--data takes KEY=VALUE, got '{item}'.")
        answers[key.strip()] = value
    for key in set(multiselect) & answers.keys():
        if isinstance(answers[key], str):
            answers[key] = [part.strip() for part in answers[key].split(",") if part.strip()]
    return answers


def read_data_file(path: Path) -> dict[str, Any]:
    """Answers from a YAML file of ``key: value`` pairs."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MlscaffoldError(f"Cannot read the answers file {path}: {error}") from error
    if not isinstance(loaded, dict):
        raise MlscaffoldError(f"The answers file {path} must hold 'key: value' lines.")
    return loaded


def check_answers(template: Template, answers: dict[str, Any]) -> None:
    """Refuse answers to questions the template does not ask (a typo would be ignored)."""
    if TEMPLATE_QUESTION in answers:
        raise MlscaffoldError(
            "The template is chosen by `mlscaffold new TEMPLATE`, "
            f"not by --data {TEMPLATE_QUESTION}=."
        )
    unknown = sorted(set(answers) - set(template.question_names()))
    if unknown:
        raise MlscaffoldError(
            f"Template '{template.name}' has no question {', '.join(map(repr, unknown))}. "
            f"Run `mlscaffold info {template.name}` to see its questions."
        )


def new_project(
    template_name: str,
    dest: Path | None = None,
    *,
    data: dict[str, Any] | None = None,
    defaults: bool = False,
    force: bool = False,
    pretend: bool = False,
    init_git: bool = True,
    quiet: bool = False,
) -> NewProject:
    """Generate ``template_name`` into ``dest`` (default: the project's slug in the cwd)."""
    template = get_template(template_name)
    answers = dict(data or {})
    check_answers(template, answers)
    if dest is not None:
        _check_destination(dest, force)
    require_git()
    store = ensure_store()
    answers[TEMPLATE_QUESTION] = template.name

    from copier import run_copy  # imported here: `mlscaffold --help` must stay instant

    # The staging folder sits beside the destination, so moving it into place is a rename.
    parent = dest.absolute().parent if dest is not None else Path.cwd()
    user = identity(_existing_ancestor(parent))
    copy_options: dict[str, Any] = {
        "data": answers,
        "defaults": defaults,
        "user_defaults": _identity_defaults(user),
        "vcs_ref": store.tag,
        "quiet": quiet,
        "unsafe": False,
    }
    if pretend:
        target = dest or Path.cwd() / "<project-slug>"
        worker = _copy(run_copy, store.src_path, target, pretend=True, **copy_options)
        return NewProject(target, template.name, store.tag, worker.answers.combined, [], False)

    staging = Path(tempfile.mkdtemp(prefix=".mlscaffold-", dir=_existing_ancestor(parent)))
    try:
        rendered = staging / "project"
        _copy(run_copy, store.src_path, rendered, **copy_options)
        recorded = yaml.safe_load((rendered / ANSWERS_FILE).read_text(encoding="utf-8"))
        if dest is None:
            dest = Path.cwd() / recorded["project_slug"]
            _check_destination(dest, force)
        made_git = init_git and not (dest / ".git").exists()
        if made_git:
            _initial_commit(rendered, template.name, store.tag, recorded, user)
        _move_into_place(rendered, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewProject(dest, template.name, store.tag, recorded, _next_steps(dest), made_git)


def _copy(run_copy: Any, src: str, dst: Path, **options: Any) -> Any:
    with refused_answers():
        return run_copy(src, dst, **options)


@contextlib.contextmanager
def refused_answers() -> Iterator[None]:
    """Turn copier's refusal of an answer into an MlscaffoldError with its message."""
    try:
        yield
    except ValueError as error:
        # copier reports an answer its validator refuses as a ValueError with this wording.
        message = str(error)
        if message.startswith(("Validation error for question", "Invalid choice for")):
            raise MlscaffoldError(message) from None
        raise


def _check_destination(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise MlscaffoldError(f"{dest} exists and is not a folder. Choose another destination.")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise MlscaffoldError(
            f"{dest} already exists and is not empty. Choose another destination, "
            "or pass --force to write into it (files with the same names are overwritten)."
        )


def _existing_ancestor(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _identity_defaults(user: dict[str, str]) -> dict[str, str]:
    """The user's git name and e-mail as default answers, when git knows them."""
    defaults = {}
    if name := user.get("name"):
        defaults["author_name"] = name
    email = user.get("email", "")
    if re.fullmatch(r"[^@ ]+@[^@ ]+[.][A-Za-z]{2,}", email):
        defaults["author_email"] = email
    return defaults


def _initial_commit(
    project: Path, template: str, version: str, answers: dict[str, Any], user: dict[str, str]
) -> None:
    """One initial commit, so `copier update` works at once; without a git identity the
    commit is made as the project's author."""
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    env = {}
    if not user.get("name") or not user.get("email"):
        env = {
            f"GIT_{role}_{field}": answers[f"author_{field.lower()}"]
            for role in ("AUTHOR", "COMMITTER")
            for field in ("NAME", "EMAIL")
        }
    git(
        project,
        *("commit", "--quiet", "--no-verify"),
        *("-m", f"Generate from the mlscaffold {template} template ({version})"),
        env=env,
    )


def _move_into_place(rendered: Path, dest: Path) -> None:
    if not dest.exists() or (dest.is_dir() and not any(dest.iterdir())):
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.rmdir()
        rendered.replace(dest)
        return
    # --force into a folder with files: copy over them; an existing repository is kept.
    ignore = shutil.ignore_patterns(".git") if (dest / ".git").exists() else None
    shutil.copytree(rendered, dest, dirs_exist_ok=True, ignore=ignore)


def _next_steps(project: Path) -> list[str]:
    """The generated README's two opening commands, so this never drifts from the template."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    commands = block.group(1).strip().splitlines() if block else []
    return [f"cd {project}", *commands]
