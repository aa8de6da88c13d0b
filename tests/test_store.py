"""The template store: one commit and tag per version, never stale, safe to share."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from helpers import TEMPLATES
from mlscaffold import __version__
from mlscaffold.store import ensure_store, has_revision, released_versions, store_path

# Every store starts with the releases this mlscaffold carries in its history.
RELEASED = released_versions()


def tags(*current: str) -> list[str]:
    """The tags a store holds: the released versions and ``current``, oldest first."""
    return sorted({*RELEASED, *current}, key=Version)


def git(repo: Path, *args: str) -> list[str]:
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return completed.stdout.split()


@pytest.fixture
def edited_templates(tmp_path) -> Path:
    """The bundled templates with one edit, as in a development checkout."""
    root = tmp_path / "edited"
    shutil.copytree(TEMPLATES, root)
    readme = root / "_shared" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nEdited.\n")
    return root


def test_first_use_commits_and_tags_the_bundled_templates():
    version = ensure_store()
    assert version.path == store_path()
    assert version.tag == __version__
    assert git(version.path, "tag") == tags(__version__)
    # One commit per version, on top of the releases (each with its own content).
    assert len(git(version.path, "log", "--format=%h")) == len(tags(__version__))
    assert git(version.path, "status", "--porcelain") == []
    assert (version.path / "copier.yml").read_bytes() == (TEMPLATES / "copier.yml").read_bytes()


def test_a_fresh_store_holds_every_release_of_the_history():
    """The history carries the real releases (0.1.0 as published), so a project of any
    release updates on a machine that never had that release installed."""
    assert RELEASED[0] == "0.1.0"
    path = ensure_store().path
    for release in RELEASED:
        assert has_revision(path, release)
    readme = git(path, "show", "0.1.0:_shared/README.md.jinja")
    assert readme  # the 0.1.0 templates themselves, not a placeholder


def test_unchanged_templates_reuse_the_tag():
    first = ensure_store()
    second = ensure_store()
    assert second == first
    assert len(git(first.path, "log", "--format=%h")) == len(tags(__version__))


def test_changed_templates_get_a_newer_tag_and_history_is_kept(edited_templates):
    first = ensure_store()
    edited = ensure_store(bundled=edited_templates)
    assert edited.tag == f"{__version__}.post1"
    assert git(first.path, "tag") == tags(__version__, f"{__version__}.post1")
    assert len(git(first.path, "log", "--format=%h")) == len(tags(__version__)) + 1
    assert has_revision(first.path, first.tag)  # projects made from it can still update
    back = ensure_store()  # the original content again: the tag that holds it serves again
    assert back.tag == __version__
    assert len(git(first.path, "log", "--format=%h")) == len(tags(__version__))  # back at it


def test_src_path_is_portable_under_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MLSCAFFOLD_HOME")
    assert ensure_store().src_path == "~/.mlscaffold/templates"


def test_src_path_is_absolute_elsewhere():
    version = ensure_store()
    assert Path(version.src_path).is_absolute()
    assert not version.src_path.startswith("~")


def test_an_interrupted_sync_leaves_a_usable_store(edited_templates):
    path = ensure_store().path
    # As if killed mid-sync: a stale git lock, a half-copied tree, no record of the sync.
    (path / ".git" / "index.lock").write_text("")
    (path / "half-copied.txt").write_text("x")
    shutil.rmtree(path / "segmentation")
    (path.parent / "store.json").unlink()

    version = ensure_store()

    assert version.tag == __version__
    assert git(path, "status", "--porcelain") == []
    assert not (path / "half-copied.txt").exists()
    assert (path / "segmentation").is_dir()
    assert len(git(path, "log", "--format=%h")) == len(tags(__version__))


def test_concurrent_runs_share_one_store(tmp_path):
    """Two `mlscaffold new` at once on a fresh store: both work, the store has one version."""
    env = {**os.environ}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlscaffold",
                "new",
                "segmentation",
                str(tmp_path / f"p{i}"),
                "-y",
                "-q",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(3)
    ]
    outcomes = [run.communicate(timeout=120) + (run.returncode,) for run in runs]
    assert [code for _, _, code in outcomes] == [0, 0, 0], outcomes
    assert git(store_path(), "tag") == tags(__version__)
    assert len(git(store_path(), "log", "--format=%h")) == len(tags(__version__))
    for i in range(3):
        assert (tmp_path / f"p{i}" / "README.md").is_file()


def test_a_store_whose_first_git_init_was_interrupted_is_rebuilt():
    """Killed while git made the store's repository: an empty .git, every run failed."""
    (store_path() / ".git").mkdir(parents=True)
    version = ensure_store()
    assert version.tag == __version__
    assert git(version.path, "tag") == tags(__version__)


@pytest.mark.parametrize("content", ["[1, 2]", '{"digest": 1, "tag": ["x"]}', "not json"])
def test_a_damaged_sync_record_only_means_the_next_run_checks_again(content):
    first = ensure_store()
    (first.path.parent / "store.json").write_text(content)
    assert ensure_store() == first
    assert len(git(first.path, "log", "--format=%h")) == len(tags(__version__))


def test_unusable_mlscaffold_homes_are_one_line(tmp_path, monkeypatch):
    from mlscaffold.errors import MlscaffoldError

    home_file = tmp_path / "home-file"
    home_file.write_text("")
    monkeypatch.setenv("MLSCAFFOLD_HOME", str(home_file))
    with pytest.raises(MlscaffoldError) as refused:
        ensure_store()
    assert str(refused.value) == (
        f"{home_file} is a file, but mlscaffold keeps its template store there. "
        "Move the file away, or set MLSCAFFOLD_HOME to another folder."
    )
    home = tmp_path / "home"
    (home / "store.lock").mkdir(parents=True)
    monkeypatch.setenv("MLSCAFFOLD_HOME", str(home))
    with pytest.raises(MlscaffoldError) as refused:
        ensure_store()
    assert (
        str(refused.value)
        == f"{home}/store.lock is a folder, not mlscaffold's lock file. Remove it."
    )


@pytest.mark.parametrize(
    "template", ["streamlit-app", "segmentation", "cervical-cancer", "dataviz"]
)
def test_new_renders_what_copier_renders_from_the_store_tag(tmp_path, template):
    """`new` renders from the bundled folder (no clone of the store): the project must be the
    one copier makes from the store's tag, byte for byte, answers file included."""
    import yaml
    from copier import run_copy
    from typer.testing import CliRunner

    from mlscaffold.cli import app

    fast = tmp_path / "fast"
    result = CliRunner().invoke(app, ["new", template, str(fast), "-q", "--no-git"])
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((fast / ".copier-answers.yml").read_text())
    store = ensure_store()
    reference = tmp_path / "reference"
    run_copy(
        store.src_path, reference, vcs_ref=store.tag, defaults=True, quiet=True, unsafe=False,
        data={key: value for key, value in answers.items() if not key.startswith("_")},
    )  # fmt: skip

    def tree(root: Path) -> dict[str, tuple[bytes, int]]:
        return {
            path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode)
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }

    assert tree(fast) == tree(reference)
    assert answers["_commit"] == store.tag
    assert answers["_src_path"] == store.src_path
