"""copier, loaded and run for mlscaffold's calls at less cost, rendering exactly as before.

Costs of `mlscaffold new` that are not rendering: copier imports questionary, and through it
prompt_toolkit (and pygments' lexers), at import time (about a third of its import, for
prompts only); Jinja compiles every template source on every run, and copier reads copier.yml
with PyYAML's pure Python parser (both in :func:`compiled_once`).

mlscaffold never lets copier prompt (it asks its own questions and passes every answer, with
``defaults``), so while copier is imported, stand-ins take these libraries' place in
``sys.modules``: the prompt functions copier imports load the real libraries when they are
called, and ``Choice``, the plain record copier builds to check an answer against a question's
choices, is mirrored here. The stand-ins are in ``sys.modules`` only during the import;
whatever imports questionary or prompt_toolkit afterwards gets the real ones. When either
library (or copier) is already imported, copier is imported as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import marshal
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

_STAND_INS = (
    "questionary",
    "questionary.prompts",
    "questionary.prompts.common",
    "prompt_toolkit",
    "prompt_toolkit.lexers",
    "pygments.lexers.data",
)


class Choice:
    """questionary's ``Choice`` record (questionary/prompts/common.py), as copier uses it."""

    def __init__(
        self,
        title: Any,
        value: Any = None,
        disabled: str | None = None,
        checked: bool | None = False,
        shortcut_key: str | bool | None = True,
        description: str | None = None,
    ) -> None:
        self.disabled = disabled
        self.title = title
        self.shortcut_key = shortcut_key
        self.checked = checked if checked is not None else False
        self.description = description
        if value is not None:
            self.value = value
        elif isinstance(title, list):
            self.value = "".join(token[1] for token in title)
        else:
            self.value = title


def import_copier() -> types.ModuleType:
    """``copier``, imported with its prompt libraries deferred when nothing imported them."""
    if "copier" in sys.modules or any(name in sys.modules for name in _STAND_INS):
        return _import_copier()
    stand_ins = {name: types.ModuleType(name) for name in _STAND_INS}
    stand_ins["questionary"].__dict__.update(
        confirm=_deferred("questionary", "confirm"),
        unsafe_prompt=_deferred("questionary", "unsafe_prompt"),
    )
    stand_ins["questionary.prompts.common"].Choice = Choice  # type: ignore[attr-defined]
    stand_ins["prompt_toolkit.lexers"].PygmentsLexer = _deferred(  # type: ignore[attr-defined]
        "prompt_toolkit.lexers", "PygmentsLexer"
    )
    for lexer in ("JsonLexer", "YamlLexer"):  # given to PygmentsLexer for a prompt
        setattr(stand_ins["pygments.lexers.data"], lexer, _deferred("pygments.lexers.data", lexer))
    for name, module in stand_ins.items():
        # Anything else copier may come to import from them: the real thing.
        module.__getattr__ = _real_attribute(name)  # type: ignore[method-assign]
    _active.update(stand_ins)
    sys.modules.update(stand_ins)
    try:
        return _import_copier()
    finally:
        _end_stand_ins()


def _import_copier() -> types.ModuleType:
    # An import statement, not importlib.import_module: only the statement raises the
    # "import" audit event (tests interrupt a run at copier's import through it).
    import copier

    return copier


# The stand-ins while copier is being imported.
_active: dict[str, types.ModuleType] = {}


def _end_stand_ins() -> None:
    for name, module in _active.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
    _active.clear()


def _real(module: str) -> types.ModuleType:
    """The real library, imported now."""
    _end_stand_ins()
    return importlib.import_module(module)


def _real_attribute(module: str) -> Any:
    def attribute(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real(module), name)

    return attribute


def _deferred(module: str, name: str) -> Any:
    """A stand-in for ``module.name`` that calls the real one; stand-ins given to it as
    arguments become the real objects too."""

    def call(*args: Any, **kwargs: Any) -> Any:
        if name == "unsafe_prompt" and args:
            args = (_with_real_choices(args[0]), *args[1:])
        args = tuple(_resolved(arg) for arg in args)
        return _resolved(call)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.stands_for = (module, name)  # type: ignore[attr-defined]
    return call


def _resolved(value: Any) -> Any:
    target = getattr(value, "stands_for", None)
    if not (callable(value) and isinstance(target, tuple)):
        return value
    module, name = target
    return getattr(_real(module), name)


def _with_real_choices(questions: Any) -> Any:
    """Questions for questionary's prompt, their ``Choice`` records made questionary's own."""
    real = _real("questionary").Choice
    converted = []
    for question in questions:
        question = dict(question)
        mapping: dict[int, Any] = {}
        choices = []
        for choice in question.get("choices") or []:
            if isinstance(choice, Choice):
                mapping[id(choice)] = real(
                    choice.title, choice.value, choice.disabled, choice.checked,
                    choice.shortcut_key, choice.description,
                )  # fmt: skip
                choice = mapping[id(choice)]
            choices.append(choice)
        if "choices" in question:
            question["choices"] = choices
        if isinstance(question.get("default"), Choice):
            question["default"] = mapping.get(id(question["default"]), question["default"])
        converted.append(question)
    return converted


@contextlib.contextmanager
def compiled_once() -> Iterator[None]:
    """Around a copier call: each Jinja source is compiled once, ever.

    copier renders every path part, answer, default, validator and condition through
    ``from_string``, which compiles it anew: about 500 compilations of some 135 distinct strings
    for one project. Within the call, copier's Jinja environment keeps each compiled string (a
    compiled Jinja template renders any context; it holds no state between renders); across
    calls, :func:`caching_environment` keeps what Jinja's compiler made.
    """
    import copier._main as copier_main
    import copier._template as copier_template

    original = copier_main.SandboxedEnvironment
    copier_main.SandboxedEnvironment = caching_environment(original)
    original_yaml = copier_template.yaml
    copier_template.yaml = _with_c_loader(original_yaml)
    try:
        yield
        compile_cache().save()
    finally:
        copier_main.SandboxedEnvironment = original
        copier_template.yaml = original_yaml


def _with_c_loader(yaml: Any) -> Any:
    """PyYAML for copier's reading of copier.yml, with libyaml's parser under its loader.

    copier reads copier.yml with a ``yaml.SafeLoader`` subclass (for ``!include``), the pure
    Python parser: about a tenth of a render. ``CSafeLoader`` is the same loader (safe
    constructors, the same resolver) on libyaml's parser, when PyYAML has it."""
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml
    view = types.ModuleType(yaml.__name__)
    view.__dict__.update(vars(yaml))
    view.SafeLoader = yaml.CSafeLoader  # type: ignore[attr-defined]
    return view


def caching_environment(base: type) -> type:
    """A Jinja environment class like ``base`` that compiles each source once, ever.

    What Jinja's compiler makes of a source (a Python code object) is kept in
    ``$MLSCAFFOLD_HOME/jinja-cache``, as Jinja's own bytecode cache keeps compiled template
    files, keyed by the source, its name and file, and everything in the environment the
    compiler reads (its syntax options, extensions, filter and test names, the Jinja and Python
    versions). A cache that cannot be read is ignored and made again. Each environment also
    keeps its ``from_string`` templates.
    """

    class Environment(base):  # type: ignore[misc,valid-type]
        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if not isinstance(source, str) or globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            compiled = self.__dict__.setdefault("_compiled_strings", {})
            if source not in compiled:
                compiled[source] = super().from_string(source)
            return compiled[source]

        def compile(  # type: ignore[override]
            self,
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if raw or not isinstance(source, str):
                return super().compile(source, name, filename, raw, defer_init)
            cache = compile_cache()
            key = cache.key(self, source, name, filename, defer_init)
            code = cache.get(key)
            if code is None:
                code = super().compile(source, name, filename, raw, defer_init)
                cache.put(key, code)
            return code

    Environment.__qualname__ = Environment.__name__ = base.__name__
    return Environment


_cache: _CompileCache | None = None
_cache_for: tuple[str | None, str | None] | None = None


def compile_cache() -> _CompileCache:
    """This process's compile cache, for the current mlscaffold home (asked per compilation:
    the variables that name the home are compared, not the path made again)."""
    global _cache, _cache_for
    names = (os.environ.get("MLSCAFFOLD_HOME"), os.environ.get("HOME"))
    if _cache is None or _cache_for != names:
        from mlscaffold.store import home

        _cache, _cache_for = _CompileCache(home() / "jinja-cache"), names
    return _cache


class _CompileCache:
    """Jinja code objects by key, in one marshal file; the least recently used go first."""

    LIMIT = 5000

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, CodeType] | None = None
        self.used: dict[str, CodeType] = {}
        self.changed = False
        self._fingerprints: dict[int, bytes] = {}

    def key(
        self, env: Any, source: str, name: str | None, filename: str | None, defer_init: bool
    ) -> str:
        digest = hashlib.sha256(self._fingerprint(env))
        for part in (name, filename, str(defer_init), source):
            digest.update(b"\0" + (part or "").encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _fingerprint(self, env: Any) -> bytes:
        """Everything of ``env`` Jinja's compiler reads (the rest only matters at render time)."""
        if id(env) not in self._fingerprints:
            import jinja2

            settings = [
                jinja2.__version__, sys.version, importlib.util.MAGIC_NUMBER.hex(),
                type(env).__mro__[1].__qualname__, env.block_start_string, env.block_end_string,
                env.variable_start_string, env.variable_end_string, env.comment_start_string,
                env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
                env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
                env.keep_trailing_newline, env.optimized, env.is_async, repr(env.autoescape),
                sorted(f"{type(ext).__module__}.{type(ext).__qualname__}"
                       for ext in env.extensions.values()),
                sorted(env.filters), sorted(env.tests),
            ]  # fmt: skip
            self._fingerprints[id(env)] = repr(settings).encode()
        return self._fingerprints[id(env)]

    def get(self, key: str) -> CodeType | None:
        if self.entries is None:
            self.entries = self._load()
        code = self.used.get(key) or self.entries.get(key)
        if code is not None:
            self.used[key] = code
        return code

    def put(self, key: str, code: CodeType) -> None:
        self.used[key] = code
        self.changed = True

    def save(self) -> None:
        """Written only when something was compiled, atomically; failures only cost speed."""
        if not self.changed or self.entries is None:
            return
        kept = {k: v for k, v in self.entries.items() if k not in self.used}
        kept.update(self.used)  # the ones used now last: the oldest are dropped first
        kept = dict(list(kept.items())[-self.LIMIT :])
        self.entries, self.used, self.changed = kept, {}, False
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Left by a run killed while it wrote (one still writing only loses its write).
            for stale in self.path.parent.glob(f"{self.path.name}.*.tmp"):
                stale.unlink(missing_ok=True)
            partial.write_bytes(_MAGIC + marshal.dumps(kept))
            os.replace(partial, self.path)
        except OSError:
            partial.unlink(missing_ok=True)

    def _load(self) -> dict[str, CodeType]:
        try:
            data = self.path.read_bytes()
            if not data.startswith(_MAGIC):
                return {}
            entries = marshal.loads(data[len(_MAGIC) :])
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(v, CodeType)}


# The cache file's first bytes: its format and the Python that wrote it (marshal's format and
# code objects change between Python versions).
_MAGIC = b"mlscaffold-jinja-cache-1\0" + importlib.util.MAGIC_NUMBER
