"""What makes `new` fast must not change what it makes: Jinja's compiled sources kept across
runs, and copier imported without its prompt libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlscaffold import copierload
from mlscaffold.cli import app
from mlscaffold.store import home


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def new(dest: Path, template: str = "segmentation", *args: str) -> dict[str, bytes]:
    """`mlscaffold new`, as a fresh process would run it: the compile cache read from disk."""
    copierload._cache = None
    result = CliRunner().invoke(app, ["new", template, str(dest), "-q", "--no-git", *args])
    assert result.exit_code == 0, result.output
    return tree(dest)


def test_a_project_rendered_from_the_compile_cache_is_the_same(tmp_path):
    first = new(tmp_path / "first")  # compiles, and keeps what it compiled
    cache = home() / "jinja-cache"
    assert cache.is_file()
    kept = cache.read_bytes()
    assert new(tmp_path / "second") == first
    assert cache.read_bytes() == kept  # nothing new to compile: not written again
    other = new(tmp_path / "other", "segmentation", "-d", "project_name=Churn Segments")
    assert other != first
    assert other["README.md"].startswith(b"# Churn Segments")


@pytest.mark.parametrize("damage", [b"", b"not a cache", b"mlscaffold-jinja-cache-1\0xxxx"])
def test_an_unreadable_compile_cache_is_ignored_and_made_again(tmp_path, damage):
    reference = new(tmp_path / "reference")
    cache = home() / "jinja-cache"
    cache.write_bytes(damage)
    assert new(tmp_path / "again") == reference
    assert cache.read_bytes() != damage


def test_an_environment_with_other_syntax_never_reuses_a_compilation(tmp_path):
    """The cache key holds what the compiler reads: the same source under other delimiters
    is another program."""
    from jinja2.sandbox import SandboxedEnvironment

    cache = copierload._CompileCache(tmp_path / "cache")
    plain, custom = SandboxedEnvironment(), SandboxedEnvironment(variable_start_string="[[")
    keys = {cache.key(env, "{{ x }}", None, None, False) for env in (plain, custom)}
    assert len(keys) == 2
    named = {cache.key(plain, "{{ x }}", name, None, False) for name in ("a", "b")}
    assert len(named) == 2


def test_new_imports_neither_copiers_prompt_libraries_nor_typers_pydantic_adapters(tmp_path):
    """Issue 15: copier's prompt libraries are a third of its import, and `new -y` asks
    nothing; typer's adapters import pydantic's types for plain paths and strings.
    `python -X importtime` lists every module imported."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlscaffold", "new", "segmentation",
         str(tmp_path / "p"), "-y", "-q"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines()}
    assert "copier._main" in imported
    assert "typer._adapters" not in imported
    prompt_libraries = {"questionary", "prompt_toolkit", "pygments.lexers.data"}
    assert {name for name in imported if name.startswith(tuple(prompt_libraries))} == set()
    assert (tmp_path / "p" / "README.md").is_file()


@pytest.mark.parametrize(
    "args",
    [("a",), ("a", "b"), ("a", None), ("a", 0), ([("", "x"), ("b", "y")],), ("a", 1, "no", None)],
)
def test_the_stand_in_choice_is_questionarys(args):
    from questionary import Choice

    ours, theirs = copierload.Choice(*args), Choice(*args)
    for field in ("title", "value", "disabled", "checked", "description"):
        assert getattr(ours, field) == getattr(theirs, field), field


def test_a_prompt_through_the_stand_ins_gets_questionarys_own_choices(monkeypatch):
    import questionary

    seen = []
    monkeypatch.setattr(questionary, "unsafe_prompt", lambda questions, **_: seen.extend(questions))
    choices = [copierload.Choice("one", 1), copierload.Choice("two", 2)]
    prompt = copierload._deferred("questionary", "unsafe_prompt")
    prompt([{"type": "select", "name": "n", "choices": choices, "default": choices[1]}])
    (question,) = seen
    assert all(isinstance(choice, questionary.Choice) for choice in question["choices"])
    assert [choice.value for choice in question["choices"]] == [1, 2]
    assert question["default"] is question["choices"][1]


def test_a_lexer_through_the_stand_ins_is_the_real_one():
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers.data import YamlLexer

    lexer = copierload._deferred("prompt_toolkit.lexers", "PygmentsLexer")(
        copierload._deferred("pygments.lexers.data", "YamlLexer")
    )
    assert isinstance(lexer, PygmentsLexer)
    assert isinstance(lexer.pygments_lexer, YamlLexer)
