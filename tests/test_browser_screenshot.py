"""Every template's `screenshot` command serves its app, photographs it in headless Chromium and
shows the picture in the README (on the synthetic sample: the picture's content is the app's)."""

import struct

import pytest

from helpers import TEMPLATE_NAMES, run_in_project


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_screenshot_saves_a_picture_of_the_app_and_shows_it_in_the_readme(render, template):
    project = render(template)
    package = next(path.name for path in (project / "src").iterdir() if path.is_dir())
    run_in_project(project, "-m", package, "all", "--sample")

    done = run_in_project(project, "-m", package, "screenshot")

    picture = project / "reports" / "figures" / "app.png"
    assert "Saved" in done.stdout
    header = picture.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 900)
    assert picture.stat().st_size > 20_000  # a page with content, not a blank one
    assert "![The app](reports/figures/app.png)" in (project / "README.md").read_text()
