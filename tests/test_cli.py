"""The mlscaffold command as a user runs it: output, exit codes, and the error lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpers import TEMPLATES
from mlscaffold import __version__
from mlscaffold.cli import app

runner = CliRunner()


def mlscaffold(*args: str):
    return runner.invoke(app, list(args))


def error_line(result) -> str:
    """The single stderr line of a failed command."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_help_lists_the_commands():
    result = mlscaffold("--help")
    assert result.exit_code == 0
    for command in ("list", "info", "new", "update"):
        assert command in result.stdout


def test_no_arguments_shows_help():
    result = mlscaffold()
    assert "Usage" in result.output


def test_version():
    result = mlscaffold("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mlscaffold {__version__}"


def test_python_dash_m_runs_the_cli():
    completed = subprocess.run(
        [sys.executable, "-m", "mlscaffold", "--version"], capture_output=True, text=True
    )
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"mlscaffold {__version__}"


def test_list_shows_every_template_with_its_guided_project():
    result = mlscaffold("list")
    assert result.exit_code == 0
    for name, project in [
        ("streamlit-app", "Build a Machine Learning Web App with Streamlit and Python"),
        ("segmentation", "Unsupervised Machine Learning for Customer Market Segmentation"),
        ("cervical-cancer", "Cervical Cancer Risk Prediction Using Machine Learning"),
        ("dataviz", "Python for Data Visualization: Matplotlib & Seaborn"),
    ]:
        assert name in result.stdout
        assert project in result.stdout


def test_info_shows_the_questions_of_the_template_only():
    result = mlscaffold("info", "segmentation")
    assert result.exit_code == 0
    assert "dataset (str: credit-card | wholesale)" in result.stdout
    assert "k_max (int)" in result.stdout
    assert "default: customer_segmentation" in result.stdout  # derived default, rendered
    assert "classifiers" not in result.stdout  # a streamlit-app question


def test_info_shows_multiselect_defaults():
    result = mlscaffold("info", "streamlit-app")
    assert "classifiers (str, several of: svm | logistic_regression" in result.stdout
    assert "default: svm,logistic_regression,random_forest" in result.stdout


@pytest.mark.parametrize("command", ["info", "new"])
def test_unknown_template_suggests_the_closest(command, tmp_path):
    args = [command, "segmentaton"] + ([str(tmp_path / "p")] if command == "new" else [])
    result = mlscaffold(*args)
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: Unknown template 'segmentaton'. Did you mean 'segmentation'? "
        "Run `mlscaffold list` to see the templates."
    )
    assert not (tmp_path / "p").exists()


def test_new_makes_a_committed_repository_and_prints_next_steps(tmp_path):
    dest = tmp_path / "seg"
    result = mlscaffold("new", "segmentation", str(dest), "--defaults", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert log.stdout.splitlines() == [
        "Generate from the mlscaffold segmentation template (0.1.0)".replace(
            "0.1.0", yaml.safe_load((dest / ".copier-answers.yml").read_text())["_commit"]
        )
    ]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""

    loud = mlscaffold("new", "segmentation", str(tmp_path / "seg2"), "-y")
    assert loud.exit_code == 0
    assert "Next steps:" in loud.stdout
    assert f"cd {tmp_path / 'seg2'}" in loud.stdout
    assert "python -m customer_segmentation all" in loud.stdout
    assert "python -m pytest" in loud.stdout


def test_new_defaults_to_the_slug_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = mlscaffold("new", "segmentation", "-y", "-q", "-d", "project_name=Churn Segments")
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((tmp_path / "churn-segments" / ".copier-answers.yml").read_text())
    assert answers["package_name"] == "churn_segments"
    assert (tmp_path / "churn-segments" / "src" / "churn_segments").is_dir()


def test_data_and_data_file_set_answers(tmp_path):
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("author_name: Ada Lovelace\nk_max: 6\n")
    dest = tmp_path / "p"
    result = mlscaffold(
        "new", "segmentation", str(dest), "-q", "--data-file", str(answers_file),
        "-d", "dataset=wholesale", "--data", "k_max=8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["author_name"] == "Ada Lovelace"
    assert answers["dataset"] == "wholesale"
    assert answers["k_max"] == 8  # --data wins over the file


def test_multiselect_answers_are_comma_separated(tmp_path):
    dest = tmp_path / "p"
    result = mlscaffold(
        "new", "streamlit-app", str(dest), "-q", "-d", "classifiers=svm,naive_bayes"
    )
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["classifiers"] == ["svm", "naive_bayes"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "package_name=Bad-Name",
            "Error: Validation error for question 'package_name': package_name must be a "
            "lowercase Python identifier of at most 40 characters, e.g. customer_segmentation",
        ),
        (
            "author_email=nobody",
            "Error: Validation error for question 'author_email': author_email must look like "
            "name@example.com",
        ),
        (
            "k_min=1",
            "Error: Validation error for question 'k_min': k_min must be at least 2",
        ),
        (
            "dataset=penguins",
            "Error: Invalid choice for 'dataset': 'penguins'. Choose from: credit-card, wholesale.",
        ),
        (
            "classifiers=svm",
            "Error: Template 'segmentation' has no question 'classifiers'. "
            "Run `mlscaffold info segmentation` to see its questions.",
        ),
        ("novalue", "Error: --data takes KEY=VALUE, got 'novalue'."),
    ],
    ids=["package-name", "email", "k-min", "choice-of-other-template", "unknown-key", "no-equals"],
)
def test_invalid_answers_write_nothing(tmp_path, data, message):
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "-d", data)
    assert result.exit_code == 1
    assert error_line(result) == message
    assert list(tmp_path.iterdir()) == []


def test_non_empty_destination_needs_force(tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("my notes")
    result = mlscaffold("new", "segmentation", str(dest))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {dest} already exists and is not empty. Choose another destination, or pass "
        "--force to write into it (files with the same names are overwritten)."
    )
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert (dest / "notes.txt").read_text() == "my notes"

    forced = mlscaffold("new", "segmentation", str(dest), "--force", "-q")
    assert forced.exit_code == 0, forced.output
    assert (dest / "notes.txt").read_text() == "my notes"
    assert (dest / "README.md").is_file()


def test_pretend_writes_nothing(tmp_path):
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "--pretend")
    assert result.exit_code == 0, result.output
    assert "README.md" in result.stderr  # copier lists what it would create
    assert list(tmp_path.iterdir()) == []


def test_no_git_leaves_a_plain_folder(tmp_path):
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "--no-git", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "README.md").is_file()
    assert not (tmp_path / "p" / ".git").exists()


def test_git_not_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"))
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: git is not installed, and mlscaffold needs it to keep templates updatable. "
        "Install git (https://git-scm.com/downloads) and run the command again."
    )
    assert not (tmp_path / "p").exists()


def test_works_without_a_git_identity(tmp_path, monkeypatch):
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    for variable in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{variable}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{variable}_EMAIL", raising=False)
    dest = tmp_path / "p"
    result = mlscaffold("new", "segmentation", str(dest), "-q", "-d", "author_name=Ada Lovelace")
    assert result.exit_code == 0, result.output
    author = subprocess.run(
        ["git", "log", "--format=%an <%ae>"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert author.stdout.strip() == "Ada Lovelace <you@example.com>"


def test_the_branch_is_the_one_the_generated_ci_runs_on(tmp_path, monkeypatch):
    """git's own default branch is master unless configured; the generated CI runs on main."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    dest = tmp_path / "p"
    assert mlscaffold("new", "dataviz", str(dest), "-q").exit_code == 0
    branch = subprocess.run(
        ["git", "branch", "--show-current"], cwd=dest, capture_output=True, text=True, check=True
    )
    ci = yaml.safe_load((dest / ".github" / "workflows" / "ci.yml").read_text())
    assert ci[True]["push"]["branches"] == [branch.stdout.strip()] == ["main"]


def test_git_identity_is_the_default_author(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (answers["author_name"], answers["author_email"]) == ("Test User", "test@example.com")


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_interrupted_or_failed_new_leaves_nothing(tmp_path, monkeypatch, failure):
    from mlscaffold import generate

    def fail_after_rendering(project, *args, **kwargs):
        assert (project / "README.md").is_file()  # copier did write, into the staging folder
        raise failure("stop")

    monkeypatch.setattr(generate, "_initial_commit", fail_after_rendering)
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "-q")
    if failure is KeyboardInterrupt:
        assert result.exit_code == 130
        assert result.stderr == ""
    else:
        assert result.exit_code == 1
        assert isinstance(result.exception, RuntimeError)  # a bug keeps its traceback
    assert list(tmp_path.iterdir()) == []


def test_update_outside_a_generated_project(tmp_path):
    result = mlscaffold("update", str(tmp_path))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {tmp_path} is not a project generated by mlscaffold (it has no "
        ".copier-answers.yml). Run `mlscaffold update` in a generated project, or pass its path."
    )


def test_update_refuses_a_dirty_tree_and_names_the_files(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    (dest / "Makefile").write_text("changed\n")
    (dest / "notes.md").write_text("new\n")
    result = mlscaffold("update", str(dest))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {dest} has uncommitted changes (Makefile, notes.md). Commit or stash them "
        "first, so the update can be reviewed and undone with git."
    )
    assert (dest / "Makefile").read_text() == "changed\n"


def test_update_when_already_current(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    result = mlscaffold("update", str(dest))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Already up to date (template version")


def test_update_of_a_version_missing_from_the_store(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    answers_file = dest / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text().replace("_commit: ", "_commit: 0.0.9-"))
    subprocess.run(["git", "commit", "-qam", "made elsewhere"], cwd=dest, check=True)
    result = mlscaffold("update", str(dest))
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("Error: This project was made with template version 0.0.9-")
    assert "copier recopy" in line


def test_update_with_an_invalid_answer(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    result = mlscaffold("update", str(dest), "-d", "k_min=1", "-q")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: Validation error for question 'k_min': k_min must be at least 2"
    )
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True
        ).stdout
        == ""
    )


def test_update_with_a_bad_conflict_mode(tmp_path):
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    result = mlscaffold("update", str(dest), "--conflict", "merge")
    assert result.exit_code == 1
    assert error_line(result) == "Error: --conflict takes 'inline' or 'rej', not 'merge'."


def _run_quick(args: list[str], modules: set[str]) -> tuple[str, list[str]]:
    """What ``mlscaffold ARGS`` prints in a new process, and which of ``modules`` it imported."""
    code = (
        "import sys\nfrom mlscaffold.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted({modules!r} & set(sys.modules)))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    *shown, imported = completed.stdout.rstrip("\n").split("\n")
    return "\n".join(shown), eval(imported)


@pytest.mark.parametrize(
    "args", [["--help"], ["list"], ["info", "segmentation"], ["new", "--help"]]
)
def test_quick_commands_import_neither_copier_nor_pydantic(args):
    """Issue 15: these answer at once; copier and pydantic are most of a slow start."""
    assert _run_quick(args, {"copier", "pydantic"})[1] == []


@pytest.mark.parametrize("args", [["list"], ["info", "streamlit-app"]])
def test_quick_commands_read_the_templates_once_per_home(args):
    """The first run reads copier.yml and renders its defaults; later runs show the same
    from $MLSCAFFOLD_HOME/catalog without PyYAML or Jinja (issue 15)."""
    first, imported_first = _run_quick(args, {"jinja2", "yaml"})
    assert imported_first == ["jinja2", "yaml"]
    again, imported_again = _run_quick(args, {"jinja2", "yaml"})
    assert again == first
    assert imported_again == []


def test_the_kept_catalog_follows_the_templates(tmp_path, monkeypatch):
    """A changed _meta.jinja (or copier.yml) is a new catalog; an unreadable one is made again."""
    import shutil

    from mlscaffold import catalog

    root = tmp_path / "project-templates"
    shutil.copytree(TEMPLATES, root)
    monkeypatch.setattr(catalog, "templates_root", lambda: root)

    def default_name() -> str:
        for cached in (catalog._catalog, catalog._sources, catalog._build, catalog._renderer):
            cached.cache_clear()
        template = catalog.get_template("segmentation")
        return next(q.default for q in template.questions if q.name == "project_name")

    assert default_name() == "Customer Segmentation"
    meta = root / "segmentation" / "_meta.jinja"
    meta.write_text(meta.read_text().replace('"Customer Segmentation"', '"Card Segments"'))
    assert default_name() == "Card Segments"
    (kept,) = (Path(os.environ["MLSCAFFOLD_HOME"]) / "catalog").glob("*.json")
    kept.write_text("{ not json")
    assert default_name() == "Card Segments"


# --- issue 14: what the adversarial trial found -------------------------------------------


@pytest.mark.parametrize("dest", [".", "$PWD"])
def test_new_into_the_current_empty_folder_writes_in_place(tmp_path, monkeypatch, dest):
    here = tmp_path / "e"
    here.mkdir()
    inode = here.stat().st_ino
    monkeypatch.chdir(here)
    result = mlscaffold("new", "segmentation", dest.replace("$PWD", str(here)), "-y", "-q")
    assert result.exit_code == 0, result.output
    assert here.stat().st_ino == inode  # the same folder: a shell inside it stays valid
    assert (here / "README.md").is_file()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=here, capture_output=True,
                          text=True, check=True).stdout == ""  # fmt: skip
    assert [p.name for p in here.iterdir() if p.name.startswith(".mlscaffold")] == []


def test_new_into_a_symlink_to_an_empty_folder_fills_the_folder(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = mlscaffold("new", "segmentation", str(tmp_path / "link"), "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "real" / "README.md").is_file()


def test_impossible_destinations_are_one_line(tmp_path):
    (tmp_path / "gone").symlink_to(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    cases = [
        (
            tmp_path / "gone",
            f"Error: {tmp_path}/gone is a symbolic link to {tmp_path}/missing, which does not "
            "exist. Remove the link or choose another destination.",
        ),
        (
            tmp_path / "file" / "p",
            f"Error: Cannot create {tmp_path}/file/p: {tmp_path}/file is a file, not a folder. "
            "Choose another destination.",
        ),
        (
            tmp_path / ("n" * 300),
            f"Error: The folder name '{'n' * 40}...' is longer than the 255 bytes a file system "
            "allows. Choose a shorter name.",
        ),
    ]
    for dest, message in cases:
        result = mlscaffold("new", "segmentation", str(dest), "-q")
        assert result.exit_code == 1, dest
        assert error_line(result) == message
        assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "gone"]


@pytest.mark.parametrize("clash", ["src", "LICENSE"])
def test_force_refuses_a_file_where_the_project_has_a_folder_and_back(tmp_path, clash):
    dest = tmp_path / "ne2"
    dest.mkdir()
    if clash == "src":
        (dest / "src").write_text("x")
    else:
        (dest / "LICENSE").mkdir()
    result = mlscaffold("new", "segmentation", str(dest), "-y", "--force", "-q")
    assert result.exit_code == 1
    kind = "file" if clash == "src" else "folder"
    assert error_line(result) == (
        f"Error: Cannot write the project into {dest}: {clash} is a {kind} there and the "
        "project needs the other kind. Move it away or choose another destination."
    )
    assert [p.name for p in dest.iterdir()] == [clash]


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "empty-folder"])
def test_two_runs_into_one_destination_never_mix(tmp_path, monkeypatch, existing):
    """The second run to finish finds the destination taken: it fails and writes nothing."""
    from mlscaffold import generate

    dest = tmp_path / "p"
    if existing:
        dest.mkdir()
    commit = generate._initial_commit
    other: list = []

    def meanwhile_another_run_finishes(*args, **kwargs):
        if not other:  # the outer run: another one starts and finishes meanwhile
            other.append(None)
            other[0] = mlscaffold("new", "dataviz", str(dest), "-q")
        commit(*args, **kwargs)

    monkeypatch.setattr(generate, "_initial_commit", meanwhile_another_run_finishes)
    result = mlscaffold("new", "segmentation", str(dest), "-q")
    assert other[0].exit_code == 0, other[0].output
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {dest} is no longer empty: something else wrote into it while the project "
        "was being generated. Nothing was written; choose another destination."
    )
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["template"] == "dataviz"
    assert not (dest / "src" / "customer_segmentation").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_stale_staging_folders_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    from mlscaffold.staging import locked

    monkeypatch.chdir(tmp_path)
    stale = tmp_path / ".mlscaffold-999999999-abc"  # its run was killed: nothing holds the lock
    (stale / "project").mkdir(parents=True)
    (stale / "lock").write_text("")
    locked_before = tmp_path / ".mlscaffold-1-live"  # a run in progress holds its lock
    locked_before.mkdir()
    with locked(locked_before / "lock"):
        result = mlscaffold("new", "segmentation", "-y", "-q")
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".mlscaffold-1-live",
            "customer-segmentation",
        ]


def test_data_file_problems_are_one_line(tmp_path):
    cases = {
        "null.yml": (
            "project_name: null\n",
            "Error: project_name needs a value; the answer is empty.",
        ),
        "latin1.yml": (
            "author_name: Zo\xeb\n".encode("latin-1"),
            "Error: The answers file {path} is not UTF-8 text. Write one 'question: answer' "
            "line per question.",
        ),
        "broken.yml": (
            "author_name: [unclosed\n",
            "Error: The answers file {path} is not valid YAML (line 2). Write one "
            "'question: answer' line per question.",
        ),
        "list.yml": (
            "- a\n- b\n",
            "Error: The answers file {path} must hold 'key: value' lines. Write one "
            "'question: answer' line per question.",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "--data-file", str(path))
        assert result.exit_code == 1, name
        assert error_line(result) == message.format(path=path)
        assert not (tmp_path / "p").exists()


def test_a_scalar_in_the_data_file_answers_a_multiselect(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("classifiers: svm\n")
    result = mlscaffold("new", "streamlit-app", str(tmp_path / "p"), "-q", "--data-file", str(path))
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert answers["classifiers"] == ["svm"]


def test_copier_notes_have_no_colour_codes_or_blank_lines_in_a_pipe(tmp_path):
    result = mlscaffold("new", "segmentation", str(tmp_path / "p"), "-y")
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stderr
    assert "\n\n" not in result.stderr
    assert "    create  README.md\n" in result.stderr
    assert result.stdout.startswith(f"Created {tmp_path / 'p'} from the segmentation template")


def test_help_shows_no_type_after_flags():
    result = mlscaffold("new", "--help")
    assert result.exit_code == 0
    assert "--force" in result.stdout
    assert "<bool>" not in result.stdout


def test_list_in_a_pipe_cuts_nothing():
    result = mlscaffold("list")
    assert result.exit_code == 0
    assert (
        "Web app comparing classifiers (SVM, logistic regression, random forest and more) on "
        "unseen clusters of near-identical mushrooms, against baselines, with paired tests and "
        "confusion matrices" in result.stdout
    )


def test_interactive_questions_start_empty_and_list_only_valid_choices(monkeypatch, tmp_path):
    """Typing replaces a default (copier's prompts appended to it); the dataset menu of
    segmentation offers only its own data sets."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from mlscaffold.catalog import get_template
    from mlscaffold.prompts import ask_questions

    template = get_template("segmentation")
    dataset = next(q for q in template.questions if q.name == "dataset")
    assert dataset.choices == ("credit-card", "wholesale")
    # One line of keys per question, in copier.yml's order.
    keys = {
        "project_name, project_slug, package_name, description": "Ada Segments\r\r\r\r",
        "author_name": "Ada Lovelace\r",
        "author_email, github_repository, license": "\r\r\r",
        "dataset": "\x1b[B\r",
        "k_min": "\r",
        "k_max": "abc\r\x7f\x7f\x7f8\r",
        "segments": "\r",
        "autoencoder": "y",
    }
    with create_pipe_input() as terminal:
        terminal.send_text("".join(keys.values()))
        terminal.close()  # no more keys: a question this test does not answer fails, never hangs
        answers = ask_questions(
            template, {}, defaults={"author_email": "ada@example.com"},
            input=terminal, output=DummyOutput(),
        )  # fmt: skip
    assert answers == {
        "project_name": "Ada Segments",
        "project_slug": "ada-segments",
        "package_name": "ada_segments",
        "description": template.defaults()["description"],
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.com",
        "github_repository": "",
        "license": "MIT",
        "dataset": "wholesale",
        "k_min": 2,
        "k_max": 8,  # 'abc' was refused at the prompt, then replaced
        "segments": "4-8",
        "autoencoder": True,
    }


def test_the_engine_is_asked_only_where_spark_can_run():
    """copier asks `engine` only for the credit-card data without the autoencoder, so the
    prompts do too (a wholesale answer above skips it; see the test before)."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from mlscaffold.catalog import get_template
    from mlscaffold.prompts import ask_questions

    template = get_template("segmentation")
    given = {"project_name": "Ada Segments", "author_name": "Ada", "dataset": "credit-card"}
    with create_pipe_input() as terminal:
        # slug, package, description, email, repository, licence, k_min, k_max, segments;
        # autoencoder no; engine: one down, Enter.
        terminal.send_text("\r" * 9 + "n" + "\x1b[B\r")
        terminal.close()
        answers = ask_questions(template, given, input=terminal, output=DummyOutput())
    assert answers["autoencoder"] is False and answers["engine"] == "spark"


def test_make_install_refuses_to_install_outside_a_virtualenv(tmp_path):
    """`make install` with the system's Python would install into it; it says what to do."""
    dest = tmp_path / "p"
    assert mlscaffold("new", "segmentation", str(dest), "-q").exit_code == 0
    system_python = getattr(sys, "_base_executable", sys.executable)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    completed = subprocess.run(
        ["make", "install", f"PYTHON={system_python}"], cwd=dest, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode != 0
    assert (
        "No virtualenv is active. First run: python -m venv .venv && . .venv/bin/activate"
        in completed.stdout
    )
    assert "pip install" not in completed.stdout
