"""The generated dataviz project's chart builder in a real browser: Debian's Chromium, driven
by Playwright, against `streamlit run` on 127.0.0.1, on the real penguins data."""

import pytest

from helpers import browser_page, served_app, upload_csv

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PACKAGE = "data_visualization"


@pytest.fixture
def served(render, tmp_path):
    project = render("dataviz")
    # as a fresh clone has it: committed reports, no data; the page's first start makes the
    # clean table (the data stage only), as it does on a host
    (project / "reports" / "metrics.json").write_text("{}")
    with served_app(project, f"src/{PACKAGE}/app.py", tmp_path / "streamlit.log") as url:
        yield url


def chart_image_loads(page) -> None:
    from playwright.sync_api import expect

    image = page.get_by_test_id("stImage").locator("img").first
    expect(image).to_be_visible(timeout=60_000)
    page.wait_for_function("image => image.complete", arg=image.element_handle())
    assert image.evaluate("image => image.naturalWidth") > 300


def test_build_a_chart_and_reject_a_bad_upload(served, tmp_path):
    from playwright.sync_api import expect

    with browser_page(viewport={"width": 1400, "height": 1200}) as page:
        page.goto(served, timeout=60_000)
        expect(page.get_by_text("344 rows.")).to_be_visible(timeout=60_000)
        chart_image_loads(page)  # the first chart type, drawn at once

        page.get_by_test_id("stSelectbox").filter(has_text="Chart").click()
        page.get_by_role("option", name="Scatter with regression").click()
        expect(page.get_by_test_id("stSelectbox").filter(has_text="y axis")).to_be_visible()
        chart_image_loads(page)
        page.screenshot(path=str(tmp_path / "dataviz.png"))

        page.get_by_test_id("stSidebar").get_by_text("Upload a CSV").click()
        upload_csv(page, "empty.csv", b"")
        expect(page.get_by_text("Cannot use this file")).to_be_visible(timeout=60_000)
