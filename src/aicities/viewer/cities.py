"""The city page (``cities.html``): the facts of the shown articles, compared across cities.

Each fact counts for one city (``annotation.fact_cities.fact_city``: the subject when it is a
city, else the paragraph's one city label, else ``none``; the DATASHEET chart uses the same
rule). The page groups the facts by **what they measure**, derived from the data — the
figure's label and unit, the fact's status and its property text (simplified script, so
both scripts group alike) — by the first rule of :data:`GROUPS` that fits:

========================  ==============================================================
``money_offered``         MONEY offered (status ``offer``): subsidies, rewards, vouchers
``offer_terms``           any other offer: a share of costs, free days, free desks
``industry_scale``        MONEY whose property names a scale, output, revenue or added
                          value (规模, 产值, 营收, 增加值)
``companies``             QUANTITY counted in 家 whose property names firms (企业, 厂)
``shares``                PERCENT: shares, rates and growth
``other_money``           any other MONEY: costs, prices, investments
``other_counts``          any other QUANTITY: people, documents, scenarios, chains
``durations``             DURATION
========================  ==============================================================

Within a group the rows are the cities (schema order, then ``none``) and the columns the
statuses found in the group (``actual``, ``target`` … in the schema's order), so a city's
achieved figures stand beside its targets. Every figure links to its paragraph's anchor on
its article page (``<doc_id>.html#p021``). This module gives the template plain values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicities.annotation.fact_cities import city_order
from aicities.annotation.facts import STATUSES
from aicities.annotation.schema import Schema
from aicities.viewer.facts import FactView
from aicities.viewer.site import Article, article_file

CITIES_FILE = "cities.html"


@dataclass(frozen=True)
class Group:
    """A rule of the grouping: a figure label (None: any), a status (None: any), property
    words (any one of them, simplified script; empty: any property) and a unit (None: any)."""

    id: str
    name: str
    label: str | None = None
    status: str | None = None
    words: tuple[str, ...] = ()
    unit: str | None = None

    def fits(self, fact: FactView) -> bool:
        if self.label is not None and fact.figure.label != self.label:
            return False
        if self.status is not None and fact.status != self.status:
            return False
        if self.unit is not None and fact.unit != self.unit:
            return False
        prop = fact.property_simplified or ""
        return not self.words or any(w in prop for w in self.words)


GROUPS = (
    Group("money_offered", "subsidies, rewards and vouchers 补贴与奖励", "MONEY", "offer"),
    Group("offer_terms", "other offered terms 其他优惠条件", status="offer"),
    Group("industry_scale", "industry scale and output 产业规模与产值", "MONEY",
          words=("规模", "产值", "营收", "增加值")),
    Group("companies", "companies 企业数量", "QUANTITY", words=("企业", "厂"), unit="家"),
    Group("shares", "shares, rates and growth 占比与增速", "PERCENT"),
    Group("other_money", "other amounts of money 其他金额", "MONEY"),
    Group("other_counts", "other counts 其他数量", "QUANTITY"),
    Group("durations", "durations 时长", "DURATION"),
)


def group_of(fact: FactView) -> str:
    """The id of the first group of :data:`GROUPS` the fact fits (every fact fits one:
    the last four rules take whatever of their label is left)."""
    return next(g.id for g in GROUPS if g.fits(fact))


def _city_name(city: str, schema: Schema) -> str:
    zh = schema.paragraph_labels["cities"].zh.get(city)
    return f"{zh} {city}" if zh else city


def _item(fact: FactView) -> dict[str, Any]:
    return {
        "id": fact.id, "figure": fact.figure.text, "value": fact.value,
        "href": f"{article_file(fact.doc_id)}#{fact.anchor}", "paragraph": fact.paragraph_id,
        "property": fact.property_text or "–", "subject": fact.subject_text,
        "time": fact.time_text, "status": fact.status, "city": fact.city,
    }


def city_page(articles: Sequence[Article], facts: Mapping[str, Sequence[FactView]],
              schema: Schema) -> dict[str, Any]:
    """The values of ``cities.html``: the per-city totals and the groups."""
    shown = [f for a in articles for f in facts.get(a.doc_id, ())]
    cities = city_order(schema.cities)
    counts = Counter((f.city, f.status) for f in shown)
    totals = [{"city": city, "name": _city_name(city, schema),
               "counts": {s: counts.get((city, s), 0) for s in STATUSES},
               "total": sum(counts.get((city, s), 0) for s in STATUSES)}
              for city in cities]
    groups = []
    for g in GROUPS:
        mine = [f for f in shown if group_of(f) == g.id]
        if not mine:
            continue
        statuses = [s for s in STATUSES if any(f.status == s for f in mine)]
        rows = []
        for city in cities:
            here = [f for f in mine if f.city == city]
            if here:
                rows.append({"city": city, "name": _city_name(city, schema),
                             "cells": [{"status": s,
                                        "facts": [_item(f) for f in here if f.status == s]}
                                       for s in statuses]})
        groups.append({"id": g.id, "name": g.name, "n": len(mine), "statuses": statuses,
                       "rows": rows})
    return {"n_facts": len(shown), "n_articles": len(articles), "totals": totals,
            "groups": groups, "n_cities": sum(1 for t in totals
                                              if t["total"] and t["city"] in schema.cities)}
