"""One figure of the gallery and what it shows, and the seed of each quantity's resampling."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from matplotlib.figure import Figure

from .config import Params


@dataclass
class Chart:
    """One figure of the gallery and what it shows."""

    name: str
    """File name stem in reports/figures/."""
    title: str
    question: str
    finding: str
    figure: Figure
    values: dict[str, object] = field(default_factory=dict)
    """The numbers the finding quotes, for metrics.json."""
    summary: str = ""
    """The README's headline when this figure leads ("": the finding itself)."""
    details: list[str] = field(default_factory=list)
    """Sentences behind the finding, for reports/report.md: one claim each; one that starts
    with two spaces belongs to the sentence before it (which ends in ":")."""
    summary_lines: list[str] = field(default_factory=list)
    """The lines under the headline that quote its numbers with their intervals."""


def seed_for(params: Params, *names: object) -> int:
    """A seed per quantity, fixed by the project's seed: intervals do not depend on the order
    in which they are computed. A checksum of the names, so that anagrams ("ab", "ba") get
    different seeds."""
    return params.seed + zlib.crc32("|".join(map(str, names)).encode()) % 1_000_000
