"""Faults a user can cause: a SIGKILL or Ctrl-C at any moment, a store another run holds, folders
they may not write. `mlscaffold` runs in a subprocess here, as a user runs it.

The kill points are exact, not timed: an audit hook counts the run's file writes, renames,
folder changes and subprocess starts, and kills the process at the Nth one. The SIGKILL test
covers 16 points of a run on a fresh store (about 40 s on two cores).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mlscaffold import __version__
from mlscaffold.store import released_versions

# Runs mlscaffold with an audit hook that kills it (KILL_AT) or raises KeyboardInterrupt
# (INTERRUPT_AT, an event name) at a chosen point, or counts the points (KILL_AT=0).
BOOT = """
import atexit, os, signal, sys

kill_at = int(os.environ.get("KILL_AT", "-1"))
interrupt_at = os.environ.get("INTERRUPT_AT")
WATCHED = {"subprocess.Popen", "os.rename", "os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree"}
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT
count = 0


def hook(event, args):
    global count, interrupt_at
    if interrupt_at and event == "import" and args[0] == interrupt_at:
        interrupt_at = None
        raise KeyboardInterrupt
    if event == "open":
        mode, flags = args[1], args[2]
        if not (isinstance(mode, str) and set(mode) & set("wax+")) and not flags & WRITING:
            return
    elif event not in WATCHED:
        return
    count += 1
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


if kill_at == 0:
    atexit.register(lambda: print(f"points: {count}", file=sys.stderr))
sys.addaudithook(hook)
sys.argv[0] = "mlscaffold"
from mlscaffold.__main__ import main

main()
"""


def run_mlscaffold(*args: str, cwd: Path, env: dict[str, str] | None = None, prefix=()):
    return subprocess.run(
        [*prefix, sys.executable, "-c", BOOT, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def git_lines(repo: Path, *args: str) -> list[str]:
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return completed.stdout.splitlines()


def assert_complete_project(project: Path) -> None:
    assert (project / "README.md").is_file()
    assert git_lines(project, "status", "--porcelain") == []
    assert len(git_lines(project, "log", "--format=%h")) == 1


def test_sigkill_at_any_point_leaves_the_next_run_working_and_nothing_behind(tmp_path):
    tmp = tmp_path / "tmp"  # copier's temporary clones would show up here
    tmp.mkdir()
    new = ("new", "segmentation", "p", "-y", "-q")
    counting = tmp_path / "counting"
    counting.mkdir()
    env = {"TMPDIR": str(tmp), "MLSCAFFOLD_HOME": str(counting / "home"), "KILL_AT": "0"}
    counted = run_mlscaffold(*new, cwd=counting, env=env)
    assert counted.returncode == 0, counted.stderr
    points = int(counted.stderr.rsplit("points: ", 1)[1])
    assert points > 100  # the store's first sync, copier's render, the commit, the move
    # The first dozen points are the store's own start (its folder, git init); then spread.
    kill_points = sorted({1, 2, 3, 4, 5, 6, *range(7, points, max(1, points // 10))})

    for kill_at in kill_points:
        work = tmp_path / f"kill-{kill_at}"
        work.mkdir()
        env = {"TMPDIR": str(tmp), "MLSCAFFOLD_HOME": str(work / "home")}
        killed = run_mlscaffold(*new, cwd=work, env={**env, "KILL_AT": str(kill_at)})
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)

        again = run_mlscaffold("new", "segmentation", "q", "-y", "-q", cwd=work, env=env)

        assert again.returncode == 0, (kill_at, again.stderr)
        assert_complete_project(work / "q")
        if (work / "p").exists():  # killed after the move: the project is whole
            assert_complete_project(work / "p")
        assert sorted(p.name for p in work.iterdir()) in (["home", "q"], ["home", "p", "q"])
        assert sorted(p.name for p in (work / "home").iterdir()) == [
            "catalog",
            "jinja-cache",
            "store.json",
            "store.lock",
            "templates",
        ]
        store = work / "home" / "templates"
        assert git_lines(store, "status", "--porcelain") == []
        assert len(git_lines(store, "tag")) == len({*released_versions(), __version__})
        assert list(tmp.iterdir()) == [], kill_at
        shutil.rmtree(work)


@pytest.mark.parametrize("module", ["typer", "mlscaffold.cli", "copier"])
def test_ctrl_c_while_starting_ends_quietly(tmp_path, module):
    interrupted = run_mlscaffold(
        "new", "segmentation", "p", "-y", cwd=tmp_path, env={"INTERRUPT_AT": module}
    )
    assert interrupted.returncode == 130
    assert interrupted.stderr == ""
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == []


def test_a_held_store_lock_says_what_it_waits_for(tmp_path):
    from mlscaffold.staging import locked

    home = Path(os.environ["MLSCAFFOLD_HOME"])
    home.mkdir(parents=True)
    with locked(home / "store.lock"):
        run = subprocess.Popen(
            [sys.executable, "-m", "mlscaffold", "new", "segmentation", "p", "-y"],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Blocks until the waiting run has said why it waits; then the lock is let go.
        note = run.stderr.readline()
    assert run.wait(timeout=120) == 0
    assert note == "Waiting for another mlscaffold run to finish with the template store...\n"
    assert (tmp_path / "p" / "README.md").is_file()


# Root may write anywhere; without these capabilities, folder permissions hold for it too.
AS_A_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
)


def test_folders_the_user_may_not_write(tmp_path):
    locked_parent = tmp_path / "read-only"
    (locked_parent / "empty").mkdir(parents=True)
    (locked_parent / "empty").chmod(0o777)
    locked_parent.chmod(0o555)
    try:
        refused = run_mlscaffold(
            "new", "segmentation", str(locked_parent / "p"), "-y", cwd=tmp_path, prefix=AS_A_USER
        )
        assert refused.returncode == 1
        assert refused.stderr == (
            f"Error: Cannot create {locked_parent}/p: no permission to write in {locked_parent}. "
            "Choose another destination.\n"
        )
        # An empty folder the user may write, in a parent they may not: staged inside it.
        inside = run_mlscaffold(
            "new", "segmentation", str(locked_parent / "empty"), "-y", "-q",
            cwd=tmp_path, prefix=AS_A_USER,
        )  # fmt: skip
        assert inside.returncode == 0, inside.stderr
        assert_complete_project(locked_parent / "empty")

        home = locked_parent / "home"
        unwritable_home = run_mlscaffold(
            "new", "segmentation", "p", "-y", cwd=tmp_path, prefix=AS_A_USER,
            env={"MLSCAFFOLD_HOME": str(home)},
        )  # fmt: skip
        assert unwritable_home.returncode == 1
        assert unwritable_home.stderr == (
            f"Error: Cannot update the template store in {home}: Permission denied ({home}).\n"
        )
    finally:
        locked_parent.chmod(0o755)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["read-only"]
