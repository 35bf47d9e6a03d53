"""The case's economics: one content file, the value of a save computed from it, and every default following it."""

import doctest
import json

import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.evaluation import economics
from mlworkflow.stages.evaluation.economics import at_scale, case_economics, value_of_save
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, evaluate


def test_doctests():
    assert doctest.testmod(economics).failed == 0


def test_value_of_save_by_hand():
    assert value_of_save(10, 0.5, 3) == 17.5  # 10 + 5 + 2.50
    assert value_of_save(14.17, 0.0, 12) == 170.04  # the most a year can bring
    assert value_of_save(20, 1.0, 12) == 20  # pays this month, gone the next
    assert value_of_save(20, 0.1, 0) == 0
    with pytest.raises(ValueError):
        value_of_save(10, 1.5)


def test_price_and_churn_are_the_course_data():
    from mlworkflow.stages.data.datasets import churn_customers

    customers, e = churn_customers(), case_economics()
    assert round(customers["monthly_price"].mean(), 2) == e.monthly_price
    assert round(customers["churned"].mean(), 3) == e.monthly_churn


def test_derived_numbers():
    e = case_economics()
    # $14.17 x (1 + 0.855 + ... + 0.855^11): about $83, under half of twelve full months ($170)
    assert e.value_saved == 82.81
    assert e.offer_cost == e.monthly_price  # the offer is one month free
    assert round(e.miss_to_false_alarm, 1) == 2.3
    assert round(e.break_even_precision, 3) == 0.428
    assert "$82.81" in e.summary() and "42.8%" in e.summary() and "2.3 times" in e.summary()


def test_every_default_comes_from_the_content_file():
    e = case_economics()
    assert RetentionEconomics() == RetentionEconomics(e.offer_cost, e.value_saved, e.save_rate)
    assert RetentionEconomics(offer_cost=5).value_saved == e.value_saved
    assert evaluate([1, 0], [0.9, 0.8], 0.5).economics == RetentionEconomics()


def test_widget_defaults_come_from_the_content_file():
    from mlworkflow.stages.evaluation.widgets import ThresholdExplorer

    w, e = ThresholdExplorer([1, 0, 0], [0.9, 0.5, 0.1]), case_economics()
    assert (w.offer_cost, w.value_saved, w.success_rate) == (e.offer_cost, e.value_saved, e.save_rate)


def test_at_scale_counts_offers_per_week_against_capacity():
    # 2 of 4 flagged -> half of 300,000 a month = 150,000, about 34,600 a week: far over 5,000
    s = at_scale(evaluate([1, 0, 0, 0], [0.9, 0.6, 0.1, 0.1], 0.5))
    assert s.offers_per_month == 150_000 and round(s.offers_per_week) == 34_615 and not s.within_capacity
    assert "or 34,600 a week (the team can send 5,000 a week)" in s.text()
    with pytest.raises(ValueError):
        at_scale(evaluate([], [], 0.5))


def test_bad_content_names_file_and_field(tmp_path):
    data, _ = read_content("economics.json")
    for key, value, field in (("save_rate", 1.4, "save_rate"), ("horizon_months", 1.5, "horizon_months"),
                              ("monthly_price", 0, "monthly_price")):
        path = tmp_path / "e.json"
        path.write_text(json.dumps({**data, key: value}), encoding="utf-8")
        with pytest.raises(ContentError) as info:
            case_economics(path)
        assert info.value.field == field
    broken = {**data, "text": {**data["text"], "ratio": "{ratio} and {oops}"}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ContentError, match=r"text\.ratio"):
        case_economics(path)
