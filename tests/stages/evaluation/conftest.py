"""The evaluation tests' hand-checked sums use round economics ($20 offer, $180 save, 40% kept).

The shipped case's numbers (content/economics.json) are tested in test_economics.py; here the
defaults are pinned so that every sum in a comment can be checked by eye.
"""

from types import SimpleNamespace

import pytest

from mlworkflow.stages.evaluation import metrics

HAND = SimpleNamespace(offer_cost=20.0, value_saved=180.0, save_rate=0.4)


@pytest.fixture(autouse=True)
def round_economics(request, monkeypatch):
    if request.module.__name__.endswith("test_economics"):
        return
    monkeypatch.setattr(metrics, "_case", lambda: HAND)
