"""The city a fact counts for: one rule, shared by the DATASHEET chart and the viewer's city page.

A fact (GUIDELINES.md section 11) names whose figure it is (``subject``, an entity id of
``annotations/entities.yaml``); a paragraph names the cities it is about (the gold
``cities`` of ``annotations/paragraphs.jsonl``). The city of a fact is decided in that order:

1. the **subject**, when it is itself one of the schema's cities: the entity ids of the
   cities and the schema's city values are the same slugs (``suzhou``, ``kunshan``,
   ``hangzhou``, ``shenzhen``), so ``“杭州六小龙”中的数位创业者`` in a Shenzhen paragraph is
   Hangzhou's figure, as the fact says (GUIDELINES 11.8, F7);
2. else the **paragraph's city label** when the paragraph is about exactly one city: a
   district's, a company's or a programme's figure (``nanshan_district``,
   ``suzhou_ai_pilot_zone_core``, ``sugon_kekong``) or a fact without a subject counts for the
   city its paragraph is about — entities carry no city of their own, the paragraph label is
   the gold that says where the text is;
3. else **no city** (:data:`NO_CITY`): a paragraph about no city or about several (``深圳与杭州
   两座城市``) and a subject that is not a city (``china``, ``zhejiang``) — counted apart,
   never split between cities or guessed.

Every fact gets exactly one city, so counts per city add up to the number of facts.
"""

from __future__ import annotations

from collections.abc import Sequence

NO_CITY = "none"


def fact_city(subject: str | None, paragraph_cities: Sequence[str],
              cities: Sequence[str]) -> str:
    """The city a fact counts for (one of ``cities``, the schema's city values, or
    :data:`NO_CITY`): ``subject`` is the fact's entity id (None without a subject),
    ``paragraph_cities`` the gold city labels of the figure's paragraph."""
    if subject is not None and subject in cities:
        return subject
    about = [c for c in paragraph_cities if c in cities]
    if len(about) == 1:
        return about[0]
    return NO_CITY


def city_order(cities: Sequence[str]) -> tuple[str, ...]:
    """The order cities are shown in: the schema's, then :data:`NO_CITY`."""
    return (*cities, NO_CITY)
