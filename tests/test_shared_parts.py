"""Every template renders with the shared parts, and their shared tests pass."""

import pytest

from conftest import TEMPLATE_NAMES, leftover_jinja, run_in_project


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_shared_files_are_rendered(render, template):
    project = render(template)
    for name in [
        ".copier-answers.yml",
        ".github/workflows/ci.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "LICENSE",
        "Makefile",
        "README.md",
        "pyproject.toml",
    ]:
        assert (project / name).is_file(), name
    assert leftover_jinja(project) == []
    assert "template: " + template in (project / ".copier-answers.yml").read_text()


@pytest.mark.parametrize("license_id", ["MIT", "BSD-3-Clause", "Apache-2.0"])
def test_licence_names_the_author(render, license_id):
    project = render("segmentation", license=license_id, author_name="Ada Lovelace")
    text = (project / "LICENSE").read_text()
    assert "Ada Lovelace" in text
    assert f'license = "{license_id}"' in (project / "pyproject.toml").read_text()


def test_shared_modules_pass_their_tests(render):
    project = render("segmentation")
    run_in_project(
        project,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_fetch.py",
        "tests/test_readme.py",
    )
