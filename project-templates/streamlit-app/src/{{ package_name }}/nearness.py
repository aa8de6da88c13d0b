"""How close mushrooms are to each other: Hamming distances and clusters of near-identical rows.

The UCI rows are not field observations: each of the guide's species was expanded into every
combination of the attribute values the guide lists for it. Rows of one species therefore differ
from each other in one attribute at a time, and a random split puts near-copies of every test
row into the training part. These functions measure that, and group the rows so a split can
hold out whole groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .data import CODES

CHUNK = 1024
"""Query rows compared at once in ``nearest_distance`` (a CHUNK x reference-rows matrix)."""


def as_codes(x: pd.DataFrame) -> np.ndarray:
    """The attribute codes as small integers (one column per attribute, same codes every time)."""
    return np.column_stack(
        [x[column].map({code: i for i, code in enumerate(CODES[column])}) for column in x.columns]
    ).astype(np.int8)


def _one_hot(codes: np.ndarray) -> np.ndarray:
    sizes = codes.max(axis=0).astype(int) + 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    matrix = np.zeros((len(codes), int(sizes.sum())), dtype=np.float32)
    matrix[np.arange(len(codes))[:, None], codes + offsets] = 1
    return matrix


def _matches(reference: np.ndarray, queries: np.ndarray):
    """Chunks of (first query row, matching attributes of each query row with every reference
    row): the dot product of one-hot rows, one matrix product per chunk."""
    both = _one_hot(np.vstack([reference, queries]))
    known, asked = both[: len(reference)], both[len(reference) :]
    for start in range(0, len(queries), CHUNK):
        yield start, asked[start : start + CHUNK] @ known.T


def nearest_distance(
    reference: np.ndarray, queries: np.ndarray, *, itself: bool = False
) -> np.ndarray:
    """For every query row, the number of attributes in which it differs from the closest
    reference row (0 = an identical row exists). With ``itself`` the queries are the reference
    rows and each row's own copy does not count (its nearest other row)."""
    distances = np.empty(len(queries), dtype=int)
    for start, matches in _matches(reference, queries):
        if itself:
            rows = np.arange(len(matches))
            matches[rows, start + rows] = -1
        distances[start : start + CHUNK] = queries.shape[1] - matches.max(axis=1).round()
    return distances


def nearest_share(reference: np.ndarray, labels: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The 1-nearest-neighbour lookup: for every query row, the share of ``labels`` (1 =
    poisonous) among the reference rows nearest to it (all of them when several tie)."""
    shares = np.empty(len(queries))
    for start, matches in _matches(reference, queries):
        nearest = (matches >= matches.max(axis=1, keepdims=True) - 0.5).astype(float)
        shares[start : start + CHUNK] = nearest @ labels / nearest.sum(axis=1)
    return shares


def distance_counts(distances: np.ndarray) -> dict[str, int]:
    """How many rows are at each distance, as JSON-friendly keys ("0", "1", ...)."""
    values, counts = np.unique(distances, return_counts=True)
    return {str(int(value)): int(count) for value, count in zip(values, counts, strict=True)}


def clusters(codes: np.ndarray) -> np.ndarray:
    """Connected components of the graph that links rows differing in at most one attribute.

    Two rows differ in at most one attribute exactly when they agree after masking some one
    attribute, so one group-by per attribute finds every link (no n x n distance matrix).
    Returns a cluster number per row, numbered in a canonical order (by each cluster's first
    row in the sorted order of the codes), so the numbers, and the folds that deal clusters
    out by number, do not depend on the order of the rows.
    """
    n = len(codes)
    rows = np.arange(n)
    links = []
    for column in range(codes.shape[1]):
        masked = pd.DataFrame(np.delete(codes, column, axis=1))
        key = masked.groupby(list(masked.columns), sort=False).ngroup().to_numpy()
        first = pd.Series(rows).groupby(key).transform("min").to_numpy()
        links.append(first)
    targets = np.concatenate(links)
    graph = coo_matrix((np.ones(len(targets)), (np.tile(rows, codes.shape[1]), targets)), (n, n))
    labels = connected_components(graph, directed=False)[1]
    rank = np.empty(n, dtype=int)
    rank[np.lexsort(codes.T[::-1])] = rows
    first = pd.Series(rank).groupby(labels).min().to_numpy()  # each cluster's first row
    canonical = np.empty(len(first), dtype=int)
    canonical[np.argsort(first)] = np.arange(len(first))
    return canonical[labels]


def describe_clusters(labels: np.ndarray, y: pd.Series) -> dict[str, int]:
    """Count, sizes and purity of the clusters (a cluster is pure when one class fills it)."""
    table = pd.DataFrame({"cluster": labels, "poisonous": y.to_numpy()})
    share = table.groupby("cluster")["poisonous"].mean()
    sizes = table.groupby("cluster").size()
    return {
        "count": int(len(sizes)),
        "smallest": int(sizes.min()),
        "largest": int(sizes.max()),
        "mixed": int(((share > 0) & (share < 1)).sum()),
        "poisonous": int((share == 1).sum()),
        "mostly_edible": int((share < 0.5).sum()),
    }
