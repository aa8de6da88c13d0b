"""The generated streamlit-app project's app in a real browser: Debian's Chromium, driven by
Playwright, against `streamlit run` on 127.0.0.1 with models trained on the real data."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import run_in_project, use_real_data

CHROMIUM = "/usr/bin/chromium"
# What a headless Chromium needs as root on a machine whose only network is the loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Poll the server's health endpoint until it answers, it dies, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit did not answer on {url} within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def served_app(render, tmp_path):
    """The default project, its pipeline run on the real file, served by `streamlit run`."""
    project = render("streamlit-app")
    use_real_data(project, "agaricus-lepiota.data", "agaricus-lepiota.data")
    run_in_project(project, "-m", "mushroom_classifier", "all")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "MUSHROOM_CLASSIFIER_ROOT": str(project),
        "MPLBACKEND": "Agg",
    }
    log = tmp_path / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(project / "src" / "mushroom_classifier" / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=project, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(url, server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def test_choose_classifier_press_classify_see_metrics_and_plots(served_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(served_app, timeout=60_000)
            expect(page.get_by_text("to see the metrics and plots")).to_be_visible(timeout=60_000)

            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_test_id("stSelectbox").first.click()
            page.get_by_role("option", name="Random forest").click()
            expect(sidebar.get_by_text("Number of trees")).to_be_visible()
            sidebar.get_by_role("button", name="Classify").click()

            expect(page.get_by_text("Random forest results")).to_be_visible(timeout=60_000)
            metrics = page.get_by_test_id("stMetric")
            expect(metrics).to_have_count(5, timeout=60_000)
            texts = metrics.all_inner_texts()
            assert [text.split()[0] for text in texts] == [
                "Accuracy",
                "Precision",
                "Recall",
                "F1",
                "ROC-AUC",
            ]
            # The random forest separates the real data perfectly (see the template's tests).
            assert all(text.split()[-1] == "1.0000" for text in texts), texts
            expect(page.get_by_text("pre-trained model from models/")).to_be_visible()

            # Confusion matrix, ROC and precision-recall curves, loaded as real images.
            images = page.get_by_test_id("stImage").locator("img")
            expect(images).to_have_count(3, timeout=60_000)
            for index in range(3):
                image = images.nth(index)
                image.scroll_into_view_if_needed()
                page.wait_for_function("image => image.complete", arg=image.element_handle())
                assert image.evaluate("image => image.naturalWidth") > 300

            page.get_by_text("Random forest results").scroll_into_view_if_needed()
            screenshot = tmp_path / "streamlit-app.png"
            page.screenshot(path=str(screenshot))
            assert screenshot.stat().st_size > 10_000

            # "Is this mushroom edible?": readable choices in, a prediction with probability out.
            form = page.get_by_test_id("stForm")
            odour = form.get_by_test_id("stSelectbox").filter(has_text="odor")
            odour.scroll_into_view_if_needed()
            odour.click()
            page.get_by_role("option", name="foul", exact=True).click()
            form.get_by_role("button", name="Predict").click()
            expect(page.get_by_text("Poisonous, with probability")).to_be_visible(timeout=30_000)
        finally:
            browser.close()
