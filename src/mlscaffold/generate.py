"""Generate a project: copier renders from the template store into a staging folder, the result
becomes a git repository, and only then is it moved into place.

Whatever happens before the move leaves the destination untouched: the staging folder is
removed on failure, and one left by a killed run is removed by the next run beside it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold.answers import (
    ANSWERS_FILE,
    copier_call,
    git_hidden_from_copier,
    prepare,
    read_yaml_mapping,
    record_source,
)
from mlscaffold.catalog import TEMPLATE_QUESTION, Template, get_template, refusal
from mlscaffold.copierload import import_copier
from mlscaffold.errors import MlscaffoldError, os_errors
from mlscaffold.gitutil import git, identity, require_git
from mlscaffold.staging import is_staging, locked_folder, remove_stale, staging_folder
from mlscaffold.store import ensure_store

# The longest file name most file systems take.
_NAME_MAX = 255


@dataclass(frozen=True)
class NewProject:
    """What `new` made: where, from which template version, with which answers."""

    path: Path
    template: str
    version: str
    answers: dict[str, Any]
    next_steps: list[str]
    git: bool


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
    """Generate ``template_name`` into ``dest`` (default: the project's slug in the cwd).

    ``dest`` may be an existing empty folder (the current one, too): the project is written
    into it in place. ``data`` holds raw answers (``--data`` strings, answers-file values).
    """
    template = get_template(template_name)
    answers = prepare(template, data or {})
    target = check_destination(dest, force=force) if dest is not None else None
    require_git()
    store = ensure_store()
    answers[TEMPLATE_QUESTION] = template.name

    # Imported here (`mlscaffold --help` must stay instant), without its prompt libraries.
    run_copy = import_copier().run_copy

    cwd = Path.cwd()
    user = identity(_existing_ancestor(target or cwd))
    copy_options: dict[str, Any] = {
        "data": answers,
        "defaults": defaults,
        "user_defaults": identity_defaults(template, user),
        "quiet": quiet,
        "unsafe": False,
    }
    # Rendered from a folder with the tag's content, not from a clone of the store at the tag
    # (copier's slowest step); the answers file then records the store and tag, as a render
    # from the store would.
    source = str(store.content) if store.content else store.src_path
    if not store.content:
        copy_options["vcs_ref"] = store.tag
    if pretend:
        shown = target or cwd / "<project-slug>"
        with copier_call(store.tag):
            worker = run_copy(source, shown, pretend=True, **copy_options)
        return NewProject(shown, template.name, store.tag, worker.answers.combined, [], False)

    # Staged inside an existing destination (its parent may not be writable), else beside it,
    # so that moving the project into place is a rename.
    parent = target if target is not None and target.is_dir() else None
    parent = parent or _existing_ancestor(target.parent if target is not None else cwd)
    with os_errors("write the project"), staging_folder(parent) as staging:
        rendered = staging / "project"
        with copier_call(store.tag), git_hidden_from_copier() if store.content else nullcontext():
            run_copy(source, rendered, **copy_options)
        if store.content:
            record_source(rendered / ANSWERS_FILE, commit=store.tag, src_path=store.src_path)
        recorded = read_yaml_mapping(rendered / ANSWERS_FILE, what="The answers file", fix="")
        if target is None:
            target = check_destination(cwd / recorded["project_slug"], force=force)
        made_git = init_git and not (target / ".git").exists()
        if made_git:
            _initial_commit(rendered, template.name, store.tag, recorded, user)
        _move_into_place(rendered, target, force=force)
    return NewProject(target, template.name, store.tag, recorded, _next_steps(target), made_git)


def check_destination(dest: Path, *, force: bool) -> Path:
    """``dest`` as an absolute path, once it is known that the project can be written there."""
    path = Path(os.path.abspath(dest))
    if too_long := [part for part in path.parts if len(os.fsencode(part)) > _NAME_MAX]:
        raise MlscaffoldError(
            f"The folder name '{too_long[0][:40]}...' is longer than the {_NAME_MAX} bytes a "
            "file system allows. Choose a shorter name."
        )
    if path.is_symlink() and not path.exists():
        raise MlscaffoldError(
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist. "
            "Remove the link or choose another destination."
        )
    if path.exists():
        if not path.is_dir():
            raise MlscaffoldError(f"{path} exists and is not a folder. Choose another destination.")
        remove_stale(path)
        if _entries(path) and not force:
            raise MlscaffoldError(
                f"{path} already exists and is not empty. Choose another destination, "
                "or pass --force to write into it (files with the same names are overwritten)."
            )
        if not os.access(path, os.W_OK | os.X_OK):
            raise MlscaffoldError(f"Cannot write into {path}: permission denied.")
        return path
    ancestor = _existing_ancestor(path.parent)
    if not ancestor.is_dir():
        raise MlscaffoldError(
            f"Cannot create {path}: {ancestor} is a file, not a folder. Choose another destination."
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise MlscaffoldError(
            f"Cannot create {path}: no permission to write in {ancestor}. "
            "Choose another destination."
        )
    return path


def author_defaults(template: Template, where: Path) -> dict[str, str]:
    """The default author answers for a project made in ``where``: the git identity there."""
    require_git()
    return identity_defaults(template, identity(_existing_ancestor(where.absolute())))


def identity_defaults(template: Template, user: dict[str, str]) -> dict[str, str]:
    """The user's git name and e-mail as default answers, where the template accepts them."""
    questions = {question.name: question for question in template.questions}
    defaults = {}
    for field, value in user.items():
        name = f"author_{field}"
        if name in questions and not refusal(template, questions[name], value, {}):
            defaults[name] = value
    return defaults


def _entries(folder: Path) -> list[Path]:
    """What a folder holds, apart from staging folders of runs in progress."""
    return [entry for entry in folder.iterdir() if not is_staging(entry)]


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _initial_commit(
    project: Path, template: str, version: str, answers: dict[str, Any], user: dict[str, str]
) -> None:
    """One initial commit, so `copier update` works at once; without a git identity the
    commit is made as the project's author."""
    # main, the branch the generated CI runs on (and GitHub's default), not git's own default.
    git(project, "init", "--quiet", "--initial-branch=main")
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
        # No background housekeeping for a one-commit repository: it only costs a process.
        *("-c", "maintenance.auto=false", "-c", "gc.auto=0"),
        *("commit", "--quiet", "--no-verify"),
        *("-m", f"Generate from the mlscaffold {template} template ({version})"),
        env=env,
    )


def _move_into_place(rendered: Path, dest: Path, *, force: bool) -> None:
    """Move the rendered project to ``dest``, checking again, at the move, that nothing else
    was written there meanwhile (another run into the same folder, say)."""
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(rendered, dest)  # atomic; refused if dest appeared and is not empty
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                raise _appeared(dest) from None
            raise
        return
    # An existing folder is filled in place, so a shell inside it stays where it is.
    with locked_folder(dest):
        present = _entries(dest)
        if present and not force:
            raise _appeared(dest)
        if present:
            _overwrite(rendered, dest)
            return
        moved: list[Path] = []
        try:
            for entry in rendered.iterdir():
                os.rename(entry, dest / entry.name)
                moved.append(entry)
        except BaseException:
            for entry in moved:  # put back what was moved: the folder stays empty
                os.rename(dest / entry.name, entry)
            raise


def _overwrite(rendered: Path, dest: Path) -> None:
    """--force: write the project over a folder with files, after checking that no file of the
    project is a folder there (or the other way round), so nothing is written half."""
    clashes = []
    for source in sorted(rendered.rglob("*")):
        relative = source.relative_to(rendered)
        if relative.parts[0] == ".git":
            continue
        there = dest / relative
        if there.exists() and source.is_dir() != there.is_dir():
            clashes.append(relative.as_posix())
    if clashes:
        kinds = "folder" if (dest / clashes[0]).is_dir() else "file"
        raise MlscaffoldError(
            f"Cannot write the project into {dest}: {clashes[0]} is a {kinds} there "
            f"and the project needs the other kind"
            f"{f' (and {len(clashes) - 1} more)' if len(clashes) > 1 else ''}. "
            "Move it away or choose another destination."
        )
    # An existing repository is kept: the project's files become changes in it.
    ignore = shutil.ignore_patterns(".git") if (dest / ".git").exists() else None
    shutil.copytree(rendered, dest, dirs_exist_ok=True, ignore=ignore, symlinks=True)


def _appeared(dest: Path) -> MlscaffoldError:
    return MlscaffoldError(
        f"{dest} is no longer empty: something else wrote into it while the project was being "
        "generated. Nothing was written; choose another destination."
    )


def _next_steps(project: Path) -> list[str]:
    """The generated README's two opening commands, so this never drifts from the template."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    commands = block.group(1).strip().splitlines() if block else []
    return [f"cd {project}", *commands]
