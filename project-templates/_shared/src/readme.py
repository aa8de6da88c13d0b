"""Write the pipeline's results into the README, each block between two fixed markers.

The blocks are ``headline`` (the first screen), ``results`` and ``next`` (next experiments).
Only the text between the markers changes, so a user's own edits elsewhere in the README survive
both the pipeline and ``copier update``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .runtime import ProjectError

SAMPLE_WARNING = (
    "> [!WARNING]\n"
    "> **These results come from the synthetic sample (`--sample`), not from the real data.**\n"
    "> They only show that the pipeline runs; run it without `--sample` for real results."
)


def markers(name: str) -> tuple[str, str]:
    """The two lines that fence the generated block ``name`` (e.g. ``results``) in the README."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_block(text: str, name: str, body: str) -> str:
    """Return ``text`` with the inside of block ``name`` replaced by ``body``."""
    start_marker, end_marker = markers(name)
    start, end = text.find(start_marker), text.find(end_marker)
    if start == -1 or end == -1 or end < start:
        raise ProjectError(
            f"README.md has no {name} block: put the two lines {start_marker} and {end_marker} "
            "where it should go, then run the report stage again."
        )
    return f"{text[: start + len(start_marker)]}\n{body.strip()}\n{text[end:]}"


def write_blocks(document: Path, blocks: dict[str, str], say: Callable[[str], None]) -> None:
    """Replace each named block of the Markdown file ``document`` (the README, the model card);
    the rest is left as it is, and ``say`` reports it.

    A project root without that file (``--root`` on a scratch folder) gets nothing written:
    ``say`` tells the user that the results stay in ``reports/``.
    """
    if not document.is_file():
        say(f"no {document.name} in {document.parent}: the results stay in reports/")
        return
    text = document.read_text(encoding="utf-8")
    for name, body in blocks.items():
        text = replace_block(text, name, body)
    document.write_text(text, encoding="utf-8")
    say(f"results written into {document}")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a Markdown table; floats get four decimals."""

    def cell(value: object) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
