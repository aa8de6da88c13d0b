"""As a new user: build the wheel, install it into a fresh virtualenv, generate every template
with the installed `mlscaffold`, and check that it is the project the source tree renders (whose
own lint and tests the template tests run).

Templates missing from the wheel is the classic failure of tools like this one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from helpers import ROOT, TEMPLATE_NAMES, project_files, run_in_project
from mlscaffold import __version__
from mlscaffold.store import released_versions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `mlscaffold` executable of a fresh virtualenv with only the built wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = work.glob("mlscaffold_portfolio-*.whl")
    with zipfile.ZipFile(wheel) as zipped:
        names = zipped.namelist()
    for template in TEMPLATE_NAMES:
        assert f"mlscaffold/project-templates/{template}/.gitignore.jinja" in names
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    return work / "venv" / "bin" / "mlscaffold"


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_installed_wheel_generates_a_working_project(installed, template, tmp_path, render):
    env = {**os.environ, "MLSCAFFOLD_HOME": str(tmp_path / "home")}
    where = tmp_path / "new"
    where.mkdir()
    completed = subprocess.run(
        [str(installed), "new", template, "--defaults"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Next steps:" in completed.stdout
    (project,) = where.iterdir()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["template"] == template
    # The same answers rendered from the source tree give the same files, byte for byte.
    source = render(**{key: value for key, value in answers.items() if not key.startswith("_")})
    assert project_files(project) == project_files(source)
    run_in_project(project, "-m", "ruff", "check", ".")


def release(repo: Path, version: str, previous: Path | None = None) -> Path:
    """A copy of this repository (or of ``previous``, history included) released as
    ``version``: the version set, the history extended, the wheel built. The wheel's path."""
    source = previous or ROOT
    for part in ("src", "project-templates", ".ci", "README.md", "pyproject.toml"):
        if (source / part).is_dir():
            shutil.copytree(
                source / part, repo / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source / part, repo / part)
    init = repo / "src" / "mlscaffold" / "__init__.py"
    init.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{version}"', init.read_text()))
    changelog = repo / "project-templates" / "CHANGELOG.md"
    if f"\n## {version}\n" not in changelog.read_text():
        text = changelog.read_text()
        first = text.index("\n## ") + 1
        entry = f"## {version}\n\n- all templates: CONTRIBUTING.md; .gitignore ignores *.log.\n\n"
        changelog.write_text(text[:first] + entry + text[first:])
    subprocess.run(["bash", ".ci/extend-history", version], cwd=repo, check=True)
    dist = repo / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("mlscaffold_portfolio-*.whl")
    return wheel


def fresh_venv(path: Path, wheel: Path) -> Path:
    """A fresh virtualenv with only ``wheel`` (and its dependencies): its bin folder."""
    venv.create(path, with_pip=True)
    subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path / "bin"


def next_release(version: str) -> str:
    current = Version(version)
    return f"{current.major}.{current.minor + 1}.0"


def test_a_teammate_with_only_the_next_release_updates_a_project_of_the_previous(tmp_path):
    """Release N makes a project on one machine; on another, with a fresh store and only
    release N+1 installed (a template adds a file and edits another), both `mlscaffold update`
    and plain `copier update` bring N+1 in and keep the user's edits, offline.

    N and N+1 are released from this checkout, with the history it carries, as versions after
    every real one."""
    released = released_versions()
    version_n = next_release(max(Version(v) for v in [*released, __version__]).public)
    version_n1 = next_release(version_n)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLSCAFFOLD_HOME")}
    old = fresh_venv(tmp_path / "venv-n", release(tmp_path / "release-n", version_n))
    laptop = {**env, "HOME": str(tmp_path / "laptop")}
    made = subprocess.run([str(old / "mlscaffold"), "new", "segmentation", "project", "-y", "-q"],
                          cwd=tmp_path, env=laptop, capture_output=True, text=True)  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "project"
    makefile = (project / "Makefile").read_text()
    (project / "Makefile").write_text(makefile + "\nmine:  ## my own target\n\techo mine\n")
    subprocess.run(["git", "commit", "-qam", "mine"], cwd=project, check=True)

    next_repo = tmp_path / "release-n1"
    next_repo.mkdir()
    templates = tmp_path / "release-n" / "project-templates"
    for template in TEMPLATE_NAMES:
        (templates / template / "CONTRIBUTING.md").write_text("# Contributing\n")
    gitignore = templates / "_shared" / "gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + "\n# Logs\n*.log\n")
    new = fresh_venv(tmp_path / "venv-n1", release(next_repo, version_n1, tmp_path / "release-n"))

    teammate = {**env, "HOME": str(tmp_path / "teammate")}  # another machine: no store yet
    for command in ([str(new / "mlscaffold"), "update", "-q"],
                    [str(new / "copier"), "update", "--skip-answered"]):  # fmt: skip
        if "copier" in command[0]:  # again, from the same starting point, with plain copier
            subprocess.run(["git", "reset", "-q", "--hard"], cwd=project, check=True)
            subprocess.run(["git", "clean", "-qfd"], cwd=project, check=True)
        updated = subprocess.run(command, cwd=project, env=teammate, capture_output=True,
                                 text=True)  # fmt: skip
        assert updated.returncode == 0, (command, updated.stderr)
        assert (project / "CONTRIBUTING.md").read_text() == "# Contributing\n"
        assert (project / ".gitignore").read_text().endswith("*.log\n")
        assert "mine:  ## my own target" in (project / "Makefile").read_text()
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_commit"] == version_n1
    store = tmp_path / "teammate" / ".mlscaffold" / "templates"
    tags = subprocess.run(["git", "tag"], cwd=store, capture_output=True, text=True).stdout
    assert sorted(tags.split(), key=Version) == [*released, version_n, version_n1]
