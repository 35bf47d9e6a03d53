"""The model card: the content's sentences with the evaluation's numbers, shown as HTML and text."""

import json
import re

import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.deployment import governance
from mlworkflow.stages.deployment.governance import load_model_card, model_card
from mlworkflow.stages.evaluation.economics import case_economics
from mlworkflow.stages.evaluation.metrics import evaluate


def test_card_carries_the_numbers_and_the_governance_rows():
    result = evaluate([1, 1, 0, 0], [0.9, 0.2, 0.6, 0.1], threshold=0.5)
    card = model_card(threshold=0.5, trained_on=2250, result=result)
    text = repr(card)
    assert text.startswith(load_model_card().title)
    assert "0.50 or more" in text and "2,250 past customers" in text and "checked on 4 others" in text
    assert "precision 50.0%" in text and "recall 50.0%" in text
    assert f"from {case_economics().break_even_precision:.1%}" in text
    headings = [h for h, _ in card.rows]
    assert {"Intended use", "Automated decisions", "Owner and approvals"} <= set(headings)
    assert "{" not in text
    assert card._repr_html_().count("<tr>") == len(card.rows)


def test_card_html_is_escaped(monkeypatch):
    evil = "<script>x</script>"
    monkeypatch.setattr(governance, "load_model_card",
                        lambda: governance.ModelCard(evil, ((evil, evil + " {recall}"),)))
    card = model_card(threshold=0.5, trained_on=1, result=evaluate([1, 0], [0.9, 0.1], threshold=0.5))
    assert "<script>" not in card._repr_html_() and "&lt;script&gt;" in card._repr_html_()


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["model_card"]["rows"][0].update(text="Uses {typo}"), "model_card.rows[0].text"),
    (lambda d: d["model_card"].update(rows=d["model_card"]["rows"][:2]), "model_card.rows"),
    (lambda d: d["model_card"].pop("title"), "model_card.title"),
])
def test_malformed_card_content_names_the_field(monkeypatch, tmp_path, mutate, field):
    data, _ = read_content("deployment.json")
    mutate(data)
    copy = tmp_path / "deployment.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(governance, "read_content", lambda name: read_content(name, path=copy))
    load_model_card.cache_clear()
    try:
        with pytest.raises(ContentError, match=re.escape(f"{copy}: {field}")):
            load_model_card()
    finally:
        load_model_card.cache_clear()
