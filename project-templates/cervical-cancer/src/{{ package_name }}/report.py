"""The results of the README and the model card, built from metrics.json only.

Every sentence is built from the numbers it states; a verdict ("no difference", "not shown to
beat the prevalence") follows from an interval, never from a hand-written adjective.
"""

from __future__ import annotations

from . import config, readme, runtime

GUIDED_TARGET = "Biopsy"
"""The target the guided project predicts (with the other test results as features)."""
UCI_PAGE = "https://archive.ics.uci.edu/dataset/383/cervical+cancer+risk+factors"
PAPER = (
    "Fernandes, Cardoso & Fernandes (2017), *Transfer learning with partial observability "
    "applied to cervical cancer screening*, IbPRIA 2017, LNCS 10255"
)
FIGURES = (
    (
        "leakage.png",
        "ROC curves on held-out folds, one per repeat: the questionnaire alone, and with the "
        "other tests' results",
    ),
    ("calibration.png", "Calibration on held-out folds, with the histogram of risks"),
    ("decision_curve.png", "Decision curve: net benefit against flagging everyone or no one"),
    ("roc.png", "ROC curves on held-out folds"),
    ("pr.png", "Precision-recall curves on held-out folds"),
    ("confusion_matrix.png", "Confusion matrix of the top fifth on held-out folds"),
    ("feature_importance.png", "What the app's model relies on"),
    ("missing_values.png", "Missing or recoded-to-missing values"),
    ("class_balance.png", "Class balance"),
)
RANKING = (
    ("roc_auc", "ROC-AUC"),
    ("pr_auc", "PR-AUC"),
    ("brier", "Brier score"),
    ("brier_skill", "Brier skill"),
    ("calibration_slope", "calibration slope"),
    ("calibration_intercept", "calibration intercept"),
)
ALPHA = config.ALPHA
"""Below this Fisher p-value a block's answered/unanswered difference is called one."""
SCREENING = (
    ("sensitivity", "sensitivity"),
    ("specificity", "specificity"),
    ("ppv", "PPV"),
    ("npv", "NPV"),
    ("flagged", "share flagged"),
)


def ci(score: dict, digits: int = 3, percent: bool = False) -> str:
    """A score with its 95 % interval: '0.650 [0.560, 0.730]' or '84.1% [81.2, 86.9]'."""
    if percent:
        return f"{100 * score['value']:.1f}% [{100 * score['low']:.1f}, {100 * score['high']:.1f}]"
    return f"{score['value']:.{digits}f} [{score['low']:.{digits}f}, {score['high']:.{digits}f}]"


def label(name: str) -> str:
    return config.MODEL_LABELS.get(name, name)


def summary_line(metrics: dict) -> str:
    source = (
        "the SYNTHETIC SAMPLE"
        if runtime.is_sample(metrics)
        else f"the official UCI file {metrics['provenance']['name']} (SHA-256 verified)"
    )
    cv, dup = metrics["cross_validation"], metrics["duplicates"]
    return (
        f"Target **{metrics['target']}**: {metrics['positives']} positives in {metrics['rows']} "
        f"patients ({metrics['prevalence']:.1%}), from {source}. {dup['extra_copies']} patients "
        f"give exactly the answers of another patient ({dup['rows_in_groups']} patients in "
        f"{dup['groups']} groups, test results not compared); cross-validation keeps each group "
        f"in one fold. Scores: pooled held-out risks of "
        f"{cv['repeats']} repeats of {cv['splits']}-fold cross-validation, with 95 % intervals "
        f"from {cv['bootstrap_resamples']} bootstrap resamples of the patients (the risks "
        "fixed, not refitted); paired comparisons by the Nadeau-Bengio corrected t-test."
    )


def ranking_table(metrics: dict) -> str:
    rows = [
        [label(name)] + [ci(scores[key]) for key, _ in RANKING]
        for name, scores in metrics["models"].items()
    ]
    return readme.markdown_table(["model", *(title for _, title in RANKING)], rows)


def reference_line(metrics: dict) -> str:
    text = (
        f"Reference points: chance has ROC-AUC 0.5 and PR-AUC {metrics['prevalence']:.3f} (the "
        "prevalence); Brier skill 0 is no better than quoting the prevalence to everyone; a "
        "calibration slope of 1 and intercept of 0 are ideal (slope below 1: risks too extreme). "
        f"Calling every patient negative is {1 - metrics['prevalence']:.1%} accurate, so "
        "accuracy says nothing here."
    )
    return f"{text} {chance_line(metrics)}"


def chance_line(metrics: dict) -> str:
    """The permutation test of the reported ROC-AUC against chance, and its verdict."""
    test = metrics["chance_test"]
    return (
        f"Against chance: p = {test['p_value']:.3f} for the logistic regression's mean ROC-AUC "
        f"{test['roc_auc']:.3f}, from {test['permutations']} label permutations, each rerunning "
        f"the whole nested procedure (95 % of them score at most {test['null_95']:.3f}; Monte "
        f"Carlo interval of p {test['p_interval'][0]:.3f} to {test['p_interval'][1]:.3f}): "
        f"{chance_verdict(metrics)}."
    )


def tuning_line(metrics: dict) -> str:
    """Which setting each outer fold's own inner cross-validation chose (truly nested)."""
    parts = []
    for name, scores in metrics["models"].items():
        tuning = scores.get("tuning")
        if not tuning or not tuning["outer_choices"]:
            continue
        chosen = {"choice": tuning["outer_choices"]}
        if "max_depth" in tuning:  # XGBoost: depths and tree counts, not every pair
            chosen = {"depth": tuning["max_depth"], "trees": tuning["n_estimators"]}
        counts = "; ".join(
            f"{word} " + ", ".join(f"{v} in {n}" for v, n in c.items() if n)
            for word, c in chosen.items()
        ).removeprefix("choice ")
        parts.append(
            f"{label(name)}: {counts} of the {sum(tuning['outer_choices'].values())} outer "
            f"folds; the saved model: {tuning['saved_model']}"
        )
        for key, word in (("max_depth", "depth"), ("n_estimators", "tree count")):
            counts = tuning.get(key, {})
            most = max(counts, key=counts.__getitem__, default=None)
            if most is not None and most in (min(counts, key=int), max(counts, key=int)):
                parts[-1] += (
                    f"; the most chosen {word}, {most} ({counts[most]} folds), is the grid's "
                    "edge, where it stops by choice: a wider grid might choose beyond it"
                )
    if not parts:
        return ""
    return (
        "Each model's setting (the regression's L2 strength C, XGBoost's depth and number of "
        "trees) is chosen inside each outer training set by the log-loss of its inner "
        "cross-validation, so the held-out rows choose nothing. " + "; ".join(parts) + "."
    )


def calibration_line(metrics: dict) -> str:
    """What the calibration numbers of the app's model show, and only that."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    slope, intercept, skill = m["calibration_slope"], m["calibration_intercept"], m["brier_skill"]
    band = m["risk_band"]
    parts = [
        f"Calibration of the app's model ({label(name)}) on held-out folds: mean risk "
        f"{m['mean_risk']:.1%} against a prevalence of {metrics['prevalence']:.1%}, slope "
        f"{ci(slope, 2)} pooled, from {slope['repeats']['low']:.2f} to "
        f"{slope['repeats']['high']:.2f} across the repeats of the fold split alone, intercept "
        f"{ci(intercept, 2)}; 90 % of "
        f"its held-out risks lie between {band['low']:.1%} and {band['high']:.1%}."
    ]
    checks = [("slope", slope, 1), ("intercept", intercept, 0)]
    off = [
        f"the {word}'s interval excludes {ideal}"
        for word, score, ideal in checks
        if not score["low"] <= ideal <= score["high"]
    ]
    parts.append(
        f"Pooled, miscalibrated: {' and '.join(off)}"
        if off
        else "Pooled, the slope and intercept are not shown to be off"
    )
    missed = [
        f"the {b['unanswered']} patients who skipped `{b['questions'][0]}` had "
        f"{b['unanswered_positives']} positives where the model expects "
        f"{b['expected_positives']:.1f} (Poisson p = {b['p_observed_vs_expected']:.3f})"
        for b in metrics["missingness"]["blocks"]
        if b["p_observed_vs_expected"] < ALPHA
    ]
    if missed:
        parts[-1] += f", but not for every subgroup: {'; '.join(missed)}"
    if skill["low"] <= 0:
        parts[-1] += (
            f". Brier skill {ci(skill, 3)} includes 0: the risks are not shown to be more "
            "accurate than the prevalence quoted to everyone."
        )
    else:
        parts[-1] += f". Brier skill {ci(skill, 3)} is above 0."
    return " ".join(parts)


def screening_table(metrics: dict) -> str:
    """The top fifth of each model's risks as a screen (each fold model's own cut)."""
    rows = [
        [label(name)] + [ci(scores["top_fifth"][key], percent=True) for key, _ in SCREENING]
        for name, scores in metrics["models"].items()
    ]
    titles = [title for _, title in SCREENING]
    return readme.markdown_table(["top fifth of", *titles], rows)


def top_fifth_rates(metrics: dict) -> str:
    """Held-out positive rates of the top fifth of the app's model's risks and of the rest:
    the only split the app serves (finer fifths were not ordered by their rates)."""
    top = metrics["models"][metrics["app_model"]]["top_fifth"]
    return (
        f"Held out, {ci(top['ppv'], percent=True)} of the patients in the top fifth of the "
        f"{label(metrics['app_model']).lower()}'s risks were positive, "
        f"{ci(top['rest'], percent=True)} of the rest ({metrics['prevalence']:.1%} of all)."
    )


def flagged_line(metrics: dict) -> str:
    """The share of patients the app's model must flag to find the sensitivity target of the
    positives (read off the held-out ROC curves), against flagging at random."""
    target = metrics["sensitivity_target"]
    share = metrics["models"][metrics["app_model"]]["flagged_to_find"]
    verdict = f"not shown to differ from flagging at random ({target:.0%})"
    if not share["low"] <= target <= share["high"]:
        verdict = f"{'fewer' if share['high'] < target else 'more'} than flagging at random"
    return (
        f"To find {target:.0%} of the positives, the {label(metrics['app_model']).lower()} "
        f"would flag {ci(share, percent=True)} of the patients: {verdict}."
    )


def decision_line(metrics: dict) -> str:
    """Where the decision curve (read, not used: no threshold is chosen from it) falls below
    flagging no one."""
    below = metrics["decision_curve"]["below_no_one"]
    if not below:
        return ""
    spans = ", ".join(
        f"{x['low']:.1%}" if x["low"] == x["high"] else f"{x['low']:.1%} to {x['high']:.1%}"
        for x in below
    )
    return (
        "The decision curve (README figure) is read, not used to choose a threshold. The app's "
        f"model's net benefit is below 0, worse than flagging no one, at threshold risks {spans}."
    )


def missingness_table(metrics: dict) -> str:
    rows = []
    for block in metrics["missingness"]["blocks"]:
        questions = block["questions"]
        name = f"`{questions[0]}`" + (
            f" (+{len(questions) - 1} more)" if len(questions) > 1 else ""
        )
        rows.append(
            [
                name,
                f"{block['unanswered_positives']} / {block['unanswered']} "
                f"({ci(block['unanswered_rate'], percent=True)})",
                f"{block['answered_positives']} / {block['answered']} "
                f"({ci(block['answered_rate'], percent=True)})",
                f"{block['p_value']:.4f}",
                f"{block['p_holm']:.4f}",
                f"{block['expected_positives']:.1f} (p = {block['p_observed_vs_expected']:.3f})",
            ]
        )
    return readme.markdown_table(
        [
            "questions",
            "positives if not answered",
            "positives if answered",
            "Fisher p",
            "Holm-adjusted p",
            "positives the model expects if not answered (Poisson p)",
        ],
        rows,
    )


def unanswered_definition(metrics: dict) -> str:
    """What 'not answered' counts: a `?` in the file; an entry error set to missing is not."""
    text = "Not answered: `?` in the file (the UCI page: declined for privacy)."
    errors = metrics.get("entry_errors", {})
    if errors:
        listed = ", ".join(f"{n} `{column}`" for column, n in errors.items())
        text += (
            f" Entry errors and column means written as answers ({listed}) count as answered "
            "here; the model fills them like a skipped answer."
        )
    return text


def paired(d: dict) -> str:
    """A paired ROC-AUC difference with its corrected interval and the verdict it allows."""
    p = "p < 0.001" if d["p_value"] < 0.001 else f"p = {d['p_value']:.3f}"
    return (
        f"paired difference {d['difference']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}], "
        f"corrected t-test over {d['folds']} folds, {p}: {verdict(d)}"
    )


def subgroup_line(metrics: dict) -> str:
    """The overlapping blocks of unanswered questions as one subgroup of patients."""
    g = metrics["missingness"].get("subgroup")
    if not g or not g["overlaps"]:
        return ""
    overlaps = ", ".join(f"{o['also_first']} also skipped `{o['question']}`" for o in g["overlaps"])
    positives = ", ".join(f"{test} {n}" for test, n in g["positives"].items())
    return (
        f"The blocks overlap. Of the {g['patients']} patients who left `{g['question']}` "
        f"unanswered, {overlaps}: largely one subgroup seen several "
        f"times, not independent findings. Its mean age is {g['mean_age']['unanswered']:.1f} "
        f"against {g['mean_age']['answered']:.1f} for the others, and its positives on each "
        f"test are {positives}. "
        "The data do not say why; a subgroup that was examined differently (or not verified) "
        "would look the same. "
    )


def missingness_line(metrics: dict) -> str:
    check = metrics["missingness"]
    scores = check["roc_auc"]
    blocks = check["blocks"]
    text = (
        f"The UCI page says several patients declined some questions for privacy ({UCI_PAGE}). "
        "The unanswered-questions table (README) shows, per block of questions left unanswered "
        "together, the share of positives among patients who did and did not answer (exact "
        f"95 % intervals; one Fisher test per block, {len(blocks)} tests, so Holm-adjusted "
        "p-values too). "
    )
    if blocks and blocks[0]["p_holm"] < ALPHA:
        top = blocks[0]
        text += (
            f"The block `{top['questions'][0]}` differs even after the adjustment: "
            f"{top['unanswered_positives']} positives among {top['unanswered']} patients who "
            f"left it unanswered, {top['answered_positives']} among {top['answered']} who "
            f"answered (Fisher p = {top['p_value']:.4f}, Holm {top['p_holm']:.4f}). "
        )
    elif blocks and blocks[0]["p_value"] < ALPHA:
        top = blocks[0]
        text += (
            f"The block `{top['questions'][0]}` has Fisher p = {top['p_value']:.4f}, but "
            f"{top['p_holm']:.4f} after the adjustment: not shown to differ. "
        )
    elif blocks:
        text += f"No block's difference reaches p < {ALPHA}. "
    text += subgroup_line(metrics)
    if "answered_only" in scores:
        text += (
            f" On the patients who answered that block only, the ROC-AUC of the model used is "
            f"{ci(scores['answered_only'])}."
        )
    return text


def indicator_line(metrics: dict) -> str:
    """What was-missing indicators would change: the trade-off the README's Method names."""
    check = metrics["missingness"]
    scores = check["roc_auc"]
    cost = check["indicator_difference"]["low"] > 0
    return (
        f"With was-missing indicators the {label(metrics['app_model']).lower()}'s ROC-AUC "
        f"would be {ci(scores['with_indicators'])}, against {ci(scores['without_indicators'])} "
        f"without ({paired(check['indicator_difference'])})"
        + (': the ranking cost of keeping "not answered" out (see Method).' if cost else ".")
    )


def run_line(block: dict) -> str:
    """One sentence on the runs of consecutive data rows that all skip a block ('' if none):
    a recording batch, not one patient's privacy choice at a time."""
    runs = block.get("runs") or []
    if not runs:
        return ""
    inside = sum(last - first + 1 for first, last in runs)
    where = " and ".join(f"{first}-{last}" for first, last in runs)
    return (
        f"{inside} of the {block['unanswered']} skips of `{block['questions'][0]}` sit in "
        f"consecutive data rows {where}: runs that look like a recording batch, not single "
        "patients declining questions."
    )


def app_caption(metrics: dict) -> str:
    """The app's short caption: what it predicts, with which model, and how well."""
    m = metrics["models"][metrics["app_model"]]
    return (
        f"Predicts the **{metrics['target']}** result from questionnaire answers with a "
        f"{label(metrics['app_model']).lower()} (the model the README evaluates): held-out "
        f"ROC-AUC {ci(m['roc_auc'], 2)}. "
        + f"{strength(m['roc_auc']['value']).capitalize()} signal, {chance_verdict(metrics)} "
        f"({permutation_p(metrics)})."
    )


def leakage_table(metrics: dict) -> str:
    check = metrics["leakage_check"]
    clean = metrics["models"][check["model"]]
    added = ", ".join(check["added_features"]) or "none"
    rows = [
        ["without them (this project)", ci(clean["roc_auc"]), ci(clean["pr_auc"])],
        [
            f"with {added} ({as_guided(metrics)})",
            ci(check["metrics"]["roc_auc"]),
            ci(check["metrics"]["pr_auc"]),
        ],
    ]
    table = readme.markdown_table([f"{label(check['model'])} features", "ROC-AUC", "PR-AUC"], rows)
    return (
        f"{table}\n\nThese three are other diagnostic tests of the same work-up as "
        f"{metrics['target']}, not available at questionnaire time: a model that uses them "
        "answers a different question (triage after testing), and its score may be inflated "
        "by incorporation and verification bias if the tests were not read independently "
        "(below). With them minus without, ROC-AUC "
        f"{paired(check['difference'])}."
    )


def as_guided(metrics: dict) -> str:
    """How the leaky run relates to the guided project, which predicts GUIDED_TARGET."""
    if metrics["target"] == GUIDED_TARGET:
        return "as the guided project does"
    return f"as the guided project does for {GUIDED_TARGET}"


DIRECTION = {1: "raises the risk", -1: "lowers the risk", 0: "no change"}
"""How the saved model's risk moves from a factor's lowest answer to its highest
(evaluate.directions)."""


def explanation(metrics: dict) -> str:
    """Permutation importance of the app's model (no odds ratios: see DECISIONS.md), saying
    which factors are shown to matter: Holm-adjusted p below ALPHA; "no factor shown" if none."""
    ranking = metrics["permutation_importance"]
    rows = [
        [
            f"`{n}`",
            DIRECTION[v.get("direction", 0)],
            ci({**v, "value": v["mean"]}),
            "< 0.001" if v["p_holm"] < 0.001 else f"{v['p_holm']:.3f}",
        ]
        for n, v in ranking.items()
    ]
    shown = [f"`{n}`" for n, v in ranking.items() if v["p_holm"] < ALPHA and v["low"] > 0]
    folds = metrics["cross_validation"]["splits"] * metrics["cross_validation"]["repeats"]
    if shown:
        finding = (
            f"Shown to matter after the adjustment: {', '.join(shown)}; for the other "
            f"{len(ranking) - len(shown)} factors no reliance is shown."
        )
    else:
        finding = (
            f"**No factor shown**: for none of the {len(ranking)} factors is the drop shown to "
            "differ from 0 after the adjustment."
        )
    return (
        f"Permutation importance of the {label(metrics['app_model']).lower()} (drop in held-out "
        f"ROC-AUC when a column is shuffled, in each of the {folds} outer folds, each fold's own "
        "fit): what the model relies on, not an association with the risk or a cause. Mean "
        "over the folds with a 95 % interval, Nadeau-Bengio corrected (the folds share "
        f"training rows); p-values Holm-adjusted over all {len(ranking)} factors. {finding} "
        "A factor with a negative drop is one the model would do better without. "
        "No odds ratios: the regression's penalty shrinks them, and the data have too few "
        "positives per factor for unpenalised ones.\n\n"
        + readme.markdown_table(
            ["factor", "saved model: a higher answer", "drop in ROC-AUC [95 % interval]", "Holm p"],
            rows,
        )
    )


def data_notes(metrics: dict) -> str:
    """Every column that is not a feature, columns dropped for one reason on one line, with
    their yes answers and positives (against those expected at the prevalence)."""
    counts, reasons = metrics["dropped_answers"], {}
    for column, reason in metrics["dropped"].items():
        told = ""
        if c := counts.get(column):
            told = f" ({c['yes']} yes, {c['positives']} positive, {c['expected']:.1f} expected)"
        reasons.setdefault(reason, []).append(f"`{column}`{told}")
    dropped = "\n".join(f"- {', '.join(columns)}: {reason}" for reason, columns in reasons.items())
    return (
        f"Not used as features:\n\n{dropped}\n\n"
        "Missing answers are imputed with the training-fold median inside the model pipeline, "
        "without a was-missing indicator. Column meanings follow the UCI page "
        f"({UCI_PAGE}) and {PAPER}. The UCI page lists `Dx:Cancer`, `Dx:CIN`, `Dx:HPV` and `Dx` "
        "as yes/no attributes without saying when the diagnosis was made; one made during the "
        "same work-up as the target test would carry part of the answer"
        + (", so they are not features. " if metrics["with_history"]["added"] else ". ")
        + history_line(metrics)
    )


def history_line(metrics: dict) -> str:
    """The sensitivity run with the Dx columns added, next to the model without them."""
    check = metrics["with_history"]
    if not check["added"]:
        return ""
    added = ", ".join(f"`{c}`" for c in check["added"])
    without = metrics["models"][check["model"]]["roc_auc"]
    dropped = "; ".join(f"`{c}`: {reason}" for c, reason in check["dropped"].items())
    return (
        f"With {added} added (same folds), the ROC-AUC of the {label(check['model']).lower()} "
        f"is {ci(check['metrics']['roc_auc'])}, against {ci(without)} without (with "
        f"minus without: {paired(check['difference'])})."
        + (f" The other `Dx` flags stay out by the rules above ({dropped})." if dropped else "")
    )


def verification_line(metrics: dict) -> str:
    """The target test was not done, or not read, independently of the others; the cohort is
    patients of one hospital."""
    v = metrics["verification"]
    others = ", ".join(v["other_tests"])
    neg, pos = v["others_negative"], v["other_positive"]
    return (
        f"{referral(metrics)} Every patient has a {metrics['target']} result in the file (none "
        "missing); the data do not say whether a 0 is a negative test or a test not done. "
        f"{neg['positives']} of {neg['patients']} patients whose other tests ({others}) were "
        f"all negative are positive for {metrics['target']}, against {pos['positives']} of "
        f"{pos['patients']} with at least one other test positive. If the other results "
        "decided who got the target test, or were read with it, that is verification and "
        "incorporation bias: a model given them partly restates the work-up."
    )


def referral(metrics: dict) -> str:
    """Where the patients come from, and what that means for the screening numbers."""
    return (
        f"The {metrics['rows']} patients are patients of one hospital (Hospital Universitario "
        f"de Caracas; {PAPER}), not a screening sample: its prevalence "
        f"({metrics['prevalence']:.1%}), and the PPV and NPV built on it, do not transfer to "
        "screening."
    )


def results_parts(metrics: dict) -> list[str]:
    """What the README shows: the tables, with the lines that read them."""
    parts = [readme.SAMPLE_WARNING] if runtime.is_sample(metrics) else []
    runs = map(run_line, metrics["missingness"]["blocks"])
    return parts + [
        summary_line(metrics),
        "### The other three tests as features: a different question",
        leakage_table(metrics),
        "### The models",
        ranking_table(metrics),
        reference_line(metrics),
        metrics["app_model_reason"],
        screening_table(metrics),
        f"The app serves the top fifth. {top_fifth_rates(metrics)} {flagged_line(metrics)}",
        "### Unanswered questions",
        missingness_table(metrics),
        " ".join(filter(None, [indicator_line(metrics), *runs])),
    ]


def details(metrics: dict) -> list[str]:
    """What the model card adds: every check, in full."""
    return [
        "### Calibration and tuning",
        calibration_line(metrics),
        tuning_line(metrics),
        "### Decision curve and verification",
        decision_line(metrics),
        verification_line(metrics),
        "### Unanswered questions in detail",
        unanswered_definition(metrics),
        missingness_line(metrics),
        "### What the app's model relies on",
        explanation(metrics),
        "### Features",
        data_notes(metrics),
    ]


def readme_section(metrics: dict) -> str:
    """Markdown for the README between the results markers."""
    figures = "\n".join(f"![{alt}](reports/figures/{name})" for name, alt in FIGURES[1:3])
    more = ", ".join(f"[{alt.lower()}](reports/figures/{name})" for name, alt in FIGURES[3:])
    return "\n\n".join(
        results_parts(metrics)
        + [
            figures,
            f"More figures: {more}. Calibration, tuning, screening, the decision curve, "
            "unanswered questions and what the model relies on, in full: "
            "[MODEL_CARD.md](MODEL_CARD.md); all numbers: `reports/metrics.json`.",
        ]
    )


def model_card_section(metrics: dict) -> str:
    """Markdown for the model card between the results markers: a link to the README's results
    (not a copy of them), then every check in full."""
    features = ", ".join(f"`{feature}`" for feature in metrics["features"])
    parts = [readme.SAMPLE_WARNING] if runtime.is_sample(metrics) else []
    return "\n\n".join(
        parts
        + [
            "The scores, calibration, screening table and unanswered-question table are in the "
            "[README's results](README.md#results); below, every check in full."
        ]
        + details(metrics)
        + [f"Features used ({len(metrics['features'])}): {features}."]
    )


def chance_verdict(metrics: dict) -> str:
    """From the Monte Carlo interval of the permutation p: above chance if it lies below ALPHA,
    not shown to be if above, else undecided (the permutations ran out). The test reruns the
    procedure as finally chosen, not the choices made on the way (DECISIONS.md)."""
    low, high = metrics["chance_test"]["p_interval"]
    if high < ALPHA:
        return "above chance for the final procedure"
    if low > ALPHA:
        return "not shown to be above chance"
    return "too close to call against chance with the permutations run"


def strength(auc: float) -> str:
    """The word for a ROC-AUC on the scale of ``config.ROC_AUC_WORDS`` (fixed in advance)."""
    return next(word for below, word in config.ROC_AUC_WORDS if auc < below)


def permutation_p(metrics: dict) -> str:
    """'permutation p = 0.020' (the nested procedure's); it names the logistic regression when
    the headline's model is another."""
    test = metrics["chance_test"]
    model = "" if metrics["app_model"] == "logistic_regression" else " of the logistic regression"
    return f"permutation p{model} = {test['p_value']:.3f}"


def headline(metrics: dict) -> str:
    """The README's first screen: two sentences built from metrics.json (the questionnaire's
    signal, what the other tests change), one table (each model's ranking and top fifth), the
    hero figure."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    sample = SAMPLE_TAG if runtime.is_sample(metrics) else ""
    auc, other = m["roc_auc"], metrics["leakage_check"]
    edge = chance_verdict(metrics).startswith("above") and round(auc["low"], 2) <= 0.5
    first = (
        f"Questionnaire answers alone give a {strength(auc['value'])} signal: the "
        f"{label(name).lower()} ranks patients with ROC-AUC {ci(auc, 2)} (chance: 0.50), "
        f"{chance_verdict(metrics)} ({permutation_p(metrics)})"
        + (", though its interval reaches 0.50." if edge else ".")
    )
    second = (
        f"With the other tests' results as features ({as_guided(metrics)}) it reaches "
        f"{ci(other['metrics']['roc_auc'], 2)}: those results come from the same work-up."
    )
    rows = [
        [
            f"{label(n)}, questionnaire{' (the app)' if n == name else ''}",
            ci(s["roc_auc"], 2),
            ci(s["top_fifth"]["sensitivity"], percent=True),
        ]
        for n, s in metrics["models"].items()
    ]
    rows.append(["chance", "0.50", "20%"])
    table = readme.markdown_table(
        ["model (held-out, 95 % interval)", "ROC-AUC", "positives in its top fifth"], rows
    )
    return (
        f"{sample}{first} {second}\n\n{table}\n\n"
        f"![{FIGURES[0][1]}](reports/figures/{FIGURES[0][0]})"
    )


SAMPLE_TAG = "**SYNTHETIC SAMPLE: these numbers mean nothing.** "


def verdict(d: dict) -> str:
    """'no difference shown' or 'a difference', from a paired difference's interval."""
    return "no difference shown" if d["low"] <= 0 <= d["high"] else "a difference"


def next_experiments(metrics: dict) -> list[str]:
    """Follow-ups that this run's numbers suggest, each naming what to change."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    cv = metrics["cross_validation"]
    items = [
        f"With {metrics['positives']} positives the ROC-AUC interval is "
        f"[{m['roc_auc']['low']:.2f}, {m['roc_auc']['high']:.2f}]. Raising `n_repeats` in "
        f"`config.py` (now {cv['repeats']}) steadies the estimate but cannot narrow the interval "
        "much: only more patients can.",
    ]
    items.append(
        "Look for a stronger signal before any threshold: e.g. the patients who answered every "
        "block (`answered_only` under `missingness` in `reports/metrics.json`) or a pooled "
        "second cohort."
    )
    items.append(
        "The ranking and calibration intervals hold the held-out risks fixed: a bootstrap that "
        "reruns the whole nested procedure (`evaluate.cross_validate`) on every resample (a few "
        "seconds of CPU each) would add the refits' variation."
    )
    return items
