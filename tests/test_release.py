"""The release workflow: valid for GitHub, and its build steps work here, up to publishing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import yaml

from helpers import ROOT
from mlscaffold import __version__

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
BIN = ROOT / ".ci" / "release-check"


def test_the_release_workflow_is_valid_and_publishes_with_trusted_publishing():
    validated = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(WORKFLOW)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert validated.returncode == 0, validated.stdout + validated.stderr
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish["steps"][-1]  # no token: trusted publishing


def test_a_tag_that_does_not_name_the_version_is_refused(tmp_path):
    completed = subprocess.run(["bash", str(BIN), "9.9.9"], capture_output=True, text=True)
    assert completed.returncode == 1
    assert completed.stderr == (
        f"The tag names version 9.9.9, but src/mlscaffold/__init__.py defines {__version__}.\n"
    )


def test_the_release_steps_extend_the_history_and_make_a_checked_sdist_and_wheel(tmp_path):
    """In a copy of the repository: extend the history with this version, then the checks
    and the build a release runs; the wheel carries the history."""
    copy = tmp_path / "repo"
    for part in ("src", "project-templates", ".ci", "README.md", "pyproject.toml"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / part)
    shutil.rmtree(copy / "src" / "mlscaffold" / "history", ignore_errors=True)
    refused = subprocess.run(["bash", str(copy / BIN.relative_to(ROOT)), __version__],
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(f"run .ci/extend-history {__version__}")

    extended = subprocess.run(["bash", str(copy / ".ci" / "extend-history"), __version__],
                              capture_output=True, text=True)  # fmt: skip
    assert extended.returncode == 0, extended.stderr
    completed = subprocess.run(
        ["bash", str(copy / BIN.relative_to(ROOT)), __version__],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "PASSED" in completed.stdout
    built = sorted(path.name for path in (copy / "dist").iterdir())
    wheel = f"mlscaffold_portfolio-{__version__}-py3-none-any.whl"
    assert built == [wheel, f"mlscaffold_portfolio-{__version__}.tar.gz"]
    with zipfile.ZipFile(copy / "dist" / wheel) as zipped:
        assert "mlscaffold/history/templates.bundle" in zipped.namelist()
