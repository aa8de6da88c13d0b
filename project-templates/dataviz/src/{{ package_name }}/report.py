"""The written results from metrics.json: the README's headline, results and next experiments,
and reports/report.md."""

from __future__ import annotations

from .plots import fmt, fmt_interval
from .readme import SAMPLE_WARNING, markdown_table
from .stats import p_text


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
    """Up to five follow-up experiments, each computed from this run's numbers: none assumes
    a difference the data have not shown."""
    figures = _figures(metrics)
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
            f"Are {step['higher']} and {step['lower']} alike? In *{figure['title']}* their "
            f"difference is {fmt(step['value'])} (95% CI {fmt_interval(step['low'], step['high'])}"
            "). An equivalence test against a margin fixed before new rows are collected would "
            "answer it; about four times the rows halve the interval's width."
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
    relation = figures.get("relationship", {}).get("values", {})
    spread, cells = relation.get("heterogeneity"), relation.get("within_cells_adjusted")
    if isinstance(spread, dict) and isinstance(cells, dict):
        test = (
            f"a test of equal correlations across the {cells['cells']} cells gives "
            f"Q = {spread['q']:.1f} on {spread['df']} df ({p_text(spread['p'])})"
        )
        then = (
            "the interaction's coefficients would say which cells differ, and by how much"
            if spread["p"] < 0.05
            else "whether the relation differs by cell is still open, and new rows per cell "
            "would test it"
        )
        items.append(
            f"Refit *{figures['relationship']['title']}* with a {cells['grouping']} "
            f"interaction term. Here {test}: {then}."
        )
    eta = figures.get("measurements", {}).get("values", {}).get("eta_squared_difference")
    if isinstance(eta, dict):
        best = figures["measurements"]["values"][f"eta_squared_{eta['higher']}"]
        items.append(
            f"Predict `{eta.get('group', 'the group')}` from `{eta['higher']}` alone on "
            f"held-out rows. The grouping explains {best['value']:.0%} of its variance (η², "
            f"95% CI {best['low']:.0%} to {best['high']:.0%}); a cross-validated accuracy "
            "would say how well it sorts single rows."
        )
    if len(items) < 2:
        items.append(
            "Repeat the analysis on an independent sample of the same population: every "
            "interval here comes from this one data set."
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
