"""How a classifier module describes one hyperparameter."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its default and the range the app offers."""

    name: str
    label: str
    default: float | int | str | bool | None
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[object, ...] = ()
    log: bool = False
    """Numbers offered on a log scale (the app shows them as choices)."""
