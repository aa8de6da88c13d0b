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
        f"patients ({metrics['prevalence']:.1%}), from {source}. {dup['extra_copies']} patients "
        f"give exactly the answers of another patient ({dup['rows_in_groups']} patients in "
        f"{dup['groups']} groups, test results not compared); cross-validation keeps each group "
        "in one fold. Ranking and calibration scores are computed on the pooled "
        f"held-out risks of {cv['repeats']} repeats of {cv['splits']}-fold stratified "
        f"cross-validation (mean over repeats), with a 95 % interval from "
        f"{cv['bootstrap_resamples']} bootstrap resamples of the patients; screening scores "
        "carry an interval from the fold-to-fold spread and the patients' own sampling "
        "variation (see below)."
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


def penalty_line(metrics: dict) -> str:
    """Which C each outer fold's own inner cross-validation chose (truly nested)."""
    c = metrics["models"]["logistic_regression"].get("logistic_c")
    if not c:
        return ""
    folds = sum(c["outer_choices"].values())
    choices = ", ".join(f"C = {value} in {n}" for value, n in c["outer_choices"].items())
    return (
        f"The logistic regression's L2 strength is chosen inside each outer training set, by "
        f"the log-loss of its inner cross-validation ({choices} of the {folds} outer folds), so "
        "the held-out rows choose nothing; the saved model's inner cross-validation of every "
        f"row chose C = {c['saved_model']:g}. XGBoost ran in one configuration (`xgboost` in "
        "`config.py`), not tuned."
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
        f"{ci(slope, 2)}, intercept {ci(intercept, 2)}; 90 % of its held-out risks lie between "
        f"{band['low']:.1%} and {band['high']:.1%}."
    ]
    ideal_slope = slope["low"] <= 1 <= slope["high"]
    ideal_intercept = intercept["low"] <= 0 <= intercept["high"]
    if ideal_slope and ideal_intercept:
        parts.append(
            "Neither interval excludes the ideal values, but they are wide: these data neither "
            "show the risks to be calibrated nor show them miscalibrated"
        )
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


def versus_everyone(m: dict, prevalence: float) -> str:
    """PPV and NPV next to what anyone's result is, with the verdict their intervals allow."""
    ppv, npv = m["ppv"], m["npv"]
    text = (
        f"a flagged patient is positive {ci(ppv, percent=True)} of the time against "
        f"{prevalence:.1%} for anyone, a patient below the threshold negative "
        f"{ci(npv, percent=True)} of the time against {1 - prevalence:.1%} for anyone"
    )
    same = [
        word
        for word, score, base in (("PPV", ppv, prevalence), ("NPV", npv, 1 - prevalence))
        if score["low"] <= base <= score["high"]
    ]
    if same:
        text += f" ({' and '.join(same)} not shown to differ from that)"
    return text


def screening_line(metrics: dict) -> str:
    name = metrics["app_model"]
    m = metrics["models"][name]
    cv = metrics["cross_validation"]
    return (
        f"Screening: each outer fold's threshold is the highest that finds "
        f"{metrics['sensitivity_target']:.0%} of the positives in a {cv['inner_splits']}-fold "
        "cross-validation of that fold's training rows only (nested); the table scores it on the "
        "held-out fold. Each interval adds, on the logit scale, the fold-to-fold spread "
        "(Nadeau-Bengio corrected; it includes the threshold's own variation, "
        f"{m['fold_thresholds']['min']:.1%} to {m['fold_thresholds']['max']:.1%} over the "
        "folds) and the exact binomial interval of the share among one repeat's patients (the "
        "sampling variation of the patients and of the prevalence, which stratified folds hold "
        "fixed). The app's model "
        f"({label(name)}) flags {ci(m['flagged'], percent=True)} of patients and finds "
        f"{ci(m['sensitivity'], percent=True)} of positives; "
        f"{versus_everyone(m, metrics['prevalence'])}. The saved model uses the same rule on "
        f"its own inner cross-validation of every row: threshold {m['threshold']:.1%}, at "
        f"which it flags {saved_flags(m)} ({transfer(m)})."
    ) + (f" {nearly_everyone(m)}" if m["flags_nearly_everyone"] else "")


def saved_flags(m: dict) -> str:
    """'857 of the 858 patients, counted on the training rows': those the saved model flags at
    its threshold, of all; counted on the rows it was fitted on, so not a held-out share."""
    flags = m["flagged_by_saved_model"]
    return f"{flags['flagged']} of the {flags['patients']} patients, counted on the training rows"


def transfer(m: dict) -> str:
    """Whether the saved model's share flagged lies in the nested-CV interval of the share
    flagged: if not, its threshold does not transfer from the inner risks to the fit on all
    rows here (it is kept: the saved model's rule is the one the evaluation scored)."""
    flags = m["flagged_by_saved_model"]
    share = flags["flagged"] / flags["patients"]
    if m["flagged"]["low"] <= share <= m["flagged"]["high"]:
        return f"{share:.1%}, inside the cross-validated interval of the share flagged"
    return (
        f"{share:.1%}, outside the cross-validated interval of the share flagged: the "
        "threshold does not transfer to the fit on all rows here"
    )


def nearly_everyone(m: dict) -> str:
    """The verdict on a screen that flags at least config.NEARLY_EVERYONE of patients."""
    return (
        f"The screen flags nearly everyone (the saved model {saved_flags(m)}, "
        f"{ci(m['flagged'], percent=True)} in cross-validation): it does not separate "
        "patients, so the app draws no flag from it."
    )


def per_thousand(gain: float) -> str:
    """A net-benefit difference as net true positives per 1,000 patients (its practical size)."""
    return f"{1000 * gain:.1f}"


def decision_line(metrics: dict) -> str:
    """Where the decision curve shows a gain (its bootstrap interval above 0) and how large it
    is there, in net true positives per 1,000 patients; no threshold is chosen from it."""
    d = metrics["decision_curve"]
    at = d["at_threshold"]
    grid = (
        f"of {d['range']['low']:.1%} to {d['range']['high']:.1%} in steps of "
        f"{100 * d['range']['step']:g} points"
    )
    if d["better_than_both"]:
        spans = "; ".join(
            (f"{s['low']:.1%}" if s["low"] == s["high"] else f"{s['low']:.1%} to {s['high']:.1%}")
            + f" (gain {per_thousand(s['gain_min'])} to {per_thousand(s['gain_max'])} per 1,000)"
            for s in d["better_than_both"]
        )
        where = (
            "the 95 % bootstrap interval of its net-benefit gain over the better of flagging "
            f"everyone and flagging no one lies above 0 only for threshold risks {spans} ({grid}; "
            "gains in net true positives per 1,000 patients, not corrected for looking at "
            "every step: a pointwise band, so exploratory; the held-out risks are fixed, so it "
            "leaves out the refitting's variation). These are readings of one curve on these "
            "data, not a threshold to use: one chosen from them would be judged on the data "
            "that chose it"
        )
    else:
        where = (
            f"at no threshold risk ({grid}) does the 95 % bootstrap interval of its net-benefit "
            "gain over the better of flagging everyone and flagging no one lie above 0"
        )
    below = d.get("below_no_one", [])
    if below:
        ranges = ", ".join(
            f"{s['low']:.1%}" if s["low"] == s["high"] else f"{s['low']:.1%} to {s['high']:.1%}"
            for s in below
        )
        where += (
            f". Its net benefit (the curve, not its band) is below that of flagging no one "
            f"(below 0) at threshold risks {ranges}: at those, acting on the model is worse on "
            "these data than flagging no one (the figure shades its 95 % bootstrap band)"
        )
    gain = at["gain_over_everyone"]
    text = (
        f"Decision curve of the app's model: {where}. At its screening threshold "
        f"({at['threshold']:.1%}) its net benefit minus that of flagging everyone is "
        f"{per_thousand(gain['value'])} [{per_thousand(gain['low'])}, "
        f"{per_thousand(gain['high'])}] net true positives per 1,000 patients"
    )
    if gain["low"] <= 0:
        text += (
            ": at the threshold it screens with, the model is not shown to do better than "
            "following up every patient."
        )
    else:
        text += ": better than following up every patient."
    return text


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
            ]
        )
    return readme.markdown_table(
        [
            "questions",
            "positives if not answered",
            "positives if answered",
            "Fisher p",
            "Holm-adjusted p",
        ],
        rows,
    )


def paired(d: dict) -> str:
    """A paired ROC-AUC difference with its corrected interval and the verdict it allows."""
    verdict = "no difference shown" if d["low"] <= 0 <= d["high"] else "a difference"
    p = "p < 0.001" if d["p_value"] < 0.001 else f"p = {d['p_value']:.3f}"
    return (
        f"paired difference {d['difference']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}], "
        f"corrected t-test over {d['folds']} folds, {p}: {verdict}"
    )


def subgroup_line(metrics: dict) -> str:
    """The overlapping blocks of unanswered questions as one subgroup of patients."""
    g = metrics["missingness"].get("subgroup")
    if not g or not g["overlaps"]:
        return ""
    overlaps = ", ".join(
        f"`{o['question']}` {o['also_first']} (of the {o['unanswered']} who skipped it)"
        for o in g["overlaps"]
    )
    positives = ", ".join(f"{test} {n}" for test, n in g["positives"].items())
    return (
        f"The blocks overlap. Of the {g['patients']} patients who left `{g['question']}` "
        f"unanswered, this many also skipped {overlaps}: largely one subgroup seen several "
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
        "The table shows, per block of questions left unanswered together, the share of "
        f"positives among patients who did and did not answer (exact 95 % intervals; one Fisher "
        f"test per block, {len(blocks)} tests, so Holm-adjusted p-values too). "
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
    text += (
        "No model gets a was-missing indicator, so none can use the fact of not answering; the "
        "pipeline fills a missing answer with the training median. "
    )
    if "mean_risk" in check:
        risk = check["mean_risk"]
        text += (
            "That is not neutral: the patients who left that block unanswered get a mean "
            f"held-out risk of {risk['unanswered']:.1%}, those who answered "
            f"{risk['answered']:.1%}. "
        )
    name = label(metrics["app_model"])
    text += (
        f"ROC-AUC of {name}: with was-missing indicators {ci(scores['with_indicators'])}, "
        f"without (the model used) {ci(scores['without_indicators'])} "
        f"({paired(check['indicator_difference'])})"
    )
    if "answered_only" in scores:
        text += (
            f"; without, on the patients who answered that block only, "
            f"{ci(scores['answered_only'])}"
        )
    return text + (
        ". The app's probability fills an unanswered question with the median the same way, and "
        "shows beside it the range over typical answers (median, quartiles; see the App "
        "section)."
    )


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
    table = readme.markdown_table([f"{label(check['model'])} features", "ROC-AUC", "PR-AUC"], rows)
    return f"{table}\n\nWith them minus without, ROC-AUC {paired(check['difference'])}."


def explanation(metrics: dict, top: int = 8) -> str:
    """Permutation importance of the app's model (no odds ratios: see DECISIONS.md), saying
    which factors are shown to matter: Holm-adjusted p below ALPHA; "no factor shown" if none."""
    ranking = metrics["permutation_importance"]
    rows = [
        [
            f"`{n}`",
            ci({**v, "value": v["mean"]}),
            "< 0.001" if v["p_holm"] < 0.001 else f"{v['p_holm']:.3f}",
        ]
        for n, v in list(ranking.items())[:top]
    ]
    shown = [f"`{n}`" for n, v in ranking.items() if v["p_holm"] < ALPHA and v["low"] > 0]
    folds = metrics["cross_validation"]["splits"] * metrics["cross_validation"]["repeats"]
    if shown:
        verdict = (
            f"Shown to matter after the adjustment: {', '.join(shown)}; for the other "
            f"{len(ranking) - len(shown)} factors no reliance is shown."
        )
    else:
        verdict = (
            f"**No factor shown**: for none of the {len(ranking)} factors is the drop shown to "
            "differ from 0 after the adjustment."
        )
    return (
        f"Permutation importance of the {label(metrics['app_model']).lower()} (drop in held-out "
        f"ROC-AUC when a column is shuffled, in each of the {folds} outer folds, each fold's own "
        "fit): what the model relies on, not an association with the risk or a cause. Mean "
        "over the folds with a 95 % interval, Nadeau-Bengio corrected (the folds share "
        f"training rows); p-values Holm-adjusted over the {len(ranking)} factors. {verdict} "
        "No odds ratios: the regression's penalty shrinks them, and the data have too few "
        "positives per factor for unpenalised ones.\n\n"
        + readme.markdown_table(["factor", "drop in ROC-AUC [95 % interval]", "Holm p"], rows)
    )


def data_notes(metrics: dict) -> str:
    dropped = "\n".join(f"- `{column}`: {reason}" for column, reason in metrics["dropped"].items())
    return (
        f"Not used as features:\n\n{dropped}\n\n"
        "Missing answers are imputed with the training-fold median inside the model pipeline, "
        "without a was-missing indicator. Column meanings follow the UCI page "
        f"({UCI_PAGE}) and {PAPER}. The UCI page lists `Dx:Cancer`, `Dx:CIN`, `Dx:HPV` and `Dx` "
        "as yes/no attributes without saying when the diagnosis was made; those given by enough "
        "patients are features, and if one was made during the same work-up as the target test it "
        "leaks part of the answer. " + history_line(metrics)
    )


def history_line(metrics: dict) -> str:
    """The sensitivity analysis without the Dx columns, next to the model with them."""
    check = metrics["without_history"]
    dropped = ", ".join(f"`{c}`" for c in check["dropped"]) or "no columns"
    with_them = metrics["models"][check["model"]]["roc_auc"]
    return (
        f"Without {dropped} (same folds), the ROC-AUC of the {label(check['model']).lower()} is "
        f"{ci(check['metrics']['roc_auc'])}, against {ci(with_them)} with them (with minus "
        f"without: {paired(check['difference'])})."
    )


def verification_line(metrics: dict) -> str:
    """The target test was not done, or not read, independently of the others."""
    v = metrics["verification"]
    others = ", ".join(v["other_tests"])
    neg, pos = v["others_negative"], v["other_positive"]
    return (
        "Consistent with, not evidence of, verification bias: "
        f"{neg['positives']} of {neg['patients']} patients whose other tests "
        f"({others}) were all negative are positive for {metrics['target']}, against "
        f"{pos['positives']} of {pos['patients']} with at least one other test positive. The "
        "data do not say whether the target test was done or read independently of the "
        "others; if it followed them, negatives among patients never referred for it are "
        "unverified, and the model learns who was examined as much as who is ill."
    )


def results_parts(metrics: dict) -> list[str]:
    """What the README and the model card both show."""
    parts = [readme.SAMPLE_WARNING] if runtime.is_sample(metrics) else []
    return parts + [
        summary_line(metrics),
        ranking_table(metrics),
        reference_line(metrics),
        metrics["app_model_reason"],
        penalty_line(metrics),
        calibration_line(metrics),
        screening_table(metrics),
        screening_line(metrics),
        decision_line(metrics),
        verification_line(metrics),
        "### Unanswered questions",
        missingness_table(metrics),
        missingness_line(metrics),
        "### Leakage check: the other three test results as features",
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


def chance_verdict(auc: dict) -> str:
    """What a ROC-AUC interval allows: above chance, or not shown to be."""
    return "not shown above chance" if auc["low"] <= 0.5 else "above chance"


def history_share(metrics: dict) -> str:
    """The with-Dx result, second, with the paired difference that Dx makes."""
    check = metrics["without_history"]
    dx = ", ".join(f"`{c}`" for c in check["dropped"])
    with_dx = metrics["models"][check["model"]]["roc_auc"]
    text = f"with {dx} (diagnosis flags, timing undocumented) {ci(with_dx, 2)}"
    return text + f" ({paired(check['difference'])})"


def headline(metrics: dict) -> str:
    """The README's first screen: a three-bullet TL;DR, every number from metrics.json, and
    the hero figure. First the title's question (questionnaire answers only), then the screen,
    then the traps."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    sample = " **(SYNTHETIC SAMPLE: numbers mean nothing)**" if runtime.is_sample(metrics) else ""
    history = metrics["without_history"]
    if history["dropped"]:
        alone = history["metrics"]["roc_auc"]
        first = (
            f"**Questionnaire answers alone** ({label(name).lower()}, {metrics['rows']} "
            f"patients, {metrics['prevalence']:.1%} {metrics['target']}-positive){sample}: "
            f"ROC-AUC {ci(alone, 2)}, **{chance_verdict(alone)}** (0.50); "
            f"{history_share(metrics)}."
        )
    else:
        first = (
            f"**Questionnaire answers** ({label(name).lower()}, {metrics['rows']} patients, "
            f"{metrics['prevalence']:.1%} {metrics['target']}-positive){sample}: ROC-AUC "
            f"{ci(m['roc_auc'], 2)}, **{chance_verdict(m['roc_auc'])}** (0.50)."
        )
    if m["flags_nearly_everyone"]:
        screen = (
            f"**The screen flags nearly everyone**: the threshold that finds "
            f"{metrics['sensitivity_target']:.0%} of positives flags {saved_flags(m)} "
            f"({ci(m['flagged'], percent=True)} in nested cross-validation), PPV "
            f"{ci(m['ppv'], percent=True)} against {metrics['prevalence']:.1%} for anyone: it "
            "does not separate patients."
        )
    else:
        screen = (
            f"The threshold that finds {metrics['sensitivity_target']:.0%} of positives flags "
            f"{ci(m['flagged'], percent=True)} of patients (nested cross-validation), PPV "
            f"{ci(m['ppv'], percent=True)} against {metrics['prevalence']:.1%} for anyone."
        )
    gain = metrics["decision_curve"]["at_threshold"]["gain_over_everyone"]
    verdict = (
        "not shown to beat following up everyone"
        if gain["low"] <= 0
        else "better than following up everyone"
    )
    screen += (
        f" Net benefit over following up everyone: {per_thousand(gain['value'])} "
        f"[{per_thousand(gain['low'])}, {per_thousand(gain['high'])}] per 1,000 patients, "
        f"{verdict}."
    )
    leak = metrics["leakage_check"]
    leaky = leak["metrics"]["roc_auc"]
    traps = (
        f"**The other tests leak**: with {', '.join(leak['added_features'])} as features "
        f"(as in the guided project) ROC-AUC {ci(leaky, 2)}"
    )
    blocks = metrics["missingness"]["blocks"]
    if blocks and blocks[0]["p_holm"] < ALPHA:
        top = blocks[0]
        traps += (
            f". Patients who left `{top['questions'][0]}` unanswered: "
            f"{top['unanswered_positives']} positives in {top['unanswered']}, against "
            f"{ci(top['answered_rate'], percent=True)} of those who answered (Holm p = "
            f"{top['p_holm']:.3f}; no model uses the fact of not answering)"
        )
    v = metrics["verification"]["others_negative"]
    traps += (
        f". Only {v['positives']} of {v['patients']} patients with the other tests negative "
        "are positive: the tests agree, which is consistent with, not evidence of, "
        "verification bias."
    )
    return "\n".join(f"- {line}" for line in (first, screen, traps)) + (
        "\n\n![Calibration of the held-out risks](reports/figures/calibration.png)"
    )


def next_experiments(metrics: dict) -> list[str]:
    """Three to five follow-ups that this run's numbers suggest, each naming what to change."""
    name = metrics["app_model"]
    m = metrics["models"][name]
    cv = metrics["cross_validation"]
    items = [
        f"With {metrics['positives']} positives the ROC-AUC interval is "
        f"[{m['roc_auc']['low']:.2f}, {m['roc_auc']['high']:.2f}]. Raising `n_repeats` in "
        f"`config.py` (now {cv['repeats']}) steadies the estimate but cannot narrow the interval "
        "much: only more patients can.",
        f"At `sensitivity_target` = {metrics['sensitivity_target']:.2f} the model flags "
        f"{ci(m['flagged'], percent=True)} of patients. Fix a threshold risk from the cost of a "
        "missed case against an unneeded follow-up before looking at any result (threshold "
        "risk t: one case found is worth (1 - t) / t unneeded follow-ups), use it in place of "
        "`evaluate.screening_threshold`, run `make all` and read its net benefit.",
    ]
    items.append(
        "XGBoost was tried in one configuration only (`xgboost` in `config.py`), while the "
        "regression's C is tuned: add a small grid of `max_depth` and `n_estimators` to "
        "`evaluate.inner_cv` so that each outer fold tunes it too, and rerun the paired "
        "comparison before reading its verdict as more than one configuration's."
    )
    xgb = metrics["models"]["xgboost"]["calibration_slope"]
    if xgb["high"] < 1:
        items.append(
            f"XGBoost's calibration slope is {ci(xgb, 2)}: its risks are too extreme. Try "
            "shallower or fewer trees (`xgboost` in `config.py`: `max_depth`, `n_estimators`) "
            "and compare the slope."
        )
    g = metrics["missingness"].get("subgroup")
    if g:
        items.append(
            f"The {g['patients']} patients who left `{g['question']}` unanswered have "
            f"{g['positives'][metrics['target']]} positives: train on the patients who answered "
            "only (a row filter before `evaluate.cross_validate` in `pipeline.run_evaluate`) and "
            "compare the ROC-AUC on those patients with the one reported here, to see how much "
            "the model leans on who was in that subgroup."
        )
    return items[:5]
