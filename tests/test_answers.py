"""Answers: every answer copier accepts renders files that parse, every refused one is one line.

The property test generates answer strings (unicode, quotes, backslashes, control characters,
line breaks, keywords, module names, long names) for the free-text questions, runs
`mlscaffold new` with each, and parses every TOML, YAML, JSON and Python file of what it made.
It is bounded (40 examples, derandomized so CI sees the same ones).
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import TEMPLATE_NAMES, TEMPLATES
from mlscaffold.answers import coerce, parse_data, prepare
from mlscaffold.catalog import get_template
from mlscaffold.cli import app
from mlscaffold.errors import MlscaffoldError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

runner = CliRunner()

FREE_TEXT = ["project_name", "project_slug", "package_name", "description", "author_name"]
NASTY = list("aAzZ09 _-.,'\"\\\n\r\t\x00\x1b\x7f\x85\u2028\ufeffé中🍄{}%#:")
MODULES = ["xgboost", "pooch", "skops", "matplotlib", "seaborn", "pytest", "typing", "sklearn"]
answer_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from(NASTY), max_size=50),
    st.sampled_from(keyword.kwlist + MODULES),
    st.from_regex(r"[a-z][a-z0-9_]{30,45}", fullmatch=True),  # around the length limit
    st.from_regex(r"[A-Z][a-z]{2,10}( [A-Z][a-z]{2,10}){0,2}\n?", fullmatch=True),
)


def parse_everything(project: Path) -> int:
    """Parse every TOML, YAML, JSON and Python file of a project; how many there were."""
    parsers = {
        ".toml": lambda text: tomllib.loads(text),
        ".yml": yaml.safe_load,
        ".yaml": yaml.safe_load,
        ".json": json.loads,
        ".ipynb": json.loads,
        ".py": ast.parse,
    }
    parsed = 0
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix in parsers:
            try:
                parsers[path.suffix](path.read_text(encoding="utf-8"))
            except Exception as error:  # noqa: BLE001 - the file name makes the failure useful
                pytest.fail(f"{path.relative_to(project)} does not parse: {error}")
            parsed += 1
    return parsed


def generate(dest: Path, template: str, name: str, value: str):
    return runner.invoke(
        app, ["new", template, str(dest), "-q", "--no-git", "-d", f"{name}={value}"]
    )


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(FREE_TEXT), value=answer_text)
# The reproductions of issue 14.
@example(name="author_name", value="Ada \\Lovelace\\")
@example(name="description", value="Line one\nx")
@example(name="project_name", value="Mushy\n")
@example(name="package_name", value="abc\n")
@example(name="package_name", value="class")
@example(name="package_name", value="xgboost")
def test_accepted_answers_render_files_that_parse(tmp_path_factory, name, value):
    work = tmp_path_factory.mktemp("answer")
    first = generate(work / TEMPLATE_NAMES[0], TEMPLATE_NAMES[0], name, value)
    if first.exit_code != 0:
        assert first.exit_code == 1, first.output
        lines = [line for line in first.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), first.stderr
        assert "\n" not in lines[0]
        assert list(work.iterdir()) == []
        return
    for template in TEMPLATE_NAMES:
        project = work / template
        if template != TEMPLATE_NAMES[0]:
            result = generate(project, template, name, value)
            assert result.exit_code == 0, (template, result.output)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
        assert answers[name] == value  # recorded exactly as given
        assert (project / "src" / answers["package_name"] / "__init__.py").is_file()
        assert parse_everything(project) > 10


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("author_email", 'a"b@x.com', "author_email must look like name@example.com"),
        ("author_email", "ada@example.com\n", "author_email must look like name@example.com"),
        (
            "author_name",
            "Ada\x00",
            "author_name must not contain double quotes, backslashes or control characters "
            "such as line breaks",
        ),
        ("description", "x" * 301, "description must be at most 300 characters"),
    ],
    ids=["email-quote", "email-newline", "name-nul", "description-long"],
)
def test_refused_free_text(tmp_path, name, value, message):
    result = generate(tmp_path / "p", "segmentation", name, value)
    assert result.exit_code == 1
    assert result.stderr == f"Error: Validation error for question '{name}': {message}\n"


def test_package_name_refuses_every_module_a_project_imports_or_holds():
    """The validator's list of reserved names covers keywords, the standard library, every
    module the templates import and every module they hold: shadowing one breaks the project."""
    imported: set[str] = set()
    held: set[str] = set()
    # An import statement, not a docstring line that starts with "from a ..." or "import the".
    import_line = re.compile(
        r"^\s*(?:from\s+([a-z_]\w*)(?:\.\w+)*\s+import\b"
        r"|import\s+([a-z_]\w*)(?:\.\w+)*\s*(?:$|,|as\b))",
        re.MULTILINE,
    )
    jinja = re.compile(r"{[{%].*?[%}]}")
    include = re.compile(r'{%\s*include\s+"([^"]+)"\s*%}')
    for path in TEMPLATES.rglob("*"):
        name = jinja.sub("", path.name.removesuffix(".jinja"))
        if not path.is_file() or not name.endswith((".py", ".ipynb")):
            continue
        text = path.read_text(encoding="utf-8")
        if name.endswith(".ipynb"):  # the code cells of a notebook, shared cells included
            text = include.sub(lambda match: (TEMPLATES / match[1]).read_text("utf-8"), text)
            # Every branch of its {% if %} blocks kept: a notebook holds the cells of each answer.
            text = re.sub(r"{{.*?}}", "PACKAGE", re.sub(r"{%.*?%}", "", text))
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        else:
            held.add(name.removesuffix(".py"))
        imported |= {a or b for a, b in import_line.findall(text)}
    expected = (
        {name for name in keyword.kwlist if name.islower()}
        | set(sys.stdlib_module_names)
        | imported
        | held
    )
    expected = {name for name in expected if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name)}
    expected -= {"conftest"} | {name for name in held if name.startswith("test_")}
    template = get_template("segmentation")
    question = next(q for q in template.questions if q.name == "package_name")
    from mlscaffold.catalog import refusal

    allowed = sorted(name for name in expected if not refusal(template, question, name, {}))
    assert allowed == []


@pytest.mark.parametrize(
    ("template", "raw", "typed"),
    [
        ("segmentation", {"k_min": "3", "autoencoder": "yes"}, {"k_min": 3, "autoencoder": True}),
        ("segmentation", {"k_max": 12, "autoencoder": False}, {"k_max": 12, "autoencoder": False}),
        (
            "streamlit-app",
            {"classifiers": "svm, naive_bayes"},
            {"classifiers": ["svm", "naive_bayes"]},
        ),
        ("streamlit-app", {"classifiers": "svm"}, {"classifiers": ["svm"]}),
        ("streamlit-app", {"classifiers": ["svm"]}, {"classifiers": ["svm"]}),
        ("cervical-cancer", {"author_name": 42}, {"author_name": "42"}),
    ],
    ids=["int-bool-strings", "typed", "multiselect-split", "multiselect-scalar", "list", "number"],
)
def test_answers_get_their_question_type(template, raw, typed):
    assert prepare(get_template(template), raw) == typed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"k_min": "abc"}, "k_min takes a whole number, not 'abc'."),
        ({"k_min": "2.5"}, "k_min takes a whole number, not '2.5'."),
        ({"autoencoder": "maybe"}, "autoencoder takes true or false, not 'maybe'."),
        ({"project_name": None}, "project_name needs a value; the answer is empty."),
        ({"project_name": ["a", "b"]}, "project_name takes one value, not a list."),
        ({"k_max": "40"}, "Validation error for question 'k_max': k_max must be at most 30"),
        ({"k_min": "6", "k_max": "5"}, "Validation error for question 'k_max': k_max must be "
         "larger than k_min (6)"),
        ({"template": "dataviz"}, "The template is chosen by `mlscaffold new TEMPLATE` and kept "
         "by updates, not answered with --data template=. To use another template, generate a "
         "new project."),
        ({"colour": "red"}, "Template 'segmentation' has no question 'colour'. Run `mlscaffold "
         "info segmentation` to see its questions."),
        ({"copyright_year": "1999"}, "Template 'segmentation' has no question 'copyright_year'. "
         "Run `mlscaffold info segmentation` to see its questions."),
        ({"dataset": "penguins"}, "Invalid choice for 'dataset': 'penguins'. Choose from: "
         "credit-card, wholesale."),
        ({"dataset": "csv\n"}, "Invalid choice for 'dataset': 'csv\\n'. Choose from: "
         "credit-card, wholesale."),
    ],
    ids=[
        "int-word", "int-float", "bool-maybe", "null", "list-for-text", "validator",
        "validator-sees-other-answers", "template", "unknown", "hidden", "choice-of-other-template",
        "choice-with-newline",
    ],
)  # fmt: skip
def test_refused_answers_say_why(raw, message):
    with pytest.raises(MlscaffoldError) as refused:
        prepare(get_template("segmentation"), raw)
    assert str(refused.value) == message


def test_multiselect_refuses_choices_it_does_not_offer():
    question = next(q for q in get_template("streamlit-app").questions if q.name == "classifiers")
    with pytest.raises(MlscaffoldError, match="Invalid choice for 'classifiers': 'svm2'"):
        coerce(question, "svm,svm2")


def test_data_items_split_on_the_first_equals_sign():
    assert parse_data(["description=a=b", "k_min= 3"]) == {"description": "a=b", "k_min": " 3"}
    with pytest.raises(MlscaffoldError, match="--data takes KEY=VALUE, got '=x'."):
        parse_data(["=x"])
