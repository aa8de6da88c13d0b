"""The few git calls mlscaffold makes, with errors a user can act on."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from mlscaffold.errors import MlscaffoldError

# Commits mlscaffold makes on its own behalf (the template store) must not depend on the
# user's git identity or signing setup.
TOOL_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold",
    "GIT_AUTHOR_EMAIL": "mlscaffold@localhost",
    "GIT_COMMITTER_NAME": "mlscaffold",
    "GIT_COMMITTER_EMAIL": "mlscaffold@localhost",
}


def require_git() -> str:
    """The path of the git executable, or an error that says how to get it."""
    git = shutil.which("git")
    if git is None:
        raise MlscaffoldError(
            "git is not installed, and mlscaffold needs it to keep templates updatable. "
            "Install git (https://git-scm.com/downloads) and run the command again."
        )
    return git


def git(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    check: bool = True,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """Run ``git ARGS`` in ``cwd``; a failure becomes an MlscaffoldError with git's message.

    ``text=False`` returns stdout as bytes (file contents)."""
    completed = subprocess.run(
        [require_git(), *args],
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        capture_output=True,
        text=text,
    )
    if check and completed.returncode != 0:
        output = completed.stderr or completed.stdout
        output = output if isinstance(output, str) else output.decode(errors="replace")
        message = output.strip().splitlines()
        raise MlscaffoldError(f"git {args[0]} failed in {cwd}: {message[-1] if message else ''}")
    return completed


def identity(cwd: Path) -> dict[str, str]:
    """The user's git ``name`` and ``email`` as git sees them from ``cwd`` (missing ones left
    out), in one git call."""
    found = git(cwd, "config", "--get-regexp", r"^user\.(name|email)$", check=False).stdout
    pairs = (line.split(" ", 1) for line in found.splitlines() if " " in line)
    return {key.removeprefix("user."): value.strip() for key, value in pairs}


def is_repository_root(path: Path) -> bool:
    completed = git(path, "rev-parse", "--show-toplevel", check=False)
    return completed.returncode == 0 and Path(completed.stdout.strip()).resolve() == path.resolve()


def dirty_files(path: Path) -> list[str]:
    """Paths with uncommitted changes or untracked files, as ``git status`` names them."""
    lines = git(path, "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    return [line[3:] for line in lines if line.strip()]
