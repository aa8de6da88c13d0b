"""Showing the project to people: the executed notebook, a screenshot of the app, and the app's
first start on a fresh clone (a hosting service has no data and no models yet).

The notebook needs the ``dev`` extra, the screenshot the ``screenshot`` extra; each says how to
install what it misses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .runtime import ROOT_VARIABLE, Context, Paths, ProjectError, Stage

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


READY = """() => !document.querySelector(
    '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], .stSpinner'
)"""
"""True once the app's script has finished and every element is drawn."""


def execute_notebook(notebook: Path, *, root: Path, timeout: int = 600) -> None:
    """Run every cell of ``notebook`` in a fresh kernel on the project at ``root``; save it with
    its outputs."""
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError:
        raise ProjectError(
            'Running the notebook needs nbclient: pip install -e ".[dev]", then run this again.'
        ) from None
    book = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        book,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": notebook.parent}},
    )
    # The kernel imports the code that is running now: this package's folder comes first on
    # its path, and inherited entries are made absolute (the kernel starts in notebooks/).
    inherited = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    path = [str(Path(__file__).resolve().parents[1])] + [
        str(Path(p).resolve()) for p in inherited if p
    ]
    env = {**os.environ, ROOT_VARIABLE: str(root), "PYTHONPATH": os.pathsep.join(path)}
    try:
        # The kernel's own log (e.g. ipykernel's warning about local TCP) is not the
        # notebook's output: a failing cell still raises below with its traceback.
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except CellExecutionError as error:
        detail = str(error).strip()[-600:]
        raise ProjectError(f"{notebook.name} failed in a cell: {detail}") from None
    nbformat.write(book, notebook)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen[Any], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ProjectError("The app stopped before it served a page: run `app` to see why.")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # the server is still starting: poll again
    raise ProjectError(f"The app did not answer at {url} within {timeout:.0f} s.")


def screenshot_app(app_file: Path, root: Path, target: Path, *, width: int = 1280) -> None:
    """Serve ``app_file`` on loopback, open it in headless Chromium and save a PNG of the page."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ProjectError(
            'The screenshot needs Playwright: pip install -e ".[screenshot]" (and a Chromium: '
            "your system's package, or `python -m playwright install chromium`)."
        ) from None
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file), "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
    ]  # fmt: skip
    env = {**os.environ, ROOT_VARIABLE: str(root)}
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(url, server)
        chromium = next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(url, wait_until="networkidle")
                page.get_by_role("heading").first.wait_for(timeout=60_000)
                # While the script runs Streamlit shows its status widget, and grey skeletons
                # where elements are still to come: wait until neither is on the page.
                page.wait_for_function(READY, timeout=120_000)
                page.wait_for_load_state("networkidle")
                # A traceback in the page is a broken app, not a picture for the README.
                crash = page.locator('[data-testid="stException"]')
                if crash.count():
                    message = " ".join(crash.first.inner_text().split())[:300]
                    raise ProjectError(f"The app failed, so no picture was saved: {message}")
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), full_page=False)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def show_screenshot(paths: Paths, say: Callable[[str], None]) -> None:
    """Show the saved screenshot in the README's screenshot block."""
    from .readme import write_blocks

    picture = paths.app_screenshot.relative_to(paths.root).as_posix()
    write_blocks(paths.readme, {"screenshot": f"![The app]({picture})"}, say)


def first_start(
    paths: Paths, stages: Sequence[Stage], params: Any, *, needs: Sequence[Path]
) -> None:
    """On a fresh clone (no ``needs`` files yet), run the pipeline in the page before serving.

    A hosting service starts the app from a clean checkout: this gets the data (verified) and
    runs every stage with visible progress. Without network and without the data file, the page
    says where to put it and stops.
    """
    import streamlit as st

    if all(path.exists() for path in needs):
        return
    message = "First start: getting the data and running the pipeline…"
    with st.status(message, expanded=True) as status:
        context = Context(paths, params, say=st.write)
        try:
            for stage in stages:
                status.update(label=f"First start: {stage.name}…")
                stage.run(context)
        except ProjectError as error:
            status.update(label="The pipeline could not run", state="error")
            st.error(str(error))
            st.stop()
        status.update(label="First start done: the results below are this run's.", state="complete")
