"""Every answer that changes a generated project's files gives a project its own `make lint`
passes: ruff, deptry (every import declared, nothing declared unused) and vulture (no code for
an answer not chosen)."""

import pytest

from helpers import CLASSIFIERS, run_in_project

# Each answer that adds or removes code, alone, and everything at once: a piece of code that
# only one choice uses shows up as unused in the projects that do not choose it.
ANSWERS = [
    *(
        pytest.param(
            "segmentation",
            {"dataset": dataset, "autoencoder": autoencoder},
            id=f"{dataset}{'-autoencoder' * autoencoder}",
        )
        for dataset in ("credit-card", "wholesale")
        for autoencoder in (False, True)
    ),
    *(pytest.param("streamlit-app", {"classifiers": [name]}, id=name) for name in CLASSIFIERS),
    pytest.param("streamlit-app", {"classifiers": CLASSIFIERS}, id="all-six-classifiers"),
    pytest.param("cervical-cancer", {"target": "Schiller"}, id="cervical-cancer"),
    *(
        pytest.param("dataviz", {"dataset": dataset}, id=f"dataviz-{dataset}")
        for dataset in ("penguins", "wholesale", "csv")
    ),
]


@pytest.mark.parametrize(("template", "answers"), ANSWERS)
def test_make_lint_passes(render, template, answers):
    project = render(template, **answers)
    run_in_project(project, "-m", "ruff", "check", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", ".")
    run_in_project(project, "-m", "deptry", "src")
    run_in_project(project, "-m", "vulture")
