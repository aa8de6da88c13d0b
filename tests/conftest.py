"""Fixtures every test gets: an isolated mlscaffold home and git identity, and template
rendering. What tests import (paths, running a generated project, browsers) is in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import TEMPLATES


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Never touch the real home: a fresh MLSCAFFOLD_HOME and a git config with an identity."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("MLSCAFFOLD_HOME", str(home / ".mlscaffold"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return home


@pytest.fixture
def render(copie):
    """Render one template with pytest-copie; answers override the defaults.

    pytest-copie swallows exceptions into the result, so this checks it first.
    """

    def _render(template: str, **answers: object) -> Path:
        result = copie.copy(extra_answers={"template": template, **answers}, template_dir=TEMPLATES)
        assert result.exception is None, f"{template} {answers}: {result.exception!r}"
        assert result.exit_code == 0
        assert result.project_dir is not None
        return Path(result.project_dir)

    return _render


def pytest_collection_modifyitems(items):
    """The end-to-end tests first: on two workers, a long test that starts last runs alone while
    the other worker idles. Sorted stably, so every xdist worker collects the same order."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
