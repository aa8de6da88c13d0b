"""Which templates exist and what each one asks, read from the bundled copier.yml."""

from __future__ import annotations

import difflib
import os
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mlscaffold.errors import MlscaffoldError

# The question that picks the template; it is answered by `mlscaffold new TEMPLATE`.
TEMPLATE_QUESTION = "template"


@dataclass(frozen=True)
class Question:
    """One question a template asks, as `mlscaffold info` shows it."""

    name: str
    type: str
    help: str
    default: Any
    choices: tuple[str, ...] = ()
    multiselect: bool = False
    # copier's Jinja validator, rendered by `refusal`.
    validator: str = ""
    # The default as copier.yml writes it (Jinja that may use earlier answers): `default_for`.
    default_source: Any = None
    # copier's `when` (Jinja that may use earlier answers): `asked`.
    when: Any = True


@dataclass(frozen=True)
class Template:
    """A template: the guided project it reproduces and the questions it asks."""

    name: str
    guided_project: str
    builds: str
    dataset: str
    questions: tuple[Question, ...] = field(default=())

    def defaults(self) -> dict[str, Any]:
        return {question.name: question.default for question in self.questions}


def templates_root() -> Path:
    """The bundled template root: inside the installed package, or the repository checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "project-templates", here.parents[1] / "project-templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise MlscaffoldError(
        "The bundled templates are missing from this mlscaffold installation. "
        "Reinstall it: pip install --force-reinstall mlscaffold-portfolio"
    )


def describe_templates() -> list[Template]:
    """Every template without its questions (nothing to render: quick, for `mlscaffold list`)."""
    catalog = _catalog()
    return [Template(name=name, **catalog["described"][name]) for name in catalog["names"]]


def get_template(name: str) -> Template:
    """The template called ``name``, or an error that suggests the closest name."""
    catalog = _catalog()
    names = catalog["names"]
    if name in names:
        questions = tuple(
            Question(**{**question, "choices": tuple(question["choices"])})
            for question in catalog["questions"][name]
        )
        return Template(name=name, questions=questions, **catalog["described"][name])
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise MlscaffoldError(
        f"Unknown template '{name}'.{hint} Run `mlscaffold list` to see the templates."
    )


@dataclass(frozen=True)
class _Sources:
    questions: dict[str, Any]
    described: dict[str, Any]
    names: list[str]


@cache
def _catalog() -> dict[str, Any]:
    """The templates, what each builds and the questions it asks, with rendered defaults.

    Reading copier.yml and rendering its defaults needs PyYAML and Jinja, most of what
    `mlscaffold info` would take; so what they give is kept in ``$MLSCAFFOLD_HOME/catalog``,
    keyed by everything it is made from: copier.yml, catalog.yml, each template's
    ``_meta.jinja`` (the only files the defaults import), the year (a default) and
    mlscaffold's version. A cache that cannot be read or written is made again or skipped.
    """
    import hashlib
    import json
    import time

    from mlscaffold import __version__

    root = templates_root()
    digest = hashlib.sha256(f"{__version__}\0{time.strftime('%Y')}\0{root}".encode())
    for path in (root / "copier.yml", root / "catalog.yml", *sorted(root.glob("*/_meta.jinja"))):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    cached = _catalog_home() / f"{digest.hexdigest()[:32]}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    sources = _sources()
    catalog = {
        "names": sources.names,
        "described": {name: sources.described[name] for name in sources.names},
        "questions": {
            name: [asdict(question) for question in _build(name).questions]
            for name in sources.names
        },
    }
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.iterdir():  # one catalog per home, and no killed writer's part
            old.unlink(missing_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(catalog), encoding="utf-8")
        partial.replace(cached)
    except (OSError, TypeError):  # TypeError: a default JSON cannot hold (then it is not kept)
        pass
    return catalog


def _catalog_home() -> Path:
    # store.home(), without importing the store (git, locks) into `list` and `info`.
    home = os.environ.get("MLSCAFFOLD_HOME") or "~/.mlscaffold"
    return Path(home).expanduser().absolute() / "catalog"


@cache
def _sources() -> _Sources:
    import yaml

    root = templates_root()
    # The C loader when PyYAML has it: this runs on every `mlscaffold new`.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    config = yaml.load((root / "copier.yml").read_text(encoding="utf-8"), Loader=loader)
    described = yaml.load((root / "catalog.yml").read_text(encoding="utf-8"), Loader=loader)
    questions = {name: spec for name, spec in config.items() if not name.startswith("_")}
    names = _choice_values(questions[TEMPLATE_QUESTION]["choices"])
    return _Sources(questions, described, names)


@cache
def _build(name: str) -> Template:
    """One template's questions, with their defaults rendered for that template."""
    sources = _sources()
    renderer = _renderer()
    context: dict[str, Any] = {TEMPLATE_QUESTION: name}
    asked = []
    for question_name, spec in sources.questions.items():
        if question_name == TEMPLATE_QUESTION:
            continue
        if not isinstance(spec, dict):
            spec = {"default": spec}
        default = renderer.value(spec.get("default"), context)
        context[question_name] = default
        if not renderer.truthy(spec.get("when", True), context):
            continue
        choices = tuple(
            value
            for value, validator in _choices(spec.get("choices"))
            if not renderer.value(validator, context)
        )
        asked.append(
            Question(
                name=question_name,
                type=spec.get("type", "str"),
                help=spec.get("help", ""),
                default=default,
                choices=choices,
                multiselect=bool(spec.get("multiselect", False)),
                validator=spec.get("validator", ""),
                default_source=spec.get("default"),
                when=spec.get("when", True),
            )
        )
    return Template(name=name, questions=tuple(asked), **sources.described[name])


def refusal(template: Template, question: Question, value: Any, answers: dict[str, Any]) -> str:
    """Why the template's validator refuses ``value`` for ``question`` (empty: accepted).

    ``answers`` are the other answers given; the template's defaults stand in for the rest.
    """
    if not question.validator:
        return ""
    context = {
        TEMPLATE_QUESTION: template.name,
        **template.defaults(),
        **answers,
        question.name: value,
    }
    try:
        return str(_renderer().value(question.validator, context)).strip()
    except Exception as error:  # a validator that cannot handle the value refuses it
        return str(error)


def asked(template: Template, question: Question, answers: dict[str, Any]) -> bool:
    """Whether copier asks ``question`` once ``answers`` are given (its ``when``; e.g. the
    segmentation engine only for the credit-card data without the autoencoder)."""
    if question.when is True:
        return True
    context = {TEMPLATE_QUESTION: template.name, **template.defaults(), **answers}
    return bool(_renderer().truthy(question.when, context))


def default_for(template: Template, question: Question, answers: dict[str, Any]) -> Any:
    """The question's default once ``answers`` are given (project_slug follows project_name)."""
    context = {TEMPLATE_QUESTION: template.name, **template.defaults(), **answers}
    return _renderer().value(question.default_source, context)


@cache
def _renderer() -> _Renderer:
    return _Renderer()


def _choices(choices: Any) -> list[tuple[Any, str]]:
    """(value, validator) pairs from copier's list or dict choice syntax."""
    if not choices:
        return []
    if isinstance(choices, list):
        return [(value, "") for value in choices]
    pairs = []
    for label, value in choices.items():
        if isinstance(value, dict):
            pairs.append((value.get("value", label), value.get("validator", "")))
        else:
            pairs.append((value, ""))
    return pairs


def _choice_values(choices: Any) -> list[str]:
    return [value for value, _ in _choices(choices)]


class _Renderer:
    """Renders the Jinja in copier.yml defaults with copier's own filters."""

    def __init__(self) -> None:
        import jinja2

        from mlscaffold.copierload import caching_environment

        # copier renders with these filters (regex_replace, strftime, ...) and a loader rooted
        # at the template root (defaults import a template's _meta.jinja); so must we. What
        # Jinja compiles is kept for the next run, as for copier's renders.
        self.env = caching_environment(jinja2.Environment)(
            loader=jinja2.FileSystemLoader(templates_root()),
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        )

    def value(self, value: Any, context: dict[str, Any]) -> Any:
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return self.env.from_string(value).render(context).strip()
        if isinstance(value, list):
            return [self.value(item, context) for item in value]
        return value

    def truthy(self, value: Any, context: dict[str, Any]) -> bool:
        rendered = self.value(value, context)
        if isinstance(rendered, str):
            return rendered.strip().lower() not in {"", "false", "0", "no", "none"}
        return bool(rendered)
