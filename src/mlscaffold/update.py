"""Bring a generated project to the newest template version with `copier update`."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlscaffold.answers import ANSWERS_FILE, copier_call, prepare, read_project_answers
from mlscaffold.catalog import TEMPLATE_QUESTION, get_template
from mlscaffold.changelog import CHANGELOG, entries_between
from mlscaffold.copierload import import_copier
from mlscaffold.errors import MlscaffoldError
from mlscaffold.gitutil import dirty_files, git, is_repository_root
from mlscaffold.store import StoreVersion, ensure_store, fetch_history, has_revision

CONFLICT_MODES = ("inline", "rej")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateResult:
    """What an update did: from which template version to which, and to which files."""

    path: Path
    old_version: str
    new_version: str
    changed: list[str]
    conflicts: list[str]
    # Files the new template version no longer has but you had edited: kept, for you to decide.
    kept: list[str] = field(default_factory=list)


def update_project(
    path: Path,
    *,
    data: dict[str, Any] | None = None,
    conflict: str = "inline",
    pretend: bool = False,
    quiet: bool = False,
) -> UpdateResult:
    """Update the project at ``path``; its git tree must be clean.

    ``data`` holds raw answers to change (``--data`` strings); they are checked as `new`
    checks them.
    """
    if conflict not in CONFLICT_MODES:
        raise MlscaffoldError(f"--conflict takes 'inline' or 'rej', not '{conflict}'.")
    path = path.absolute()
    recorded = read_project_answers(path)
    changes = {}
    if data:  # the template's questions are read only when there are answers to check
        template = get_template(str(recorded.get(TEMPLATE_QUESTION, "")))
        changes = prepare(template, data, context=recorded)
    if not is_repository_root(path):
        raise MlscaffoldError(
            f"{path} is not the root of a git repository, and copier update needs one. "
            'Run: git init && git add --all && git commit -m "Generated project"'
        )
    if dirty := dirty_files(path):
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise MlscaffoldError(
            f"{path} has uncommitted changes ({shown}). Commit or stash them first, so the "
            "update can be reviewed and undone with git."
        )
    store = ensure_store()
    _check_source(recorded, store)
    old_version = str(recorded["_commit"])
    if old_version == store.tag and not changes:
        # Nothing new and nothing to change: copier would rewrite every file to the same text.
        return UpdateResult(path, old_version, old_version, [], [])

    if notes := entries_between(store.content or store.path, old_version, store.tag):
        log.info(f"What template version {store.tag} brings (from {CHANGELOG}):")
        log.info("\n\n".join(notes))

    # Imported here (`mlscaffold --help` must stay instant), without its prompt libraries.
    run_update = import_copier().run_update

    with copier_call():
        run_update(
            path,
            data=changes,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            conflict=conflict,
            pretend=pretend,
            quiet=quiet,
            unsafe=False,
        )
    if pretend:
        return UpdateResult(path, old_version, store.tag, [], [])
    kept = _keep_edited_removals(path, store, old_version, recorded)
    changed = dirty_files(path)
    return UpdateResult(
        path=path,
        old_version=old_version,
        new_version=str(read_project_answers(path).get("_commit")),
        changed=changed,
        conflicts=_conflicts(path, changed, conflict),
        kept=kept,
    )


def _check_source(answers: dict[str, Any], version: StoreVersion) -> None:
    store = version.path
    source = Path(str(answers["_src_path"])).expanduser()
    commit = answers.get("_commit")
    if source.resolve() != store.resolve():
        raise MlscaffoldError(
            f"This project's templates come from {answers['_src_path']}, not from this "
            f"machine's template store ({store}). Set MLSCAFFOLD_HOME to the folder that holds "
            "that store, or run plain `copier update` if that source exists."
        )
    if not commit:
        raise MlscaffoldError(
            f"{ANSWERS_FILE} records no template version (_commit), so copier cannot tell what "
            "changed. Re-apply the newest templates with `copier recopy` and review `git diff`."
        )
    if str(commit) != version.tag and not has_revision(store, str(commit)):
        fetch_history(store)  # a store made before this mlscaffold carried the history
    if str(commit) != version.tag and not has_revision(store, str(commit)):
        raise MlscaffoldError(
            f"This project was made with template version {commit}, which this machine's "
            f"template store ({store}) does not have: it was generated on another machine or "
            "by another mlscaffold version. Run `mlscaffold new` once with the mlscaffold "
            "version that made it to store that version here, or re-apply the newest "
            "templates with `copier recopy` and review `git diff`."
        )


def _keep_edited_removals(
    path: Path, store: StoreVersion, old_version: str, recorded: dict[str, Any]
) -> list[str]:
    """Put back the files the update deleted that the user had edited, and name them.

    copier deletes a file the new template version drops, edited or not; an edited one is the
    user's work, not the template's to delete. Edited means: it differs from what the old
    template version renders with the project's answers.
    """
    deleted = git(path, "diff", "HEAD", "--name-only", "--diff-filter=D").stdout.splitlines()
    if not deleted:
        return []
    from copier import run_copy

    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory() as scratch, copier_call():
        original = Path(scratch) / "original"
        run_copy(
            store.src_path, original, data=answers, defaults=True, vcs_ref=old_version,
            quiet=True, unsafe=False,
        )  # fmt: skip
        kept = []
        for name in deleted:
            generated = original / name
            ours = git(path, "show", f"HEAD:{name}", text=False).stdout
            if not generated.is_file() or generated.read_bytes() != ours:
                git(path, "checkout", "HEAD", "--", name)
                kept.append(name)
    return sorted(kept)


def _conflicts(path: Path, changed: list[str], mode: str) -> list[str]:
    if mode == "rej":
        return sorted(name for name in changed if name.endswith(".rej"))
    found = []
    for name in changed:
        file = path / name
        if file.is_file():
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                continue
            if any(line.startswith("<<<<<<< ") for line in lines):
                found.append(name)
    return sorted(found)
