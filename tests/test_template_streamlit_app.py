"""The streamlit-app template: renders for each classifier selection, the generated project
passes its own lint and tests, and its pipeline runs on the real UCI Mushroom file."""

import json
import re
from pathlib import Path

import pytest

from conftest import TEMPLATES, leftover_jinja, run_in_project, use_real_data

ALL_SIX = [
    "svm",
    "logistic_regression",
    "random_forest",
    "decision_tree",
    "naive_bayes",
    "gradient_boosting",
]
SELECTIONS = {
    "default": ["svm", "logistic_regression", "random_forest"],
    "naive-bayes-only": ["naive_bayes"],
    "all-six": ALL_SIX,
}
README_NAMES = {
    "svm": "support vector machine",
    "logistic_regression": "logistic regression",
    "random_forest": "random forest",
    "decision_tree": "decision tree",
    "naive_bayes": "naive Bayes",
    "gradient_boosting": "gradient boosting",
}


def render_selection(render, selection: str, **answers) -> Path:
    if selection == "default":  # the template's own default, not passed in
        return render("streamlit-app", **answers)
    return render("streamlit-app", classifiers=SELECTIONS[selection], **answers)


def configured_classifiers(project: Path, package: str) -> list[str]:
    text = (project / "src" / package / "config.py").read_text()
    block = re.search(r"CLASSIFIERS: tuple\[str, \.\.\.\] = \((.*?)\)", text, re.S)
    assert block is not None
    return re.findall(r'"(\w+)"', block.group(1))


@pytest.mark.parametrize("selection", SELECTIONS, ids=list(SELECTIONS))
def test_renders_the_selected_classifiers(render, selection):
    project = render_selection(render, selection)
    package = project / "src" / "mushroom_classifier"
    for name in [
        "config.py",
        "data.py",
        "features.py",
        "train.py",
        "evaluate.py",
        "plots.py",
        "report.py",
        "pipeline.py",
        "cli.py",
        "__main__.py",
        "app.py",
        "fetch.py",
        "readme.py",
    ]:
        assert (package / name).is_file(), name
    for name in ["test_app.py", "test_cli.py", "test_data.py", "conftest.py"]:
        assert (project / "tests" / name).is_file(), name
    assert (project / "notebooks" / "01-eda.ipynb").is_file()
    assert leftover_jinja(project) == []
    assert configured_classifiers(project, "mushroom_classifier") == SELECTIONS[selection]

    readme = (project / "README.md").read_text()
    assert readme.startswith("# Mushroom Classifier\n")
    classifiers_line = next(line for line in readme.splitlines() if "**Classifiers**" in line)
    for name, words in README_NAMES.items():
        assert (words in classifiers_line) == (name in SELECTIONS[selection]), name
    assert "https://doi.org/10.24432/C5959T" in readme
    assert "CC BY 4.0" in readme
    assert "data/raw/agaricus-lepiota.data" in readme
    assert "## App" in readme
    assert "\n\n\n" not in readme
    answers = (project / ".copier-answers.yml").read_text()
    for name in SELECTIONS[selection]:
        assert f"- {name}" in answers


def test_answers_reach_the_code(render):
    project = render(
        "streamlit-app", project_name="Fungi Finder", package_name="fungi", classifiers=["svm"]
    )
    config = (project / "src" / "fungi" / "config.py").read_text()
    assert 'PROJECT_NAME = "Fungi Finder"' in config
    assert 'ROOT_ENV = "FUNGI_ROOT"' in config
    app = (project / "src" / "fungi" / "app.py").read_text()
    assert "from fungi import config" in app
    assert 'page_title="Fungi Finder"' in app
    assert "from fungi.cli import app" in (project / "tests" / "conftest.py").read_text()
    assert 'fungi-finder = "fungi.cli:app"' in (project / "pyproject.toml").read_text()
    assert '"skops>=' in (project / "pyproject.toml").read_text()


def test_no_classifier_is_refused(copie):
    result = copie.copy(
        extra_answers={"template": "streamlit-app", "classifiers": []}, template_dir=TEMPLATES
    )
    assert result.exception is not None
    assert "choose at least one classifier" in str(result.exception)


@pytest.mark.parametrize("selection", SELECTIONS, ids=list(SELECTIONS))
def test_generated_project_passes_its_own_lint_and_tests(render, selection):
    project = render_selection(render, selection)
    run_in_project(project, "-m", "ruff", "check", "--no-cache", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", "--no-cache", ".")
    result = run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert re.search(r"\d+ passed", result.stdout)
    assert "failed" not in result.stdout


@pytest.mark.slow
def test_pipeline_on_the_real_mushroom_file(render):
    project = render("streamlit-app", classifiers=ALL_SIX)
    use_real_data(project, "agaricus-lepiota.data", "agaricus-lepiota.data")
    result = run_in_project(project, "-m", "mushroom_classifier", "all")
    for stage in ["[data]", "[train]", "[evaluate]", "[report]", "All stages done"]:
        assert stage in result.stdout

    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert metrics["source"]["kind"] == "real"
    assert metrics["source"]["sha256"].startswith("e65d08203050")
    assert (metrics["n_train"], metrics["n_test"]) == (6093, 2031)
    assert metrics["baseline_accuracy"] == pytest.approx(0.518, abs=0.001)
    # The data are almost separable: odour alone is right for ~98.5% of mushrooms.
    best_rule, best_accuracy = next(iter(metrics["one_rule"].items()))
    assert best_rule == "odor"
    assert 0.98 < best_accuracy < 0.99
    models = metrics["models"]
    assert list(models) == ALL_SIX
    for name in ["svm", "logistic_regression", "random_forest", "decision_tree"]:
        assert models[name]["test"]["accuracy"] >= 0.999, name
        assert models[name]["cv"]["accuracy"]["mean"] >= 0.999, name
    assert 0.99 <= models["gradient_boosting"]["test"]["accuracy"] <= 1
    # Naive Bayes on one-hot indicators is the honest outlier, around 94%.
    assert 0.9 < models["naive_bayes"]["test"]["accuracy"] < 0.97
    assert models["naive_bayes"]["cv"]["accuracy"]["std"] > 0
    assert next(iter(models["svm"]["permutation_importance"])) == "odor"

    readme = (project / "README.md").read_text()
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert "No results yet" not in results
    assert "synthetic sample" not in results
    assert "| Support vector machine | 1.0000 |" in results
    assert "| Naive Bayes |" in results
    assert "**odor**, classifies 98." in results
    for figure in ["roc_curves", "pr_curves", "confusion_matrices", "permutation_importance"]:
        assert f"(reports/figures/{figure}.png)" in results
        assert (project / "reports" / "figures" / f"{figure}.png").stat().st_size > 10_000
    assert "## Limitations" in (project / "MODEL_CARD.md").read_text()
    for name in ALL_SIX:
        assert (project / "models" / f"{name}.skops").is_file()
