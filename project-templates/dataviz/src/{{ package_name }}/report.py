"""The written results: each finding's sentence, built from the gallery's numbers (first half),
and from metrics.json the README's headline, results and next experiments, and
reports/report.md (second half)."""

from __future__ import annotations

import pandas as pd

from . import stats
from .plots import fmt, fmt_interval, places, supported
from .readme import SAMPLE_WARNING, markdown_table
from .schema import Column
from .stats import Comparison, Estimate, p_text


def level(column: Column, level: object) -> str:
    """A category value for a sentence: codes get their column's name ("Year 3")."""
    text = str(level)
    return f"{column.plain} {text}" if text.replace(".", "", 1).isdigit() else text


def unit_suffix(column: Column) -> str:
    return f" {column.unit}" if column.unit else ""


def with_ci(
    estimate: Estimate, unit: str = "", digits: int | None = None, *, inside: bool = False
) -> str:
    """ "5,000 g (95% CI 4,900 to 5,200)", or "…, 95% CI … to …" ``inside`` brackets;
    ``digits`` for correlations and η²."""
    show = (lambda v: places(v, digits)) if digits is not None else fmt
    if pd.isna(estimate.low):
        note = "too few values for an interval"
        return (
            f"{show(estimate.value)}{unit}, {note}"
            if inside
            else f"{show(estimate.value)}{unit} ({note})"
        )
    if digits is None:
        estimate = supported(estimate)
    ends = f"{show(estimate.low)} to {show(estimate.high)}"
    interval = "95% CI " + (
        ends if digits is not None else fmt_interval(estimate.low, estimate.high)
    )
    value = f"{show(estimate.value)}{unit}"
    return f"{value}, {interval}" if inside else f"{value} ({interval})"


def pct(estimate: Estimate, *, inside: bool = False) -> str:
    interval = f"95% CI {estimate.low:.0%} to {estimate.high:.0%}"
    return f"{estimate.value:.0%}, {interval}" if inside else f"{estimate.value:.0%} ({interval})"


def allows(step: Estimate, unit: str) -> str:
    """ "-200 to +100 g": the differences an interval holding zero allows."""
    step = supported(step)
    start, end = fmt_interval(step.low, step.high).split(" to ")
    sign = "+" if step.high > 0 else ""
    return f"{start} to {sign}{end}{unit}"


def tie(upper: str, lower: str, medians: dict[str, Estimate], step: Estimate, unit: str) -> str:
    """Two medians whose difference's interval holds zero, in plain words."""
    if pd.isna(step.low):
        return f"{upper} and {lower}: too few values to compare"
    high, low = medians[upper].value, medians[lower].value
    allowed = f"the interval allows {allows(step, unit)} (95% CI)"
    return (
        f"{upper} ({fmt(high)}{unit}) and {lower} ({fmt(low)}{unit}): no difference detectable; "
        f"{allowed}"
    )


def joined(items: list[str]) -> str:
    """ "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 2 else items)


def leader_finding(
    leader: str, median: Estimate, gaps: dict[str, Estimate], subject: str, unit: str
) -> str:
    """The group with the highest median against each other group, each difference with its
    own interval: "C has the highest median mass, 5,000 g (95% CI …): 1,300 g (95% CI …)
    above A and 1,300 g (95% CI …) above B". Groups whose difference from
    it holds zero tie with it for the lead, with the range of differences the data allow."""
    most = "higher" if len(gaps) == 1 else "highest"
    above, tied, few = [], [], []
    for other, gap in gaps.items():
        if pd.isna(gap.low):
            few.append(other)
        elif gap.spans_zero:
            start, end = fmt_interval(gap.low, gap.high).split(" to ")
            sign = "+" if gap.high > 0 else ""
            tied.append((other, f"{start} to {sign}{end}{unit}"))
        else:
            above.append(f"{with_ci(gap, unit)} above {other}")
    if tied:
        names = " and ".join([leader, *(other for other, _ in tied)])
        allow = " and ".join(f"{leader} minus {other} from {ends}" for other, ends in tied)
        text = (
            f"{names} tie for the {most} median {subject} ({leader} "
            f"{with_ci(median, unit, inside=True)}; the data allow {allow}, 95% CI)"
        )
        if above:
            text += f"; {leader} is {joined(above)}"
    else:
        text = f"{leader} has the {most} median {subject}, {with_ci(median, unit)}"
        if above:  # the lead over the nearest group (or groups, at equal distance) only
            step = min(gap.value for gap in gaps.values() if pd.notna(gap.low))
            near = [other for other, gap in gaps.items() if gap.value == step]
            text += "; it is " + joined([f"{with_ci(gaps[o], unit)} above {o}" for o in near])
            text += ", the nearest" if len(near) == 1 and len(above) > 1 else ""
    if few:
        text += f"; too few values to compare with {' and '.join(few)}"
    return text + "."


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def r_ci(estimate: Estimate, symbol: str) -> str:
    """ "r = 0.53, 95% CI 0.45 to 0.60" (inside brackets)."""
    return f"{symbol} = {with_ci(estimate, digits=2, inside=True)}"


def held_or_groups(comparison: Comparison, group: str, symbol: str) -> str:
    """The held-fixed value with its interval; when the groups' correlations differ (Cochran's
    Q, adjusted) no single value stands for them, so the groups' range instead."""
    if comparison.differs:
        return f"the {group} groups' own correlations differ ({ends(comparison, symbol)})"
    return r_ci(comparison.held, symbol)


def ends(comparison: Comparison, symbol: str) -> str:
    """The group correlations' range, no nested intervals: "r +0.39 to +0.65, each 95% CI
    above 0" (the side is named only when every group's interval is clear of 0 on it)."""
    ordered = sorted(comparison.within.values(), key=lambda e: e.value)
    low, high = ordered[0], ordered[-1]
    text = f"{symbol} {low.value:+.2f} to {high.value:+.2f}"
    if all(e.low > 0 for e in ordered):
        text += ", each 95% CI above 0"
    elif all(e.high < 0 for e in ordered):
        text += ", each 95% CI below 0"
    return text


def describe(comparison: Comparison, group: Column, symbol: str) -> str:
    """What a grouping does to a pooled correlation: a clause that follows the pooled value,
    by the comparison's label (``Comparison.label``), with the within-group range and intervals."""
    label, pooled = comparison.label, comparison.pooled
    within = ends(comparison, symbol)
    if label == stats.REVERSED:  # per group only where the group's own interval says so
        turn = "rises" if pooled.value < 0 else "falls"
        weak, against = comparison.unclear, comparison.against
        if not weak and not against:
            return f", but within every {group.short} it {turn} ({within})"
        clear = [level for level in comparison.within if level not in weak + against]
        text = (
            f", but with {group.short} held fixed it {turn} "
            f"({held_or_groups(comparison, group.short, symbol)})"
        )
        if clear:
            text += f"; it {turn} within {joined(clear)}"
        if against:
            text += f"; it still {'falls' if turn == 'rises' else 'rises'} within {joined(against)}"
        return text + (f"; it is not distinguishable from 0 within {joined(weak)}" if weak else "")
    if label == stats.VANISHES:
        return (
            f", but with {group.short} held fixed it vanishes "
            f"({r_ci(comparison.held, symbol)}; within each {group.short}, {within})"
        )
    if label == stats.APPEARS:
        return (
            f", but with {group.short} held fixed there is one "
            f"({r_ci(comparison.held, symbol)}; within each {group.short}, {within})"
        )
    if label == stats.BETWEEN_GROUPS:
        return (
            f", but {share(comparison)} of it comes from the differences between the "
            f"{group.short} means"
        )
    if label == stats.NOT_ESTABLISHED:
        return (
            f", but with {group.short} held fixed it is not shown "
            f"({r_ci(comparison.held, symbol)}); clear of 0 only in {carriers(comparison)}"
        )
    if label == stats.NO_RELATION:
        return f"; with {group.short} held fixed, there is none either"
    if comparison.differs:
        return f"; {held_or_groups(comparison, group.short, symbol)}"
    return f"; within each {group.short}, {within}"


def share(comparison: Comparison) -> str:
    """ "82% (95% CI 79% to 85%)": the between-group share, with its interval when computed."""
    found = comparison.between_ci
    if pd.isna(found.low):
        return f"{comparison.between:.0%}"
    return pct(found)


def second_grouping(cells: Comparison, other: str, group: str, symbol: str) -> str:
    """What a second grouping (sex, besides species) shows, as a clause of the finding: the
    crossed cells' range, how many of their intervals hold 0, or the test within each group
    (``stats.stratified_q``) when the cells' correlations differ. No average: the first
    grouping's own may differ."""
    test = cells.test
    if test is None:
        return f"given {group}, {other} is not tested (too few rows per cell)"
    if cells.differs:
        return (
            f"given {group}, the correlation differs by {other} (Q = {test.q:.1f} on "
            f"{test.dof} df, Holm-adjusted {stats.p_text(cells.p_adjusted)})"
        )
    text = f"within each {group}-and-{other} group, {ends(cells, symbol)}"
    if cells.unclear:
        text += f"; {len(cells.unclear)} of the {len(cells.within)} groups' 95% CIs include 0"
    return text


def reversal_headline(
    subject: str,
    pooled: Estimate,
    by_group: Comparison,
    group: str,
    symbol: str,
    cells: Comparison | None = None,
    other: str = "",
) -> tuple[str, list[str]]:
    """The first screen when a grouping reverses the pooled relation: one sentence a reader
    gets at a glance (the values without their intervals), and lines that quote them with
    their intervals, naming what in the figure shows each. ``subject`` is the pooled clause
    ("all rows, y falls with x"). With a second grouping held fixed too (``cells``, not
    differing), the sentence adds the range within each group of both."""
    lines = [
        f"Dashed line: pooled, {symbol} = {with_ci(pooled, digits=2)}.",
        f"Solid lines: one per {group}, {ends(by_group, symbol)}.",
    ]
    ordered = sorted(by_group.within.items(), key=lambda item: item[1].value)
    (_, low), (_, high) = ordered[0], ordered[-1]
    every = all(not e.spans_zero for e in by_group.within.values())
    where = f"every {group}" if every else f"the {group} groups"
    turn = "rises" if pooled.value < 0 else "falls"
    sentence = (
        f"Pooled over {subject} ({symbol} = {pooled.value:+.2f}), but within {where} it {turn} "
        f"({symbol} {low.value:+.2f} to {high.value:+.2f})"
    )
    if cells is not None:  # the cells' range, no average: the groups' own may differ
        sentence += "; " + second_grouping(cells, other, group, symbol)
    return sentence + ".", lines


def held_sentence(comparison: Comparison, held: str, symbol: str) -> str:
    """ "With species held fixed (each group's r, averaged on Fisher's z weighted by n − 3),
    r = 0.53, 95% CI …", or each group's value when the groups differ."""
    if comparison.differs:  # the finding gives the groups' range: nothing to add
        return ""
    return (
        f"With {held} held fixed (each group's {symbol}, averaged on Fisher's z weighted by "
        f"n − 3), {r_ci(comparison.held, symbol)}."
    )


def test_sentence(comparison: Comparison, where: str, family: str) -> str:
    """Cochran's Q of equal correlations across ``where`` (summed over the strata of a test
    within each group), with the family-adjusted p."""
    test = comparison.test
    if test is None:
        return ""
    verdict = "rejected" if comparison.differs else "not rejected"
    summed = f", summed over {joined(list(test.strata))}" if test.strata else ""
    return (
        f"Equal correlations across {where}: {verdict} (Q = {test.q:.1f} on {test.dof} df"
        f"{summed}, Holm-adjusted over {family}, {stats.p_text(comparison.p_adjusted)})."
    )


def plain_name(column: Column) -> str:
    return column.plain if column.plain.isupper() else column.plain.lower()


def symbol(method: str) -> str:
    return "Spearman ρ" if method == "spearman" else "r"


def listed(comparisons: list[Comparison], labels: dict[str, str]) -> str:
    return ", ".join(
        f"{labels[c.a]} × {labels[c.b]}"
        + (f": {carriers(c)}" if c.label == stats.NOT_ESTABLISHED else "")
        for c in comparisons
    )


def carriers(comparison: Comparison) -> str:
    """The groups whose own interval excludes 0: "B -0.21 (95% CI -0.37 to -0.04)"."""
    found = comparison.within.items()
    clear = [f"{k} {with_ci(e, digits=2, inside=True)}" for k, e in found if not e.spans_zero]
    return " and ".join(clear)


def label_counts(
    comparisons: list[Comparison], labels: dict[str, str], group: str, *, named: bool = True
) -> str:
    """ "3 of the 6 pooled correlations reverse sign (…), and 3 are mostly …"."""
    phrases = {  # (one, several)
        stats.REVERSED: ("reverses sign", "reverse sign"),
        stats.VANISHES: ("vanishes", "vanish"),
        stats.BETWEEN_GROUPS: (
            f"is mostly a difference between {group} means",
            f"are mostly differences between {group} means",
        ),
        stats.APPEARS: ("appears only within groups", "appear only within groups"),
        stats.NOT_ESTABLISHED: (
            f"holds only in some {group} groups",
            f"hold only in some {group} groups",
        ),
        stats.NO_RELATION: ("has no relation either way", "have no relation either way"),
    }
    parts = []
    for label, (one, several) in phrases.items():
        hit = [c for c in comparisons if c.label == label]
        if hit:
            names = f" ({listed(hit, labels)})" if named else ""
            text = f"{len(hit)} {one if len(hit) == 1 else several}{names}"
            weak = [c for c in hit if label == stats.REVERSED and (c.unclear or c.against)]
            if weak:  # held fixed it reverses, but not in every group's own interval
                text += f" held fixed, {len(weak)} of them not within every {group} group"
            parts.append(text)
    total = len(comparisons)
    sentences = []
    if parts:
        first = parts[0].split(" ", 1)
        text = f"{first[0]} of the {total} pooled correlations {first[1]}"
        if len(parts) > 1:
            text += ", " + ", ".join(parts[1:-1]) + (", " if len(parts) > 2 else "") + "and "
            text += parts[-1]
        sentences.append(text)
    # counted apart from the labels above: a reversed pair's groups can differ too
    differ = [c for c in comparisons if c.differs]
    if differ:
        names = f" ({listed(differ, labels)})" if named else ""
        sentences.append(
            f"the {group} groups' own correlations differ for {len(differ)} of the {total} "
            f"pairs{names}"
        )
    return "; ".join(sentences) or f"all {total} pooled correlations hold"


def _missing_verdict(missing: dict) -> str:
    """ "most often in Torgersen (4 of 51, p = 0.029)", or "spread as chance would spread
    them over species, island and year". Not adjusted for the groupings tested: a check for
    bias made lenient would hide one."""
    groups = missing["by"].values()
    low = min(entry["p"] for entry in groups)

    def ranked(entry: dict) -> str:  # one of several unadjusted tests: what it is worth
        if len(groups) < 2:
            return ""
        which = "the smallest" if entry["p"] == low else "one"
        return f", {which} of {len(groups)} unadjusted tests; Holm {p_text(entry['p_holm'])}"

    found = [
        f"most often in {level} ({n} of {rows}, {p_text(entry['p'])}{ranked(entry)})"
        for entry in groups
        if entry["p"] < 0.05
        for level, (n, rows) in list(entry["counts"].items())[:1]
    ]
    if found:
        return " and ".join(found)
    return f"no more often in any {' or '.join(e['label'] for e in groups)} than chance allows"


def missing_sentences(missing: dict, entity: str) -> list[str]:
    """The report's lines: how many, then the counts per level of each grouping among the
    measured rows with its test's p."""
    unmeasured = missing.get("unmeasured", 0)
    head = f"{missing['rows']:,} of the {missing['measured']:,} measured {entity} have no "
    head += f"{missing['label']} ({missing['rows'] / missing['measured']:.0%})"
    if unmeasured:
        head += f"; {unmeasured:,} more have no measurement at all"
    return [
        f"{head}. Where they are (permutation tests of independence, p not adjusted):",
        *(
            f"  {capital(entry['label'])} ({p_text(entry['p'])}): "
            + ", ".join(f"{level} {n} of {rows}" for level, (n, rows) in entry["counts"].items())
            + "."
            for entry in missing["by"].values()
        ),
    ]


def missing_short(missing: dict, entity: str) -> str:
    """The README's row: how many, their recorded causes, then where they concentrate."""
    text = f"{missing['rows']:,} of the {missing['measured']:,} measured {entity} "
    text += f"({missing['rows'] / missing['measured']:.0%})"
    text += f"; {missing['cause']}" if missing.get("cause") else ""
    text += f"; {_missing_verdict(missing)}"
    if missing.get("unmeasured"):
        text += f"; {missing['unmeasured']:,} more {entity} have no measurement at all"
    return text


def copies(n: int) -> str:
    return f"{n:,} of them exact copies of an earlier row" if n else "no exact duplicates"


def summary_table(metrics: dict) -> str:
    record = metrics["provenance"]
    if record["kind"] == "sample":
        data = f"{metrics['title']}: SYNTHETIC SAMPLE ({record['rows']:,} generated rows)"
    else:
        checksum = f" (sha256 `{record['sha256'][:12]}…`)" if record.get("sha256") else ""
        data = f"{metrics['title']}: `{record['name']}`{checksum}"
    rows = [
        ["data", data],
        ["rows", f"{metrics['rows']:,}, {copies(metrics['duplicate_rows'])}"],
        ["columns charted", f"{metrics['columns']:,}"],
        ["missing cells", f"{metrics['missing_cells']:,}"],
    ]
    for figure in metrics["figures"]:
        missing = figure.get("values", {}).get("missing")
        if isinstance(missing, dict):
            entity = metrics.get("entity", "rows")
            rows.append([f"no {missing['label']}", missing_short(missing, entity)])
    floor = metrics.get("repeated_minima", {})
    if floor.get("columns"):
        entity = metrics.get("entity", "rows")
        each = ", ".join(f"{name} {n}" for name, n in floor["columns"].items())
        rows.append(
            [
                "repeated minimum",
                f"{floor['values']} values in {floor['rows']} {entity} equal "
                f"{fmt(floor['minimum'])}, the table's smallest value ({each}): possibly a "
                "recording floor, kept as recorded",
            ]
        )
    if metrics.get("ignored"):
        rows.append(["columns left out", ", ".join(metrics["ignored"])])
    return markdown_table(["", "value"], rows)


def gallery(
    metrics: dict, figures_prefix: str, heading: str, *, details: bool = False, skip: str = ""
) -> str:
    """Each figure under a ``heading`` ("##") with its finding (and, with ``details``, its
    question and the sentences behind it as a list); image links start with
    ``figures_prefix``; the figure named ``skip`` (the headline's) is left out."""
    blocks = []
    for figure in metrics["figures"]:
        if figure["name"] == skip:
            continue
        png = f"{figures_prefix}{figure['name']}.png"
        behind = figure.get("details", []) if details else []
        # a sentence ending in ":" introduces the ones after it that start with two spaces
        listed = "".join(
            f"  - {sentence.strip()}\n" if sentence.startswith("  ") else f"- {sentence}\n"
            for sentence in behind
        )
        question = f"*{figure['question']}*\n\n" if details else ""  # report.md only
        blocks.append(
            f"{heading} {figure['title']}\n\n"
            + question
            + f"**Finding:** {figure['finding']}\n\n"
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
    """The figure the first screen leads with, by a fixed rule on the main grouping, the one
    the title asks about: a reversal (the scatter plot's pair when every group reverses its
    pooled sign); then a share ranking whose leader differs by group; else the largest share
    of variance explained (η² or r²), else the first figure. A second category (sex within
    each group) answers another question and never leads: it stays a finding of its own."""
    figures = _figures(metrics)
    relation = figures.get("relationship", {})
    if relation.get("values", {}).get("label") == "reversed":
        return relation
    if figures.get("shares", {}).get("values", {}).get("largest_share_within"):
        return figures["shares"]
    best = max(metrics["figures"], key=_variance_explained)
    return best if _variance_explained(best) > 0 else metrics["figures"][0]


def headline(metrics: dict) -> str:
    """The first screen: one sentence, the lines with its intervals when the sentence leaves
    them out, and its figure (chosen by ``headline_figure``). A reversal is about one pair of
    measurements, so the main measurement by group (the first figure's finding, with its
    intervals) is the first line under it."""
    hero = headline_figure(metrics)
    sample = metrics["provenance"]["kind"] == "sample"
    stamp = "**SYNTHETIC SAMPLE, not real data.** " if sample else ""
    sentence = hero.get("summary") or hero["finding"]
    quoted = list(hero.get("summary_lines", []))
    first = metrics["figures"][0]
    if hero["name"] == "relationship" and first is not hero and first.get("finding"):
        quoted.append(f"{first['title']}: {first['finding']}")
    lines = "".join(f"- {line}\n" for line in quoted[:3])  # the figure first, then 3 at most
    figure = f"![{hero['title']}](reports/figures/{hero['name']}.png)"
    return f"{stamp}**{sentence}**\n\n{figure}" + (f"\n\n{lines.rstrip()}" if lines else "")


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
        unit = " " + figure["values"]["unit"] if figure["values"].get("unit") else ""
        items.append(
            f"Are {step['higher']} and {step['lower']} alike? In *{figure['title']}* they "
            f"differ by {fmt(step['value'])}{unit} (95% CI "
            f"{fmt_interval(step['low'], step['high'])}{unit}); an equivalence test, its margin "
            "fixed before new rows are collected, would say."
        )
    eta = figures.get("measurements", {}).get("values", {}).get("eta_squared_lead")
    if isinstance(eta, dict):
        best = figures["measurements"]["values"][f"eta_squared_{eta['higher']}"]
        items.append(
            f"Predict `{eta['group']}` from `{eta['higher']}` alone on held-out rows: "
            f"η² = {best['value']:.2f} (95% CI {best['low']:.2f} to {best['high']:.2f}) does "
            "not say how well it sorts single rows."
        )
    if len(items) < 2:
        items.append(
            "Repeat the analysis on an independent sample of the same population: every "
            "interval here comes from this one data set."
        )
    return items[:5]


def readme_results(metrics: dict, *, sample: bool) -> str:
    """The README's results section: sample warning, data summary, the gallery but for the
    headline's figure (shown above it)."""
    parts = [SAMPLE_WARNING] if sample else []
    hero = headline_figure(metrics)["name"] if metrics["figures"] else ""
    parts += [summary_table(metrics), gallery(metrics, "reports/figures/", "###", skip=hero)]
    return "\n\n".join(parts)


def label_table(metrics: dict) -> str:
    """Every pair × grouping of the correlation figure, one row per pair: its label and, when
    the test of equal correlations rejects after Holm's adjustment, that adjusted p."""
    figure = _figures(metrics).get("correlation", {})
    groupings = figure.get("values", {}).get("groupings", {})
    if not groupings:
        return ""
    labels = figure["values"].get("labels", {})
    cells: dict[str, dict[str, str]] = {}
    for name, pairs in groupings.items():
        for pair in pairs:
            key = f"{labels.get(pair['a'], pair['a'])} × {labels.get(pair['b'], pair['b'])}"
            text = pair["label"] or "holds"
            weak, against = pair["unclear_groups"], pair["against_groups"]
            if pair["label"] == stats.REVERSED and (weak or against):
                n = len(pair["within"])
                text = "reversed"
                text += f"; {len(weak)} of {n} groups' 95% CIs include 0" if weak else ""
                text += f"; {len(against)} of {n} keep the pooled sign" if against else ""
            test = pair.get("test")
            if test and test["p_adjusted"] < 0.05:  # the p of the test, not of the label
                rejected = f"equal correlations rejected, {p_text(test['p_adjusted'])}"
                text = rejected if text == stats.DIFFERS else f"{text}; {rejected}"
            cells.setdefault(key, {"pooled": f"{pair['pooled']['value']:.2f}"})[name] = text
    rows = [
        [key, row["pooled"], *(row.get(g, "") for g in groupings)] for key, row in cells.items()
    ]
    return (
        "## What holding each grouping fixed does to each correlation\n\n"
        "Each cell labels the pooled correlation against the one with the grouping held fixed "
        "(the groups' own, averaged on Fisher's z); the p is the Holm-adjusted Cochran's Q test "
        "that the groups' correlations are equal, not a test of the label; DECISIONS.md gives "
        "each label's rule.\n\n" + markdown_table(["pair", "pooled", *groupings], rows)
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
