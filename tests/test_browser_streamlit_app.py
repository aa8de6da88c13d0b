"""The generated streamlit-app project's app in a real browser: Debian's Chromium, driven by
Playwright, against `streamlit run` on 127.0.0.1 with models trained on the real data."""

import json

import pytest

from helpers import browser_page, run_in_project, served_app, use_real_data

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def served(render, tmp_path):
    """The default project, its pipeline run on the real file, served by `streamlit run`:
    (project folder, URL)."""
    project = render("streamlit-app")
    use_real_data(project, "agaricus-lepiota.data", "agaricus-lepiota.data")
    run_in_project(project, "-m", "mushroom_classifier", "all")
    app_file = str(project / "src" / "mushroom_classifier" / "app.py")
    env = {"MUSHROOM_CLASSIFIER_ROOT": str(project)}
    with served_app(project, app_file, tmp_path / "streamlit.log", env=env) as url:
        yield project, url


def test_choose_classifier_press_classify_see_metrics_and_plots(served, tmp_path):
    from playwright.sync_api import expect

    with browser_page(viewport={"width": 1400, "height": 1000}) as page:
        project, url = served
        page.goto(url, timeout=60_000)
        expect(page.get_by_text("to see the metrics and plots")).to_be_visible(timeout=60_000)
        # The first screen states what the pipeline found, before anything is trained: three
        # short bullets, the full findings behind an expander.
        expect(page.get_by_text("exactly 1 attribute from a training mushroom")).to_be_visible()
        expect(page.get_by_text("All findings, in full")).to_be_visible()

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="Random forest").click()
        expect(sidebar.get_by_text("Number of trees")).to_be_visible()
        sidebar.get_by_role("button", name="Classify").click()

        expect(page.get_by_text("Random forest results")).to_be_visible(timeout=60_000)
        metrics = page.get_by_test_id("stMetric")
        expect(metrics).to_have_count(5, timeout=60_000)
        texts = [" ".join(text.split()) for text in metrics.all_inner_texts()]
        # Two panels, one threshold each: the served model on the random split at the cost
        # threshold (no poisonous mushroom missed), then unseen clusters at 0.5.
        results = json.loads((project / "reports" / "metrics.json").read_text())
        forest = results["models"]["random_forest"]
        test, at = forest["test"], f"{forest['threshold']['value']:.3g}"
        grouped = forest["grouped"]["accuracy"]
        right = forest["grouped"]["clusters_mostly_right"]

        def bounds(stats):
            return f"({stats['low']:.2%} to {stats['high']:.2%})"

        accuracy = test["accuracy"]
        alarms = test["false_alarms"]
        assert texts == [
            f"Accuracy (95 % CI) {accuracy['rate']:.4f} "
            f"({accuracy['low']:.4f} to {accuracy['high']:.4f})",
            f"Poisonous missed 0 of 979 {bounds(test['missed'])}",
            f"Edible called poisonous {alarms['count']:,} of 1,052 {bounds(alarms)}",
            f"Accuracy (95 % CI) {grouped['rate']:.1%} "
            f"({grouped['low']:.1%} to {grouped['high']:.1%})",
            f"Clusters mostly right {right} of 23 "
            f'(always "edible": {results["nearest"]["clusters"]["mostly_edible"]})',
        ], texts
        expect(
            page.get_by_text(f"Served model, random split (near-copies), threshold {at}")
        ).to_be_visible()
        expect(page.get_by_text("pre-trained model from models/")).to_be_visible()
        expect(page.get_by_text("the same settings reach an accuracy of")).to_be_visible()

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
