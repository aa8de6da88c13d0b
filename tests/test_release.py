"""The release workflow: valid for GitHub, and its build steps work here, up to publishing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import yaml
from packaging.version import Version

from helpers import ROOT
from mlscaffold import __version__
from mlscaffold.store import released_versions

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
    """In a copy of the repository set to a version after every release: the checks refuse
    it until the history is extended, then the build a release runs; the wheel carries the
    history, every earlier release included."""
    copy = tmp_path / "repo"
    for part in ("src", "project-templates", ".ci", "README.md", "pyproject.toml"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / part)
    released = released_versions()
    newest = max(Version(v) for v in [*released, __version__])
    version = f"{newest.major}.{newest.minor + 1}.0"
    init = copy / "src" / "mlscaffold" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"', f'"{version}"'))
    changelog = copy / "project-templates" / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("\n## ", f"\n## {version}\n\n- mlscaffold: a test.\n\n## ", 1)
    )
    refused = subprocess.run(["bash", str(copy / BIN.relative_to(ROOT)), version],
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(f"run .ci/extend-history {version}")

    extended = subprocess.run(["bash", str(copy / ".ci" / "extend-history"), version],
                              capture_output=True, text=True)  # fmt: skip
    assert extended.returncode == 0, extended.stderr
    completed = subprocess.run(
        ["bash", str(copy / BIN.relative_to(ROOT)), version],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "PASSED" in completed.stdout
    built = sorted(path.name for path in (copy / "dist").iterdir())
    wheel = f"mlscaffold_portfolio-{version}-py3-none-any.whl"
    assert built == [wheel, f"mlscaffold_portfolio-{version}.tar.gz"]
    with zipfile.ZipFile(copy / "dist" / wheel) as zipped:
        bundle = tmp_path / "templates.bundle"
        bundle.write_bytes(zipped.read("mlscaffold/history/templates.bundle"))
    assert released_versions(bundle) == [*released, version]
    assert "0.1.0" in released
