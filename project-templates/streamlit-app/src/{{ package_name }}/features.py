"""From the validated table to model inputs: which columns, the target, the split."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .data import ATTRIBUTES, POSITIVE, TARGET

DROPPED = ("veil_type",)
"""veil_type is ``p`` (partial) in all 8,124 rows: a constant carries no information."""
FEATURES = [column for column in ATTRIBUTES if column not in DROPPED]
"""The 21 attributes the models see. stalk_root keeps ``?`` as a category of its own:
imputing it would invent data."""


def split_xy(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Features (codes, as strings) and the target (1 = poisonous, 0 = edible)."""
    return frame[FEATURES], frame[TARGET].eq(POSITIVE).astype(int).rename("poisonous")


def split(
    frame: pd.DataFrame, *, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """One stratified train/test split; the same seed gives the same split everywhere."""
    features, target = split_xy(frame)
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=test_size, stratify=target, random_state=seed
    )
    return x_train, x_test, y_train, y_test


def one_rule_predict(
    train: pd.Series, y_train: pd.Series, test: pd.Series, *, threshold: float
) -> tuple[pd.Series, float]:
    """Holte's 1R on one attribute, with ``threshold`` applied as a model's is: every value
    predicts poisonous when its share of poisonous training mushrooms reaches ``threshold``
    (at 0.5: its majority class), and a value no training row has gets the same rule applied
    to the whole training data's share (at 0.5 the majority class, as a model's all-zero
    one-hot row is no information; at the cost threshold the cheaper answer). Returns the
    predictions for ``test`` and the rule's accuracy on the training data."""
    calls = y_train.groupby(train).mean().ge(threshold).astype(int)
    fallback = int(y_train.mean() >= threshold)
    fitted = train.map(calls).astype(int)
    predicted = test.map(calls).fillna(fallback).astype(int)
    return predicted, float((fitted.to_numpy() == y_train.to_numpy()).mean())


def one_rule_accuracy(
    x_train: pd.DataFrame,
    y_train: pd.Series,
    x_test: pd.DataFrame,
    y_test: pd.Series,
    *,
    threshold: float,
) -> pd.Series:
    """Test accuracy of the rule that looks at one attribute alone, for every attribute,
    ordered by the rule's accuracy on the training data: the first is the attribute the
    training data choose (no held-out row chooses it).

    For each attribute, every value predicts the majority class it has in the training data
    (Holte's 1R). It shows how separable the data is without any model.
    """
    scores, fitted = {}, {}
    for column in x_train.columns:
        predicted, fitted[column] = one_rule_predict(
            x_train[column], y_train, x_test[column], threshold=threshold
        )
        scores[column] = float((predicted.to_numpy() == y_test.to_numpy()).mean())
    order = sorted(scores, key=lambda column: -fitted[column])  # stable: ties keep column order
    return pd.Series({column: scores[column] for column in order}, name="accuracy")


def names_rules(x: pd.DataFrame) -> np.ndarray:
    """The four logical rules for "poisonous" in the data set's documentation
    (``agaricus-lepiota.names``, Duch et al. 1996), as 0/1 calls: odour other than almond,
    anise or none; or spore print green; or odourless with a scaly stalk below the ring whose
    colour above the ring is not brown; or leaves habitat with a white cap. They were found on
    all 8,124 rows, so they say what the data allow, not how a rule generalises."""
    rules = (
        ~x["odor"].isin(["a", "l", "n"])
        | x["spore_print_color"].eq("r")
        | (
            x["odor"].eq("n")
            & x["stalk_surface_below_ring"].eq("y")
            & x["stalk_color_above_ring"].ne("n")
        )
        | (x["habitat"].eq("l") & x["cap_color"].eq("w"))
    )
    return rules.to_numpy(dtype=int)


def pure_codes(x_train: pd.DataFrame, y_train: pd.Series, groups: np.ndarray) -> dict:
    """Every attribute code that all training mushrooms having it share one class with (odour
    foul: poisonous in every training row that smells foul), with that class, its rows and its
    clusters of near-identical rows. A code never seen on an edible training mushroom overrules
    an "edible" call however few clusters have it (``answers``): the data hold no edible
    mushroom like that, so nothing backs the call. Edible-only codes are listed to be named when
    an answer goes against them; they never overrule."""
    table = pd.DataFrame({"poisonous": y_train.to_numpy(), "cluster": np.asarray(groups)})
    codes = []
    for column in x_train.columns:
        stats = table.groupby(x_train[column].to_numpy()).agg(
            share=("poisonous", "mean"), rows=("poisonous", "size"), clusters=("cluster", "nunique")
        )
        for code, (share, rows, clusters) in stats.iterrows():
            if share in (0.0, 1.0):
                codes.append(
                    {
                        "attribute": column,
                        "code": code,
                        "poisonous": bool(share),
                        "rows": int(rows),
                        "clusters": int(clusters),
                    }
                )
    return {"codes": codes}


def answers(
    frame: pd.DataFrame, called: np.ndarray, far: np.ndarray, pure: dict, near: np.ndarray
) -> tuple[np.ndarray, list[list[dict]], list[list[dict]]]:
    """The app's answer for every row of ``frame``, given the model's call (``called``: at or
    above its threshold), whether the row is ``far`` from every training mushroom, and the
    share of poisonous mushrooms among its nearest training mushrooms (``near``).

    A "poisonous" call always stands: withholding it would err towards the dear mistake. An
    "edible" call becomes "treat as poisonous" when the row is far from every training
    mushroom, or has a code no edible training mushroom had, or when any of its nearest
    training mushrooms is poisonous: the model cannot be trusted there, or the data hold
    nothing like it that was edible. Near the training rows the lookup of the nearest ones is
    as right as any model (every cluster is of one class), so this costs no right "edible".
    Also returns, per row, the poisonous-only and the edible-only codes it has (both sides, to
    name them)."""
    poisonous: list[list[dict]] = [[] for _ in range(len(frame))]
    edible: list[list[dict]] = [[] for _ in range(len(frame))]
    for code in pure["codes"]:
        side = poisonous if code["poisonous"] else edible
        for row in np.flatnonzero(frame[code["attribute"]].to_numpy() == code["code"]):
            side[row].append(code)
    against = np.array([bool(codes) for codes in poisonous], dtype=bool) | (np.asarray(near) > 0)
    answer = np.where(called, "poisonous", np.where(far | against, "treat as poisonous", "edible"))
    return answer, poisonous, edible
