"""raw → clean: boilerplate, pinyin glosses, hidden spans, mojibake, whitespace.

The clean text is what every annotation offset points into. It is derived from the raw
article by rules (per site, as data in ``corpus/sites.yaml``) and by hand-made repairs
(``corpus/corrections.jsonl``), and every clean character keeps its provenance: the raw
code points it came from and the rule or correction that produced it (``Segment``).

Order of the passes (each a pure function of the previous text):

1. corrections, in raw coordinates (mojibake runs repaired by hand, with a reason);
1b. invisible characters (rule ``invisible-character``, :data:`INVISIBLE`): C0 controls
   other than tab, newline and the line separators of pass 4, DEL, C1 controls other than
   NEL, zero-width characters and bidirectional controls are removed (counted per article in
   ``removed_chars`` of ``documents.jsonl``, like every rule);
2. the hidden ``<span style="display:none">…`` fragment;
3. pinyin glosses after characters (only on sites whose template inserts them);
4. NFC and Unicode line separators;
5. the site's paragraph splitting (for articles that arrive as one long line);
6. whitespace: full-width indentation, leading/trailing blanks, runs of spaces;
7. line rules: truncate at a footer, drop boilerplate lines and duplicated summaries,
   strip glued prefixes and suffixes;
8. one ``\\n`` between paragraphs and one at the end.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from aicities.errors import DataError
from aicities.files import iter_jsonl, read_config
from aicities.inputs import read_bytes

COPY = "copy"
CERTAINTIES = ("certain", "reconstructed")

HIDDEN_SPAN = re.compile(r'<?span style="display:\s*none">[^\n]*?(?:</span>|(?=\n)|\Z)')
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A gloss is a pinyin syllable with a tone mark in ASCII parentheses right after a Han
# character: 企業(yè). Real parentheses ((Andrew Ng), (深度求索), (2022-2035年)) never
# hold a single lowercase toned syllable, so they stay.
PINYIN_GLOSS = re.compile(rf"(?<=[{_HAN}])\((?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,6}}\)")
LINE_SEPARATORS = re.compile("[\u2028\u2029\u0085\x0b\x0c]")
# Characters that draw nothing, or reorder what is drawn, and have no place in a news
# article's text: C0 controls but tab, LF, VT, FF and CR (VT/FF become newlines in pass 4, CR
# is refused by check_raw), DEL, C1 controls but NEL (a newline too), zero-width characters
# (U+200B–U+200D, U+2060–U+2064, U+FEFF inside a text, U+180E) and bidirectional controls
# (U+200E/U+200F, U+061C, U+202A–U+202E, U+2066–U+2069). U+202E alone can make a span
# read backwards in a viewer; a NUL or an ESC can end or steer a terminal.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
BLANK = " \t\u3000\u00a0"
_BLANK_RUN = re.compile(f"[{BLANK}]{{2,}}|[\t\u3000\u00a0]")

# Signatures of text that did not survive cleaning, used by ``suspicious``.
_SUSPICIOUS = [
    ("pinyin-residue", re.compile(f"[{_TONED}]")),
    ("replacement-character", re.compile("\ufffd")),
    ("box-drawing", re.compile("[\u2500-\u257f]")),
    ("question-mark-before-latin", re.compile(r"\?[a-z]")),
    ("html", re.compile(r"</?[a-z]+[ >]|display:\s*none")),
]


@dataclass(frozen=True)
class Segment:
    """A run of clean text and where it came from.

    ``origin`` is ``copy`` (each clean character equals the raw character at the same
    relative position), ``correction:<id>``, or ``rule:<name>`` for characters a
    normalization produced (a newline that replaced a space, an NFC composition).
    """

    clean_start: int
    clean_end: int
    raw_start: int
    raw_end: int
    origin: str

    def as_list(self) -> list[Any]:
        return [self.clean_start, self.clean_end, self.raw_start, self.raw_end, self.origin]


@dataclass(frozen=True)
class Correction:
    """A repair of the raw text that no rule can make (mojibake), made by hand."""

    id: str
    doc_id: str
    raw_start: int
    raw_end: int
    raw: str
    replacement: str
    reason: str
    certainty: str
    line: int = 0


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


@dataclass
class Cleaned:
    """The result of cleaning one document."""

    doc_id: str
    raw: str
    clean: str
    segments: list[Segment]
    corrections: list[Correction]
    removed: dict[str, int]  # rule name → raw code points removed by it

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw code point range ``[start, end)`` that clean ``[start, end)`` came from."""
        return clean_to_raw(self.segments, start, end)


# --------------------------------------------------------------------------- tracking


class _Tracked:
    """A string whose every character remembers its raw range and origin."""

    def __init__(self, raw: str):
        self.chars = list(raw)
        self.src: list[tuple[int, int, str]] = [(i, i + 1, COPY) for i in range(len(raw))]
        self.removed: dict[str, int] = {}

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def edit(self, edits: Iterable[tuple[int, int, str, str]]) -> None:
        """Apply ``(start, end, replacement, origin)`` edits, given in current coordinates.

        Edits must not overlap. Replacement characters take the raw range of what they
        replace (an insertion takes the empty range at its position).
        """
        chars: list[str] = []
        src: list[tuple[int, int, str]] = []
        pos = 0
        for start, end, replacement, origin in sorted(edits):
            if start < pos:
                raise ValueError(f"overlapping edits at {start}")
            chars.extend(self.chars[pos:start])
            src.extend(self.src[pos:start])
            if start < end:
                raw_start, raw_end = self.src[start][0], self.src[end - 1][1]
            else:
                anchor = self.src[start][0] if start < len(self.src) else self._raw_len()
                raw_start = raw_end = anchor
            if not replacement:
                name = origin.split(":", 1)[1] if ":" in origin else origin
                self.removed[name] = self.removed.get(name, 0) + sum(
                    s[1] - s[0] for s in self.src[start:end] if s[2] == COPY
                )
            for ch in replacement:
                chars.append(ch)
                src.append((raw_start, raw_end, origin))
            pos = end
        chars.extend(self.chars[pos:])
        src.extend(self.src[pos:])
        self.chars, self.src = chars, src

    def _raw_len(self) -> int:
        return self.src[-1][1] if self.src else 0

    def sub(self, pattern: re.Pattern[str], repl: str, origin: str) -> None:
        self.edit((m.start(), m.end(), repl, origin) for m in pattern.finditer(self.text))

    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        for i, (raw_start, raw_end, origin) in enumerate(self.src):
            last = out[-1] if out else None
            if (
                last is not None
                and last.origin == origin
                and last.clean_end == i
                and (
                    (origin == COPY and last.raw_end == raw_start)
                    or (origin != COPY and (last.raw_start, last.raw_end) == (raw_start, raw_end))
                )
            ):
                out[-1] = Segment(
                    last.clean_start,
                    i + 1,
                    last.raw_start,
                    raw_end if origin == COPY else last.raw_end,
                    origin,
                )
            else:
                out.append(Segment(i, i + 1, raw_start, raw_end, origin))
        return out


def clean_to_raw(segments: Sequence[Segment], start: int, end: int) -> tuple[int, int]:
    """Map a clean range to the smallest raw range covering all its characters' sources."""
    if start >= end:
        raise ValueError("empty range")
    covered = [s for s in segments if s.clean_start < end and s.clean_end > start]
    if not covered:
        raise ValueError(f"range [{start}, {end}) is outside the clean text")

    def raw_of(seg: Segment, clean_pos: int) -> tuple[int, int]:
        if seg.origin == COPY:
            offset = clean_pos - seg.clean_start
            return seg.raw_start + offset, seg.raw_start + offset + 1
        return seg.raw_start, seg.raw_end

    first = raw_of(covered[0], max(start, covered[0].clean_start))
    last = raw_of(covered[-1], min(end, covered[-1].clean_end) - 1)
    return first[0], last[1]


# --------------------------------------------------------------------------- loading


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
            _compile(pattern, path, site_id)
        sites[site_id] = rules
    return sites


def _compile(pattern: str, path: Path, owner: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.M)
    except re.error as exc:
        raise DataError(path, 0, "bad-pattern", f"{owner}: {pattern!r}: {exc}") from None


def load_corrections(path: Path) -> list[Correction]:
    """Read ``corrections.jsonl``; fields are checked, positions are checked when applied."""
    required = ("id", "doc_id", "raw_start", "raw_end", "raw", "replacement", "reason", "certainty")
    out: list[Correction] = []
    seen: set[str] = set()
    if not path.exists():
        return out
    for line, obj in iter_jsonl(path):
        missing = [k for k in required if k not in obj]
        if missing:
            raise DataError(path, line, "correction-missing-field", f"missing {missing}")
        if obj["certainty"] not in CERTAINTIES:
            raise DataError(
                path, line, "correction-bad-certainty", f"certainty must be one of {CERTAINTIES}"
            )
        if obj["id"] in seen:
            raise DataError(path, line, "correction-duplicate-id", f"duplicate id {obj['id']!r}")
        seen.add(obj["id"])
        out.append(Correction(**{k: obj[k] for k in required}, line=line))
    return out


def detect_site(raw: str, sites: dict[str, SiteRules]) -> str | None:
    """The first site (in ``sites.yaml`` order) one of whose patterns occurs in ``raw``."""
    for site in sites.values():
        if any(re.search(p, raw, re.M) for p in site.detect):
            return site.id
    return None


# --------------------------------------------------------------------------- cleaning


def check_raw(path: Path, data: bytes) -> str:
    """Decode a raw article, refusing what a verbatim UTF-8 web page should not be."""
    if not data:
        raise DataError(path, 0, "empty-file", "the raw file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise DataError(path, 1, "bom", "the raw file starts with a UTF-8 BOM; save it without one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(path, line, "not-utf8", f"invalid UTF-8 at byte {exc.start}") from None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise DataError(
            path, line, "crlf", "CR line endings; raw articles are stored with LF line endings"
        )
    if not text.strip():
        raise DataError(path, 0, "empty-file", "the raw file holds only whitespace")
    return text


def _nfc_edits(text: str) -> list[tuple[int, int, str, str]]:
    if unicodedata.is_normalized("NFC", text):
        return []
    edits = []
    # A starter and the non-starters after it form the unit NFC composes within.
    for m in re.finditer(r".[\u0300-\u036f\u1160-\u11ff\u3099\u309a\u20d0-\u20ff]*", text, re.S):
        unit = m.group(0)
        normal = unicodedata.normalize("NFC", unit)
        if normal != unit:
            edits.append((m.start(), m.end(), normal, "rule:nfc"))
    return edits


def _whitespace_edits(text: str) -> list[tuple[int, int, str, str]]:
    edits: list[tuple[int, int, str, str]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip(BLANK)
        if not stripped:
            if line:
                edits.append((pos, end, "", "rule:whitespace"))
        else:
            lead = len(line) - len(line.lstrip(BLANK))
            trail = len(line) - len(line.rstrip(BLANK))
            if lead:
                edits.append((pos, pos + lead, "", "rule:whitespace"))
            for m in _BLANK_RUN.finditer(stripped):
                start = pos + lead + m.start()
                if m.group(0)[0] == " ":  # keep the first space itself, drop the rest
                    if len(m.group(0)) > 1:
                        edits.append((start + 1, start + len(m.group(0)), "", "rule:whitespace"))
                else:
                    edits.append((start, start + len(m.group(0)), " ", "rule:whitespace"))
            if trail:
                edits.append((end - trail, end, "", "rule:whitespace"))
        pos = end + 1
    return edits


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _line_edits(text: str, site: SiteRules, path: Path) -> list[tuple[int, int, str, str]]:
    """Decide which lines are article text; return the deletions that remove the rest."""
    lines = _line_spans(text)
    keep = [end > start for start, end in lines]
    edits: list[tuple[int, int, str, str]] = []
    truncate = [_compile(p, path, site.id) for p in site.truncate_at]
    drop = [_compile(p, path, site.id) for p in site.drop_lines]
    suffixes = [_compile(p, path, site.id) for p in site.strip_suffix]

    for i, (start, end) in enumerate(lines):
        if any(p.search(text[start:end]) for p in truncate):
            for j in range(i, len(lines)):
                keep[j] = False
            break
    for i, (start, end) in enumerate(lines):
        if keep[i] and any(p.fullmatch(text[start:end]) for p in drop):
            keep[i] = False
    if site.drop_summary_lines:
        # A page summary repeats the next few lines joined by spaces; keep only the lines.
        kept = [i for i in range(len(lines)) if keep[i]]
        for n, i in enumerate(kept):
            line = text[lines[i][0] : lines[i][1]]
            for k in range(2, 6):
                following = [text[lines[j][0] : lines[j][1]] for j in kept[n + 1 : n + 1 + k]]
                if len(following) == k and line == " ".join(following):
                    keep[i] = False
                    break
    kept = [i for i in range(len(lines)) if keep[i]]
    title = text[lines[kept[0]][0] : lines[kept[0]][1]] if kept else ""
    for i in kept:
        start, end = lines[i]
        line = text[start:end]
        for p in suffixes:
            m = p.search(line)
            if m and m.end() == len(line) and m.start() > 0:
                edits.append((start + m.start(), end, "", "rule:strip-suffix"))
                end = start + m.start()
                line = text[start:end]
        if site.strip_title_prefix and i != kept[0] and title and line.startswith(title):
            if len(line) > len(title):
                edits.append((start, start + len(title), "", "rule:strip-title-prefix"))

    # Separators: the newline after a kept line survives (after the last kept line it
    # becomes the final newline); every other newline goes with its line.
    for i, (start, end) in enumerate(lines):
        if not keep[i]:
            has_newline = i < len(lines) - 1
            edits.append((start, end + has_newline, "", "rule:boilerplate"))
    if kept and kept[-1] == len(lines) - 1:
        edits.append((len(text), len(text), "\n", "rule:final-newline"))
    return _merge_deletions(edits)


def _merge_deletions(edits: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Merge overlapping or touching deletions so that the edit list is non-overlapping."""
    out: list[tuple[int, int, str, str]] = []
    for start, end, repl, origin in sorted(edits):
        prev = out[-1] if out else None
        touching = prev is not None and prev[1] == start and prev[3] == origin
        if prev and not repl and not prev[2] and (prev[1] > start or touching):
            out[-1] = (prev[0], max(end, prev[1]), "", prev[3])
        elif prev and prev[1] > start:
            raise ValueError(f"overlapping edits at {start}")
        else:
            out.append((start, end, repl, origin))
    return out


def apply_corrections(
    tracked: _Tracked, corrections: Sequence[Correction], path: Path, corrections_path: Path
) -> None:
    raw = tracked.text
    edits = []
    last_end = -1
    for c in sorted(corrections, key=lambda c: c.raw_start):
        where = raw[c.raw_start : c.raw_end] if 0 <= c.raw_start <= c.raw_end <= len(raw) else None
        if where != c.raw:
            raise DataError(
                corrections_path,
                c.line,
                "correction-mismatch",
                f"{c.id}: {path.name}[{c.raw_start}:{c.raw_end}] is {where!r}, not {c.raw!r}",
            )
        if c.raw_start < last_end:
            raise DataError(corrections_path, c.line, "correction-overlap", f"{c.id} overlaps")
        last_end = c.raw_end
        edits.append((c.raw_start, c.raw_end, c.replacement, f"correction:{c.id}"))
    tracked.edit(edits)


def clean_document(
    doc_id: str,
    raw_path: Path,
    site: SiteRules,
    corrections: Sequence[Correction],
    corrections_path: Path,
) -> Cleaned:
    """Clean one raw article. Raises DataError naming the file on bad input."""
    raw = check_raw(raw_path, read_bytes(raw_path, links=False))
    tracked = _Tracked(raw)
    mine = [c for c in corrections if c.doc_id == doc_id]
    apply_corrections(tracked, mine, raw_path, corrections_path)
    tracked.sub(INVISIBLE, "", "rule:invisible-character")
    tracked.sub(HIDDEN_SPAN, "", "rule:hidden-span")
    if site.glosses:
        tracked.sub(PINYIN_GLOSS, "", "rule:pinyin-gloss")
    tracked.edit(_nfc_edits(tracked.text))
    tracked.sub(LINE_SEPARATORS, "\n", "rule:line-separator")
    if site.split_paragraphs:
        splitter = _compile(site.split_paragraphs, raw_path, site.id)
        tracked.sub(splitter, "\n", "rule:split-paragraphs")
    tracked.edit(_whitespace_edits(tracked.text))
    tracked.edit(_line_edits(tracked.text, site, raw_path))
    clean = tracked.text
    if not clean.strip():
        raise DataError(raw_path, 0, "nothing-left", "the rules removed the whole article")
    return Cleaned(doc_id, raw, clean, tracked.segments(), mine, dict(tracked.removed))


def suspicious(text: str) -> list[tuple[str, int, str]]:
    """Leftovers that cleaning should have removed: ``(kind, offset, context)`` triples."""
    found = []
    for kind, pattern in _SUSPICIOUS:
        for m in pattern.finditer(text):
            found.append((kind, m.start(), text[max(0, m.start() - 8) : m.end() + 8]))
    return found
