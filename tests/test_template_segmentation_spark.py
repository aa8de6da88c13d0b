"""The segmentation template's Spark engine (``-d engine=spark``): nothing of it in a default
project; its own tests pass in local mode and through a local Spark Connect server; on the real
CC GENERAL.csv it chooses the scikit-learn engine's k with segments of about the same sizes."""

import json

import pytest
from test_template_segmentation import COMMON_MODULES, PACKAGE, SOURCE, TESTS

from helpers import TEMPLATES, run_in_project, use_real_data

# The scikit-learn engine's choice on the table the Spark engine's data stage cleaned (the
# driver's sample, all 8,950 customers here): k, then the segment sizes, largest first.
SCIKIT_LEARN = f"""
import numpy as np

from {PACKAGE} import train
from {PACKAGE}.config import Params, Paths

segmenter = train.fit(train.read_table(Paths().customers), Params(), progress=lambda line: None)
print(segmenter.k, *np.bincount(segmenter.model.named_steps["kmeans"].labels_))
"""
SIZE_TOLERANCE = 0.01
"""Largest difference allowed between the two engines' shares of customers in any segment:
1 point (90 of 8,950). Both fit K-means to the same points and differ only in the start
(scikit-learn: the best of 10 k-means++ restarts; MLlib: one k-means|| start), so a segment
gains or loses a few boundary customers (8 at most on 2026-12-03); 1 point leaves room for
another start, not for another segmentation."""


def test_a_default_project_holds_nothing_of_spark(render):
    default = render("segmentation")
    spark = render("segmentation", engine="spark")
    for project, extra in ((default, []), (spark, ["spark_engine"])):
        modules = sorted(p.stem for p in (project / SOURCE).glob("*.py"))
        assert modules == sorted([*COMMON_MODULES, "credit_card", *extra])
    assert sorted(p.stem for p in (spark / "tests").glob("*.py")) == sorted(
        [*TESTS, "test_spark_engine"]
    )
    assert not (default / "benchmarks").exists()
    assert sorted(p.name for p in (spark / "benchmarks").iterdir()) == [
        "engines.py",
        "results.json",
    ]
    for path in default.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.name != ".copier-answers.yml":
            assert "spark" not in path.read_text(errors="ignore").lower(), path
    assert "pyspark[connect]" in (spark / "pyproject.toml").read_text()
    assert "setup-java" in (spark / ".github" / "workflows" / "ci.yml").read_text()


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"dataset": "wholesale"}, "credit-card"), ({"autoencoder": True}, "autoencoder")],
)
def test_spark_is_refused_where_it_has_no_rules(copie, answers, message):
    result = copie.copy(
        extra_answers={"template": "segmentation", "engine": "spark", **answers},
        template_dir=TEMPLATES,
    )
    assert result.exit_code != 0 and message in str(result.exception)


@pytest.mark.slow
def test_spark_engine_agrees_with_scikit_learn_on_the_real_data(render):
    project = render("segmentation", engine="spark")
    run_in_project(project, "-m", "ruff", "check", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", ".")
    run_in_project(project, "-m", "deptry", "src")
    run_in_project(project, "-m", "vulture")
    # Its own Spark tests: local mode, and the pipeline through a local Spark Connect server.
    result = run_in_project(
        project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_spark_engine.py"
    )
    assert " passed" in result.stdout and "failed" not in result.stdout
    use_real_data(project, "cc_general.csv", "CC GENERAL.csv")
    run_in_project(project, "-m", PACKAGE, "all")
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    k, *sizes = map(int, run_in_project(project, "-c", SCIKIT_LEARN).stdout.split())
    assert metrics["chosen_k"] == k
    customers = metrics["data"]["rows"]
    assert customers == 8950
    spark_sizes = [row["customers"] for row in metrics["segments"]]
    for ours, theirs in zip(sorted(spark_sizes), sorted(sizes), strict=True):
        assert abs(ours - theirs) / customers <= SIZE_TOLERANCE, (spark_sizes, sizes)
