"""The written results from metrics.json: the README's headline, results and next experiments,
and reports/report.md."""

from __future__ import annotations

from .plots import fmt, fmt_interval
from .readme import SAMPLE_WARNING, markdown_table


def summary_table(metrics: dict) -> str:
    record = metrics["provenance"]
    if record["kind"] == "sample":
        data = f"{metrics['title']}: SYNTHETIC SAMPLE ({record['rows']:,} generated rows)"
    else:
        checksum = f" (sha256 `{record['sha256'][:12]}…`)" if record.get("sha256") else ""
        data = f"{metrics['title']}: `{record['name']}`{checksum}"
    rows = [
        ["data", data],
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


def _figures(metrics: dict) -> dict[str, dict]:
    return {figure["name"]: figure for figure in metrics["figures"]}


def headline(metrics: dict) -> str:
    """The first screen: the two findings that matter most, with their intervals, and the hero
    figure (the scatter plot when there is one: it shows what pooling does)."""
    figures = _figures(metrics)
    order = ["relationship", "distribution", "measurements", "composition"]
    chosen = [figures[name] for name in order if name in figures][:2]
    sample = metrics["provenance"]["kind"] == "sample"
    stamp = "**SYNTHETIC SAMPLE, not real data.** " if sample else ""
    lines = [f"{stamp}**{chosen[0].get('summary') or chosen[0]['finding']}**"] + [
        figure["finding"] for figure in chosen[1:]
    ]
    hero = chosen[0]
    lines.append(f"![{hero['title']}](reports/figures/{hero['name']}.png)")
    return "\n\n".join(lines)


def _differences(figure: dict) -> list[dict]:
    differences = figure["values"].get("differences")
    return differences if isinstance(differences, list) else []


def next_experiments(metrics: dict) -> list[str]:
    """Three to five follow-ups computed from this run, each naming what to change."""
    figures = _figures(metrics)
    package = __package__
    items = []
    ties = [(figure, step) for figure in figures.values() for step in _differences(figure)]
    ties = [
        (figure, step)
        for figure, step in ties
        if step["low"] is not None and step["low"] <= 0 <= step["high"]
    ]
    if ties:
        figure, step = ties[0]
        items.append(
            f"{step['higher']} and {step['lower']} are not distinguishable in "
            f"*{figure['title']}* (difference {fmt(step['value'])}, 95% CI "
            f"{fmt_interval(step['low'], step['high'])}: neither no difference nor one of that "
            "size is excluded): more "
            "rows of both can separate them; a larger `resamples` in `config.py` steadies the "
            "interval's edges, not its width."
        )
    groupings = figures.get("correlation", {}).get("values", {}).get("groupings", {})
    flagged = [
        (name, pair)
        for name, pairs in groupings.items()
        for pair in pairs
        if pair["verdict"] in ("reversed", "hidden")
    ]
    if flagged:
        name, pair = flagged[0]
        items.append(
            f"Model `{pair['b']}` on `{pair['a']}` with `{name}` as a covariate (or one fit per "
            f"group): the pooled correlation, {pair['pooled']['value']:.2f}, is "
            f"{pair['verdict']} within every {name} group, so a pooled fit answers the wrong "
            "question."
        )
    if "subgroups" in figures:
        where = (
            "reorder your file's columns (the second category is the split)"
            if metrics.get("dataset") == "csv"
            else f"change `split` in `SCHEMA` of `{metrics.get('dataset')}.py`"
        )
        items.append(
            f"Compare the main measurement within each group by another category: {where} "
            "and run `all` again."
        )
    items.append(
        f"Lower `min_group_rows` in `config.py` to compare small groups too (at a wider "
        f"interval), or run `python -m {package} app` to draw any pair by any grouping."
    )
    items.append(
        f"Run `python -m {package} notebook` to execute the notebook's story on these results "
        "and commit it with its outputs."
    )
    return items[:5]


def readme_results(metrics: dict, *, sample: bool) -> str:
    """The README's results section: sample warning, data summary, the gallery."""
    parts = [SAMPLE_WARNING] if sample else []
    parts += [summary_table(metrics), gallery(metrics, "reports/figures/", "###")]
    return "\n\n".join(parts)


def report_markdown(metrics: dict) -> str:
    """reports/report.md: the same gallery, with links to the SVG versions."""
    parts = [f"# {metrics['title']}: visual analysis"]
    if metrics["provenance"]["kind"] == "sample":
        parts.append(SAMPLE_WARNING)
    parts += [
        summary_table(metrics),
        gallery(metrics, "figures/", "##"),
        "Every figure is also in `figures/` as SVG (vector) for print and slides.",
    ]
    return "\n\n".join(parts) + "\n"
