"""Governance before launch: a one-page model card, filled in from the evaluation's own numbers.

The card says what the model is for and not for, what it was checked on and how it did, its
known limits, how automated its decisions are, and who owns and approves it. Its words are in
``content/deployment.json`` (``model_card``); the numbers come from the caller, so they cannot
drift from what the notebooks print.

    >>> model_card(threshold=0.38, trained_on=len(train), result=evaluate(valid["churned"], scores, 0.38))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, html_escape, percent

if TYPE_CHECKING:  # pragma: no cover
    from mlworkflow.stages.evaluation.economics import CaseEconomics
    from mlworkflow.stages.evaluation.metrics import ThresholdResult

__all__ = ["ModelCard", "load_model_card", "model_card"]

PLACEHOLDERS = ("threshold", "offer", "trained_on", "checked_on", "precision", "break_even", "recall")


@dataclass(frozen=True)
class ModelCard:
    title: str
    rows: tuple[tuple[str, str], ...]  # (heading, text)

    def fill(self, **numbers: str) -> ModelCard:
        return ModelCard(self.title, tuple((h, t.format(**numbers)) for h, t in self.rows))

    def _repr_html_(self) -> str:
        rows = "".join(f'<tr><th style="text-align:left;vertical-align:top">{html_escape(h)}</th>'
                       f'<td style="text-align:left">{html_escape(t)}</td></tr>' for h, t in self.rows)
        return f'<div class="mlw-model-card"><h4>{html_escape(self.title)}</h4><table>{rows}</table></div>'

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"{h}: {t}" for h, t in self.rows)])


@lru_cache(maxsize=1)
def load_model_card() -> ModelCard:
    """The model card's headings and sentences, with ``{placeholders}``, from ``content/deployment.json``."""
    data, label = read_content("deployment.json")
    card = Fields(data, label).object("model_card")
    rows = tuple((r.text("heading"), r.template("text", PLACEHOLDERS, exact=False))
                 for r in card.objects("rows", min_items=4))
    return ModelCard(card.text("title"), rows)


def model_card(*, threshold: float, trained_on: int, result: ThresholdResult,
               economics: CaseEconomics | None = None) -> ModelCard:
    """The churn model's card: the content's sentences with this model's numbers in them."""
    from mlworkflow.stages.evaluation.economics import case_economics

    econ = economics or case_economics()
    return load_model_card().fill(
        threshold=f"{threshold:.2f}", offer=econ.offer, trained_on=count(trained_on), checked_on=count(result.total),
        precision=percent(result.precision), break_even=percent(econ.break_even_precision),
        recall=percent(result.recall))
