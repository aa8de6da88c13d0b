"""The versioned template store: the bundled templates as a git repository with PEP 440 tags.

Copier can only update a project from a git repository with version tags, so every version
of the bundled templates is committed and tagged here, history kept, and projects are
generated from (and updated against) this repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlscaffold import __version__
from mlscaffold.catalog import templates_root
from mlscaffold.errors import MlscaffoldError, os_errors
from mlscaffold.gitutil import TOOL_IDENTITY, git
from mlscaffold.staging import locked

log = logging.getLogger(__name__)

HISTORY = "templates.bundle"

# Files that are never template content.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


@dataclass(frozen=True)
class StoreVersion:
    """The store, and the tag that holds the bundled templates of this mlscaffold."""

    path: Path
    tag: str
    # A folder with exactly the tag's content (the bundled templates): rendering from it gives
    # what rendering the tag from the store gives, without cloning the store first.
    content: Path | None = None

    @property
    def src_path(self) -> str:
        """What copier records as ``_src_path``: ``~/...`` under the home folder, so the same
        project updates on a teammate's machine; absolute elsewhere."""
        try:
            return "~/" + self.path.relative_to(Path.home()).as_posix()
        except ValueError:
            return str(self.path)


def home() -> Path:
    """mlscaffold's own folder: ``$MLSCAFFOLD_HOME``, else ``~/.mlscaffold``."""
    return Path(os.environ.get("MLSCAFFOLD_HOME") or "~/.mlscaffold").expanduser().absolute()


def store_path() -> Path:
    return home() / "templates"


def history_bundle() -> Path | None:
    """The git bundle of every released template version that this mlscaffold carries (one
    commit and tag per release), if any: stores are filled from it, so a project made with any
    earlier release updates on any machine, offline."""
    bundle = Path(__file__).resolve().parent / "history" / HISTORY
    return bundle if bundle.is_file() else None


def fetch_history(store: Path | None = None) -> None:
    """Bring the released versions of the history bundle into the store (tags it lacks)."""
    store = store or store_path()
    bundle = history_bundle()
    if bundle is None or not _is_repository(store):
        return
    with os_errors(f"update the template store in {home()}"), _locked():
        _fetch(store, bundle)


def _fetch(store: Path, bundle: Path) -> None:
    # Tags the store already has are kept (a project may be made from them): no --force.
    git(store, "fetch", "--quiet", "--no-tags", str(bundle), "refs/tags/*:refs/tags/*",
        check=False)  # fmt: skip


def ensure_store(bundled: Path | None = None, version: str | None = None) -> StoreVersion:
    """Make sure the store holds the bundled templates under a tag, and return that tag.

    ``version`` (default: mlscaffold's own) names the tag of new content.
    Fast when nothing changed: a digest of the bundled files is compared with the one
    recorded after the last successful sync, without running git.
    """
    bundled = bundled or templates_root()
    version = version or __version__
    store = store_path()
    digest = _digest(bundled)
    if (recorded := _recorded(digest)) is not None:
        return StoreVersion(store, recorded, bundled)
    with os_errors(f"update the template store in {home()}"), _locked():
        # Another process may have synced while we waited for the lock.
        if (recorded := _recorded(digest)) is not None:
            return StoreVersion(store, recorded, bundled)
        tag = _sync(bundled, store, version, history_bundle())
        _write_state({"digest": digest, "tag": tag})
    return StoreVersion(store, tag, bundled)


def has_revision(store: Path, revision: str) -> bool:
    """Whether the store holds ``revision`` (a tag, or a ``git describe`` string)."""
    completed = git(
        store, "rev-parse", "--quiet", "--verify", f"{revision}^{{commit}}", check=False
    )
    return completed.returncode == 0


def _sync(bundled: Path, store: Path, version: str, history: Path | None = None) -> str:
    store.mkdir(parents=True, exist_ok=True)
    if not _is_repository(store):
        # Never made, or interrupted while git made it: nothing in it can be used.
        broken = store / ".git"
        if broken.is_dir():
            shutil.rmtree(broken)
        else:
            broken.unlink(missing_ok=True)
        git(store, "init", "--quiet")
    if history is not None:
        _fetch(store, history)
    # We hold the store lock, so an index.lock left by an interrupted run is stale.
    (store / ".git" / "index.lock").unlink(missing_ok=True)
    for child in store.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(bundled, store, ignore=_IGNORED, dirs_exist_ok=True)
    # --force: a global gitignore of the user (data/, models/...) must not drop template files.
    git(store, "add", "--all", "--force")
    if released := _released_as(store, version):
        return released
    has_head = git(store, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0
    if not has_head and (base := _newest_release(store, version)):
        # A fresh store filled from the history: new content continues the released line.
        git(store, "reset", "--quiet", "--soft", base)
        has_head = True
    changed = not has_head or git(store, "diff", "--cached", "--quiet", check=False).returncode
    if not changed and (current := _tags_at_head(store)):
        return current[-1]
    tag = _free_tag(store, version)
    if changed:
        git(
            store,
            *("-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify"),
            *("-m", f"Templates of mlscaffold {version} ({tag})"),
            env=TOOL_IDENTITY,
        )
    git(store, "-c", "tag.gpgsign=false", "tag", tag, env=TOOL_IDENTITY)
    return tag


def _newest_release(store: Path, version: str) -> str | None:
    """The tag new content of ``version`` follows in a fresh store: ``version`` itself if the
    history has it, else the newest released version before it (None in an empty store)."""
    from packaging.version import InvalidVersion, Version

    if has_revision(store, version):
        return version
    try:
        limit = Version(version)
    except InvalidVersion:
        limit = None
    released = []
    for tag in git(store, "tag", "--list").stdout.split():
        try:
            parsed = Version(tag)
        except InvalidVersion:
            continue
        if limit is None or parsed < limit:
            released.append((parsed, tag))
    return max(released)[1] if released else None


def released_versions(bundle: Path | None = None) -> list[str]:
    """The versions the history bundle holds (oldest first): every release before this one
    and, in a released mlscaffold, this one."""
    from packaging.version import Version

    bundle = bundle or history_bundle()
    if bundle is None:
        return []
    heads = git(bundle.parent, "bundle", "list-heads", str(bundle)).stdout.split()
    tags = [ref.removeprefix("refs/tags/") for ref in heads if ref.startswith("refs/tags/")]
    return sorted(tags, key=Version)


def _released_as(store: Path, version: str) -> str | None:
    """``version`` if the history released it with exactly the staged content (then the
    store's branch moves to it), else None."""
    if not has_revision(store, version):
        return None
    staged = git(store, "write-tree").stdout.strip()
    if git(store, "rev-parse", f"{version}^{{tree}}").stdout.strip() != staged:
        return None
    git(store, "reset", "--quiet", "--soft", version)
    return version


def extend_history(bundle: Path, templates: Path, version: str) -> None:
    """Release time: add ``templates`` as version ``version`` to the history ``bundle`` (made
    if missing), as one commit and tag on top of the earlier releases."""
    bundle, templates = bundle.absolute(), templates.absolute()
    with tempfile.TemporaryDirectory() as work:
        store = Path(work) / "store"
        store.mkdir()
        git(store, "init", "--quiet")
        tag = _sync(templates, store, version, bundle if bundle.is_file() else None)
        if tag != version:
            raise MlscaffoldError(f"The history already has a different version {version}.")
        partial = bundle.with_suffix(".partial")
        git(store, "bundle", "create", "--quiet", str(partial), "--tags")
        os.replace(partial, bundle)


def _is_repository(store: Path) -> bool:
    """Whether ``store/.git`` is a repository git can read (never a repository around it)."""
    if not (store / ".git").is_dir():
        return False
    checked = git(store, "--git-dir=.git", "rev-parse", "--git-dir", check=False)
    return checked.returncode == 0


def _free_tag(store: Path, version: str) -> str:
    """``version``, or the first free ``version.postN`` when it already names other content
    (a development checkout with edited templates): never reuse a tag for new content."""
    existing = set(git(store, "tag", "--list").stdout.split())
    tag, n = version, 0
    while tag in existing:
        n += 1
        tag = f"{version}.post{n}"
    return tag


def _tags_at_head(store: Path) -> list[str]:
    return sorted(git(store, "tag", "--points-at", "HEAD").stdout.split())


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _state_file() -> Path:
    return home() / "store.json"


def _recorded(digest: str) -> str | None:
    """The tag recorded for ``digest`` by the last sync, if the store still has it."""
    try:
        state = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    tag = state.get("tag")
    if state.get("digest") != digest or not isinstance(tag, str) or not tag:
        return None
    git_dir = store_path() / ".git"
    if (git_dir / "refs" / "tags" / tag).is_file():
        return tag
    packed = git_dir / "packed-refs"
    if packed.is_file() and f"refs/tags/{tag}\n" in packed.read_text(encoding="utf-8"):
        return tag
    return None


def _write_state(state: dict[str, str]) -> None:
    # Written last and atomically: an interrupted sync leaves no record, so the next run syncs.
    target = _state_file()
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, target)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """An exclusive lock on the store, so concurrent runs never interleave their git calls."""
    folder = home()
    if folder.exists() and not folder.is_dir():
        raise MlscaffoldError(
            f"{folder} is a file, but mlscaffold keeps its template store there. "
            "Move the file away, or set MLSCAFFOLD_HOME to another folder."
        )
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / "store.lock"
    if lock.is_dir():
        raise MlscaffoldError(f"{lock} is a folder, not mlscaffold's lock file. Remove it.")
    with locked(lock, wait=False) as free:
        if free:
            yield
            return
    log.warning("Waiting for another mlscaffold run to finish with the template store...")
    with locked(lock):
        yield
