"""The streamlit-app template: renders for each classifier selection, the generated project
passes its own lint and tests, and its pipeline runs on the real UCI Mushroom file, whose
models the app serves in a real browser."""

import json
import re
from pathlib import Path

import pytest

from helpers import (
    CLASSIFIERS,
    SHARED_FILES,
    TEMPLATES,
    browser_page,
    leftover_jinja,
    run_in_project,
    served_app,
    use_real_data,
)

ALL_SIX = CLASSIFIERS
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
    text = (project / "src" / package / "classifiers" / "__init__.py").read_text()
    block = re.search(r"MODULES = \[(.*?)\]", text, re.S)
    assert block is not None
    return re.findall(r"(\w+),", block.group(1))


MODULES = [
    "__init__",
    "__main__",
    "app",
    "cli",
    "config",
    "data",
    "evaluate",
    "experiments",
    "features",
    "fetch",
    "nearness",
    "pipeline",
    "plots",
    "readme",
    "report",
    "runtime",
    "showcase",
    "train",
]

TESTS = [
    "conftest",
    "test_app",
    "test_cli",
    "test_data",
    "test_evaluate",
    "test_experiments",
    "test_features",
    "test_fetch",
    "test_nearness",
    "test_notebook",
    "test_plots",
    "test_readme",
    "test_report",
    "test_results_current",
    "test_runtime",
    "test_train",
]

# The shared files' top-level entries, and this template's folders.
TOP_LEVEL = sorted(
    {path.split("/")[0] for path in SHARED_FILES}
    | {"data", "models", "notebooks", "reports", "src", "tests"}
)


@pytest.mark.parametrize("selection", SELECTIONS, ids=list(SELECTIONS))
def test_renders_the_selected_classifiers(render, selection):
    project = render_selection(render, selection)
    package = project / "src" / "mushroom_classifier"
    assert sorted(p.name for p in project.iterdir()) == TOP_LEVEL
    assert sorted(p.stem for p in package.glob("*.py")) == MODULES
    assert sorted(p.stem for p in (project / "tests").glob("*.py")) == TESTS
    # One module per chosen classifier, and none for the others.
    modules = sorted(p.stem for p in (package / "classifiers").glob("*.py"))
    assert modules == sorted(["__init__", "param", *SELECTIONS[selection]])
    assert (project / "notebooks" / "01-eda.ipynb").is_file()
    assert leftover_jinja(project) == []
    assert configured_classifiers(project, "mushroom_classifier") == SELECTIONS[selection]

    readme = (project / "README.md").read_text()
    assert readme.startswith("# Mushroom Classifier: ")
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
    app = (project / "src" / "fungi" / "app.py").read_text()
    assert "from fungi import (\n    config," in app
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


GENERATED_TESTS = {
    "default": [],
    "naive-bayes-only": [
        *(f"tests/test_{name}.py" for name in ["train", "cli", "report", "plots", "app"]),
        "-k",
        "not fresh_clone",
    ],
}
"""The generated tests each selection runs: the defaults run their whole suite; a single
classifier runs those whose code path the classifier choice changes (its module, the pipeline,
report, figures and app with one model). Data, notebook and the app's first start run the same
code whatever the classifiers."""


@pytest.mark.slow
@pytest.mark.parametrize("selection", ["default", "naive-bayes-only"])
def test_generated_project_passes_its_own_lint_and_tests(render, selection):
    """The defaults and a single classifier pass their own lint and tests. All six classifiers
    run on the real file below, and test_generated_lint.py lints every classifier alone and
    all six."""
    project = render_selection(render, selection)
    run_in_project(project, "-m", "ruff", "check", "--no-cache", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", "--no-cache", ".")
    tests = GENERATED_TESTS[selection]
    result = run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests)
    assert re.search(r"\d+ passed", result.stdout)
    assert "failed" not in result.stdout


OVERRULED_ODOURS = """
import json
import numpy as np, pandas as pd
from pathlib import Path
from mushroom_classifier import evaluate, features, train
metrics = json.loads(Path("reports/metrics.json").read_text())
frame = pd.read_csv("data/processed/mushrooms.csv", dtype=str)
x, y = features.split_xy(frame)
for name, result in metrics["models"].items():
    model = train.load(Path("models") / f"{name}.skops")
    for odour in "cpysm":
        rows = x[y == 0].assign(odor=odour)
        called = evaluate.probabilities(model, rows) >= result["threshold"]["value"]
        not_far = np.zeros(len(rows), dtype=bool)
        answer, _, _ = features.answers(rows, called, not_far, metrics["pure_codes"], not_far)
        print(*{a.replace(" ", "_") for a in answer})
"""
"""Edible rows with an odour that only poisonous training mushrooms had, answered by every
served model as the app answers them (printed: the distinct answers)."""

NEAR_POISONOUS = """
import json
from pathlib import Path
import numpy as np, pandas as pd
from mushroom_classifier import config, data, features, nearness
params = config.Params()
frame = data.read_table(Path("data/processed/mushrooms.csv"), header=True)
x_train, _, y_train, _ = features.split(frame, test_size=params.test_size, seed=params.seed)
labels = y_train.to_numpy()
poisonous = x_train[labels == 1]
rows = pd.concat(
    poisonous[poisonous[column] != code].assign(**{column: code})
    for column in x_train.columns
    for code in sorted(set(x_train[column]))
).drop_duplicates()
codes = nearness.as_codes(x_train)
rows = rows[nearness.nearest_distance(codes[labels == 0], nearness.as_codes(rows)) >= 2]
near = nearness.nearest_share(codes, labels, nearness.as_codes(rows))
edible_call = np.zeros(len(rows), dtype=bool)  # the worst model: "edible" to every one
pure = json.loads(Path("reports/metrics.json").read_text())["pure_codes"]
answer, _, _ = features.answers(rows, edible_call, edible_call, pure, near)
print(len(rows), int((answer == "edible").sum()))
"""
"""One-attribute variants of poisonous training rows that are two or more attributes from
every edible one: even a model that calls every one of them edible gets no "edible" answer
(printed: how many variants, how many answered "edible")."""


@pytest.fixture(scope="module")
def real_six(copie_session) -> tuple[Path, str]:
    """All six classifiers, the pipeline run once on the real file: (project folder, what `all`
    printed). Read by the results test and served to the browser test; the two share an xdist
    group, so one worker runs the pipeline once for both."""
    result = copie_session.copy(
        extra_answers={"template": "streamlit-app", "classifiers": ALL_SIX},
        template_dir=TEMPLATES,
    )
    assert result.exception is None, repr(result.exception)
    project = Path(result.project_dir)
    use_real_data(project, "agaricus-lepiota.data", "agaricus-lepiota.data")
    return project, run_in_project(project, "-m", "mushroom_classifier", "all").stdout


@pytest.mark.slow
@pytest.mark.xdist_group("mushroom-real")
def test_pipeline_on_the_real_mushroom_file(real_six):
    project, printed = real_six
    for number, stage in enumerate(["data", "train", "evaluate", "report"], start=1):
        assert f"[{number}/4] {stage} done in" in printed
    assert "All 4 stages done in" in printed

    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert metrics["provenance"]["kind"] == "file"
    assert metrics["provenance"]["sha256"].startswith("e65d08203050")
    assert (metrics["n_train"], metrics["n_test"]) == (6093, 2031)
    # Why the random split scores 100 %: every held-out row is one attribute from a training
    # row, and the rows fall into 23 pure clusters of near-identical mushrooms.
    assert metrics["nearest"]["random_split"] == {"1": 2031}
    assert min(int(d) for d in metrics["nearest"]["clusters_held_out"]) >= 2
    clusters = metrics["nearest"]["clusters"]
    assert (clusters["count"], clusters["mixed"]) == (23, 0)
    best_rule, best_accuracy = next(iter(metrics["one_rule"].items()))
    assert best_rule == "odor"
    assert 0.98 < best_accuracy < 0.99
    models = metrics["models"]
    assert list(models) == ALL_SIX
    # The saved models (the app's) are calibrated on row-level folds, near-copies like the
    # only mushrooms the app answers: every training row has another within one attribute, so
    # the app answers up to that distance, and the random split (all at distance 1) scores
    # the served models at the served threshold: no poisonous mushroom missed (logistic
    # regression calls one edible mushroom poisonous, the cheap error).
    assert metrics["nearest"]["training"] == {"1": 6093}
    for name in ["svm", "logistic_regression", "random_forest"]:
        assert models[name]["test"]["missed"]["count"] == 0, name
        assert models[name]["test"]["accuracy"]["count"] >= 2030, name
    # A code no edible training mushroom had overrules an "edible" call however few clusters
    # had it (foul: 3 clusters; fishy: 1); an edible-only code (numerous population, 314 rows of
    # 2 clusters) is only named.
    codes = {(c["attribute"], c["code"]): c for c in metrics["pure_codes"]["codes"]}
    assert codes["odor", "f"] == {
        "attribute": "odor",
        "code": "f",
        "poisonous": True,
        "rows": 1642,
        "clusters": 3,
    }
    assert (codes["odor", "y"]["rows"], codes["odor", "y"]["clusters"]) == (431, 1)
    assert not codes["population", "n"]["poisonous"]
    # Every edible mushroom given a creosote, pungent, fishy, spicy or musty odour (each
    # poisonous in one cluster only) is never answered "edible" by any served model.
    # (Both checks run in one interpreter: one import of the package and scikit-learn.)
    printed = run_in_project(project, "-c", OVERRULED_ODOURS + NEAR_POISONOUS).stdout
    *odours, near = printed.strip().splitlines()
    answered = " ".join(odours).split()
    assert answered and set(answered) <= {"poisonous", "treat_as_poisonous"}
    # One attribute from a poisonous training mushroom and two or more from every edible one:
    # no "edible" answer, whatever the model says (the nearest training mushrooms decide).
    variants, edible = map(int, near.split())
    assert variants > 10_000 and edible == 0
    # A model whose probability floor sits near the threshold is not served: naive Bayes's
    # calibrated floor is just under 1/11, so its "edible" calls would rest on noise.
    serving = {name: result["serving"] for name, result in models.items()}
    assert [name for name, s in serving.items() if not s["served"]] == ["naive_bayes"]
    assert 0.5 / 11 < serving["naive_bayes"]["floor"] < 1 / 11
    # Every pair of models is compared paired, Holm-corrected over the pairs.
    pairs = metrics["grouped_differences"]
    assert len(pairs) == len(ALL_SIX) * (len(ALL_SIX) - 1) // 2
    assert all(d["family"] == len(pairs) and d["p_holm"] >= d["p"] for d in pairs.values())
    for name in ["svm", "random_forest"]:
        test = models[name]["test_at_ceiling"]
        assert test["accuracy"]["count"] == test["accuracy"]["of"] == 2031
        assert (test["missed"]["count"], test["missed"]["of"]) == (0, 979)
        assert test["missed"]["high"] == pytest.approx(0.00376, abs=1e-5)
        # Without odour, and without spore print colour too, they still make no mistake.
        for ablation in models[name]["ablations"].values():
            assert ablation["accuracy"]["count"] == 2031
    for name, result in models.items():
        grouped = result["grouped"]
        # Unseen clusters are scored by a grouped CV of the training part only.
        assert grouped["accuracy"]["of"] == 6093
        assert grouped["accuracy"]["high"] < result["test_at_ceiling"]["accuracy"]["low"], name
        # The threshold comes from the stated cost ratio alone (10 -> 1/11), the same for all.
        assert result["threshold"]["value"] == pytest.approx(1 / 11), name
        # No calibration by cluster, no majority refitted per fold (wrong by design there).
        assert "calibration" not in grouped and "grouped_vs_majority" not in metrics

    # Leave-one-cluster-out: each of the 23 clusters is held out on its own.
    assert metrics["cluster_folds"] == 23
    # The four rules of agaricus-lepiota.names are right on every row: a random split cannot
    # tell them from memorising near-copies.
    assert metrics["names_rules"]["accuracy"]["count"] == 8124
    # Holte's one-rule on the same folds, scored like the models: at 0.5 an odour the training
    # folds never had gets their majority class (4,798 of 6,093 right, 78.7 % as the
    # review's own leave-one-cluster-out found).
    rule = metrics["grouped_one_rule"]
    assert rule["attributes"] == ["odor"]
    assert rule["accuracy"]["count"] == 4798
    assert rule["cluster_average"]["rate"] == pytest.approx(0.667, abs=1e-3)
    assert set(rule["versus_models"]) == set(models)
    assert all(v["family"] == len(models) for v in rule["versus_models"].values())
    # The 1-NN lookup: as right as any model on the near-copies the app answers.
    lookup = metrics["nearest_neighbour"]["test"]["accuracy"]
    assert lookup["count"] == 2031
    assert metrics["grouped_nearest_neighbour"]["accuracy"]["of"] == 6093
    # No cost on unseen clusters (its threshold assumes calibration there); a fixed "edible"
    # is the reference there: right on the 13 edible clusters of 23 (the review's own count).
    assert "rule" not in models["svm"]["grouped"] and "cost" not in rule
    edible = metrics["always_edible"]
    assert (edible["clusters_right"], edible["clusters"]) == (13, 23)
    assert edible["cluster_average"] == pytest.approx(13 / 23)
    # A missing stalk root leans poisonous by row (1,760 of 2,480, against 38.2 % of the other
    # rows) and the other way by cluster (2 of 6, against 8 of the other 17): both are stated.
    blank = metrics["stalk_root_missing"]
    assert (blank["rows"], blank["poisonous_rows"]) == (2480, 1760)
    assert blank["other_poisonous_share"] == pytest.approx(0.382, abs=5e-4)
    assert (blank["clusters"], blank["poisonous_clusters"]) == (6, 2)
    assert (blank["other_clusters"], blank["other_poisonous_clusters"]) == (17, 8)
    # The safety count: most unseen poisonous clusters are mostly called edible (7 or 8 of 10
    # for the three default models, as the review's own leave-one-cluster-out found).
    for name in ["svm", "logistic_regression", "random_forest"]:
        grouped = models[name]["grouped"]
        assert grouped["poisonous_clusters"] == 10
        assert grouped["poisonous_clusters_missed"] in (7, 8), name

    readme = (project / "README.md").read_text()
    card = (project / "MODEL_CARD.md").read_text()
    headline = readme.split("<!-- headline:start -->")[1].split("<!-- headline:end -->")[0]
    assert "(reports/figures/near_duplicates.png)" in headline
    assert "{" not in readme  # every placeholder filled
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    # The first screen: short plain sentences that answer the title, then the table
    # (one threshold, said in its header) and the figure.
    summary, table_text, _ = headline.strip().split("\n\n")
    assert re.fullmatch(
        r"A random split scores [\d.]+% to 100\.00%, but every held-out mushroom is exactly 1 "
        r"attribute from a training one\. On held-out clusters of look-alikes, the models "
        r'average [\d.]+% to [\d.]+% per cluster\. Always answering "edible", a constant from '
        r"the class counts \(not fitted\) and the least safe rule, averages 56\.5%\. They call "
        r"most mushrooms of \d+( to \d+)? of the 10 poisonous clusters edible\.( Odor alone "
        r"scores higher\. .+ (does not|shows it|every model|any model)\.)?",
        summary,
    )
    assert "majority" not in headline and "highest" not in summary and "tied" not in readme
    assert table_text.startswith("| at threshold 0.5 |")
    prose = [line for line in readme.split("![")[0].splitlines() if not line.startswith("|")]
    assert len(re.sub(r"<!--.*?-->|#", "", " ".join(prose)).split()) <= 125
    assert "no better" not in readme.lower()
    assert "as many as the species" not in readme + card
    # The table is on the first screen, a row per model and rule; one deal only, so no
    # spread over deals.
    table = [line for line in table_text.splitlines() if line.startswith("| ")]
    assert len(table[2:]) == len(ALL_SIX) + 2
    assert "| nearest training mushroom | " in table_text
    assert "| one attribute (odor) | 78.7% (" in table_text
    assert "deals of the clusters" not in readme + card
    # The cost in counts at the threshold: misses against edible mushrooms discarded.
    assert re.search(
        r"the served models miss [\d ,to]+ of 979 poisonous mushrooms of the random", results
    )
    assert "The four logical rules in the data set's documentation" in card
    # No cost on unseen clusters, and the reason in one sentence.
    assert "No cost is given on unseen clusters" in results
    # Unseen odour codes: all-zero one-hot, and the models fare far worse on them.
    assert 'handle_unknown="ignore"' in results
    odour = models["logistic_regression"]["grouped"]["by_odour_seen"]
    assert odour["unseen"]["of"] == 1201
    assert odour["seen"]["rate"] > odour["unseen"]["rate"] + 0.3
    # The details are in the model card: the paired comparisons, the clusters mostly right,
    # why unseen clusters are not calibrated.
    assert "[MODEL_CARD.md](MODEL_CARD.md)" in results
    assert "majority refitted" not in card and "Calibration by cluster" not in card
    assert "With 23 clusters, the paired 95 % intervals between models reach" in card
    assert "which clusters never seen cannot give" in card
    assert "cost table above shows what it gives on unseen clusters" not in card
    # The app by its numbers: a lookup of the table, with guards towards caution.
    assert "**The app** answers" in results and "add nothing a lookup of the table" in results
    assert "synthetic sample" not in results
    assert "±" not in readme + card
    assert re.search(r"without odor, [2-6] of 6 models still classify every held-out", card)
    assert "Every one of the 2,031 held-out mushrooms differs from its nearest training" in card
    assert "23 clusters" in results
    # The per-cluster columns: the mean of the clusters' accuracies and the clusters mostly right.
    assert "| clusters mostly right |" in card
    assert f"| {rule['clusters_mostly_right']} of 23 |" in card
    # One interval style: rates never carry "to" between their bounds.
    assert not re.search(r"\(\d[\d.]*% to \d", readme + card)
    # DECISIONS.md quotes no result: every number a reader sees comes from metrics.json.
    decisions = (project / "DECISIONS.md").read_text()
    assert not re.search(r"\d+\.\d+ ?(%|s\b)", decisions)
    next_block = readme.split("<!-- next:start -->")[1].split("<!-- next:end -->")[0]
    assert next_block.count("\n- ") >= 2
    for figure in ["near_duplicates", "probabilities", "confusion_matrices"]:
        assert f"(reports/figures/{figure}.png)" in card
        assert (project / "reports" / "figures" / f"{figure}.png").stat().st_size > 10_000
    # No ROC or PR curves pooled over single-class folds.
    assert not list((project / "reports" / "figures").glob("*_curves.png"))
    assert "## Limitations" in card
    for name in ALL_SIX:
        assert (project / "models" / f"{name}.skops").is_file()
    run_in_project(
        project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_results_current.py"
    )


@pytest.fixture
def served(real_six, tmp_path):
    """The six-classifier project on the real file, served by `streamlit run` in Chromium
    (Debian's, driven by Playwright): (project folder, URL)."""
    project, _ = real_six
    app_file = str(project / "src" / "mushroom_classifier" / "app.py")
    env = {"MUSHROOM_CLASSIFIER_ROOT": str(project)}
    with served_app(project, app_file, tmp_path / "streamlit.log", env=env) as url:
        yield project, url


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("mushroom-real")
def test_choose_classifier_press_classify_see_metrics_and_plots(served, tmp_path):
    from playwright.sync_api import expect

    with browser_page(viewport={"width": 1400, "height": 1000}) as page:
        project, url = served
        page.goto(url, timeout=60_000)
        expect(page.get_by_text("to see the metrics and plots")).to_be_visible(timeout=60_000)
        # The first screen states what the pipeline found, before anything is trained: three
        # sentences, the full findings behind an expander.
        expect(page.get_by_text("is exactly 1 attribute from a training one")).to_be_visible()
        expect(page.get_by_text("All findings, in full")).to_be_visible()

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="Random forest").click()
        expect(sidebar.get_by_text("Number of trees")).to_be_visible()
        sidebar.get_by_role("button", name="Classify").click()

        expect(page.get_by_text("Random forest results")).to_be_visible(timeout=60_000)
        metrics = page.get_by_test_id("stMetric")
        expect(metrics).to_have_count(6, timeout=60_000)
        texts = [" ".join(text.split()) for text in metrics.all_inner_texts()]
        # Two panels, one threshold each: the served model on the random split at the cost
        # threshold (no poisonous mushroom missed), then unseen clusters at 0.5.
        results = json.loads((project / "reports" / "metrics.json").read_text())
        forest = results["models"]["random_forest"]
        test, at = forest["test"], f"{forest['threshold']['value']:.3g}"
        grouped = forest["grouped"]

        def bounds(stats):  # as the report writes a count's interval (one helper for both)
            return f"({stats['low']:.2%}–{stats['high']:.2%})".replace("%–", "–")

        def cluster_rate(stats):
            return f"{stats['rate']:.1%} ({stats['low']:.1%}–{stats['high']:.1%})"

        accuracy = test["accuracy"]
        alarms = test["false_alarms"]
        assert texts == [
            f"Accuracy (95 % CI) {accuracy['rate']:.4f} "
            f"({accuracy['low']:.4f}–{accuracy['high']:.4f})",
            f"Poisonous missed 0 of 979 {bounds(test['missed'])}",
            f"Edible called poisonous {alarms['count']:,} of 1,052 {bounds(alarms)}",
            f"Accuracy, averaged over clusters {cluster_rate(grouped['cluster_average'])}",
            f"Accuracy, pooled over mushrooms {cluster_rate(grouped['accuracy'])}",
            f"Poisonous clusters mostly called edible {grouped['poisonous_clusters_missed']} of 10",
        ], texts
        expect(
            page.get_by_text(f"Served model, random split (near-copies), threshold {at}")
        ).to_be_visible()
        expect(page.get_by_text("pre-trained model from models/")).to_be_visible()
        expect(page.get_by_text("the same settings reach an accuracy at 0.5 of")).to_be_visible()

        # Confusion matrix and probability distribution, loaded as real images.
        images = page.get_by_test_id("stImage").locator("img")
        expect(images).to_have_count(2, timeout=60_000)
        for index in range(2):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            page.wait_for_function("image => image.complete", arg=image.element_handle())
            assert image.evaluate("image => image.naturalWidth") > 300

        page.get_by_text("Random forest results").scroll_into_view_if_needed()
        screenshot = tmp_path / "streamlit-app.png"
        page.screenshot(path=str(screenshot))
        assert screenshot.stat().st_size > 10_000

        # "Is this mushroom edible?" starts from a real training mushroom: no far warning.
        form = page.get_by_test_id("stForm").filter(has_text="Predict")
        form.get_by_role("button", name="Predict").scroll_into_view_if_needed()
        form.get_by_role("button", name="Predict").click()
        expect(page.get_by_text("probability of poisonous")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("differs in 0 attribute(s)")).to_be_visible()
        expect(page.get_by_text("Unsure: unlike the training mushrooms")).to_have_count(0)

        # Two readable choices away from every training mushroom: the app abstains ("unsure").
        for field, value in [("odor", "almond"), ("cap color", "green")]:
            box = form.get_by_test_id("stSelectbox").filter(has_text=field)
            box.scroll_into_view_if_needed()
            box.click()
            # The option list is virtualised around the current choice: filter it by typing.
            page.keyboard.type(value)
            page.get_by_role("option", name=value, exact=True).click()
        form.get_by_role("button", name="Predict").click()
        expect(page.get_by_text("Unsure: unlike the training mushrooms")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_text("The nearest differs in 2 attributes")).to_be_visible()
        expect(page.get_by_text("probability of poisonous, for the record")).to_be_visible()
