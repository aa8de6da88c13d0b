"""The results of the README and the model card, built from metrics.json only.

Every sentence is built from the numbers it states; a verdict ("no difference", "not shown to
beat the prevalence") follows from an interval, never from a hand-written adjective.
"""

from __future__ import annotations

from . import config, readme, runtime

UCI_PAGE = "https://archive.ics.uci.edu/dataset/383/cervical+cancer+risk+factors"
PAPER = (
    "Fernandes, Cardoso & Fernandes (2017), *Transfer learning with partial observability "
    "applied to cervical cancer screening*, IbPRIA 2017, LNCS 10255"
)
FIGURES = (
    ("calibration.png", "Calibration on held-out folds, with the histogram of risks"),
    ("decision_curve.png", "Decision curve: net benefit against flagging everyone or no one"),
    ("roc.png", "ROC curves on held-out folds"),
    ("pr.png", "Precision-recall curves on held-out folds"),
    ("confusion_matrix.png", "Confusion matrix at the nested screening threshold"),
    ("feature_importance.png", "What the app's model relies on"),
    ("missing_values.png", "Missing-value map"),
    ("class_balance.png", "Class balance"),
    ("correlation.png", "Correlation heatmap"),
)
RANKING = (
    ("roc_auc", "ROC-AUC"),
    ("pr_auc", "PR-AUC"),
    ("brier", "Brier score"),
    ("brier_skill", "Brier skill"),
    ("calibration_slope", "calibration slope"),
    ("calibration_intercept", "calibration intercept"),
)
ALPHA = 0.05
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
        f"patients ({metrics['prevalence']:.1%}), from {source}. {dup['extra_copies']} rows "
        f"repeat another row exactly ({dup['rows_in_groups']} rows in {dup['groups']} groups); "
        f"cross-validation keeps each group in one fold. Every score is computed on the pooled "
        f"held-out risks of {cv['repeats']} repeats of {cv['splits']}-fold stratified "
        f"cross-validation (mean over repeats), with a 95 % interval from "
        f"{cv['bootstrap_resamples']} bootstrap resamples of the patients."
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
        "calibration slope of 1 and intercept of 0 are ideal (slope below 1: risks too extreme)."
    )
    at_chance = [
        label(name) for name, scores in metrics["models"].items() if scores["roc_auc"]["low"] <= 0.5
    ]
    if at_chance:
        text += (
            f" The ROC-AUC interval of {' and of '.join(at_chance)} includes 0.5: not shown to "
            "rank patients better than chance."
        )
    return text


def calibration_line(metrics: dict) -> str:
    """What the calibration numbers of the app's model show, and only that."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    slope, intercept, skill = m["calibration_slope"], m["calibration_intercept"], m["brier_skill"]
    parts = [
        f"Calibration of the app's model ({label(name)}) on held-out folds: mean risk "
        f"{m['mean_risk']:.1%} against a prevalence of {metrics['prevalence']:.1%}, slope "
        f"{ci(slope, 2)}, intercept {ci(intercept, 2)}."
    ]
    ideal_slope = slope["low"] <= 1 <= slope["high"]
    ideal_intercept = intercept["low"] <= 0 <= intercept["high"]
    if ideal_slope and ideal_intercept:
        parts.append("Neither interval excludes a perfectly calibrated model")
    else:
        off = []
        if not ideal_slope:
            off.append("the slope's interval excludes 1")
        if not ideal_intercept:
            off.append("the intercept's interval excludes 0")
        parts.append(f"Miscalibrated: {' and '.join(off)}")
    if skill["low"] <= 0:
        parts[-1] += (
            f"; Brier skill {ci(skill, 3)} includes 0, so the risks are not shown to be more "
            "accurate than the prevalence quoted to everyone."
        )
    else:
        parts[-1] += f"; Brier skill {ci(skill, 3)} is above 0."
    return " ".join(parts)


def screening_table(metrics: dict) -> str:
    rows = [
        [label(name), f"{scores['threshold']:.1%}"]
        + [ci(scores[key], percent=True) for key, _ in SCREENING]
        for name, scores in metrics["models"].items()
    ]
    return readme.markdown_table(["model", "threshold", *(title for _, title in SCREENING)], rows)


def screening_line(metrics: dict) -> str:
    name = metrics["app_model"]
    m = metrics["models"][name]
    cv = metrics["cross_validation"]
    return (
        f"Screening: each outer fold's threshold is the highest that finds "
        f"{metrics['sensitivity_target']:.0%} of the positives in a {cv['inner_splits']}-fold "
        "cross-validation of that fold's training rows only (nested); the table scores it on the "
        f"held-out fold. At its threshold the app's model ({label(name)}) flags "
        f"{ci(m['flagged'], percent=True)} of patients and finds "
        f"{ci(m['sensitivity'], percent=True)} of positives; a flagged patient is positive "
        f"{ci(m['ppv'], percent=True)} of the time against {metrics['prevalence']:.1%} for "
        f"anyone. It spares {1 - m['flagged']['value']:.1%} of patients a follow-up and misses "
        f"{1 - m['sensitivity']['value']:.1%} of positives. The threshold the app uses, "
        f"{m['threshold']:.1%}, comes from the same rule applied to every patient's held-out risk."
    )


def decision_line(metrics: dict) -> str:
    d = metrics["decision_curve"]
    if not d["better_than_both"]:
        where = "at no threshold between {low:.1%} and {high:.1%}".format(**d["range"])
    else:
        spans = [f"{s['low']:.1%} to {s['high']:.1%}" for s in d["better_than_both"]]
        where = "for thresholds from " + ", ".join(spans)
    return (
        f"Decision curve: the app's model has a higher net benefit than both flagging everyone "
        f"and flagging no one {where} (mean over repeats of the held-out risks; no interval). "
        f"At its screening threshold its net benefit is {d['at_threshold']['model']:.4f} against "
        f"{d['at_threshold']['everyone']:.4f} for flagging everyone."
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
            ]
        )
    return readme.markdown_table(
        ["questions", "positives if not answered", "positives if answered", "Fisher p"], rows
    )


def missingness_line(metrics: dict) -> str:
    check = metrics["missingness"]
    scores = check["roc_auc"]
    text = (
        f"The UCI page says several patients declined some questions for privacy ({UCI_PAGE}). "
        "The table shows, per block of questions left unanswered together, the share of "
        "positives among patients who did and did not answer (exact 95 % intervals). "
    )
    if check["blocks"] and check["blocks"][0]["p_value"] < ALPHA:
        top = check["blocks"][0]
        text += (
            f"The most telling block is `{top['questions'][0]}`: "
            f"{top['unanswered_positives']} positives among {top['unanswered']} patients who "
            f"left it unanswered, {top['answered_positives']} among {top['answered']} who "
            f"answered (Fisher p = {top['p_value']:.3f}). A was-missing indicator would let a "
            "model learn that, a fact about how the answers were collected here rather than "
            "about a patient, so no model gets one and the app scores an unanswered question "
            "as the typical (median) answer. "
        )
    elif check["blocks"]:
        text += (
            f"No block's difference reaches p < {ALPHA} (smallest Fisher p = "
            f"{check['blocks'][0]['p_value']:.3f}); the models still get no was-missing "
            "indicator, and the app scores an unanswered question as the typical answer. "
        )
    name = label(metrics["app_model"])
    text += (
        f"ROC-AUC of {name}: with was-missing indicators {ci(scores['with_indicators'])}, "
        f"without (the model used) {ci(scores['without_indicators'])}"
    )
    if "answered_only" in scores:
        text += f", without, on the patients who answered that block {ci(scores['answered_only'])}"
    return text + "."


def leakage_table(metrics: dict) -> str:
    check = metrics["leakage_check"]
    clean = metrics["models"][check["model"]]
    added = ", ".join(check["added_features"]) or "none"
    rows = [
        ["without them (this project)", ci(clean["roc_auc"]), ci(clean["pr_auc"])],
        [
            f"with {added} (the guided project)",
            ci(check["metrics"]["roc_auc"]),
            ci(check["metrics"]["pr_auc"]),
        ],
    ]
    return readme.markdown_table([f"{label(check['model'])} features", "ROC-AUC", "PR-AUC"], rows)


def explanation(metrics: dict, top: int = 8) -> str:
    """Odds ratios of the regression (with intervals), or permutation importance of XGBoost."""
    if metrics["odds_ratios"] is not None:
        ratios = metrics["odds_ratios"]
        names = sorted(ratios, key=lambda n: -abs(ratios[n]["value"] - 1))[:top]
        rows = [[f"`{n}`", f"{ratios[n]['sd']:.3g}", ci(ratios[n], 2)] for n in names]
        return (
            "Odds ratios of the logistic regression fitted on every patient, per standard "
            "deviation of each factor (the scale the L2 penalty works on, so a factor that only "
            "a handful of patients have cannot get a huge ratio from them); 95 % bootstrap "
            "intervals from refits; the largest first. Associations in this sample, not "
            "causes:\n\n" + readme.markdown_table(["factor", "1 SD is", "odds ratio per SD"], rows)
        )
    ranking = metrics["permutation_importance"]
    rows = [[f"`{n}`", f"{v['mean']:.3f} ± {v['std']:.3f}"] for n, v in list(ranking.items())[:top]]
    return (
        "Permutation importance of XGBoost (drop in held-out ROC-AUC when a column is shuffled; "
        "mean ± std over the folds of one repeat):\n\n"
        + readme.markdown_table(["factor", "drop in ROC-AUC"], rows)
    )


def data_notes(metrics: dict) -> str:
    dropped = "\n".join(f"- `{column}`: {reason}" for column, reason in metrics["dropped"].items())
    return (
        f"Not used as features:\n\n{dropped}\n\n"
        "Missing answers are imputed with the training-fold median inside the model pipeline, "
        "without a was-missing indicator. Column meanings follow the UCI page "
        f"({UCI_PAGE}) and {PAPER}. The UCI page lists `Dx:Cancer`, `Dx:CIN`, `Dx:HPV` and `Dx` "
        "as yes/no attributes without saying when the diagnosis was made; they are kept as "
        "features, and if one was made at the same visit as the target test it leaks part of "
        "the answer."
    )


def results_parts(metrics: dict) -> list[str]:
    """What the README and the model card both show."""
    parts = [readme.SAMPLE_WARNING] if runtime.is_sample(metrics) else []
    return parts + [
        summary_line(metrics),
        ranking_table(metrics),
        reference_line(metrics),
        metrics["app_model_reason"],
        calibration_line(metrics),
        screening_table(metrics),
        screening_line(metrics),
        decision_line(metrics),
        "### Unanswered questions",
        missingness_table(metrics),
        missingness_line(metrics),
        "### Leakage check: the other test results of the same visit as features",
        leakage_table(metrics),
        "### What the app's model relies on",
        explanation(metrics),
        data_notes(metrics),
    ]


def readme_section(metrics: dict) -> str:
    """Markdown for the README between the results markers."""
    figures = "\n".join(f"![{alt}](reports/figures/{name})" for name, alt in FIGURES[:4])
    more = ", ".join(f"[{alt.lower()}](reports/figures/{name})" for name, alt in FIGURES[4:])
    return "\n\n".join(
        results_parts(metrics)
        + [
            figures,
            f"More figures: {more}. All numbers: `reports/metrics.json`; model card: "
            "`MODEL_CARD.md`.",
        ]
    )


def model_card_section(metrics: dict) -> str:
    """Markdown for the model card between the results markers."""
    features = ", ".join(f"`{feature}`" for feature in metrics["features"])
    return "\n\n".join(
        results_parts(metrics) + [f"Features used ({len(metrics['features'])}): {features}."]
    )


def headline(metrics: dict) -> str:
    """The README's first screen: three lines of numbers with intervals, and the hero figure."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    sample = " **(SYNTHETIC SAMPLE: numbers mean nothing)**" if runtime.is_sample(metrics) else ""
    blocks = metrics["missingness"]["blocks"]
    top = blocks[0] if blocks else None
    chance = ", not shown to rank better than chance" if m["roc_auc"]["low"] <= 0.5 else ""
    lines = [
        f"**{metrics['target']}** from questionnaire answers, {metrics['rows']} patients "
        f"({metrics['prevalence']:.1%} positive){sample}: {label(name).lower()} ROC-AUC "
        f"**{ci(m['roc_auc'], 2)}**, PR-AUC {ci(m['pr_auc'], 2)} (chance: 0.50 and "
        f"{metrics['prevalence']:.2f}){chance}; calibration slope "
        f"{ci(m['calibration_slope'], 2)}.",
        f"At the screening threshold chosen by nested cross-validation it flags "
        f"**{ci(m['flagged'], percent=True)}** of patients to find "
        f"{ci(m['sensitivity'], percent=True)} of positives; PPV {ci(m['ppv'], percent=True)}.",
    ]
    if top is not None and top["p_value"] < ALPHA:
        lines.append(
            f"Patients who left `{top['questions'][0]}` unanswered: "
            f"{top['unanswered_positives']} positives in {top['unanswered']} "
            f"({ci(top['unanswered_rate'], percent=True)}) against "
            f"{top['answered_rate']['value']:.1%} of those who answered (Fisher p = "
            f"{top['p_value']:.3f}): a trait of the data collection, kept out of the models."
        )
    return "  \n".join(lines) + (
        "\n\n![Calibration of the held-out risks](reports/figures/calibration.png)"
    )


def next_experiments(metrics: dict) -> list[str]:
    """Three to five follow-ups that this run's numbers suggest, each naming what to change."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    auc = m["roc_auc"]
    cv = metrics["cross_validation"]
    items = [
        f"The ROC-AUC interval is {auc['high'] - auc['low']:.2f} wide with "
        f"{metrics['positives']} positives. Raising `n_repeats` in `config.py` (now "
        f"{cv['repeats']}) steadies the estimate but cannot narrow the interval much: only "
        "more patients can.",
        f"At `sensitivity_target` = {metrics['sensitivity_target']:.2f} the model flags "
        f"{m['flagged']['value']:.0%} of patients. Set it to 0.80 in `config.py`, run "
        "`make all`, and compare the share flagged with the positives missed.",
        "`logistic_c` in `config.py` is fixed; choose it by an inner cross-validation, as the "
        "screening threshold is, and see whether the ROC-AUC or the odds ratios move.",
    ]
    xgb = metrics["models"]["xgboost"]["calibration_slope"]
    if xgb["high"] < 1:
        items.append(
            f"XGBoost's calibration slope is {ci(xgb, 2)}: its risks are too extreme. Try "
            "shallower or fewer trees (`xgboost` in `config.py`: `max_depth`, `n_estimators`) "
            "and compare the slope."
        )
    items.append(
        "The timing of the `Dx:*` diagnoses is undocumented: drop them (add them to the "
        "columns `features.plan_features` leaves out) and compare the ROC-AUC."
    )
    return items[:5]
