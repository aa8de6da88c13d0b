"""Every template renders with the shared parts, and their shared tests pass."""

import pytest

from helpers import SHARED_FILES, TEMPLATE_NAMES, TEMPLATES, leftover_jinja, run_in_project


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_shared_files_are_rendered(render, template):
    project = render(template)
    for name in SHARED_FILES:
        assert (project / name).is_file(), name
    assert leftover_jinja(project) == []
    assert "template: " + template in (project / ".copier-answers.yml").read_text()
    assert not (project / "_meta").exists()


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_shared_parts_know_no_template_by_name(template):
    for path in (TEMPLATES / "_shared").rglob("*"):
        if path.is_file() and "licenses" not in path.parts:
            assert template not in path.read_text(), f"{path} names {template}"


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_the_first_screen_shows_the_question_badges_headline_and_commands(render, template):
    project = render(template, github_repository="ada/portfolio")
    first_screen = (project / "README.md").read_text().splitlines()[:30]
    assert first_screen[0].startswith("# ") and first_screen[0].endswith("?")
    badges = [line for line in first_screen if line.startswith("[![")]
    assert [badge.split("]")[0] for badge in badges] == ["[![CI", "[![Open in Colab"]
    assert "github.com/ada/portfolio/actions" in badges[0]
    assert (
        "colab.research.google.com/github/ada/portfolio/blob/main/notebooks/01-eda.ipynb"
        in badges[1]
    )
    assert "<!-- headline:start -->" in first_screen
    assert any(line.endswith(" all") and line.startswith("python -m venv") for line in first_screen)
    assert "python -m pytest" in first_screen


def test_no_badges_without_a_repository(render):
    readme = (render("segmentation") / "README.md").read_text()
    assert "[![" not in readme


@pytest.mark.parametrize(
    "answer",
    ["ada", "ada/", "/x", "ada/x y", "-ada/x", "ada/x/y", "https://github.com/ada/x", "ada/x\n"],
)
def test_a_repository_that_is_not_owner_slash_name_is_refused(copie, answer):
    result = copie.copy(
        extra_answers={"template": "segmentation", "github_repository": answer},
        template_dir=TEMPLATES,
    )
    assert result.exit_code != 0
    assert "github_repository must be owner/name" in str(result.exception)


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
        "tests/test_runtime.py",
    )
