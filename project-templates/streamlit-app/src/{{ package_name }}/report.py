"""The README results section and the model card, written from reports/metrics.json.

Every sentence is built from the numbers it states; nothing here is measured.
"""

from __future__ import annotations

from collections.abc import Mapping

from .data import SPECIES, label
from .readme import SAMPLE_WARNING, markdown_table
from .runtime import is_sample

FIGURES = {
    "why": [
        (
            "near_duplicates.png",
            "Nearest-neighbour distances, accuracy on unseen clusters, learning curve",
        ),
    ],
    "errors": [
        ("probabilities.png", "Unseen clusters: out-of-fold probabilities by true class, at 0.5"),
        ("confusion_matrices.png", "Unseen clusters: confusion matrices at 0.5"),
    ],
    "details": [
        ("permutation_importance.png", "Permutation importance"),
        ("one_rule.png", "Accuracy of one attribute alone"),
    ],
}


def interval(stats: Mapping) -> str:
    """An accuracy with its 95 % interval: ``0.9990 (0.9957–0.9999)``."""
    return f"{stats['rate']:.4f} ({stats['low']:.4f}–{stats['high']:.4f})"


def _percent(stats: Mapping) -> str:
    """An accuracy near 100 % with its 95 % interval: ``99.41% (98.97%–99.69%)``."""
    return f"{stats['rate']:.2%} ({stats['low']:.2%}–{stats['high']:.2%})"


def count_interval(stats: Mapping) -> str:
    """A count and the 95 % interval of its rate: ``0 of 979 (0–0.38%)`` (report and app)."""
    return (
        f"{stats['count']:,} of {stats['of']:,} ({stats['low']:.2%}–{stats['high']:.2%})".replace(
            "%–", "–"
        )
    )


def folds_text(metrics: Mapping) -> str:
    """How unseen clusters were scored: ``leave-one-cluster-out cross-validation (23 folds)``."""
    folds = metrics["cluster_folds"]
    if folds == metrics["nearest"]["clusters"]["count"]:
        return f"leave-one-cluster-out cross-validation ({folds} folds)"
    return f"{folds}-fold cross-validation by cluster"


def _param(name: str, value: object) -> str:
    return "unlimited" if name == "max_depth" and value == 0 else str(value)


def _span(values: list[float], fmt: str = ".1%") -> str:
    low, high = min(values), max(values)
    return f"{low:{fmt}}" if f"{low:{fmt}}" == f"{high:{fmt}}" else f"{low:{fmt}} to {high:{fmt}}"


def comparison(metrics: Mapping) -> str:
    """The cost table: each model's threshold, then its errors on the random split at it."""
    header = [
        "model",
        "threshold (cost ratio)",
        "random split: accuracy (95 % CI)",
        "poisonous missed (95 % CI of rate)",
        "edible called poisonous",
        "ROC-AUC (near-copies)",
    ]
    rows = [
        [
            result["label"],
            f"{result['threshold']['value']:.3g}",
            interval(result["test"]["accuracy"]),
            count_interval(result["test"]["missed"]),
            count_interval(result["test"]["false_alarms"]),
            f"{result['scores']['roc_auc']:.4f}",
        ]
        for result in metrics["models"].values()
    ]
    return markdown_table(header, rows)


def _of_clusters(stats: Mapping) -> str:
    """A count of 0 (or of every row) whose interval bounds a share of clusters, not of rows
    (a bootstrap cannot bound it): ``none of 10 clusters (95 % CI 0%–30.8% of such clusters)``."""
    clusters = stats["interval"].removeprefix("share of ").removesuffix(" clusters")
    share = "none" if stats["count"] == 0 else "all"
    return (
        f"{share} of {clusters} clusters; 95 % CI {stats['low']:.1%}–{stats['high']:.1%} of "
        "such clusters"
    )


def cluster_rate(stats: Mapping) -> str:
    """A rate on unseen clusters with its 95 % interval: ``68.3% (52.1%–84.0%)``."""
    if stats.get("interval", "").startswith("share of"):
        return f"{stats['rate']:.1%} ({_of_clusters(stats)})"
    return f"{stats['rate']:.1%} ({stats['low']:.1%}–{stats['high']:.1%})"


def _significant(d: Mapping) -> bool:
    return d.get("p_holm", d["p"]) < 0.05


def shown_better(d: Mapping) -> bool:
    """A paired difference is shown above zero only when its 95 % interval excludes zero and
    its sign-flip test (Holm-adjusted) gives p < 0.05: with 23 unequal clusters a percentile
    bootstrap alone can exclude zero where the test cannot (one rule in README, card, app)."""
    return d["low"] > 0 and _significant(d)


def shown_worse(d: Mapping) -> bool:
    return d["high"] < 0 and _significant(d)


def tested(d: Mapping) -> str:
    """The sign-flip test of a paired difference: its (Holm-adjusted) p, or, when
    so few clusters differ that no sign-flip test can reach 0.05 (p >= 2 / 2**k), that."""
    k = d.get("discordant")
    if k is not None and 2.0 ** (1 - k) > 0.05:
        return (
            f"{k} cluster{' differs' if k == 1 else 's differ'}: too few for a test to reach 0.05"
        )
    return f"p {d.get('p_holm', d['p']):.3f}"


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def differences(metrics: Mapping) -> str:
    """Whether the models' accuracies on unseen clusters differ, without ranking them: every
    pair by its paired interval and test (``shown_better``)."""
    differences = metrics["grouped_differences"]
    if not differences:
        return ""
    models = metrics["models"]
    apart = [
        f"{models[d['first']]['label']} minus {models[d['second']]['label']} "
        f"{_points(d)[:-1]}; {tested(d)})"
        for d in differences.values()
        if shown_better(d) or shown_worse(d)
    ]
    if apart:
        return f" These models differ (paired intervals and tests): {_join(apart)}."
    return (
        " No two models are shown to differ in accuracy there (paired intervals and tests), "
        "so they are not ranked."
    )


def _nearest_sentence(total: int, distances: Mapping[int, int]) -> str:
    if len(distances) == 1:
        ((distance, _),) = distances.items()
        return (
            f"Every one of the {total:,} held-out mushrooms differs from its nearest training "
            f"mushroom in exactly {distance} attribute{'s' if distance != 1 else ''} of 21"
        )
    return f"Of the {total:,} held-out mushrooms, " + ", ".join(
        f"{count:,} differ from their nearest training mushroom in {distance} attribute"
        + ("s" if distance != 1 else "")
        for distance, count in sorted(distances.items())
    )


def rules_sentence(metrics: Mapping) -> str:
    """The data set's four published rules, scored on every row: a memoriser of near-copies and
    a learner of rules both reach the random split's score, so it cannot tell them apart."""
    rules = metrics["names_rules"]
    return (
        "The four logical rules in the data set's documentation (`agaricus-lepiota.names`, "
        f"found on all rows) are right on {count_interval(rules['accuracy'])} rows and miss "
        f"{count_interval(rules['missed'])} poisonous ones: the random split cannot tell "
        "memorising near-copies from learning such rules; holding out whole clusters tests "
        "generalisation."
    )


def why(metrics: Mapping) -> str:
    """Why the random split scores so high, in numbers from this run."""
    nearest, models = metrics["nearest"], metrics["models"]
    distances = {int(d): n for d, n in nearest["random_split"].items()}
    clusters = nearest["clusters"]
    held_out = {int(d): n for d, n in nearest["clusters_held_out"].items()}
    grouped = [result["grouped"]["accuracy"]["rate"] for result in models.values()]
    missed = [result["grouped"]["missed"]["rate"] for result in models.values()]
    rules = list(metrics["one_rule"].items())
    ablation_text = []
    for key in next(iter(models.values()))["ablations"]:
        values = [result["ablations"][key]["accuracy"] for result in models.values()]
        perfect = sum(stats["count"] == stats["of"] for stats in values)
        ablation_text.append(
            f"without {label(key).replace('+', ' and ')}, {perfect} of {len(values)} models still "
            f"classify every held-out mushroom correctly (accuracy "
            f"{_span([stats['rate'] for stats in values], '.2%')})"
        )
    curve = metrics["learning_curve"]
    smallest = curve["sizes"][0] if curve["sizes"] else None
    threshold = next(iter(models.values()))["threshold"]["value"]
    scores = [
        r[key]["accuracy"]["rate"] for r in models.values() for key in ("test", "test_at_ceiling")
    ]
    parts = [
        f"**Why the models score {_span(scores, '.2%')} on the random split** (at 0.5 and at "
        f"the cost threshold {threshold:.3g}). The rows are not independent observations. "
        + _nearest_sentence(metrics["n_test"], distances)
        + ". Linking mushrooms that differ in at most one attribute "
        f"splits the {metrics['n_rows']:,} rows into {clusters['count']} clusters of "
        f"{clusters['smallest']:,} to {clusters['largest']:,} rows"
        + (
            ", each all edible or all poisonous"
            if clusters["mixed"] == 0
            else f", {clusters['mixed']} of them mixed"
        )
        + ": a random split puts near-copies of every held-out "
        "mushroom into the training part. " + rules_sentence(metrics),
        f"One attribute alone, {label(rules[0][0])} (the attribute whose value-by-value rule "
        f"is most accurate on the training part), classifies {rules[0][1]:.1%} of the "
        f"held-out mushrooms. Withheld from the models: {'; '.join(ablation_text)}.",
        f"Holding out whole clusters instead ({folds_text(metrics)}; held-out mushrooms are "
        f"then {min(held_out)} to {max(held_out)} attributes "
        f"from any training mushroom), accuracy falls to {_span(grouped)} and {_span(missed)} "
        "of the poisonous mushrooms are called edible (intervals in the table: the clusters, "
        "not the rows, are the unit of resampling).",
    ]
    if smallest is not None:
        accuracy = [values[0]["rate"] for values in curve["accuracy"].values()]
        parts.append(
            f"Trained on only {smallest} random mushrooms the models already reach "
            f"{_span(accuracy)} on the random split (mean of {curve.get('draws', 1)} random "
            "subsets; learning curve in the figure)."
        )
    parts.append(
        "None of this makes a model fit to judge a real mushroom: the rows are the guide's "
        "species expanded into every combination of listed values, not field records."
    )
    return "\n\n".join(parts)


def species(metrics: Mapping) -> str:
    """Accuracy on unseen clusters averaged over clusters and pooled, and clusters mostly right."""
    grouped = [result["grouped"] for result in metrics["models"].values()]
    clusters = metrics["nearest"]["clusters"]
    return (
        f"**With whole clusters of near-identical mushrooms held out** ({clusters['count']} "
        f"clusters; the file names no species, so whether they are the guide's {SPECIES} is not "
        f"known), the classifiers reach {_span([g['cluster_average']['rate'] for g in grouped])} "
        "averaged over clusters, each counting once; pooled over mushrooms, where the largest "
        f"clusters weigh most, {_span([g['accuracy']['rate'] for g in grouped])}. They get "
        f"{_span([float(g['clusters_mostly_right']) for g in grouped], '.0f')} of "
        f"{clusters['count']} clusters mostly right. {missed_clusters(metrics)}"
    )


def missed_clusters(metrics: Mapping) -> str:
    """The safety count: poisonous clusters whose mushrooms a model mostly calls edible."""
    grouped = [result["grouped"] for result in metrics["models"].values()]
    counts = [float(g["poisonous_clusters_missed"]) for g in grouped]
    return (
        f"They call most mushrooms of {_span(counts, '.0f')} of the "
        f"{grouped[0]['poisonous_clusters']} poisonous clusters edible."
    )


def _points(d: Mapping) -> str:
    return f"{100 * d['difference']:+.1f} points ({100 * d['low']:+.1f} to {100 * d['high']:+.1f})"


def one_rule_sentence(metrics: Mapping) -> str:
    """Holte's one-attribute rule on unseen clusters (same folds) against each model."""
    rule = metrics["grouped_one_rule"]
    models = metrics["models"]
    return (
        f"**One attribute alone ({_join([label(a) for a in rule['attributes']])}; in each fold "
        "the attribute whose value-by-value rule is most accurate on the training folds) on "
        f"unseen clusters: {cluster_rate(rule['accuracy'])}**; "
        f"{rule['cluster_average']['rate']:.1%} averaged over clusters, "
        f"{rule['clusters_mostly_right']} of {rule['clusters']} clusters mostly right. Against "
        "each model (paired, same folds): "
        + "; ".join(
            f"{models[n]['label']} {_points(v)[:-1]}; {tested(v)})"
            for n, v in rule["versus_models"].items()
        )
        + "."
    )


def power(metrics: Mapping) -> str:
    """How large a difference in accuracy the paired intervals on unseen clusters could show:
    the median half-width of the models' intervals between each other."""
    widths = sorted((d["high"] - d["low"]) / 2 for d in metrics["grouped_differences"].values())
    if not widths:
        return ""
    return (
        f"With {metrics['nearest']['clusters']['count']} clusters, the paired 95 % intervals "
        f"between models reach {100 * widths[len(widths) // 2]:.0f} points either side of the "
        'estimate (median): a smaller difference cannot be shown, so "not shown" is not "no '
        'difference".'
    )


def odour_seen(metrics: Mapping) -> str:
    """Accuracy on unseen clusters where the row's odour code was seen in training and where
    it was not; and how many rows have any code the training folds never had."""
    first = next(iter(metrics["models"].values()))["grouped"]
    if "by_odour_seen" not in first:
        return ""
    parts = []
    for key in ("seen", "unseen"):
        rates = [
            r["grouped"]["by_odour_seen"][key]
            for r in metrics["models"].values()
            if key in r["grouped"]["by_odour_seen"]
        ]
        if rates:
            parts.append(
                f"{_span([r['rate'] for r in rates])} of {rates[0]['of']:,} rows whose odour "
                f"training {'had' if key == 'seen' else 'never had'} (CIs "
                f"{min(r['low'] for r in rates):.0%}–{max(r['high'] for r in rates):.0%}; "
                f"{rates[0]['poisonous']['rate']:.0%} poisonous)"
            )
    unseen = first["any_code_unseen"]
    if len(parts) == 2:  # the share of each model's errors that falls on unseen odours
        share = [r["grouped"]["errors_on_unseen_odour"]["rate"] for r in metrics["models"].values()]
        parts[-1] += f", which hold {_span(share, '.0%')} of the models' errors"
    return (
        f"By odour, unseen clusters: right on {' and on '.join(parts)}. {unseen['rate']:.0%} of "
        'rows have a code training never had: one-hot all zeros (`handle_unknown="ignore"`), '
        "so the model ignores it."
    )


def importance_sentence(metrics: Mapping) -> str:
    """What the permutation-importance figure can and cannot say, from its numbers."""
    tables = {r["label"]: r["permutation_importance"] for r in metrics["models"].values()}
    drops = [(v["mean"], model, f) for model, t in tables.items() for f, v in t.items()]
    largest, model, feature = max(drops)
    small = sum(mean < 0.005 for mean, _, _ in drops)
    tops = sorted({label(max(t, key=lambda f: t[f]["mean"])) for t in tables.values()})
    return (
        f"**Permutation importance mostly shows redundancy.** Measured on the random split "
        "(mean over `permutation_repeats` shuffles), "
        f"whose rows have near-copies that differ in one attribute, {small} of {len(drops)} "
        "model-attribute pairs cost less than half a point of accuracy when shuffled, because "
        "other attributes carry the same information; the largest drop is "
        f"{100 * largest:.1f} points ({model}, {label(feature)}). The models disagree on which "
        f"attribute matters most ({', '.join(tops)}): read the dots as what each model happens "
        "to lean on, not as what makes a mushroom poisonous; the ablations and the "
        "one-attribute rules above answer that better."
    )


def findings(metrics: Mapping) -> str:
    """The app's first screen: the full sentences the README's headline sums up, the result on
    unseen clusters first, then what the random split measures."""
    models = metrics["models"].values()
    missed = max(
        (result["test_at_ceiling"]["missed"] for result in models), key=lambda m: m["high"]
    )
    accuracy = [result["test_at_ceiling"]["accuracy"] for result in models]
    warning = "**Synthetic sample, not real data.** " if is_sample(metrics) else ""
    return (
        f"{warning}{species(metrics)} {one_rule_sentence(metrics)} "
        f"{cost_counts(metrics)}\n\n"
        f"At 0.5 a random split scores {_span([stats['rate'] for stats in accuracy], '.2%')} "
        f"(lowest 95 % CI bound {min(stats['low'] for stats in accuracy):.2%}), but it tests "
        f"near-copies: every held-out mushroom is {_apart(metrics)} away from a training "
        "mushroom. The worst "
        f"model misses {count_interval(missed)} poisonous held-out mushrooms; that exact 95 % "
        "interval covers near-copies of the training rows, not new species."
    )


def _apart(metrics: Mapping) -> str:
    distances = {int(d) for d in metrics["nearest"]["random_split"]}
    low, high = min(distances), max(distances)
    apart = f"exactly {low}" if low == high else f"{low} to {high}"
    return f"{apart} attribute{'' if distances == {1} else 's'}"


def summary(metrics: Mapping) -> str:
    """The first screen's answer to the title in short sentences, every number from
    metrics.json: what the random split measures, then unseen clusters, averaged over clusters
    first (pooled over mushrooms, a few large clusters weigh most), and the safety count."""
    warning = "**Synthetic sample, not real data.** " if is_sample(metrics) else ""
    models = metrics["models"].values()
    accuracy = [r["test_at_ceiling"]["accuracy"]["rate"] for r in models]
    pooled = [r["grouped"]["accuracy"]["rate"] for r in models]
    averaged = [r["grouped"]["cluster_average"]["rate"] for r in models]
    edible, rule = metrics["always_edible"], metrics["grouped_one_rule"]
    beats = rule["accuracy"]["rate"] > max(pooled) and rule["cluster_average"]["rate"] > max(
        averaged
    )
    return (
        f"{warning}A random split scores {_span(accuracy, '.2%')}, but every held-out mushroom "
        f"is {_apart(metrics)} from a training one. On held-out clusters of look-alikes, "
        f'the models average {_span(averaged)} per cluster. Always answering "edible", a '
        "constant from the class counts (not fitted) and the least safe rule, averages "
        f"{edible['cluster_average']:.1%}. "
        + missed_clusters(metrics)
        + (
            f" {_join([label(a) for a in rule['attributes']]).capitalize()} alone scores "
            f"higher. {_versus(rule, metrics['models'])}"
            if beats
            else ""
        )
    )


def _versus(rule: Mapping, models: Mapping) -> str:
    """What the paired interval and the Holm-adjusted sign-flip test each show for the rule
    minus each model: they can disagree, and each is said as it is."""
    both, parts, neither = [], [], False
    for name, d in rule["versus_models"].items():
        if shown_better(d) or shown_worse(d):
            both.append(models[name]["label"])
        elif d["low"] > 0 or d["high"] < 0:
            parts.append(
                f"Against {models[name]['label']}, the paired interval ({100 * d['low']:+.1f} to "
                f"{100 * d['high']:+.1f} points) excludes 0; the Holm-adjusted test "
                f"({tested(d)}) does not."
            )
        else:
            neither = True
    if both:
        which = "every model" if len(both) == len(models) else _join(both)
        parts.insert(0, f"The paired interval and test both show it against {which}.")
    if neither:  # the models not named yet
        parts.append(
            "Against the other models, neither shows it."
            if parts
            else "Neither the paired interval nor the test shows it against any model."
        )
    return " ".join(parts)


def cost_counts(metrics: Mapping) -> str:
    """The cost threshold in counts: poisonous mushrooms missed against edible ones discarded
    for nothing, on the random split (served models, exact intervals)."""
    models = list(metrics["models"].values())
    test = [r["test"] for r in models]
    # Lowering the threshold from 0.5 only turns "edible" calls into "poisonous" ones: each
    # changed call is a miss caught or a new false alarm.
    changed = [
        r["test_at_ceiling"]["missed"]["count"]
        - r["test"]["missed"]["count"]
        + r["test"]["false_alarms"]["count"]
        - r["test_at_ceiling"]["false_alarms"]["count"]
        for r in models
    ]

    def counts(values: list, key: str) -> str:
        return (
            f"{_span([float(v[key]['count']) for v in values], ',.0f')} of {values[0][key]['of']:,}"
        )

    return (
        f"**Cost.** A missed poisonous mushroom counts as {metrics['miss_cost']:g} edible ones "
        f"discarded for nothing, so every model calls poisonous from probability "
        f"{models[0]['threshold']['value']:.3f}. At that threshold the served models miss "
        f"{counts(test, 'missed')} "
        f"poisonous mushrooms of the random split (exact 95 % CI of the rate up to "
        f"{max(t['missed']['high'] for t in test):.2%}) and discard {counts(test, 'false_alarms')} "
        f"edible ones; against 0.5 it changes {_span([float(c) for c in changed], ',.0f')} of "
        f"{metrics['n_test']:,} calls. No cost is given on unseen clusters: that threshold "
        "assumes calibrated probabilities, which clusters never seen cannot give."
    )


def headline(metrics: Mapping) -> str:
    """The README's first screen: the short answer of ``summary``, the two errors that matter,
    the table, then the hero figure."""
    return (
        summary(metrics)
        + "\n\n"
        + accuracy_table(metrics, full=False)
        + "\n\n![Unseen clusters against the random split](reports/figures/near_duplicates.png)"
    )


def next_experiments(metrics: Mapping) -> list[str]:
    """Follow-ups this run points to, each naming the parameter or command to change."""
    differences = metrics["grouped_differences"].values()
    ties = sum(not (shown_better(d) or shown_worse(d)) for d in differences)
    return [
        "Tune on held-out clusters, not rows: "
        f"{ties} of {len(differences)} pairs of models are not shown to differ in accuracy "
        "(paired, Holm-corrected over the pairs), so the models are not ranked; compare settings "
        "(`HYPERPARAMETERS` in `classifiers/`) by cross-validation by cluster, over several "
        "values of `seed`, before ranking them.",
        "Withhold more attributes: add to `ablations` in config.py (e.g. gill and stalk colours) "
        "to find how many the models need before the random-split score moves.",
    ]


BASELINE_NAMES = {"one_rule": "one attribute", "nearest_neighbour": "nearest training mushroom"}
"""The rules without a model, as the tables name them (``grouped_<kind>`` in metrics.json)."""


def _rows(metrics: Mapping) -> list[tuple[str, Mapping, Mapping]]:
    """Every model and rule without a model: its name, its grouped summary, and its
    random-split errors at 0.5."""
    rows = [(r["label"], r["grouped"], r["test_at_ceiling"]) for r in metrics["models"].values()]
    for kind, name in BASELINE_NAMES.items():
        baseline = metrics[f"grouped_{kind}"]
        if kind == "one_rule":
            name += f" ({_join([label(a) for a in baseline['attributes']])})"
        test = metrics["one_rule_test"] if kind == "one_rule" else metrics[kind]["test_at_ceiling"]
        rows.append((name, baseline, test))
    return rows


def accuracy_table(metrics: Mapping, *, full: bool = True) -> str:
    """Accuracy at 0.5 of every model and rule: on unseen clusters pooled and averaged over
    clusters, then on the random split. ``full`` adds the clusters mostly right."""
    header = [
        "at threshold 0.5",
        "unseen clusters, pooled (fold models)",
        "unseen clusters, averaged over clusters",
        "random split (served, calibrated)",
    ]
    if full:
        header.insert(3, "clusters mostly right")
    rows = []
    for name, grouped, test in _rows(metrics):
        row = [name, cluster_rate(grouped["accuracy"]), cluster_rate(grouped["cluster_average"])]
        if full:
            row.append(f"{grouped['clusters_mostly_right']} of {grouped['clusters']}")
        rows.append([*row, _percent(test["accuracy"])])
    return markdown_table(header, rows)


def results_section(metrics: Mapping) -> str:
    """The Markdown between the README's results markers: how the numbers were made, the table
    of every model and rule, the cost in counts and whether the models differ. The rest is in
    MODEL_CARD.md."""
    sample = is_sample(metrics)
    provenance = metrics["provenance"]
    parts = [SAMPLE_WARNING] if sample else []
    data = (
        f"synthetic sample ({metrics['n_rows']} rows, seed {metrics['seed']})"
        if sample
        else f"`{provenance['name']}` (sha256 `{provenance['sha256'][:12]}…`)"
    )
    clusters = metrics["nearest"]["clusters"]["count"]
    parts.append(
        f"Data: {data}. Unseen clusters: {folds_text(metrics)} of the "
        f"{metrics['n_train']:,} training mushrooms ({clusters} clusters; intervals resample "
        f"clusters). Random split: {metrics['n_test']:,} held-out mushrooms "
        "(exact binomial intervals), scored with the served models."
    )
    parts.append(app_sentence(metrics))
    parts.append(cost_counts(metrics))
    parts.append(differences(metrics).strip() + " " + odour_seen(metrics))
    parts.append(
        "Everything else, with its intervals, is in [MODEL_CARD.md](MODEL_CARD.md): clusters "
        "mostly right, ablations, the "
        "learning curve, permutation importance and every figure."
    )
    return "\n\n".join(parts)


def details(metrics: Mapping) -> str:
    """The full results for MODEL_CARD.md: every table and sentence, and every figure."""
    sample = is_sample(metrics)
    parts = [
        f"{metrics['n_train']:,} mushrooms to train on, {metrics['n_test']:,} held "
        f"out (stratified, seed {metrics['seed']}), models by scikit-learn "
        f"{metrics['scikit_learn']}. Positive class: poisonous. On the held-out part, intervals "
        "are exact binomial 95 % intervals and cover near-copies of training rows only.",
        "Every model and rule at the plain 0.5 threshold, on unseen clusters (grouped "
        "cross-validation) and on the random split:\n\n"
        + accuracy_table(metrics)
        + "\n\n"
        + species(metrics)
        + differences(metrics)
        + " "
        + power(metrics),
        one_rule_sentence(metrics),
        comparison(metrics),
        cost_counts(metrics),
    ]
    if not sample:  # the sample is made up: its near-duplicates mean nothing
        parts.append(why(metrics))
    for key, group in FIGURES.items():
        if key == "details":
            parts.append(importance_sentence(metrics))
        parts.append(" ".join(f"![{alt}](reports/figures/{name})" for name, alt in group))
    return "\n\n".join(parts)


def _limits(metrics: Mapping) -> str:
    """What unseen clusters say about a mushroom unlike the training ones: pooled and
    cluster-averaged accuracy and the pooled interval's low end."""
    results = list(metrics["models"].values())
    pooled = [r["grouped"]["accuracy"]["rate"] for r in results]
    averaged = [r["grouped"]["cluster_average"]["rate"] for r in results]
    low = min(r["grouped"]["accuracy"]["low"] for r in results)
    clusters = metrics["nearest"]["clusters"]
    return (
        f"With whole clusters of near-identical rows held out, accuracy is {_span(pooled)} "
        f"pooled over mushrooms (lowest 95 % CI bound {low:.1%}) and {_span(averaged)} averaged "
        f"over clusters, each counting once. "
        f"The pooled figure leans on the largest clusters (the largest holds "
        f"{clusters['largest'] / metrics['n_rows']:.1%} of the rows): do not expect it for a "
        "mushroom unlike the guide's."
    )


def app_sentence(metrics: Mapping) -> str:
    """What the app is, by the numbers: a lookup of the table with guards towards caution."""
    return (
        f'**The app** answers "edible" only for a mushroom within {_within(metrics)} of '
        "training mushrooms that are all edible, with no code that only poisonous training "
        'mushrooms had; otherwise a model\'s "edible" becomes "treat as poisonous", and a '
        f'"poisonous" call always stands. {_lookup(metrics)}'
    )


def _lookup(metrics: Mapping) -> str:
    """Where the app answers, what a lookup of the nearest training mushroom gets."""
    lookup = metrics["nearest_neighbour"]["test"]["accuracy"]
    mixed = metrics["nearest"]["clusters"]["mixed"]
    pure = "every cluster is of one class, so " if mixed == 0 else ""
    best = max(r["test"]["accuracy"]["rate"] for r in metrics["models"].values())
    verdict = (
        "the models add nothing a lookup of the table does not"
        if lookup["rate"] >= best
        else f"the best model gets {best:.2%}"
    )
    return (
        f"Where it answers, {pure}looking up the nearest training mushroom is right on "
        f"{_percent(lookup)} of the random split's held-out mushrooms: {verdict}."
    )


def _served(metrics: Mapping) -> str:
    """Which models the app does not trust to say "edible", by the stated floor rule
    (``evaluate.serving``)."""
    models = metrics["models"].values()
    refused = [r for r in models if not r["serving"]["served"]]
    if not refused:
        return f"{'every model' if len(metrics['models']) > 1 else 'the model'} meets that"
    return 'not trusted to say "edible": ' + "; ".join(
        f"{r['label']}, floor {r['serving']['floor']:.1%} against a limit of "
        f"{r['serving']['limit']:.1%}"
        for r in refused
    )


def _within(metrics: Mapping) -> str:
    """How far from a training mushroom the app still answers "edible" (``nearest.training``:
    the farthest any training mushroom is from its nearest other one)."""
    distance = max(int(d) for d in metrics["nearest"]["training"])
    return f"{distance} attribute{'' if distance == 1 else 's'}"


def _missing(metrics: Mapping) -> str:
    """Where `stalk_root` is missing, by row (what a random split's models see) and by
    cluster (rows are near-copies)."""
    blank = metrics["stalk_root_missing"]
    return (
        f"`stalk_root` is missing (`?`) in {blank['rows']:,} rows, {blank['poisonous_rows']:,} of "
        f"them poisonous ({blank['poisonous_share']:.1%}, against "
        f"{blank['other_poisonous_share']:.1%} of the other rows). By "
        f"cluster: {blank['poisonous_clusters']} of the {blank['clusters']} clusters with a `?` "
        f"are poisonous, against {blank['other_poisonous_clusters']} of the other "
        f"{blank['other_clusters']}. It is kept as a code of its own; imputing it would invent "
        "data."
    )


def model_card(metrics: Mapping, project_name: str) -> str:
    """MODEL_CARD.md: data, intended use, metrics with intervals, limitations, ethics."""
    sample = is_sample(metrics)
    warning = f"{SAMPLE_WARNING}\n\n" if sample else ""
    models = "\n".join(
        f"- {result['label']}: "
        + ", ".join(f"{name}={_param(name, value)}" for name, value in result["params"].items())
        + f"; threshold {result['threshold']['value']:.3g}"
        for result in metrics["models"].values()
    )
    return f"""# Model card: {project_name}

{warning}## Models

Each served model is a scikit-learn pipeline (one-hot encoding, then the classifier) inside a
sigmoid calibration (`CalibratedClassifierCV` on `calibration_folds` row-level folds), saved
with skops in `models/`; the random-split column scores these. The unseen-cluster columns score
the pipeline refitted in each fold, without that wrapper. Hyperparameters are set in `config.py`;
the threshold
follows from a stated cost ratio alone (`miss_cost` in `config.py`: a missed poisonous
mushroom costs {metrics["miss_cost"]:g} false alarms, threshold 1 / (1 + {metrics["miss_cost"]:g})).

{models}

## Data

UCI Mushroom (id 73, CC BY 4.0, https://doi.org/10.24432/C5959T): 8,124 hypothetical samples
of 23 species of gilled mushrooms (Agaricus and Lepiota) from The Audubon Society Field Guide
to North American Mushrooms (1981), 22 categorical attributes. "Poisonous" includes species of
unknown edibility. `veil_type` is constant and dropped. {_missing(metrics)}

## Intended use

Teaching and demonstrating a classification workflow and a Streamlit app. **Not** for deciding
whether a real mushroom is safe to eat.

## Metrics

{details(metrics)}

## Limitations

- A random split tests near-copies of training rows. {_limits(metrics)}
- Attributes are judged by eye (odour, colours); a person's description differs from the guide's.
- A missed poisonous mushroom can be fatal: the stated cost ratio is a teaching value, and its
  threshold is scored on the random split only.
- {app_sentence(metrics)} Only a model whose lowest probability is well below the threshold may
  say "edible" ({_served(metrics)}).

## Ethical considerations

A confident prediction from this model must never replace an expert's identification. The app
says so next to every prediction, single or batch, and answers "treat as poisonous" instead
of "edible" when an input is farther from every training mushroom than any training mushroom
is from its nearest other one.
"""
