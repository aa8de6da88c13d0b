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


def _variance_explained(figure: dict) -> float:
    """The share of variance a figure's finding shows: the largest η² of the measurements, r²
    of the scatter plot's pair; 0 for the others."""
    values = figure.get("values", {})
    if figure["name"] == "measurements":
        etas = [v["value"] for k, v in values.items() if k.startswith("eta_squared_")]
        return max(etas, default=0.0)
    if figure["name"] == "relationship" and "r_all" in values:
        return float(values["r_all"]) ** 2
    return 0.0


def headline_figure(metrics: dict) -> dict:
    """The figure the first screen leads with, by a fixed rule on the size of what it shows:
    a reversal first (the scatter plot's pair when every group reverses its pooled sign, then
    a pooled share ranking a group reverses), else the largest share of variance explained
    (η² or r²), else the first figure."""
    figures = _figures(metrics)
    relation = figures.get("relationship", {})
    if relation.get("values", {}).get("verdict") == "reversed":
        return relation
    if figures.get("shares", {}).get("values", {}).get("largest_share_within"):
        return figures["shares"]
    best = max(metrics["figures"], key=_variance_explained)
    return best if _variance_explained(best) > 0 else metrics["figures"][0]


def headline(metrics: dict) -> str:
    """The first screen: one sentence, with its intervals, and its figure (chosen by
    ``headline_figure``)."""
    hero = headline_figure(metrics)
    sample = metrics["provenance"]["kind"] == "sample"
    stamp = "**SYNTHETIC SAMPLE, not real data.** " if sample else ""
    sentence = hero.get("summary") or hero["finding"]
    return f"{stamp}**{sentence}**\n\n![{hero['title']}](reports/figures/{hero['name']}.png)"


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


def verdict_table(metrics: dict) -> str:
    """Every pair × grouping verdict of the correlation figure, one row per pair."""
    figure = _figures(metrics).get("correlation", {})
    groupings = figure.get("values", {}).get("groupings", {})
    if not groupings:
        return ""
    verdicts: dict[str, dict[str, str]] = {}
    for name, pairs in groupings.items():
        for pair in pairs:
            key = f"{pair['a']} × {pair['b']}"
            pooled = pair["pooled"]
            verdicts.setdefault(key, {"pooled": f"{pooled['value']:.2f}"})[name] = pair["verdict"]
    rows = [
        [key, row["pooled"], *(row.get(g, "") for g in groupings)] for key, row in verdicts.items()
    ]
    nested = figure["values"].get("nested", {})
    notes = "".join(
        f" {name} is confounded with the main grouping ("
        + ", ".join(f"{k} has only {v}" for k, v in held.items())
        + ")."
        for name, held in nested.items()
    )
    return (
        "## What each grouping does to each correlation\n\n"
        "*consistent*: every group's 95% interval holds the pooled value; the other verdicts are "
        f"defined in DECISIONS.md.{notes}\n\n"
        + markdown_table(["pair", "pooled", *groupings], rows)
    )


def report_markdown(metrics: dict) -> str:
    """reports/report.md: the same gallery, with links to the SVG versions."""
    parts = [f"# {metrics['title']}: visual analysis"]
    if metrics["provenance"]["kind"] == "sample":
        parts.append(SAMPLE_WARNING)
    parts += [
        summary_table(metrics),
        gallery(metrics, "figures/", "##"),
        verdict_table(metrics),
        "Every figure is also in `figures/` as SVG (vector) for print and slides.",
    ]
    return "\n\n".join(part for part in parts if part) + "\n"
