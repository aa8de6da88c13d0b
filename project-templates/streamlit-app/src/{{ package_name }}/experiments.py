"""What the near-perfect scores measure: ablations, a split that holds out whole clusters of
near-identical rows, and a
learning curve. Ablations and the learning curve use the plain 0.5 threshold: they diagnose the
data, they do not tune a model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import (
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    StratifiedKFold,
    train_test_split,
)

from . import features, nearness
from .evaluate import errors, exact_interval, probabilities, rate
from .train import fit, make_model

HALF = 0.5


def cluster_folds(
    groups: np.ndarray, folds: int, deal: int
) -> LeaveOneGroupOut | StratifiedGroupKFold:
    """The folds of the grouped cross-validation: whole clusters, never split. With at most
    ``folds`` clusters each is held out on its own (leave-one-cluster-out: no deal, every row
    scored once); otherwise the clusters are dealt into ``folds`` folds with both classes in
    each, the deal drawn with seed ``deal``."""
    if len(np.unique(groups)) <= folds:
        return LeaveOneGroupOut()
    return StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=deal)


def held_out_distance(codes: np.ndarray, y: pd.Series, groups: np.ndarray, folds) -> np.ndarray:
    """For every row, its distance to the nearest row of the folds that train the model which
    predicts it in the grouped cross-validation."""
    distance = np.empty(len(codes), dtype=int)
    for train, test in folds.split(codes, y, groups):
        distance[test] = nearness.nearest_distance(codes[train], codes[test])
    return distance


def unseen_codes(x: pd.DataFrame, y: pd.Series, groups: np.ndarray, folds) -> dict:
    """For every row, whether its odour code, and whether any of its codes, is missing from
    the rows that train the model predicting it in the grouped cross-validation. The one-hot
    encoder (``handle_unknown="ignore"``) turns such a code into all zeros: the model answers
    as if the attribute were not there."""
    odour = np.zeros(len(x), dtype=bool)
    any_code = np.zeros(len(x), dtype=bool)
    for train, test in folds.split(x, y, groups):
        for column in x.columns:
            new = ~x[column].iloc[test].isin(set(x[column].iloc[train])).to_numpy()
            any_code[test] |= new
            if column == "odor":
                odour[test] = new
    return {"odor": odour, "any": any_code}


def ablations(
    name: str,
    params: Mapping,
    split: tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series],
    dropped: Sequence[Sequence[str]],
    *,
    seed: int,
) -> dict[str, dict]:
    """Accuracy and misses on the held-out split when the model never sees ``dropped`` columns."""
    x_train, x_test, y_train, y_test = split
    results = {}
    for columns in dropped:
        model = fit(name, params, x_train.drop(columns=list(columns)), y_train, seed)
        proba = probabilities(model, x_test.drop(columns=list(columns)))
        results["+".join(columns)] = errors(y_test, proba, HALF)
    return results


def cluster_bootstrap(
    values: np.ndarray, weights: np.ndarray, groups: np.ndarray, *, reps: int, seed: int
) -> tuple[float, float]:
    """95 % interval of ``sum(values) / sum(weights)`` when whole groups are resampled.

    Rows of one cluster are near-copies, not independent draws: resampling rows would give an
    interval far too narrow, so the clusters are the unit. ``values`` may be a difference of two
    models' correctness on the same rows (a paired comparison).
    """
    labels, index = np.unique(groups, return_inverse=True)
    value_sums = np.bincount(index, weights=values, minlength=len(labels))
    weight_sums = np.bincount(index, weights=weights, minlength=len(labels))
    draws = np.random.default_rng(seed).integers(0, len(labels), size=(reps, len(labels)))
    ratios = value_sums[draws].sum(axis=1) / np.maximum(weight_sums[draws].sum(axis=1), 1)
    low, high = np.quantile(ratios, [0.025, 0.975])
    return float(low), float(high)


def _rates(called: np.ndarray, truth: np.ndarray, groups: np.ndarray, *, reps: int, seed: int):
    """Accuracy, misses and false alarms of ``called`` with cluster 95 % intervals.

    A bootstrap over clusters cannot bound a count of 0 (or of every row): every resample is 0
    again. Then the interval is exact (Clopper-Pearson) and bounds a share of clusters, not of
    rows: no miss in 10 poisonous clusters still allows misses in up to 30.8 % of such
    clusters. Each rate says which interval it carries (``interval``: "cluster bootstrap", or
    "share of N clusters")."""
    summary = {}
    for key, values, weights in [
        ("accuracy", (called == truth).astype(float), np.ones(len(truth))),
        ("missed", (~called & truth).astype(float), truth.astype(float)),
        ("false_alarms", (called & ~truth).astype(float), (~truth).astype(float)),
    ]:
        count, total = int(values.sum()), int(weights.sum())
        if 0 < count < total:
            low, high = cluster_bootstrap(values, weights, groups, reps=reps, seed=seed)
            interval = "cluster bootstrap"
        else:
            clusters = len(np.unique(groups[weights > 0]))
            low, high = exact_interval(clusters if count else 0, clusters) if total else (0, 1)
            interval = f"share of {clusters} clusters"
        summary[key] = {
            "count": count,
            "of": total,
            "rate": count / max(total, 1),
            "low": low,
            "high": high,
            "interval": interval,
        }
    return summary


def sign_flip(values: np.ndarray, groups: np.ndarray, *, reps: int, seed: int) -> float:
    """Two-sided p-value of a paired difference (``values``: one row's difference between two
    rules) by a cluster permutation test: under "no difference", which rule made which
    predictions is exchangeable within a cluster, so every cluster's summed difference may flip
    its sign. It needs no normal approximation and no bootstrap of 23 unequal clusters."""
    _, index = np.unique(groups, return_inverse=True)
    totals = np.bincount(index, weights=values)
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(reps, len(totals)))
    extreme = (np.abs(signs @ totals) >= abs(totals.sum()) - 1e-9).sum()
    return float((1 + extreme) / (1 + reps))


def holm(comparisons: Sequence[dict]) -> None:
    """Holm's step-down adjustment over a family of comparisons (each a dict with a ``p``):
    adds ``p_holm`` (at most 1) and ``family`` (how many were tested together) to each."""
    order = sorted(range(len(comparisons)), key=lambda i: comparisons[i]["p"])
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(comparisons) - rank) * comparisons[i]["p"]))
        comparisons[i]["p_holm"] = running
        comparisons[i]["family"] = len(comparisons)


def bootstrap_rate(right: np.ndarray, groups: np.ndarray, *, reps: int, seed: int) -> dict:
    """The share of ``right`` rows with its cluster-bootstrap 95 % interval."""
    low, high = cluster_bootstrap(right, np.ones(len(right)), groups, reps=reps, seed=seed)
    return {
        "count": int(right.sum()),
        "of": len(right),
        "rate": float(right.mean()),
        "low": low,
        "high": high,
    }


def cluster_average(correct: np.ndarray, groups: np.ndarray, *, reps: int, seed: int) -> dict:
    """The mean of the clusters' accuracies (each cluster counts once, whatever its size) and
    its cluster-bootstrap 95 % interval. Next to the pooled accuracy: a few large clusters
    dominate the pooled figure and its percentile interval."""
    _, index, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    share = 1.0 / sizes[index]  # each row's share of its cluster
    low, high = cluster_bootstrap(correct * share, share, groups, reps=reps, seed=seed)
    return {"rate": float((correct * share).sum() / share.sum()), "low": low, "high": high}


def _out_of_fold(task, x, y, groups, *, folds: int, deal: int, jobs: int) -> np.ndarray:
    """Every row's ``task(train, test)`` value from the grouped fold (deal ``deal``) that holds
    it out; the folds run in ``jobs`` threads (the fits release the GIL)."""
    splits = list(cluster_folds(groups, folds, deal).split(x, y, groups))
    if jobs <= 1:
        results = [task(train, test) for train, test in splits]
    else:
        results = Parallel(n_jobs=jobs, prefer="threads")(
            delayed(task)(train, test) for train, test in splits
        )
    outer = np.empty((len(y), *np.shape(results[0])[1:]))
    for (_, test), values in zip(splits, results, strict=True):
        outer[test] = values
    return outer


def grouped_probabilities(
    name: str,
    params: Mapping,
    x: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    *,
    folds: int,
    seed: int,
    jobs: int = 1,
) -> np.ndarray:
    """Out-of-fold probabilities by cluster: every row is predicted by a model that saw no row
    of its cluster. ``jobs`` threads fit the folds."""

    def task(train, test):
        return probabilities(fit(name, params, x.iloc[train], y.iloc[train], seed), x.iloc[test])

    return _out_of_fold(task, x, y, groups, folds=folds, deal=seed, jobs=jobs)


def fit_calibrated(
    name: str, params: Mapping, x: pd.DataFrame, y: pd.Series, *, folds: int, seed: int
) -> CalibratedClassifierCV:
    """The served model: ``name`` with probabilities calibrated (one sigmoid, so the model's
    order is kept) on ``folds`` row-level folds. Each calibration row has near-copies among
    the rows that fit, as every input the app answers has among the training rows. A
    classifier that calibrates itself (the SVM) is calibrated here instead, from its own
    scores. Unseen clusters cannot be calibrated this way: every cluster is of one class, so
    folds by cluster set each sigmoid by the training share, which runs against the held-out
    cluster's label (DECISIONS.md)."""
    model = make_model(name, params, seed)
    step = model.named_steps["classify"]
    if isinstance(step, CalibratedClassifierCV):
        model.set_params(classify=step.estimator)
    inner = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y))
    return CalibratedClassifierCV(model, method="sigmoid", cv=inner, ensemble=False).fit(x, y)


def paired(gap: np.ndarray, groups: np.ndarray, *, reps: int, seed: int) -> dict:
    """A paired per-row difference: its mean, cluster-bootstrap 95 % interval, cluster
    sign-flip p-value and how many clusters differ at all (``discordant``: with few, no
    sign-flip test can reach 0.05)."""
    low, high = cluster_bootstrap(gap, np.ones(len(gap)), groups, reps=reps, seed=seed)
    by_cluster = pd.Series(gap).groupby(groups).sum()
    return {
        "difference": float(gap.mean()),
        "low": low,
        "high": high,
        "p": sign_flip(gap, groups, reps=reps, seed=seed),
        "discordant": int((by_cluster.abs() > 1e-12).sum()),
    }


def at_half(called: np.ndarray, truth: np.ndarray, groups: np.ndarray, *, reps: int, seed: int):
    """Rates at 0.5 on unseen clusters, the clusters mostly right, the poisonous ones mostly
    called edible, and each cluster's count of right answers (in ``np.unique(groups)`` order:
    what a paired comparison with other settings on the same folds needs)."""
    right = (called == truth).astype(float)
    summary = _rates(called, truth, groups, reps=reps, seed=seed)
    per_cluster = pd.Series(right).groupby(groups).mean()
    poisonous = pd.Series(truth).groupby(groups).mean() >= HALF
    summary["clusters_mostly_right"] = int((per_cluster >= HALF).sum())
    summary["clusters"] = int(per_cluster.size)
    # The safety count: poisonous clusters whose rows are mostly called edible.
    summary["poisonous_clusters_missed"] = int(((per_cluster < HALF) & poisonous).sum())
    summary["poisonous_clusters"] = int(poisonous.sum())
    summary["right_by_cluster"] = pd.Series(right).groupby(groups).sum().astype(int).tolist()
    return summary


def grouped(
    name: str,
    params: Mapping,
    x: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    *,
    folds: int,
    reps: int,
    seed: int,
) -> tuple[dict, np.ndarray, np.ndarray]:
    """Cross-validation that holds out whole clusters: every row is predicted by a model that
    saw no row of its cluster. Rates carry cluster-bootstrap intervals.

    Reported at the plain 0.5 threshold only: the cost threshold assumes calibrated
    probabilities, and none can be calibrated on clusters never seen. Returns the summary,
    whether each row was right at 0.5, and its probability."""
    proba = grouped_probabilities(name, params, x, y, groups, folds=folds, seed=seed)
    truth = y.to_numpy() == 1
    called = proba >= HALF
    right = (called == truth).astype(float)
    summary = at_half(called, truth, groups, reps=reps, seed=seed)
    summary["cluster_average"] = cluster_average(right, groups, reps=reps, seed=seed)
    new = unseen_codes(x, y, groups, cluster_folds(groups, folds, seed))
    summary["by_odour_seen"] = {
        key: {
            **bootstrap_rate(right[rows], groups[rows], reps=reps, seed=seed),
            "poisonous": rate(int(truth[rows].sum()), int(rows.sum())),
        }
        for key, rows in (("seen", ~new["odor"]), ("unseen", new["odor"]))
        if rows.any()
    }
    summary["any_code_unseen"] = rate(int(new["any"].sum()), len(y))
    wrong = right == 0
    summary["errors_on_unseen_odour"] = rate(int((wrong & new["odor"]).sum()), int(wrong.sum()))
    return summary, right, proba


def paired_differences(
    correct: Mapping[str, np.ndarray], groups: np.ndarray, *, reps: int, seed: int
) -> dict[str, dict]:
    """Every pair of models: the first's accuracy minus the second's on the same rows
    (``paired``), Holm-adjusted over all the pairs. Keyed "first vs second"."""
    names = list(correct)
    differences = {
        f"{first} vs {second}": {
            "first": first,
            "second": second,
            **paired(correct[first] - correct[second], groups, reps=reps, seed=seed),
        }
        for index, first in enumerate(names)
        for second in names[index + 1 :]
    }
    holm(list(differences.values()))
    return differences


def _one_rule_calls(x: pd.DataFrame, y: pd.Series, train, test):
    """Holte's 1R fitted on the ``train`` rows: the attribute whose value-by-value majority rule
    is most accurate there (no held-out row chooses it), and its answers for the ``test`` rows
    at 0.5."""
    fits = {
        column: features.one_rule_predict(
            x[column].iloc[train], y.iloc[train], x[column].iloc[test], threshold=HALF
        )
        for column in x.columns
    }
    best = max(fits, key=lambda column: fits[column][1])
    return fits[best][0].to_numpy() == 1, best


def _nearest_calls(x: pd.DataFrame, y: pd.Series, train, test):
    """The 1-nearest-neighbour lookup of the ``train`` rows (ties share the vote)."""
    codes = nearness.as_codes(x)
    share = nearness.nearest_share(codes[train], y.to_numpy()[train], codes[test])
    return share >= HALF, None


BASELINES = {"one_rule": _one_rule_calls, "nearest_neighbour": _nearest_calls}
"""The rules without a model every model is set against on the same folds: Holte's
one-attribute rule and a lookup of the nearest training mushroom."""


def baseline_grouped(
    kind: str,
    x: pd.DataFrame,
    y: pd.Series,
    groups: np.ndarray,
    correct: Mapping[str, np.ndarray],
    *,
    folds: int,
    reps: int,
    seed: int,
) -> dict:
    """A rule without a model (``BASELINES[kind]``) on the folds of the grouped
    cross-validation, scored as the models are: at 0.5 (a code no training row had gets the
    majority class, as the one-hot encoder's all-zero row does for a model). Its accuracy with
    cluster intervals, cluster-averaged accuracy, clusters mostly right, paired differences
    from each model (``correct``: whether each model was right out
    of fold on the same rows; sign-flip p-values Holm-adjusted over the models)."""
    called = np.zeros(len(y), dtype=bool)
    chosen = set()
    for train, test in cluster_folds(groups, folds, seed).split(x, y, groups):
        called[test], best = BASELINES[kind](x, y, train, test)
        chosen.add(best)
    truth = y.to_numpy() == 1
    right = (called == truth).astype(float)
    summary = _rates(called, truth, groups, reps=reps, seed=seed)
    per_cluster = pd.Series(right).groupby(groups).mean()
    if kind == "one_rule":
        summary["attributes"] = sorted(chosen)
    summary["clusters_mostly_right"] = int((per_cluster >= HALF).sum())
    summary["clusters"] = int(per_cluster.size)
    summary["cluster_average"] = cluster_average(right, groups, reps=reps, seed=seed)
    summary["versus_models"] = {
        name: paired(right - values, groups, reps=reps, seed=seed)
        for name, values in correct.items()
    }
    if summary["versus_models"]:
        holm(list(summary["versus_models"].values()))
    return summary


def _subsets(split, sizes: Sequence[int], seed: int, draws: int):
    """Stratified subsets of the training part: ``draws`` of them (seeds ``seed``, ``seed + 1``,
    ...) for each size it can fill, as (size, draws) groups."""
    x_train, _, y_train, _ = split
    for size in sizes:
        if 2 * y_train.nunique() <= size < len(x_train):
            yield (
                size,
                [
                    train_test_split(
                        x_train,
                        y_train,
                        train_size=size,
                        stratify=y_train,
                        random_state=seed + draw,
                    )[::2]
                    for draw in range(draws)
                ],
            )


def learning_curve(
    name: str, params: Mapping, split, sizes: Sequence[int], *, draws: int, seed: int
) -> list[dict]:
    """Held-out accuracy of ``name`` trained on growing stratified subsets of the training
    part (the sizes the training part can fill), averaged over ``draws`` subsets of each size:
    the mean (``rate``) and the lowest and highest draw (``low``, ``high``), which show how
    much the subset matters (an exact interval of one draw would not)."""
    _, x_test, _, y_test = split
    curve = []
    for size, parts in _subsets(split, sizes, seed, draws):
        rates = [
            errors(y_test, probabilities(fit(name, params, x, y, seed), x_test), HALF)["accuracy"][
                "rate"
            ]
            for x, y in parts
        ]
        curve.append(
            {
                "size": size,
                "rate": float(np.mean(rates)),
                "low": min(rates),
                "high": max(rates),
                "draws": len(rates),
            }
        )
    return curve


def closeness_curve(
    split, cluster: pd.Series, sizes: Sequence[int], *, draws: int, seed: int
) -> dict:
    """For the learning curve's subsets: the share of held-out rows whose cluster of
    near-identical rows has a member among the training rows, averaged over the draws
    (``cluster`` maps every row's index to its cluster)."""
    x_test = split[1]
    held_out = cluster[x_test.index]
    curve: dict = {"sizes": [], "cluster_seen": [], "draws": draws}
    for size, parts in _subsets(split, sizes, seed, draws):
        curve["sizes"].append(size)
        curve["cluster_seen"].append(
            float(np.mean([held_out.isin(set(cluster[x.index])).mean() for x, _ in parts]))
        )
    curve["full_cluster_seen"] = float(held_out.isin(set(cluster[split[0].index])).mean())
    return curve
