"""The written results: reports/report.md and the README's results section, from metrics.json."""

from __future__ import annotations

from .readme import SAMPLE_WARNING, markdown_table


def summary_table(metrics: dict) -> str:
    source = metrics["source"]
    checksum = f" (sha256 `{source['sha256'][:12]}…`)" if source.get("sha256") else ""
    rows = [
        ["data", f"{metrics['title']}: {source['description']}{checksum}"],
        ["rows", f"{metrics['rows']:,}"],
        ["columns charted", f"{metrics['columns']:,}"],
        ["missing cells", f"{metrics['missing_cells']:,}"],
    ]
    if metrics.get("ignored"):
        rows.append(["columns left out", ", ".join(metrics["ignored"])])
    return markdown_table(["", "value"], rows)


def gallery(metrics: dict, figures_prefix: str, heading: str) -> str:
    """Each figure under a ``heading`` ("##") with its question and finding; image links start
    with ``figures_prefix``."""
    blocks = []
    for figure in metrics["figures"]:
        png = f"{figures_prefix}{figure['name']}.png"
        blocks.append(
            f"{heading} {figure['title']}\n\n"
            f"*{figure['question']}*\n\n"
            f"**Finding:** {figure['finding']}\n\n"
            f"![{figure['title']}]({png})"
        )
    return "\n\n".join(blocks)


def readme_results(metrics: dict) -> str:
    """The README's results section: sample warning, data summary, the gallery."""
    parts = [SAMPLE_WARNING] if metrics["source"]["kind"] == "sample" else []
    parts += [summary_table(metrics), gallery(metrics, "reports/figures/", "###")]
    return "\n\n".join(parts)


def report_markdown(metrics: dict) -> str:
    """reports/report.md: the same gallery, with links to the SVG versions."""
    parts = [f"# {metrics['title']}: visual analysis"]
    if metrics["source"]["kind"] == "sample":
        parts.append(SAMPLE_WARNING)
    parts += [
        summary_table(metrics),
        gallery(metrics, "figures/", "##"),
        "Every figure is also in `figures/` as SVG (vector) for print and slides.",
    ]
    return "\n\n".join(parts) + "\n"
