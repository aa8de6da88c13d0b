"""Which columns the models see, and why the others are left out.

Decisions made here use no target values, so taking them on the whole table does not leak;
imputation, which learns from values, happens inside the model pipeline (see train.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import config


@dataclass(frozen=True)
class FeaturePlan:
    features: list[str]
    dropped: dict[str, str]
    """Column -> the reason it is not a feature."""


def plan_features(table: pd.DataFrame, params: config.Params) -> FeaturePlan:
    """Choose the feature columns: no target, no leaking test results, no empty or constant one."""
    dropped: dict[str, str] = {}
    for test in config.DIAGNOSTIC_TESTS:
        if test == params.target:
            dropped[test] = "the target"
        elif not params.include_other_tests:
            dropped[test] = "another diagnostic test result from the same visit (would leak)"
    for column in table.columns:
        if column in dropped:
            continue
        missing = table[column].isna().mean()
        if missing > params.max_missing_fraction:
            dropped[column] = f"missing in {missing:.0%} of rows (too many to impute)"
        elif table[column].nunique(dropna=True) <= 1:
            dropped[column] = "the same value in every row (carries no information)"
    features = [column for column in table.columns if column not in dropped]
    return FeaturePlan(features=features, dropped=dropped)


def split(table: pd.DataFrame, plan: FeaturePlan, target: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target as the models take them."""
    return table[plan.features], table[target].astype(int)


def missing_summary(table: pd.DataFrame, plan: FeaturePlan) -> dict[str, float]:
    """Share of missing values of each feature that is imputed (only those with any)."""
    shares = table[plan.features].isna().mean()
    return {column: round(float(share), 4) for column, share in shares.items() if share > 0}
