import pytest

from mlworkflow.stages.data.datasets import churn_customers
from mlworkflow.stages.training.models import churn_scores, fit_churn_model, split


@pytest.fixture(scope="module")
def data():
    return split(churn_customers(n=2000, seed=1), seed=0)


def test_split_is_stratified_and_reproducible(data):
    train, valid = data
    assert len(train) == 1500 and len(valid) == 500
    assert abs(train["churned"].mean() - valid["churned"].mean()) < 0.01
    assert split(churn_customers(n=2000, seed=1), seed=0)[1]["customer_id"].tolist() == valid["customer_id"].tolist()


@pytest.mark.parametrize("kind", ["logistic", "forest", "tree"])
def test_models_learn_something_real(data, kind):
    from sklearn.metrics import roc_auc_score

    train, valid = data
    model = fit_churn_model(train, kind=kind, **({"max_depth": 4} if kind == "tree" else {}))
    scores = churn_scores(model, valid)
    assert scores.shape == (500,) and scores.min() >= 0 and scores.max() <= 1
    assert roc_auc_score(valid["churned"], scores) > 0.6


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown model kind"):
        fit_churn_model(churn_customers(n=100), kind="magic")
