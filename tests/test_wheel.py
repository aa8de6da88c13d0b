"""As a new user: build the wheel, install it into a fresh virtualenv, generate every template
with the installed `mlscaffold`, and run each generated project's own lint and tests.

Templates missing from the wheel is the classic failure of tools like this one."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TEMPLATE_NAMES, run_in_project

pytestmark = pytest.mark.slow


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
def test_installed_wheel_generates_a_working_project(installed, template, tmp_path):
    env = {**os.environ, "MLSCAFFOLD_HOME": str(tmp_path / "home")}
    completed = subprocess.run(
        [str(installed), "new", template, "--defaults"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Next steps:" in completed.stdout
    (project,) = [p for p in tmp_path.iterdir() if p.name != "home"]
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["template"] == template
    run_in_project(project, "-m", "ruff", "check", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", ".")
    run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
