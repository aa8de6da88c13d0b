"""Ask a template's questions in a terminal (`mlscaffold new` without ``-y``).

mlscaffold asks, copier renders: the answers go to copier as data. Each prompt starts empty
and shows the default beside it, so Enter takes the default and typing replaces it (copier's
own prompts pre-fill the default as editable text, so typing appended to it). Menus list only
the choices valid for the template, and an answer is checked as soon as it is typed.
"""

from __future__ import annotations

from typing import Any

from mlscaffold.answers import coerce, prepare
from mlscaffold.catalog import Question, Template, asked, default_for, refusal
from mlscaffold.errors import MlscaffoldError


def ask_questions(
    template: Template,
    given: dict[str, Any],
    *,
    defaults: dict[str, Any] | None = None,
    **terminal: Any,
) -> dict[str, Any]:
    """``given`` answers (checked) plus an answer to every other question of ``template``.

    ``defaults`` replace the template's defaults (the author from git); ``terminal`` goes to
    prompt_toolkit (``input``/``output``), for tests.
    """
    answers = prepare(template, given)
    for question in template.questions:
        if question.name not in answers and asked(template, question, answers):
            default = (defaults or {}).get(question.name)
            if default is None:
                default = default_for(template, question, answers)
            default = coerce(question, default)
            answers[question.name] = _ask(template, question, default, answers, terminal)
    return answers


def _ask(
    template: Template,
    question: Question,
    default: Any,
    answers: dict[str, Any],
    terminal: dict[str, Any],
) -> Any:
    import questionary

    def check(value: Any) -> bool | str:
        if isinstance(value, str) and not value.strip() and not question.choices:
            value = default  # Enter on an empty prompt takes the default
        try:
            typed = coerce(question, value)
        except MlscaffoldError as error:
            return str(error)
        return refusal(template, question, typed, answers) or True

    message = f"{question.name}: {question.help}"
    if question.multiselect:
        choices = [questionary.Choice(c, checked=c in default) for c in question.choices]
        prompt = questionary.checkbox(message, choices=choices, validate=check, **terminal)
    elif question.choices:
        prompt = questionary.select(
            message, choices=list(question.choices), default=default, **terminal
        )
    elif question.type == "bool":
        prompt = questionary.confirm(message, default=default, **terminal)
    else:
        prompt = questionary.text(message, validate=check, instruction=f"[{default}]", **terminal)
    answer = prompt.unsafe_ask()  # Ctrl-C raises KeyboardInterrupt: the CLI ends quietly
    if isinstance(answer, str) and not answer.strip() and not question.choices:
        answer = default
    return coerce(question, answer)
