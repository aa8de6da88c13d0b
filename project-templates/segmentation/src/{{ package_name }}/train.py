"""Score K-means for every k, test for cluster structure, measure stability, choose k for use.

The statistically preferred k (highest silhouette) is context; the k to act on is chosen in the
business range under the ``Params`` constraints, with k compared paired on the same bootstrap
draws and pooled over seeds (DECISIONS.md says why each rule is as it is).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_samples
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import data, features
from .config import Params, Paths
from .runtime import ProjectError


@dataclass
class Segmenter:
    """The fitted model and everything the report and the app need to explain it."""

    model: Pipeline
    """Raw customer row -> segment (0-based; segment 0 is the largest)."""
    pca: PCA
    """2-D map of the clustering space."""
    scores: pd.DataFrame
    """One row per k: fit, silhouette with its interval, structure test, stability, Ward."""
    k: int
    choice: dict
    """The facts of the choice of k (``choose_k``)."""
    preferred_k: int
    """The highest silhouette over the whole search range (context, not the choice)."""
    clusters: pd.DataFrame
    """Per segment of the chosen k (0-based), over bootstrap refits of all customers (the data
    set that was clustered) compared with the final segmentation: mean Jaccard, lowest and
    highest share of customers."""
    checks: dict
    """``by_seed``: the k each stability seed chooses alone; ``split_half``: the adjusted Rand
    index of every split-half replication of the chosen k on all customers; ``full``: the
    chosen k's stability, bootstrap refits of all customers under seeds that did not choose
    k."""


@dataclass
class Stability:
    """What bootstrap refits say about one k."""

    ari: np.ndarray
    """Per resample: adjusted Rand index with the reference segmentation (all customers)."""
    jaccard: np.ndarray
    """Per resample and reference segment: Jaccard of its best-matching resampled segment."""
    shares: np.ndarray
    """Per resample and reference segment: share of all customers in that matching segment."""
    weakest: np.ndarray
    """Per resample: the Jaccard of the segment whose mean Jaccard is lowest."""


def kmeans(k: int, params: Params, seed: int | None = None) -> KMeans:
    return KMeans(
        n_clusters=k, n_init=params.n_init, random_state=params.seed if seed is None else seed
    )


def ordered_kmeans(points: np.ndarray, k: int, params: Params, seed: int | None = None) -> KMeans:
    """K-means with segments numbered by size (0 is the largest), so numbers are stable."""
    first = kmeans(k, params, seed).fit(points)
    order = np.argsort(-np.bincount(first.labels_, minlength=k), kind="stable")
    # Restarting from the reordered centres converges at once to the same segmentation.
    return KMeans(n_clusters=k, init=first.cluster_centers_[order], n_init=1).fit(points)


def mean_interval(values: np.ndarray, seed: int, resamples: int = 400) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of ``values``."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(values), (resamples, len(values)))
    means = values[rows].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def seed_interval(
    values: np.ndarray, groups: int, seed: int, limits: tuple[float, float] = (-1.0, 1.0)
) -> tuple[float, float]:
    """95% interval of the mean of draws pooled over ``groups`` seeds (equal counts, in seed
    order), with the seed-to-seed spread in it.

    The draws of one seed share its reference fit, so they are not independent: the seeds are
    the independent units. The interval is the wider of a t interval on the seed means (each
    seed's mean carries its own draws' noise, so between- and within-seed variance are both in
    it; with 3 seeds it always covers every seed's own mean) and the bootstrap over all draws as
    if independent (so a few seeds that happen to agree do not make it narrower than that),
    kept inside the values' possible range ``limits`` (a Jaccard is 0 to 1).
    """
    low, high = mean_interval(values, seed)
    if groups < 2:
        return low, high
    from scipy.stats import t

    means = values.reshape(groups, -1).mean(axis=1)
    half = float(t.ppf(0.975, groups - 1) * means.std(ddof=1) / np.sqrt(groups))
    centre = float(values.mean())
    return max(min(low, centre - half), limits[0]), min(max(high, centre + half), limits[1])


def seeds(params: Params) -> list[int]:
    """The seeds stability is pooled over; the first is ``params.seed`` (the model's)."""
    return [params.seed + 1000 * i for i in range(params.stability_seeds)]


def verdict_seeds(params: Params) -> list[int]:
    """Seeds whose draws only measure the chosen k (seed+10000, seed+11000, ...): never used to
    choose it, so the verdict is not the maximum of the draws k was picked on. The customers
    are the same (all of them): fresh draws, not held-out data."""
    return [params.seed + 10_000 + 1000 * i for i in range(params.stability_seeds)]


def bootstrap(
    points: np.ndarray,
    labels: np.ndarray,
    k: int,
    params: Params,
    seed: int | None = None,
    count: int | None = None,
) -> Stability:
    """Refit K-means on bootstrap resamples and compare with ``labels`` (clusterboot).

    Jaccard is computed on the distinct customers of each resample, between a reference
    segment and the resampled segment that matches it best. Resample r is the same draw of
    customers for every k and whatever the total count, so two k are compared on the same
    draws (paired) and more resamples only add draws. ``count`` refits (by default
    ``stability_resamples``).
    """
    seed = params.seed if seed is None else seed
    # Single precision: the refits are about a fifth faster, and standardised features need no
    # more than seven digits to find the same segments.
    points = np.asarray(points, dtype=np.float32)
    rng = np.random.default_rng(seed)  # no k in it: every k sees the same draws (paired)
    count = params.stability_resamples if count is None else count
    ari, jaccard, shares = np.empty(count), np.empty((count, k)), np.empty((count, k))
    for resample in range(count):
        rows = rng.integers(0, len(points), len(points))
        # Each distinct customer once, weighted by how often it was drawn: the same K-means
        # objective as the resample with its repeats, on about 63% of the rows.
        drawn, repeats = np.unique(rows, return_counts=True)
        refit = kmeans(k, params, seed=seed + 1 + resample).fit(
            points[drawn], sample_weight=repeats
        )
        everyone = refit.predict(points)
        ari[resample] = adjusted_rand_score(labels, everyone)
        overlap = np.zeros((k, k))
        np.add.at(overlap, (labels[drawn], everyone[drawn]), 1)
        union = overlap.sum(axis=1)[:, None] + overlap.sum(axis=0)[None, :] - overlap
        similarity = overlap / np.maximum(union, 1)
        jaccard[resample] = similarity.max(axis=1)
        match = similarity.argmax(axis=1)
        shares[resample] = np.bincount(everyone, minlength=k)[match] / len(points)
    weakest = jaccard[:, int(jaccard.mean(axis=0).argmin())]
    return Stability(ari, jaccard, shares, weakest)


def pooled(
    points: np.ndarray, labels: np.ndarray | None, k: int, params: Params
) -> list[Stability]:
    """Bootstrap stability under every seed: the model seed's against its own ``labels`` (when
    given), each other seed's against a reference segmentation refit with that seed."""
    runs = []
    for seed in seeds(params):
        reference = (
            labels
            if seed == params.seed and labels is not None
            else ordered_kmeans(points, k, params, seed).labels_
        )
        runs.append(bootstrap(points, reference, k, params, seed))
    return runs


def rank_correlation(points: np.ndarray) -> np.ndarray:
    """Spearman's rank correlation of every pair of columns (ties share their middle rank; a
    constant column correlates 0 with every other)."""
    from scipy.stats import rankdata

    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(np.corrcoef(rankdata(points, axis=0), rowvar=False))


def copula_copy(
    points: np.ndarray,
    rng: np.random.Generator,
    correlation: np.ndarray,
    hurdles: list[tuple[int, int]] = (),
) -> np.ndarray:
    """A Gaussian-copula copy of ``points`` with latent ``correlation`` (``copula_correlation``
    sets it so that the copy has the data's rank correlations): each column's own distribution
    is kept (empirical quantiles, so ties and zero-inflated columns stay as they are), and there
    is no other dependence, so no clusters beyond what the marginals and correlations make.
    Per (flag, amount) pair in ``hurdles``, copy rows whose flag says no use get the
    non-users' amount, and the others draw their amount from the users' amounts only, at the
    copula's rank: both columns keep their distribution."""
    from scipy.stats import norm

    rows = len(points)
    uniform = norm.cdf(rng.multivariate_normal(np.zeros(len(correlation)), correlation, rows))
    positions = np.minimum((uniform * rows).astype(int), rows - 1)
    copy = np.take_along_axis(np.sort(points, axis=0), positions, axis=0)
    for flag, amount in hurdles:
        users = points[:, flag] > points[:, flag].min()
        copy_users = copy[:, flag] > points[:, flag].min()
        amounts = np.sort(points[users, amount])
        ranks = np.minimum(
            (uniform[copy_users, amount] * len(amounts)).astype(int), len(amounts) - 1
        )
        copy[copy_users, amount] = amounts[ranks]
        copy[~copy_users, amount] = np.median(points[~users, amount])
    return copy


def copula_correlation(
    points: np.ndarray,
    rng: np.random.Generator,
    hurdles: list[tuple[int, int]] = (),
    rounds: int = 8,
) -> np.ndarray:
    """The latent correlation under which a copula copy has the data's rank correlations.
    Ties (0/1 flags, zero-inflated amounts) weaken a latent correlation once it is cut into
    steps, so the latent one is raised until a copy's Spearman correlations match the data's:
    each round draws a copy, adds the shortfall and takes the nearest valid correlation matrix
    (negative eigenvalues clipped, unit diagonal)."""
    target = rank_correlation(points)
    latent = target.copy()
    for _ in range(rounds):
        latent += target - rank_correlation(copula_copy(points, rng, latent, hurdles))
        values, vectors = np.linalg.eigh((latent + latent.T) / 2)
        latent = vectors @ np.diag(np.clip(values, 1e-3, None)) @ vectors.T
        scale = np.sqrt(np.diag(latent))
        latent = latent / np.outer(scale, scale)
    return latent


def reference_r2(
    points: np.ndarray, params: Params, ks: list[int], hurdles: list[tuple[int, int]] = ()
) -> dict[str, dict[int, np.ndarray]]:
    """Share of variance K-means explains on copies of the data without clusters, per k in
    ``ks``: ``shuffled`` (each column permuted on its own: no correlation) and ``gaussian``
    (Gaussian-copula copies: each column's distribution and the rank correlations kept, the
    stricter reference). Each copy is fitted with the data's ``n_init`` restarts.
    """
    rng = np.random.default_rng(params.seed)
    correlation = copula_correlation(points, rng, hurdles)
    draws = {
        "shuffled": lambda: np.column_stack([rng.permutation(column) for column in points.T]),
        "gaussian": lambda: copula_copy(points, rng, correlation, hurdles),
    }
    copies = {"shuffled": params.permutations, "gaussian": params.copula_copies}
    results = {name: {k: np.empty(copies[name]) for k in ks} for name in draws}
    for name, draw in draws.items():
        for copy in range(copies[name]):
            reference = draw()
            total = ((reference - reference.mean(axis=0)) ** 2).sum()
            for k in ks:
                fitted = kmeans(k, params, seed=params.seed + copy).fit(reference)
                results[name][k][copy] = 1 - fitted.inertia_ / total
    return results


def split_half(points: np.ndarray, k: int, params: Params) -> np.ndarray:
    """Split-half replication: split the customers in two halves at random, fit K-means on
    each, and compare the segments of half B with the ones half A's model gives them (adjusted
    Rand index), both ways, for ``params.split_halves`` random splits. Unlike the bootstrap,
    the refit never sees the customers it is judged on; both halves come from the same
    snapshot, so this is not a test on a later period."""
    rng = np.random.default_rng(params.seed)
    points = np.asarray(points, dtype=np.float32)  # as in ``bootstrap``
    values = []
    for split in range(params.split_halves):
        order = rng.permutation(len(points))
        halves = order[: len(points) // 2], order[len(points) // 2 :]
        models = [kmeans(k, params, seed=params.seed + split).fit(points[h]) for h in halves]
        for this, other in ((0, 1), (1, 0)):
            own = models[this].labels_
            predicted = models[other].predict(points[halves[this]])
            values.append(adjusted_rand_score(own, predicted))
    return np.array(values)


def score_k(
    points: np.ndarray, pairwise: np.ndarray, k: int, params: Params
) -> tuple[dict, np.ndarray]:
    """The fit scores of K-means with ``k`` segments, and its (size-ordered) labels."""
    model = ordered_kmeans(points, k, params)
    labels = model.labels_
    values = silhouette_samples(pairwise, labels, metric="precomputed")
    low, high = mean_interval(values, params.seed + k)
    total = ((points - points.mean(axis=0)) ** 2).sum()
    return {
        "k": k,
        "r2": float(1 - model.inertia_ / total),
        "silhouette": float(values.mean()),
        "silhouette_low": low,
        "silhouette_high": high,
        "min_share": float(np.bincount(labels, minlength=k).min() / len(points)),
    }, labels


def stability_scores(runs: list[Stability], params: Params, k: int) -> dict:
    """Pooled over seeds: the mean adjusted Rand index and the weakest segment's Jaccard with
    95% intervals that include the seed-to-seed spread (``seed_interval``), and the spread of
    the weakest Jaccard across seeds (lowest, highest)."""
    ari = np.concatenate([run.ari for run in runs])
    weakest = np.concatenate([run.weakest for run in runs])
    per_seed = [float(run.jaccard.mean(axis=0).min()) for run in runs]
    low, high = seed_interval(ari, len(runs), params.seed + k)
    jaccard_low, jaccard_high = seed_interval(weakest, len(runs), params.seed + k, (0.0, 1.0))
    return {
        "stability": float(ari.mean()),
        "stability_low": low,
        "stability_high": high,
        "min_jaccard": float(weakest.mean()),
        "min_jaccard_low": jaccard_low,
        "min_jaccard_high": jaccard_high,
        "min_jaccard_seed_low": min(per_seed),
        "min_jaccard_seed_high": max(per_seed),
    }


def ward_labels(points: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Ward's clustering of all customers, cut at every k (one tree for all k), the other
    method in the comparison: like K-means it minimises within-segment variance, but greedily
    and without restarts."""
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(points, method="ward")
    return {k: fcluster(tree, k, criterion="maxclust") - 1 for k in ks}


def passes(row: pd.Series, params: Params) -> bool:
    """The constraints on a segmentation the business acts on."""
    return bool(
        row["min_share"] >= params.min_share
        and row["min_jaccard_low"] >= params.min_jaccard
        and row["stability_low"] >= params.min_stability
    )


def paired(weakest: dict[int, np.ndarray], a: int, b: int, seed: int, groups: int) -> dict:
    """The weakest segment's Jaccard of k=``a`` minus that of k=``b``, on the same bootstrap
    draws (resample r of seed s is one draw of customers for every k): the mean difference and
    its 95% interval over the paired draws of ``groups`` seeds, seed-to-seed spread included
    (``seed_interval``)."""
    difference = weakest[a] - weakest[b]
    low, high = seed_interval(difference, groups, seed + 100 * a + b)
    return {"difference": float(difference.mean()), "low": low, "high": high}


def choose_k(
    scores: pd.DataFrame, params: Params, weakest: dict[int, np.ndarray], *, groups: int
) -> tuple[int, dict, dict[int, dict]]:
    """Among the k that pass the constraints (inside the business range if any k there does):
    the largest k whose weakest segment is shown to be within ``jaccard_margin`` of the most
    stable k's (non-inferiority), i.e. the lower bound of the paired 95% interval of the
    difference is above -``jaccard_margin``.
    A marketing team gets more personas only where the draws show they cost (almost) no
    stability; a wide interval (few draws) keeps the smaller k.

    ``weakest`` holds, per k, the weakest segment's Jaccard on every shared draw (pooled over
    ``groups`` seeds, seed by seed, in the same order for every k; the paired intervals include
    the seed-to-seed spread). Returns k; the facts of the choice (``report.reason`` words
    them): the most stable k, the passing k in and out of the business range, the k within the
    margin and the passing k the draws cannot tell from the chosen one; and for every measured
    k its paired difference with the most stable one."""
    measured = scores.dropna(subset=["min_jaccard"])
    ok = measured[measured.apply(passes, axis=1, params=params)]
    business = ok[ok.index.isin(params.segment_values)]
    pool = business if not business.empty else ok
    reference = pool if not pool.empty else measured
    best = int(reference["min_jaccard"].idxmax())
    versus = {int(k): paired(weakest, int(k), best, params.seed, groups) for k in measured.index}
    facts = {
        "best": best,
        "passing": [int(k) for k in ok.index],
        "in_range": [int(k) for k in business.index],
        "tied": [],
        "undecided": [],
    }
    if pool.empty:
        return best, facts, versus
    facts["tied"] = [int(k) for k in pool.index if versus[int(k)]["low"] >= -params.jaccard_margin]
    k = max(facts["tied"])
    # Chosen on the point estimate alone: the passing k the draws cannot tell apart from it.
    facts["undecided"] = [
        int(i)
        for i in pool.index
        if int(i) != best and k == best and versus[int(i)]["low"] <= 0 <= versus[int(i)]["high"]
    ]
    return k, facts, versus


def by_seed(scores: pd.DataFrame, params: Params, weakest: dict[int, np.ndarray]) -> list[int]:
    """The k each stability seed chooses on its own draws alone (same constraints, same rule):
    a check that the pooled choice does not rest on one seed's K-means optima."""
    count = params.stability_resamples
    choices = []
    for index in range(params.stability_seeds):
        own = {k: values[index * count : (index + 1) * count] for k, values in weakest.items()}
        means = pd.Series({k: float(values.mean()) for k, values in own.items()})
        alone = scores.assign(min_jaccard=means.reindex(scores.index))
        choices.append(choose_k(alone, params, own, groups=1)[0])
    return choices


def search(
    points: np.ndarray, params: Params, progress: Callable[[str], object] = print
) -> tuple[pd.DataFrame, dict[int, np.ndarray], dict[int, Stability], dict[int, np.ndarray]]:
    """Every score of every k on all customers, and stability where the choice needs it.

    Returns the scores, the labels per k, the model seed's stability per measured k, and per
    measured k the weakest segment's Jaccard on every shared draw (pooled over seeds)."""
    if params.k_max >= len(points):
        raise ProjectError(f"k_max={params.k_max} needs more than {len(points)} customers")
    rows, labels = {}, {}
    points = np.asarray(points, dtype=np.float32)  # as in ``bootstrap``: faster, same segments
    progress(f"K-means, Ward and exact silhouettes for k={params.k_min}..{params.k_max}")
    ward = ward_labels(points, params.k_values)
    # Exact silhouettes on all customers from one distance matrix (8,950 customers: 320 MB in
    # float32): scikit-learn's silhouette_score recomputes the distances on every call, about
    # 1.5 s CPU each; precomputed, 0.3 s each.
    pairwise = pairwise_distances(points)
    for k in params.k_values:
        rows[k], labels[k] = score_k(points, pairwise, k, params)
        rows[k]["ward_agreement"] = float(adjusted_rand_score(labels[k], ward[k]))
    del pairwise
    stabilities: dict[int, Stability] = {}
    weakest: dict[int, np.ndarray] = {}

    def measure(ks: list[int]) -> None:
        for k in ks:
            progress(
                f"k={k}: {params.stability_seeds} seeds x {params.stability_resamples} bootstrap "
                f"refits of {len(points):,} customers (the same draws for every k)"
            )
            runs = pooled(points, labels[k], k, params)
            stabilities[k] = runs[0]
            weakest[k] = np.concatenate([run.weakest for run in runs])
            rows[k].update(stability_scores(runs, params, k))

    # One k beyond the business range (when searched), so a choice at its edge is compared.
    measure([k for k in params.k_values if params.segments_min <= k <= params.segments_max + 1])
    scores = pd.DataFrame(list(rows.values())).set_index("k")
    measured = scores.dropna(subset=["min_jaccard"])
    if not measured.apply(passes, axis=1, params=params).any():
        measure([k for k in params.k_values if k not in stabilities])
    return pd.DataFrame(list(rows.values())).set_index("k"), labels, stabilities, weakest


def fit(
    table: pd.DataFrame,
    params: Params,
    progress: Callable[[str], object] = print,
    *,
    space: Pipeline | None = None,
    final: Callable[[np.ndarray, int], KMeans] | None = None,
) -> Segmenter:
    """Build the clustering space (unless a fitted ``space`` is given), search k, choose k and
    keep the chosen segmentation: ``final(points, k)``, by default ``ordered_kmeans``."""
    with threadpool_limits(limits=params.threads):
        if space is None:
            space = features.build_space(params).fit(table[data.FEATURES])
        points = space.transform(table[data.FEATURES])
        scores, _, _, weakest = search(points, params, progress)
        k, choice, versus = choose_k(scores, params, weakest, groups=params.stability_seeds)
        seeds_alone = by_seed(scores, params, weakest)
        preferred = int(scores["silhouette"].idxmax())
        progress(
            f"structure test on {len(points):,} customers, k={k}: {params.permutations} "
            f"column-permuted and {params.copula_copies} Gaussian-copula copies, "
            f"{params.n_init} restarts each"
        )
        columns = space[-1].columns_
        hurdles = [
            (columns.index(flag), columns.index("log_" + flag.removeprefix("any_")))
            for flag in columns
            if flag.startswith("any_")
        ]
        for name, per_k in reference_r2(points, params, [k], hurdles).items():
            for other, values in per_k.items():
                scores.loc[other, f"r2_{name}_mean"] = float(values.mean())
                scores.loc[other, f"r2_{name}_max"] = float(values.max())
                # Copies at least as good as the data: the p-value's numerator.
                scores.loc[other, f"r2_{name}_above"] = int(
                    (values >= scores.loc[other, "r2"]).sum()
                )
        chosen = final(points, k) if final else ordered_kmeans(points, k, params)
        progress(
            f"k={k}: {params.stability_seeds} seeds x {params.full_resamples} bootstrap refits "
            "(fresh seeds, not the draws that chose k) against the final "
            "segmentation"
        )
        whole = [
            bootstrap(points, chosen.labels_, k, params, seed, params.full_resamples)
            for seed in verdict_seeds(params)
        ]
        progress(f"k={k}: split-half replication, {params.split_halves} random splits")
        replication = split_half(points, k, params)
        pca = PCA(n_components=2, random_state=params.seed).fit(points)
        progress(f"k={k}: the same fit on two other encodings")
        encoding = encoding_agreement(table, chosen.labels_, k, params)
    for other, comparison in versus.items():
        scores.loc[other, ["versus_best", "versus_best_low", "versus_best_high"]] = [
            comparison["difference"],
            comparison["low"],
            comparison["high"],
        ]
    jaccard = np.concatenate([run.jaccard for run in whole])
    shares = np.concatenate([run.shares for run in whole])
    clusters = pd.DataFrame(
        {
            "jaccard": jaccard.mean(axis=0),
            "share_min": shares.min(axis=0),
            "share_max": shares.max(axis=0),
        }
    )
    checks = {
        "by_seed": dict(zip(map(str, seeds(params)), seeds_alone, strict=True)),
        "split_half": [float(value) for value in replication],
        "full": stability_scores(whole, params, k)
        | {"seeds": verdict_seeds(params), "resamples": params.full_resamples},
        "encoding": encoding,
    }
    model = Pipeline([("space", space), ("kmeans", chosen)])
    return Segmenter(model, pca, scores, k, choice, preferred, clusters, checks)


def encoding_agreement(
    table: pd.DataFrame, labels: np.ndarray, k: int, params: Params
) -> dict[str, float]:
    """Adjusted Rand index of ``labels`` with the segments K-means finds (same k and seed) when
    the 'any_' flags are scaled by their own spread instead of 0.5, and when the feature
    weights are dropped: how much the segments depend on these encoding choices. Empty for an
    encoding with neither."""
    scaler = features.build_space(params).fit(table[data.FEATURES])[-1]
    variants = {}
    if any(column.startswith("any_") for column in scaler.columns_):
        variants["flags_own_spread"] = {"scale__own_flag_spread": True}
    if scaler.weights:
        variants["no_weights"] = {"scale__weights": None}
    result = {}
    for name, change in variants.items():
        points = (
            features.build_space(params).set_params(**change).fit_transform(table[data.FEATURES])
        )
        result[name] = float(adjusted_rand_score(labels, ordered_kmeans(points, k, params).labels_))
    return result


def save(segmenter: Segmenter, model_path: Path, search_path: Path) -> None:
    """The model and map with skops (no pickle); the scores and choice as JSON."""
    import skops.io as sio

    model_path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": segmenter.model, "pca": segmenter.pca}, model_path)
    search = {
        "k": segmenter.k,
        "choice": segmenter.choice,
        "preferred_k": segmenter.preferred_k,
        "scores": json.loads(segmenter.scores.reset_index().to_json(orient="records")),
        "clusters": segmenter.clusters.to_dict(orient="list"),
        "checks": segmenter.checks,
    }
    search_path.write_text(json.dumps(search, indent=2) + "\n", encoding="utf-8")


def load(model_path: Path, search_path: Path) -> Segmenter:
    """Load a saved segmenter, trusting only the types the project itself saves."""
    import skops.io as sio

    if not model_path.exists() or not search_path.exists():
        raise ProjectError(
            f"No trained model at {model_path}: run the train stage (or `all`) first."
        )
    bundle = sio.load(model_path, trusted=features.trusted_types())
    search = json.loads(search_path.read_text(encoding="utf-8"))
    scores = pd.DataFrame(search["scores"]).set_index("k")
    return Segmenter(
        bundle["model"],
        bundle["pca"],
        scores,
        search["k"],
        search["choice"],
        search["preferred_k"],
        pd.DataFrame(search["clusters"]),
        search["checks"],
    )


def run(paths: Paths, params: Params, progress: Callable[[str], object] = print) -> Segmenter:
    """The train stage: read the clean table, fit, save."""
    table = read_table(paths.customers)
    segmenter = fit(table, params, lambda line: progress(f"  {line}"))
    save(segmenter, paths.model, paths.search)
    return segmenter


def read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ProjectError(f"No clean table at {path}: run the data stage first.")
    return pd.read_csv(path, index_col="customer")
