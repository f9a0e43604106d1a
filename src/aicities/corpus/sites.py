"""Per-site cleaning rules: ``corpus/sites.yaml``, typed, and which site a raw page is from.

A site's rules are data, not code: regexes (compiled with ``re.M``, so ``^``/``$`` match at
line boundaries) that detect the site's template, truncate at its footer, drop its
boilerplate lines and strip glued suffixes, and the flags of the passes it needs (pinyin
glosses, paragraph splitting, title prefixes, duplicated summaries).
"""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from aicities.errors import DataError
from aicities.files import read_config


class SiteRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Cleaning and paragraph-kind rules for one web site's page template: an entry of
    ``corpus/sites.yaml`` (its key is ``id``); patterns are regexes."""

    name: str
    id: str = ""
    detect: tuple[str, ...] = ()
    glosses: bool = False
    split_paragraphs: str | None = None
    truncate_at: tuple[str, ...] = ()
    drop_lines: tuple[str, ...] = ()
    strip_suffix: tuple[str, ...] = ()
    strip_title_prefix: bool = False
    drop_summary_lines: bool = False
    kinds: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)


class _SitesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sites: dict[str, SiteRules]


def load_sites(path: Path) -> dict[str, SiteRules]:
    """``corpus/sites.yaml``, typed: a string where a list of patterns belongs, an unknown
    key or a pattern that does not compile is a DataError naming the file, line and key."""
    spec = read_config(path, _SitesFile)
    sites: dict[str, SiteRules] = {}
    for site_id, site in spec.sites.items():
        if site.id:
            raise DataError(path, 0, "bad-config", f"sites.{site_id}.id: the key is the id")
        rules = msgspec.structs.replace(site, id=site_id)
        for pattern in (*rules.detect, *rules.truncate_at, *rules.drop_lines, *rules.strip_suffix):
            compile_rule(pattern, path, site_id)
        sites[site_id] = rules
    return sites


def compile_rule(pattern: str, path: Path, owner: str) -> re.Pattern[str]:
    """A site's pattern compiled with ``re.M``; a bad one is a DataError naming ``path`` and
    ``owner`` (the site's id)."""
    try:
        return re.compile(pattern, re.M)
    except re.error as exc:
        raise DataError(path, 0, "bad-pattern", f"{owner}: {pattern!r}: {exc}") from None


def detect_site(raw: str, sites: dict[str, SiteRules]) -> str | None:
    """The first site (in ``sites.yaml`` order) one of whose patterns occurs in ``raw``."""
    for site in sites.values():
        if any(re.search(p, raw, re.M) for p in site.detect):
            return site.id
    return None
