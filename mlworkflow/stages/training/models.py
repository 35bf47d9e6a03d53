"""The churn models the stage notebooks share: features, a trained model, scores.

scikit-learn and pandas are imported inside the functions, so importing this module is cheap.

    >>> from mlworkflow.stages.data.datasets import churn_customers
    >>> model = fit_churn_model(churn_customers(), kind="logistic")
    >>> churn_scores(model, churn_customers().head())     # probability of churn per customer
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from sklearn.pipeline import Pipeline

__all__ = ["CATEGORICAL", "KINDS", "NUMERIC", "churn_scores", "fit_churn_model", "split"]

NUMERIC = ("tenure_months", "monthly_price", "hours_watched", "support_tickets", "payment_failures")
CATEGORICAL = ("plan", "segment", "region", "signup_channel")
KINDS = {
    "logistic": "Logistic regression (a weighted checklist)",
    "forest": "Random forest (many decision trees voting)",
    "tree": "Decision tree (a flowchart of yes/no questions)",
}


def split(df: pd.DataFrame, *, test_size: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and validation rows, stratified by the churn label, reproducible for a seed."""
    from sklearn.model_selection import train_test_split

    train, valid = train_test_split(df, test_size=test_size, random_state=seed, stratify=df["churned"])
    return train.reset_index(drop=True), valid.reset_index(drop=True)


def fit_churn_model(df: pd.DataFrame, *, kind: str = "logistic", seed: int = 0, **params: Any) -> Pipeline:
    """A fitted scikit-learn pipeline predicting ``churned`` from the documented columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose from {', '.join(KINDS)}")
    prep = ColumnTransformer([
        ("num", StandardScaler(), list(NUMERIC)),
        ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
    ])
    estimator = {
        "logistic": lambda: LogisticRegression(max_iter=1000, **params),
        "forest": lambda: RandomForestClassifier(n_estimators=params.pop("n_estimators", 200), random_state=seed,
                                                 n_jobs=1, **params),
        "tree": lambda: DecisionTreeClassifier(random_state=seed, **params),
    }[kind]()
    model = make_pipeline(prep, estimator)
    model.fit(df[list(NUMERIC + CATEGORICAL)], df["churned"])
    return model


def churn_scores(model: Any, df: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Each customer's predicted probability of churning (0 to 1)."""
    return model.predict_proba(df[list(NUMERIC + CATEGORICAL)])[:, 1]
