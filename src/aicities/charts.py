"""The build's charts (PNG), drawn from a ``Summary`` with matplotlib.

Deterministic bytes: the Agg canvas without pyplot's global state, matplotlib's default
style (so no user ``matplotlibrc`` leaks in), a fixed size and dpi, and no ``Software``
metadata in the PNG. Labels are the schema's ASCII ids, so no CJK font is needed.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aicities.splits import SPLITS
from aicities.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
SPLIT_COLOURS = {"train": "#4c72b0", "validation": "#dd8452", "test": "#55a868"}
# The per-article chart stays legible up to this many articles; beyond, it shows the first.
MAX_ARTICLES = 40
CHARTS = ("label_counts_per_split.png", "paragraph_labels_per_article.png")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float, height: float, rows: int) -> tuple[Figure, list[Axes]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    return fig, list(axes)


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
    return _png(fig)


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
    return _png(fig)


def render(summary: Summary) -> dict[str, bytes]:
    """File name → PNG bytes for every chart of the release."""
    import matplotlib

    with matplotlib.rc_context(rc=matplotlib.rcParamsDefault):
        return {
            CHARTS[0]: label_counts_per_split(summary),
            CHARTS[1]: paragraph_labels_per_article(summary),
        }
