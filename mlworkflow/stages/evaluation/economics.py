"""The churn case's money in one place: ``content/economics.json`` and what follows from it.

Price, churn, the offer, the save rate, the subscriber base and the team's weekly capacity are
course content; the value of a save, the cost of an offer and the break-even precision are
computed from them, so the notebooks, the quiz and the library defaults cannot disagree.

    >>> econ = case_economics()
    >>> econ.value_saved == value_of_save(econ.monthly_price, econ.monthly_churn, econ.horizon_months)
    True
    >>> print(econ.summary())                      # doctest: +ELLIPSIS
    Average price: $14.17 a month; 14.5% of subscribers cancel each month.
    ...

Nothing is read on import: the file is read on the first call, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, money, percent

if TYPE_CHECKING:  # pragma: no cover
    from mlworkflow.stages.evaluation.metrics import ThresholdResult

__all__ = ["WEEKS_PER_MONTH", "CaseEconomics", "Scale", "at_scale", "case_economics", "value_of_save"]

FILE = "economics.json"
WEEKS_PER_MONTH = 52 / 12
_TEXTS = {
    "price": ("price", "churn"),
    "value": ("value", "months", "price"),
    "offer": ("offer", "cost", "save_rate"),
    "ratio": ("reached", "save_rate", "value", "ratio"),
    "break_even": ("precision",),
    "scale": ("subscribers", "per_month", "per_week", "capacity"),
    "scale_money": ("net", "months"),
}


def value_of_save(monthly_price: float, monthly_churn: float, months: int = 12) -> float:
    """Expected revenue over ``months`` from a customer kept today: they pay each month they are still there.

    Month 0 is paid for sure; each later month only if they did not cancel in any month before,
    so the sum is ``price x (1 + s + s^2 + ... + s^(months-1))`` with ``s = 1 - monthly_churn``.
    It assumes a saved customer then cancels at the average rate (a riskier one is worth less).

    >>> value_of_save(10, 0.5, 3)              # 10 + 5 + 2.50
    17.5
    >>> value_of_save(14.17, 0.0, 12)          # nobody cancels: twelve full months
    170.04
    """
    if monthly_price < 0 or not 0 <= monthly_churn <= 1 or months < 0:
        raise ValueError("need a price of zero or more, a churn rate between 0 and 1 and months of zero or more")
    stay = 1 - monthly_churn
    return round(monthly_price * sum(stay**k for k in range(months)), 2)


@dataclass(frozen=True)
class CaseEconomics:
    """The case's numbers as written in ``content/economics.json``, and what follows from them."""

    monthly_price: float
    monthly_churn: float
    horizon_months: int
    offer: str  # what the offer is, in words ("one month free")
    months_free: float  # how many months of the price the offer gives away
    save_rate: float  # share of the would-be churners reached that the offer keeps
    subscribers: int
    weekly_capacity: int  # offers the retention team can send a week
    texts: dict[str, str]

    @property
    def value_saved(self) -> float:
        """What keeping a would-be churner is worth: :func:`value_of_save` over the horizon."""
        return value_of_save(self.monthly_price, self.monthly_churn, self.horizon_months)

    @property
    def offer_cost(self) -> float:
        """What one offer costs: the months it gives away at the average price."""
        return round(self.monthly_price * self.months_free, 2)

    @property
    def value_reached(self) -> float:
        """Expected value of reaching one would-be churner with an offer (save rate x value of a save)."""
        return self.save_rate * self.value_saved

    @property
    def miss_to_false_alarm(self) -> float:
        """How many times more a missed churner costs than an offer wasted on a loyal customer."""
        return self.value_reached / self.offer_cost

    @property
    def break_even_precision(self) -> float:
        """The share of offers that must reach would-be churners for a campaign to pay for itself."""
        return self.offer_cost / self.value_reached

    def summary(self) -> str:
        """The economics in five plain sentences (numbers from the content file, sums from here)."""
        t = self.texts
        return "\n".join([
            t["price"].format(price=money(self.monthly_price, cents=True), churn=percent(self.monthly_churn)),
            t["value"].format(value=money(self.value_saved, cents=True), months=self.horizon_months,
                              price=money(self.monthly_price, cents=True)),
            t["offer"].format(offer=self.offer, cost=money(self.offer_cost, cents=True),
                              save_rate=percent(self.save_rate, 0)),
            t["ratio"].format(reached=money(self.value_reached, cents=True), save_rate=percent(self.save_rate, 0),
                              value=money(self.value_saved, cents=True), ratio=f"{self.miss_to_false_alarm:.1f}"),
            t["break_even"].format(precision=percent(self.break_even_precision)),
        ])


@dataclass(frozen=True)
class Scale:
    """One threshold's result scaled from a sample to the whole subscriber base, for one month."""

    offers_per_month: float
    offers_per_week: float
    weekly_capacity: int
    net_per_month: float  # net value of one month's offers (a save counts over the horizon)
    horizon_months: int
    subscribers: int
    texts: dict[str, str]

    @property
    def within_capacity(self) -> bool:
        return self.offers_per_week <= self.weekly_capacity

    def text(self) -> str:
        t = self.texts
        return "\n".join([
            t["scale"].format(subscribers=count(self.subscribers), per_month=count(round(self.offers_per_month, -2)),
                              per_week=count(round(self.offers_per_week, -2)), capacity=count(self.weekly_capacity)),
            t["scale_money"].format(net=money(round(self.net_per_month, -2)), months=self.horizon_months),
        ])

    __str__ = text


def at_scale(result: ThresholdResult, economics: CaseEconomics | None = None) -> Scale:
    """Scale a result on a month's sample of customers to the whole base, each customer offered at most once a month.

    >>> from mlworkflow.stages.evaluation.metrics import evaluate
    >>> s = at_scale(evaluate([1, 0, 0, 0], [0.9, 0.6, 0.1, 0.1], threshold=0.5))
    >>> s.offers_per_month                     # half of 300,000 subscribers flagged
    150000.0
    """
    econ = economics or case_economics()
    if result.total == 0:
        raise ValueError("a result with no customers cannot be scaled")
    factor = econ.subscribers / result.total
    per_month = result.flagged * factor
    return Scale(per_month, per_month / WEEKS_PER_MONTH, econ.weekly_capacity, result.net_value * factor,
                 econ.horizon_months, econ.subscribers, econ.texts)


def _share(f: Fields, key: str) -> float:
    value = f.number(key)
    if not 0 <= value <= 1:
        raise f.fail(key, f"expected a share between 0 and 1 (0.4 means 40%), found {value!r}")
    return value


def _whole(f: Fields, key: str) -> int:
    value = f.number(key)
    if not isinstance(value, int) or value < 1:
        raise f.fail(key, f"expected a whole number of 1 or more, found {value!r}")
    return value


def _parse(data: object, label: str) -> CaseEconomics:
    top = Fields(data, label)
    price, offer, text = top.number("monthly_price"), top.object("offer"), top.object("text")
    if price <= 0:
        raise top.fail("monthly_price", f"expected a price above 0, found {price!r}")
    months_free = offer.number("months_free")
    if months_free < 0:
        raise offer.fail("months_free", f"expected zero or more, found {months_free!r}")
    return CaseEconomics(
        monthly_price=price, monthly_churn=_share(top, "monthly_churn"), horizon_months=_whole(top, "horizon_months"),
        offer=offer.text("name"), months_free=months_free, save_rate=_share(top, "save_rate"),
        subscribers=_whole(top, "subscribers"), weekly_capacity=_whole(top, "weekly_capacity"),
        texts={key: text.template(key, names) for key, names in _TEXTS.items()},
    )


@cache
def _shipped() -> CaseEconomics:
    return _parse(*read_content(FILE))


def case_economics(path: str | Path | None = None) -> CaseEconomics:
    """The case's economics: the shipped ``content/economics.json``, or the file at ``path``."""
    return _shipped() if path is None else _parse(*read_content(FILE, path))
