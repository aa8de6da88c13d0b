"""The README's "Adding a template" is true: a fifth template made by following it, touching only
the files it names, generates a project whose shared tests pass."""

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from copier import run_copy

from helpers import TEMPLATES, run_in_project

# The one-line wrappers the README tells a new template to copy from cervical-cancer.
WRAPPERS = [
    "{{ _copier_conf.answers_file }}.jinja",
    "LICENSE.jinja",
    "Makefile.jinja",
    ".gitignore.jinja",
    ".pre-commit-config.yaml.jinja",
    ".github/workflows/ci.yml.jinja",
    "requirements.txt.jinja",
    "src/{{ package_name }}/cli.py.jinja",
    "src/{{ package_name }}/runtime.py.jinja",
    "src/{{ package_name }}/showcase.py.jinja",
    "src/{{ package_name }}/fetch.py.jinja",
    "src/{{ package_name }}/readme.py.jinja",
    "tests/test_fetch.py.jinja",
    "tests/test_readme.py.jinja",
    "tests/test_runtime.py.jinja",
    "tests/test_notebook.py.jinja",
    "tests/test_results_current.py.jinja",
]

# What the new template writes itself: its metadata, its science, its README and notebook.
OWN_FILES = {
    "_meta.jinja": """
        {%- set project_name = "Hello Data" -%}
        {%- set description = "Counts the rows of a table." -%}
        {%- set question = "How many rows does the table have?" -%}
        {%- set stages = {"data": "make the table", "report": "count its rows"} -%}
        {%- set has_models = false -%}
        {%- set results = ["README.md", "reports"] -%}
    """,
    "pyproject.toml.jinja": """
        {%- set dependencies = ["pooch>=1.8", "streamlit>=1.40", "typer>=0.12"] -%}
        {%- set dev_dependencies = [] -%}
        {% include "_shared/pyproject.toml.jinja" %}
    """,
    "README.md.jinja": """
        {% extends "_shared/README.md.jinja" %}
        {% block body %}
        ## What this project does

        It counts rows.
        {%- endblock %}
    """,
    "DECISIONS.md.jinja": """
        {% extends "_shared/DECISIONS.md.jinja" %}
        {% block decisions %}
        - **Counting**: rows, because that is the question.
        {%- endblock %}
    """,
    "src/{{ package_name }}/__init__.py": '"""Hello data."""\n',
    "src/{{ package_name }}/__main__.py": "from .cli import app\n\napp()\n",
    "src/{{ package_name }}/config.py": '''
        """Parameters and paths."""

        from dataclasses import dataclass

        from . import runtime


        @dataclass(frozen=True)
        class Params:
            rows: int = 3


        @dataclass(frozen=True)
        class Paths(runtime.Paths):
            pass
    ''',
    "src/{{ package_name }}/pipeline.py": '''
        """The stages."""

        from . import readme
        from .runtime import Context, Provenance, load_metrics, write_metrics


        def run_data(ctx: Context) -> None:
            Provenance.sample(rows=ctx.params.rows).save(ctx.paths)
            write_metrics(ctx.paths, {"rows": ctx.params.rows}, ctx.params)


        def run_report(ctx: Context) -> None:
            rows = load_metrics(ctx.paths)["rows"]
            readme.write_blocks(ctx.paths.readme, {"headline": f"**{rows} rows**"}, ctx.say)


        STAGES = {"data": run_data, "report": run_report}
    ''',
    "src/{{ package_name }}/app.py.jinja": '''
        """The app."""

        import streamlit as st

        from {{ package_name }}.config import Paths
        from {{ package_name }}.runtime import load_metrics

        st.title(f"{load_metrics(Paths())['rows']} rows")
    ''',
    "notebooks/01-eda.ipynb.jinja": """
        {
         "cells": [
        {% include "_shared/notebook_setup_cell.json.jinja" %}
          {
           "cell_type": "code",
           "id": "rows",
           "metadata": {},
           "source": [
            "from {{ package_name }}.config import Paths\\n",
            "from {{ package_name }}.runtime import load_metrics\\n",
            "\\n",
            "load_metrics(Paths())[\\"rows\\"]"
           ],
           "execution_count": null,
           "outputs": []
          }
         ],
         "metadata": {},
         "nbformat": 4,
         "nbformat_minor": 5
        }
    """,
}


def add_template(root: Path, name: str) -> None:
    """Follow the README's steps for a new template in the template root ``root``."""
    copier_yml = root / "copier.yml"
    text = copier_yml.read_text()
    last_choice = re.search(r"\n(    \"dataviz .*\n)", text)
    assert last_choice, "the template question's choices are where the README says"
    entry = f'    "{name}  a minimal example": {name}\n'
    copier_yml.write_text(text.replace(last_choice.group(1), last_choice.group(1) + entry))
    with (root / "catalog.yml").open("a") as catalog:
        catalog.write(
            f"{name}:\n  guided_project: None\n  builds: a row count\n  dataset: three rows\n"
        )
    folder = root / name
    for wrapper in WRAPPERS:
        (folder / wrapper).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "cervical-cancer" / wrapper, folder / wrapper)
    for path, content in OWN_FILES.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(textwrap.dedent(content).lstrip("\n"))


def test_the_readme_names_the_files_a_new_template_copies():
    readme = (TEMPLATES.parent / "README.md").read_text()
    section = readme.split("## Adding a template")[1].split("\n## ")[0]
    for wrapper in WRAPPERS:
        assert f"`{wrapper}`" in section or f"`{Path(wrapper).name}`" in section, wrapper


@pytest.mark.slow
def test_a_fifth_template_made_by_the_readme_generates_and_passes_its_tests(tmp_path):
    root = tmp_path / "project-templates"
    shutil.copytree(TEMPLATES, root)
    add_template(root, "hello")
    project = tmp_path / "hello-data"
    run_copy(str(root), project, data={"template": "hello"}, defaults=True, unsafe=True, quiet=True)

    assert "# Hello Data: how many rows does the table have?" in (project / "README.md").read_text()
    run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    run_in_project(project, "-m", "hello_data", "all")
    assert "**3 rows**" in (project / "README.md").read_text()
