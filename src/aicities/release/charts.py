"""Every chart of the project: the release's PNGs, the leaderboard's PNGs, the viewer's bars.

The PNGs are drawn with matplotlib (the release's from a ``Summary``, the leaderboard's from
``tasks/leaderboard.json``, see ``leaderboard.render_charts``); the viewer's horizontal bar
charts are laid out here (:func:`bar_layout`, pixel geometry) and drawn as inline SVG by its
template (``viewer/templates/macros.html.j2``).

PNG bytes are deterministic: the Agg canvas without pyplot's global state, matplotlib's default
style (so no user ``matplotlibrc`` leaks in), a fixed size and dpi, and no ``Software``
metadata in the PNG. Labels are the schema's ASCII ids, so no CJK font is needed.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aicities.annotation.fact_cities import city_order
from aicities.annotation.facts import STATUSES
from aicities.release.splits import SPLITS
from aicities.release.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
SPLIT_COLOURS = {"train": "#4c72b0", "validation": "#dd8452", "test": "#55a868"}
# The per-article chart stays legible up to this many articles; beyond, it shows the first.
MAX_ARTICLES = 40
CHARTS = ("label_counts_per_split.png", "paragraph_labels_per_article.png",
          "facts_per_city_and_status.png")
# One colour per fact status (annotation.facts.STATUSES), here and in the viewer.
STATUS_COLOURS = {"actual": "#4c72b0", "target": "#dd8452", "forecast": "#8172b3",
                  "offer": "#55a868", "other": "#937860"}


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (no ``Software`` metadata, so the bytes are reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def figure(width: float, height: float, rows: int, cols: int = 1) -> tuple[Figure, Any]:
    """A figure of ``rows`` × ``cols`` axes (inches; a 2-D array of axes) on an Agg canvas,
    without pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, cols, squeeze=False)


def default_style() -> Any:
    """matplotlib's default style as a context, so no user ``matplotlibrc`` leaks in."""
    import matplotlib

    return matplotlib.rc_context(rc=matplotlib.rcParamsDefault)


def _figure(width: float, height: float, rows: int) -> tuple[Figure, list[Axes]]:
    fig, axes = figure(width, height, rows)
    return fig, list(axes[:, 0])


def f1_bars(ax: Axes, title: str, labels: Sequence[str],
            series: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]) -> None:
    """Grouped bars of F1 with interval whiskers; ``series`` = (legend, scores per label),
    each score ``{"f1": x, "ci95": {"f1": [low, high]}}`` (the interval may be missing)."""
    width = 0.8 / max(len(series), 1)
    for k, (legend, scores) in enumerate(series):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(labels))]
        f1 = [s["f1"] for s in scores]
        cis = [(s.get("ci95") or {}).get("f1") for s in scores]
        low = [max(f - c[0], 0.0) if c else 0.0 for f, c in zip(f1, cis, strict=True)]
        high = [max(c[1] - f, 0.0) if c else 0.0 for f, c in zip(f1, cis, strict=True)]
        ax.bar(xs, f1, width, label=legend, yerr=[low, high], capsize=2,
               error_kw={"elinewidth": 0.8})
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("strict F1")
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def counts_heatmap(ax: Axes, title: str, labels: Sequence[str],
                   matrix: Sequence[Sequence[int]]) -> None:
    """A gold × predicted count matrix, each cell labelled with its count."""
    ax.imshow(matrix, cmap="Blues", vmin=0)
    peak = max((v for r in matrix for v in r), default=0)
    for i, r in enumerate(matrix):
        for j, v in enumerate(r):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if peak and v > peak / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)


def _grouped_bars(ax: Axes, title: str, labels: Sequence[str],
                  counts: Mapping[str, Mapping[str, int]], unit: str) -> None:
    width = 0.8 / len(SPLITS)
    for k, split in enumerate(SPLITS):
        xs = [i + (k - 1) * width for i in range(len(labels))]
        ax.bar(xs, [counts[split][label] for label in labels], width,
               label=split, color=SPLIT_COLOURS[split])
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel(unit)
    if not any(counts[s][label] for s in SPLITS for label in labels):
        ax.text(0.5, 0.5, "no gold annotations yet", transform=ax.transAxes,
                ha="center", va="center", color="#888888")
        ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper right")


def label_counts_per_split(summary: Summary) -> bytes:
    schema = summary.schema
    fig, axes = _figure(10, 10, 3)
    _grouped_bars(axes[0], "span labels (mentions) per split", schema.label_ids,
                  summary.span_labels, "mentions")
    _grouped_bars(axes[1], "cities (paragraphs) per split", schema.cities,
                  summary.cities, "paragraphs")
    _grouped_bars(axes[2], "topics (paragraphs) per split", schema.topics,
                  summary.topics, "paragraphs")
    return png(fig)


def _stacked(ax: Axes, title: str, docs: Sequence[str], values: Sequence[str],
             counts: Mapping[str, Mapping[str, int]], colours: Mapping[str, str]) -> None:
    bottoms = [0] * len(docs)
    for value in values:
        heights = [counts[d].get(value, 0) for d in docs]
        ax.bar(range(len(docs)), heights, 0.7, bottom=bottoms, label=value,
               color=colours.get(value, "#888888"))
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_xticks(range(len(docs)), [d.split("_")[0] for d in docs])
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel("paragraph labels")
    if not any(bottoms):
        ax.text(0.5, 0.5, "no paragraph labels yet", transform=ax.transAxes,
                ha="center", va="center", color="#888888")
        ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))


def paragraph_labels_per_article(summary: Summary) -> bytes:
    schema = summary.schema
    docs = list(summary.per_doc)
    shown = docs[:MAX_ARTICLES]
    suffix = "" if len(docs) <= MAX_ARTICLES else f" (first {len(shown)} of {len(docs)} articles)"
    fig, axes = _figure(10, 7, 2)
    cities = {d: summary.per_doc[d].cities for d in shown}
    topics = {d: summary.per_doc[d].topics for d in shown}
    _stacked(axes[0], f"cities per article{suffix}", shown, schema.cities, cities,
             schema.paragraph_labels["cities"].colours)
    _stacked(axes[1], f"topics per article{suffix}", shown, schema.topics, topics,
             schema.paragraph_labels["topics"].colours)
    return png(fig)


def facts_per_city_and_status(summary: Summary) -> bytes:
    """Horizontal bars, one per city (the schema's, then ``none``), stacked by status
    (``Summary.fact_cities``; the city of a fact is ``annotation.fact_cities.fact_city``)."""
    cities = city_order(summary.schema.cities)
    counts = summary.fact_cities
    fig, axes = _figure(10, 4, 1)
    ax = axes[0]
    lefts = [0] * len(cities)
    ys = range(len(cities))
    for status in STATUSES:
        widths = [counts.get((city, status), 0) for city in cities]
        ax.barh(ys, widths, 0.7, left=lefts, label=status, color=STATUS_COLOURS[status])
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    for y, total in zip(ys, lefts, strict=True):
        if total:
            ax.text(total, y, f" {total}", va="center", fontsize=8)
    ax.set_yticks(list(ys), list(cities))
    ax.invert_yaxis()  # the schema's first city on top
    ax.set_xlabel("facts")
    ax.set_title("facts per city and status", loc="left", fontsize=10)
    if not any(lefts):
        ax.text(0.5, 0.5, "no facts yet", transform=ax.transAxes,
                ha="center", va="center", color="#888888")
        ax.set_xlim(0, 1)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return png(fig)


def render(summary: Summary) -> dict[str, bytes]:
    """File name → PNG bytes for every chart of the release."""
    with default_style():
        return {
            CHARTS[0]: label_counts_per_split(summary),
            CHARTS[1]: paragraph_labels_per_article(summary),
            CHARTS[2]: facts_per_city_and_status(summary),
        }


# ------------------------------------------------------------------- the viewer's bars


@dataclass(frozen=True)
class Bar:
    """One coloured part of a row: ``x`` and ``width`` in pixels."""

    part: str
    value: int
    colour: str
    x: float
    width: float


@dataclass(frozen=True)
class BarRow:
    """A row: its name, top ``y`` (pixels), parts, total and where the last part ends."""

    name: str
    y: int
    bars: tuple[Bar, ...]
    total: int
    end: float


@dataclass(frozen=True)
class BarLayout:
    """A horizontal (stacked) bar chart in pixels: names right-aligned before ``name_width``."""

    title: str
    width: int
    height: int
    name_width: int
    bar_height: int
    rows: tuple[BarRow, ...]


def text_width(text: str, size: int = 11) -> int:
    """Rough rendered width in pixels (wide characters count one em, others 0.6 em)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return round(size * (wide + 0.6 * (len(text) - wide)))


def bar_layout(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]],
    width: int = 440,
) -> BarLayout:
    """Stacked horizontal bars: each row ``(name, [(part, value, colour)])``, scaled so the
    longest total fills the plot; parts with a value ≤ 0 are not drawn."""
    value_w, bar_h, gap = 40, 16, 6
    name_w = max((text_width(name) for name, _ in rows), default=0) + 12
    plot_w = max(width - name_w - value_w, 60)
    width = name_w + plot_w + value_w
    totals = [sum(v for _, v, _ in parts) for _, parts in rows]
    top = max(totals, default=0)
    out = []
    for i, ((name, parts), total) in enumerate(zip(rows, totals, strict=True)):
        x = float(name_w)
        bars = []
        for part, value, colour in parts:
            if value <= 0:
                continue
            w = plot_w * value / top
            bars.append(Bar(part, value, colour, x, w))
            x += w
        out.append(BarRow(name, gap + i * (bar_h + gap), tuple(bars), total, x))
    return BarLayout(title, width, len(rows) * (bar_h + gap) + gap, name_w, bar_h, tuple(out))
