"""The update round trip: a project made at version N gets version N+1 of its template, with
the real copier CLI and through `mlscaffold update`, and keeps the user's edits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.version import Version
from typer.testing import CliRunner

from helpers import TEMPLATE_NAMES, TEMPLATES
from mlscaffold import __version__, store
from mlscaffold.cli import app

runner = CliRunner()


def next_release(version: str) -> str:
    """The release after ``version`` (its next minor version)."""
    current = Version(version)
    return f"{current.major}.{current.minor + 1}.0"


# The version of the next template release in these tests: after this mlscaffold's own.
NEXT = next_release(__version__)

USER_TARGET = "\nfigures-archive:  ## my own target\n\ttar czf figures.tgz reports/figures\n"


@pytest.fixture
def next_templates(tmp_path) -> Path:
    """Version N+1 of the bundled templates: one new file and one changed shared file."""
    root = tmp_path / "templates-next"
    shutil.copytree(TEMPLATES, root)
    for template in TEMPLATE_NAMES:
        (root / template / "CONTRIBUTING.md").write_text(
            "# Contributing\n\nRun `make lint test` before opening a pull request.\n"
        )
    gitignore = root / "_shared" / "gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + "\n# Logs\n*.log\n")
    changelog = root / "CHANGELOG.md"
    first = changelog.read_text().index("\n## ") + 1
    changelog.write_text(
        changelog.read_text()[:first]
        + f"## {NEXT}\n\n- all templates: CONTRIBUTING.md; .gitignore ignores *.log.\n\n"
        + changelog.read_text()[first:]
    )
    return root


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def generate(tmp_path: Path, template: str = "segmentation") -> Path:
    project = tmp_path / "project"
    result = runner.invoke(app, ["new", template, str(project), "-q"])
    assert result.exit_code == 0, result.output
    return project


def user_commits(project: Path, relative: str, text: str) -> None:
    (project / relative).write_text(text)
    git(project, "commit", "-qam", f"my edit of {relative}")


def publish(templates: Path, version: str = NEXT) -> None:
    """Put a new template version into the store, as a newer mlscaffold would."""
    assert store.ensure_store(bundled=templates, version=version).tag == version


def copier_update(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Plain copier, no mlscaffold: --defaults only because there is no terminal here.
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", *args],
        cwd=project,
        capture_output=True,
        text=True,
    )


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_plain_copier_update_brings_changes_and_keeps_edits(tmp_path, next_templates, template):
    project = generate(tmp_path, template)
    makefile = (project / "Makefile").read_text()
    user_commits(project, "Makefile", makefile + USER_TARGET)
    publish(next_templates)

    completed = copier_update(project)

    assert completed.returncode == 0, completed.stderr
    assert (project / "CONTRIBUTING.md").read_text().startswith("# Contributing")
    assert (project / ".gitignore").read_text().endswith("# Logs\n*.log\n")
    assert (project / "Makefile").read_text() == makefile + USER_TARGET
    assert answers(project)["_commit"] == NEXT


def test_plain_copier_update_marks_conflicts_inline(tmp_path, next_templates):
    project = generate(tmp_path)
    gitignore = (project / ".gitignore").read_text()
    user_commits(project, ".gitignore", gitignore.replace("# Python\n", "# Python, mine\n"))
    shared = next_templates / "_shared" / "gitignore.jinja"
    shared.write_text(shared.read_text().replace("# Python\n", "# Python, the template's\n"))
    publish(next_templates)

    completed = copier_update(project)

    assert completed.returncode == 0, completed.stderr
    merged = (project / ".gitignore").read_text()
    assert "<<<<<<< before updating\n# Python, mine\n" in merged
    assert "# Python, the template's\n>>>>>>> after updating" in merged
    assert merged.endswith("*.log\n")  # the rest of the file still updated


def test_project_under_home_records_a_portable_source(tmp_path, monkeypatch, next_templates):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLSCAFFOLD_HOME")
    project = generate(tmp_path)
    assert answers(project)["_src_path"] == "~/.mlscaffold/templates"
    publish(next_templates)

    completed = copier_update(project)

    assert completed.returncode == 0, completed.stderr
    assert (project / "CONTRIBUTING.md").is_file()


def upgrade_mlscaffold(monkeypatch, templates: Path, version: str = NEXT) -> None:
    """Make the running mlscaffold bundle ``templates`` as version ``version``."""
    monkeypatch.setattr(store, "templates_root", lambda: templates)
    monkeypatch.setattr(store, "__version__", version)


def test_mlscaffold_update_reports_changes_and_conflicts(tmp_path, monkeypatch, next_templates):
    project = generate(tmp_path)
    first_version = answers(project)["_commit"]
    gitignore = (project / ".gitignore").read_text()
    user_commits(project, ".gitignore", gitignore.replace("# Python\n", "# Python, mine\n"))
    makefile = (project / "Makefile").read_text()
    user_commits(project, "Makefile", makefile + USER_TARGET)
    shared = next_templates / "_shared" / "gitignore.jinja"
    shared.write_text(shared.read_text().replace("# Python\n", "# Python, the template's\n"))
    upgrade_mlscaffold(monkeypatch, next_templates)

    result = runner.invoke(app, ["update", str(project), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    git(project, "reset", "--hard", "-q")  # undo, then again with the report
    git(project, "clean", "-fdq")
    result = runner.invoke(app, ["update", str(project)])

    assert result.exit_code == 0, result.output
    report = result.stdout
    assert f"Updated {project} from template version {first_version} to {NEXT}.\n" in report
    assert "Changed files (3):" in report
    for name in (".copier-answers.yml", ".gitignore", "CONTRIBUTING.md"):
        assert f"  {name}\n" in report
    assert "Conflicts to resolve (1):\n  .gitignore\n" in report
    assert (project / "Makefile").read_text() == makefile + USER_TARGET


def test_mlscaffold_update_with_rej_files(tmp_path, monkeypatch, next_templates):
    project = generate(tmp_path)
    gitignore = (project / ".gitignore").read_text()
    user_commits(project, ".gitignore", gitignore.replace("# Python\n", "# Python, mine\n"))
    shared = next_templates / "_shared" / "gitignore.jinja"
    shared.write_text(shared.read_text().replace("# Python\n", "# Python, the template's\n"))
    upgrade_mlscaffold(monkeypatch, next_templates)

    result = runner.invoke(app, ["update", str(project), "--conflict", "rej"])

    assert result.exit_code == 0, result.output
    assert "Conflicts to resolve (1):\n  .gitignore.rej\n" in result.stdout
    # The file takes the template's side; the user's change that did not apply waits in .rej.
    assert "# Python, the template's\n" in (project / ".gitignore").read_text()
    assert "+# Python, mine\n" in (project / ".gitignore.rej").read_text()


def test_mlscaffold_update_can_change_an_answer(tmp_path):
    project = generate(tmp_path)
    result = runner.invoke(app, ["update", str(project), "-d", "k_max=12", "-q"])
    assert result.exit_code == 0, result.output
    assert answers(project)["k_max"] == 12


def test_mlscaffold_update_pretend_changes_nothing(tmp_path, monkeypatch, next_templates):
    project = generate(tmp_path)
    upgrade_mlscaffold(monkeypatch, next_templates)
    result = runner.invoke(app, ["update", str(project), "--pretend"])
    assert result.exit_code == 0, result.output
    assert git(project, "status", "--porcelain") == ""
    assert not (project / "CONTRIBUTING.md").exists()


# --- issue 14: update checks answers as new does, and the README's update story works ----


def error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "template=dataviz",
            "Error: The template is chosen by `mlscaffold new TEMPLATE` and kept by updates, not "
            "answered with --data template=. To use another template, generate a new project.",
        ),
        (
            "colour=red",
            "Error: Template 'segmentation' has no question 'colour'. "
            "Run `mlscaffold info segmentation` to see its questions.",
        ),
        ("k_min=abc", "Error: k_min takes a whole number, not 'abc'."),
        (
            "k_max=1",
            "Error: Validation error for question 'k_max': k_max must be larger than k_min (2)",
        ),
    ],
    ids=["template", "unknown", "not-a-number", "validator-with-recorded-answers"],
)
def test_update_checks_answers_as_new_does(tmp_path, data, message):
    project = generate(tmp_path)
    result = runner.invoke(app, ["update", str(project), "-d", data])
    assert result.exit_code == 1
    assert error_line(result) == message
    assert git(project, "status", "--porcelain") == ""


def test_update_splits_multiselect_answers(tmp_path):
    project = generate(tmp_path, "streamlit-app")
    result = runner.invoke(
        app, ["update", str(project), "-q", "-d", "classifiers=svm,random_forest"]
    )
    assert result.exit_code == 0, result.output
    assert answers(project)["classifiers"] == ["svm", "random_forest"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"_src_path: [unclosed\n", "is not valid YAML (line 2)"),
        (b"\xff\xfe\x00\x01", "is not UTF-8 text"),
    ],
    ids=["invalid-yaml", "binary"],
)
def test_update_with_a_damaged_answers_file(tmp_path, content, problem):
    project = generate(tmp_path)
    (project / ".copier-answers.yml").write_bytes(content)
    git(project, "commit", "-qam", "damaged")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: The answers file {project}/.copier-answers.yml {problem}. "
        "Restore it from git: git checkout HEAD -- .copier-answers.yml"
    )


def test_update_with_nothing_new_does_not_run_copier(tmp_path):
    """Issue 15: it answers at once, importing neither copier nor pydantic."""
    project = generate(tmp_path)
    code = (
        "import sys\nfrom mlscaffold.cli import app\n"
        f"try:\n    app(['update', {str(project)!r}])\nexcept SystemExit as end:\n"
        "    print('exit', end.code)\n"
        "print('imported:', sorted({'copier', 'pydantic'} & set(sys.modules)))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.splitlines() == [
        f"Already up to date (template version {answers(project)['_commit']}).",
        "exit 0",
        "imported: []",
    ], completed.stderr


def test_update_keeps_an_edited_file_the_template_drops(tmp_path, monkeypatch, next_templates):
    """copier deletes files the new template version no longer has; an edited one is kept."""
    project = generate(tmp_path)
    user_commits(project, "notebooks/01-eda.ipynb", '{"cells": [], "mine": true}\n')
    for name in ("notebooks/01-eda.ipynb.jinja", "LICENSE.jinja"):
        (next_templates / "segmentation" / name).unlink()
    upgrade_mlscaffold(monkeypatch, next_templates)

    result = runner.invoke(app, ["update", str(project)])

    assert result.exit_code == 0, result.output
    assert (project / "notebooks" / "01-eda.ipynb").read_text() == '{"cells": [], "mine": true}\n'
    assert not (project / "LICENSE").exists()  # never edited: the template's to remove
    assert (
        "Kept because you edited them, though the template no longer has them (1):\n"
        "  notebooks/01-eda.ipynb\n" in result.stdout
    )
    assert "  LICENSE\n" in result.stdout.split("Kept because")[0]


def readme_update_command(project: Path) -> list[str]:
    """The update command the generated README documents, as a user would copy it."""
    readme = (project / "README.md").read_text()
    section = readme.split("## Project template", 1)[1]
    command = section.split("```bash\n", 1)[1].split("\n", 1)[0]
    return command.split("#", 1)[0].split()


def test_the_readme_update_command_asks_nothing_answered(tmp_path, next_templates):
    """Run exactly what the README says, without a terminal: it must not need to ask."""
    project = generate(tmp_path)
    command = readme_update_command(project)
    assert command == ["copier", "update", "--skip-answered"]
    publish(next_templates)

    completed = subprocess.run(
        [sys.executable, "-m", *command], cwd=project, capture_output=True, text=True
    )

    assert completed.returncode == 0, completed.stderr
    assert (project / "CONTRIBUTING.md").is_file()
    assert answers(project)["_commit"] == NEXT
    assert answers(project)["template"] == "segmentation"


def test_update_never_asks_for_the_template_again(tmp_path, monkeypatch, next_templates):
    """Plain `copier update` in a terminal re-asks answered questions as editable defaults,
    but never which template the project uses."""
    import copier._main
    from copier import run_update

    project = generate(tmp_path)
    publish(next_templates)
    asked = []

    def answer_with_default(questions, answers):
        asked.append(questions[0]["name"])
        return answers

    monkeypatch.setattr(copier._main, "unsafe_prompt", answer_with_default)
    run_update(project, overwrite=True, unsafe=False, quiet=True)
    assert asked[0] == "project_name"
    assert "template" not in asked
    assert answers(project)["template"] == "segmentation"


def test_generated_projects_install_copier_for_their_updates(tmp_path):
    project = generate(tmp_path)
    pyproject = (project / "pyproject.toml").read_text()
    assert '    "copier>=9.19",\n' in pyproject


def test_the_generated_readme_points_to_this_distribution(tmp_path):
    """The name `mlscaffold` on the package index is another project's."""
    readme = (generate(tmp_path) / "README.md").read_text()
    assert "[mlscaffold](https://pypi.org/project/mlscaffold-portfolio/)" in readme
    assert "pypi.org/project/mlscaffold/" not in readme


def test_update_shows_the_changelog_entries_it_brings(tmp_path, monkeypatch, next_templates):
    project = generate(tmp_path)
    upgrade_mlscaffold(monkeypatch, next_templates)
    for args in (["--pretend"], []):
        result = runner.invoke(app, ["update", str(project), *args])
        assert result.exit_code == 0, result.output
        assert (
            f"What template version {NEXT} brings (from CHANGELOG.md):\n"
            f"## {NEXT}\n\n- all templates: CONTRIBUTING.md; .gitignore ignores *.log.\n"
        ) in result.stderr
        assert f"## {__version__}" not in result.stderr  # the project has that one already


def test_the_changelog_has_an_entry_for_this_version():
    assert f"\n## {__version__}\n" in (TEMPLATES / "CHANGELOG.md").read_text()


def test_a_teammate_with_only_the_newer_release_updates_an_old_project(
    tmp_path, monkeypatch, next_templates
):
    """Release N made the project; a fresh machine with only release N+1 installed (whose
    history carries N) updates it, offline, with `mlscaffold update` and with plain copier;
    the user's edits are kept."""
    history = tmp_path / "release" / "templates.bundle"
    history.parent.mkdir()
    monkeypatch.setattr(store, "history_bundle", lambda: history)
    monkeypatch.delenv("MLSCAFFOLD_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "laptop"))
    store.extend_history(history, TEMPLATES, __version__)  # release N
    upgrade_mlscaffold(monkeypatch, TEMPLATES, __version__)
    project = generate(tmp_path)
    assert answers(project)["_commit"] == __version__
    assert answers(project)["_src_path"] == "~/.mlscaffold/templates"
    makefile = (project / "Makefile").read_text()
    user_commits(project, "Makefile", makefile + USER_TARGET)
    store.extend_history(history, next_templates, NEXT)  # release N+1: the history grows

    monkeypatch.setenv("HOME", str(tmp_path / "teammate"))  # another machine, no store yet
    upgrade_mlscaffold(monkeypatch, next_templates, NEXT)
    for update in ("mlscaffold", "copier"):
        if update == "mlscaffold":
            result = runner.invoke(app, ["update", str(project), "-q"])
            assert result.exit_code == 0, result.output
        else:  # the store is on this machine now: plain copier finds both versions in it
            git(project, "reset", "--hard", "-q")
            git(project, "clean", "-fdq")
            completed = copier_update(project)
            assert completed.returncode == 0, completed.stderr
        assert (project / "CONTRIBUTING.md").is_file()
        assert (project / ".gitignore").read_text().endswith("*.log\n")
        assert (project / "Makefile").read_text() == makefile + USER_TARGET
        assert answers(project)["_commit"] == NEXT
