"""Health checks: fallbacks, latency percentiles, score drift and offer volume, each against its limit."""

import json
import re

import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.data.datasets import churn_customers
from mlworkflow.stages.deployment import health as health_module
from mlworkflow.stages.deployment.health import check_health, load_health
from mlworkflow.stages.deployment.service import ChurnService, LatencyResult
from mlworkflow.stages.training.models import churn_scores, fit_churn_model


@pytest.fixture(scope="module")
def case():
    train = churn_customers(n=1200, seed=4)
    model = fit_churn_model(train)
    live = churn_customers(n=600, seed=9)
    return ChurnService(model, reference=train, threshold=0.38), live, churn_scores(model, train)


def _fast(ms=5.0):
    return LatencyResult(tuple([ms] * 100), 10.0, 1000)


def test_healthy_live_traffic_passes_every_check(case):
    service, live, reference = case
    report = check_health(service, live, reference, latency=_fast())
    assert report.ok and len(report.checks) == 4
    assert report.text().endswith(load_health().all_pass)
    assert "p95 5.0 ms, p99 5.0 ms" in report.text() and "a week" in report.text()
    assert "mlw-health" in report._repr_html_() and repr(report) == report.text()


def test_without_a_latency_measurement_the_check_is_left_out(case):
    service, live, reference = case
    assert len(check_health(service, live, reference).checks) == 3


def test_each_failure_is_caught(case):
    service, live, reference = case
    broken = live.copy()
    broken.loc[broken.index[:30], "hours_watched"] = None  # 5% of records fall back
    failed = check_health(service, broken, reference)
    assert not failed.ok and failed.checks[0].measured == "5.0%" and not failed.checks[0].ok
    assert failed.text().endswith(load_health().failed)
    slow = check_health(service, live, reference, latency=LatencyResult(tuple([50.0] * 90 + [400.0] * 10), 1, 1))
    assert not slow.ok  # the median is fine; the slow tail is not
    shifted = check_health(service, live, [0.99] * 100)  # evaluation scores nothing like today's
    assert not shifted.ok and not shifted.checks[1].ok
    flood = check_health(ChurnService(service._model, reference=live, threshold=0.0), live, reference)
    assert not flood.checks[-1].ok  # an offer to everyone: far beyond the team's capacity
    with pytest.raises(ValueError):
        check_health(service, live.iloc[:0], reference)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["health"].update(max_fallback_share=5), "health.max_fallback_share"),
    (lambda d: d["health"].update(max_score_psi=0), "health.max_score_psi"),
    (lambda d: d["health"]["checks"].pop("latency"), "health.checks.latency"),
])
def test_malformed_health_content_names_the_field(monkeypatch, tmp_path, mutate, field):
    data, _ = read_content("deployment.json")
    mutate(data)
    copy = tmp_path / "deployment.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(health_module, "read_content", lambda name: read_content(name, path=copy))
    load_health.cache_clear()
    try:
        with pytest.raises(ContentError, match=re.escape(f"{copy}: {field}")):
            load_health()
    finally:
        load_health.cache_clear()
