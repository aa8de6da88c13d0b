"""What mlscaffold's tests share: where things are, running generated projects, browsers."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "project-templates"
# Every template the catalog lists: a new template is tested without editing this file.
TEMPLATE_NAMES = list(yaml.safe_load((TEMPLATES / "catalog.yml").read_text(encoding="utf-8")))
# The streamlit-app template's classifiers, in the order its question offers them.
CLASSIFIERS = list(
    yaml.safe_load((TEMPLATES / "copier.yml").read_text(encoding="utf-8"))["classifiers"][
        "choices"
    ].values()
)
# The real datasets live beside the repository (../shared/data), never inside it.
SHARED_DATA = Path(os.environ.get("MLSCAFFOLD_SHARED_DATA", ROOT.parent / "shared" / "data"))
# The files every generated project gets from the shared parts, at its top level.
SHARED_FILES = (
    ".copier-answers.yml",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "DECISIONS.md",
    "LICENSE",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "requirements.txt",
)


def use_real_data(project: Path, shared_name: str, official_name: str) -> Path:
    """Copy a real dataset from ../shared/data into the project's data/raw/ as its official name."""
    source = SHARED_DATA / shared_name
    assert source.exists(), f"the real data file {source} is missing: CI lays ../shared beside us"
    target = project / "data" / "raw" / official_name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def run_in_project(
    project: Path, *args: str, check: bool = True, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` inside a generated project with this interpreter.

    The project's package is put on the path instead of being installed, so the test suite's
    environment (which has every template's dependencies) serves all generated projects. The
    timeout only guards against a hang: streamlit-app's real-data run with six classifiers
    costs close to five minutes of CPU since leave-one-cluster-out.
    """
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "MPLBACKEND": "Agg"}
    env.pop("PYTEST_ADDOPTS", None)
    completed = subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"`python {' '.join(args)}` failed in {project} ({completed.returncode}):\n"
            f"--- stdout\n{completed.stdout[-4000:]}\n--- stderr\n{completed.stderr[-4000:]}"
        )
    return completed


def run_pipeline_twice(project: Path, package: str) -> list[dict[str, Any]]:
    """Run ``python -m PACKAGE all`` twice; both metrics.json (one seed: the same numbers)."""
    runs = []
    for _ in range(2):
        run_in_project(project, "-m", package, "all")
        runs.append(json.loads((project / "reports" / "metrics.json").read_text()))
    return runs


def project_files(root: Path) -> dict[str, bytes]:
    """Every file of a generated project but its git folder and copier's answers record."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
        and ".git" not in path.relative_to(root).parts
        and path.name != ".copier-answers.yml"
    }


def leftover_jinja(project: Path) -> list[str]:
    """Files of a generated project that still hold Jinja syntax (GitHub's ${{ }} is fine)."""
    found = []
    for path in project.rglob("*"):
        if not path.is_file() or ".git" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "{%" in text or "{{" in text.replace("${{", ""):
            found.append(str(path.relative_to(project)))
    return found


# Debian's Chromium, driven by Playwright (never a browser download). As root, on a machine
# whose only network is the loopback, it needs these flags.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def served_app(
    project: Path, app_file: str, log: Path, *, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve a generated project's Streamlit app with `streamlit run` on 127.0.0.1.

    Yields the URL once streamlit says it is up and its health check answers; the server
    is always stopped afterwards. Its output goes to ``log``.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable, "-m", "streamlit", "run", app_file,
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    full_env = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "MPLBACKEND": "Agg",
        **(env or {}),
    }
    server = subprocess.Popen(
        command, cwd=project, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    announced = threading.Event()

    def copy_output() -> None:
        # Reads streamlit's output as it comes: the "URL:" line says the server is up.
        with log.open("w") as out:
            for line in server.stdout:
                out.write(line)
                out.flush()
                if "URL: http" in line:
                    announced.set()
        announced.set()  # the output ended: streamlit has exited

    reader = threading.Thread(target=copy_output, daemon=True)
    reader.start()
    try:
        announced.wait(timeout=120)
        url = f"http://127.0.0.1:{port}"
        if server.poll() is not None or not announced.is_set():
            pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
            assert response.status == 200
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        reader.join(timeout=10)


@contextlib.contextmanager
def browser_page(**page_options: Any) -> Iterator[Any]:
    """A page of headless Chromium (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(**page_options)
        finally:
            browser.close()


def upload_csv(page: Any, name: str, content: bytes) -> None:
    """Put a CSV file into the page's file uploader, as a visitor would."""
    page.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
