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


def gallery(metrics: dict, figures_prefix: str, heading: str, *, details: bool = False) -> str:
    """Each figure under a ``heading`` ("##") with its question and finding (and, with
    ``details``, the sentences behind it as a list); image links start with
    ``figures_prefix``."""
    blocks = []
    for figure in metrics["figures"]:
        png = f"{figures_prefix}{figure['name']}.png"
        behind = figure.get("details", []) if details else []
        listed = "".join(f"- {sentence}\n" for sentence in behind)
        blocks.append(
            f"{heading} {figure['title']}\n\n"
            f"*{figure['question']}*\n\n"
            f"**Finding:** {figure['finding']}\n\n"
            + (f"{listed}\n" if listed else "")
            + f"![{figure['title']}]({png})"
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
    if relation.get("values", {}).get("label") == "reversed":
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
        if pair["label"] in ("reversed", "appears within groups")
    ]
    if flagged:
        name, pair = flagged[0]
        held = pair["held_fixed"]
        items.append(
            f"Model `{pair['b']}` on `{pair['a']}` with `{name}` as a covariate (or one fit per "
            f"group): pooled, their correlation is {pair['pooled']['value']:.2f}; with `{name}` "
            f"held fixed it is {held['value']:.2f} (95% CI {held['low']:.2f} to "
            f"{held['high']:.2f}), so a pooled fit answers the wrong question."
        )
    relation = figures.get("relationship", {}).get("values", {})
    tested = relation.get("by_cells") or relation.get("by_group")
    if isinstance(tested, dict) and isinstance(tested.get("test"), dict):
        test = tested["test"]
        found = (
            f"a test of equal correlations across `{tested['group']}` gives Q = {test['q']:.1f} "
            f"on {test['df']} df ({p_text(test['p'])}; Holm-adjusted "
            f"{p_text(test['p_adjusted'])})"
        )
        then = (
            "the interaction's coefficients would say which groups differ, and by how much"
            if test["p_adjusted"] < 0.05
            else "whether the relation differs between them is still open, and new rows per "
            "group would test it"
        )
        items.append(
            f"Refit *{figures['relationship']['title']}* with a `{tested['group']}` "
            f"interaction term. Here {found}: {then}."
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


def label_table(metrics: dict) -> str:
    """Every pair × grouping of the correlation figure, one row per pair: its label and, when
    the test of equal correlations rejects after Holm's adjustment, that adjusted p."""
    figure = _figures(metrics).get("correlation", {})
    groupings = figure.get("values", {}).get("groupings", {})
    if not groupings:
        return ""
    cells: dict[str, dict[str, str]] = {}
    for name, pairs in groupings.items():
        for pair in pairs:
            key = f"{pair['a']} × {pair['b']}"
            text = pair["label"] or "holds"
            test = pair.get("test")
            if test and test["p_adjusted"] < 0.05:
                text += f"; differs ({p_text(test['p_adjusted'])})"
            cells.setdefault(key, {"pooled": f"{pair['pooled']['value']:.2f}"})[name] = text
    rows = [
        [key, row["pooled"], *(row.get(g, "") for g in groupings)] for key, row in cells.items()
    ]
    return (
        "## What holding each grouping fixed does to each correlation\n\n"
        "Each cell compares the pooled correlation with the one with the grouping held fixed "
        "(each value minus its group's mean), both with their 95% intervals. *reversed*: the "
        "held-fixed interval lies on the other side of zero; *vanishes within groups*: it holds "
        "zero; *mostly between groups*: same sign, but more than half of the pooled "
        "co-variation lies between the group means; *appears within groups*: the pooled "
        "interval holds zero, the held-fixed one does not; *holds*: none of these. *differs*: "
        "Cochran's Q rejects equal correlations across the groups after Holm's adjustment over "
        "every test in the table.\n\n" + markdown_table(["pair", "pooled", *groupings], rows)
    )


def report_markdown(metrics: dict) -> str:
    """reports/report.md: the same gallery, with links to the SVG versions."""
    parts = [f"# {metrics['title']}: visual analysis"]
    if metrics["provenance"]["kind"] == "sample":
        parts.append(SAMPLE_WARNING)
    parts += [
        summary_table(metrics),
        gallery(metrics, "figures/", "##", details=True),
        label_table(metrics),
        "Every figure is also in `figures/` as SVG (vector) for print and slides.",
    ]
    return "\n\n".join(part for part in parts if part) + "\n"
