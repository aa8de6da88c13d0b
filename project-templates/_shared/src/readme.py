"""Write the pipeline's results into the README, between two fixed markers.

Shared by every mlscaffold template. Only the text between the markers changes, so a user's
own edits elsewhere in the README survive both the pipeline and ``copier update``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

START = "<!-- results:start -->"
END = "<!-- results:end -->"

SAMPLE_WARNING = (
    "> [!WARNING]\n"
    "> **These results come from the synthetic sample (`--sample`), not from the real data.**\n"
    "> They only show that the pipeline runs; run it without `--sample` for real results."
)


class ReadmeError(Exception):
    """The README has lost its results markers."""


def replace_results(text: str, body: str) -> str:
    """Return ``text`` with everything between the markers replaced by ``body``."""
    start, end = text.find(START), text.find(END)
    if start == -1 or end == -1 or end < start:
        raise ReadmeError(
            f"README.md has no results section: put the two lines {START} and {END} "
            "where the results should go, then run the report stage again."
        )
    return f"{text[: start + len(START)]}\n{body.strip()}\n{text[end:]}"


def write_results(readme: Path, body: str) -> None:
    """Replace the results section of the README file at ``readme``."""
    readme.write_text(replace_results(readme.read_text(encoding="utf-8"), body), encoding="utf-8")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a Markdown table; floats get four decimals."""

    def cell(value: object) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
