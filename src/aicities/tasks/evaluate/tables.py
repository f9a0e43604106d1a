"""The checked tables ``aicities eval`` scores: NER spans as columns, labels as a matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NerTable:
    """The paragraphs and spans of one NER file, checked, as columns.

    Spans are sorted by (paragraph, start) and flat. ``par`` indexes ``ids``; ``label``
    indexes ``vocab``; offsets are half-open code points of the paragraph text.
    """

    source: str | Path
    ids: Sequence[str]
    """each row's id: a tuple, or an :class:`~aicities.tasks.evaluate.typed.IdColumn`"""
    lines: Sequence[int]
    """each row's line: a tuple, or an int32 array in a compact table"""
    texts: tuple[str | None, ...]
    """each row's text; empty in a compact table (not kept: see ``text_length``)"""
    vocab: tuple[str, ...]
    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    span_line: np.ndarray
    span_text: tuple[str | None, ...]
    """each span's text (None: not given); empty in a compact table (checked, not kept)"""
    norm: Sequence[Mapping[str, Any] | None]
    format: str = "jsonl"
    numbered: bool = False
    """the file has no ids: ``ids`` are its row numbers "1", "2", …"""
    text_length: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """each row's text length in code points, -1 for a row without text"""
    index: Mapping[str, int] | None = None
    """id → row, when the reader built it (it is needed to pair the predictions)"""
    has_texts: bool = False
    """whether any row or span carries a text (predictions that do need the gold texts)"""
    compact: bool = False
    """texts not kept, lines an int64 array (:func:`read_ner_table`)"""


@dataclass(frozen=True)
class LabelTable:
    """The paragraphs of a city or topic file: ``y[i, j]`` is True when row i has label j."""

    source: str | Path
    ids: tuple[str, ...]
    lines: tuple[int, ...]
    texts: tuple[str | None, ...]
    vocab: tuple[str, ...]
    y: np.ndarray


# --- files -------------------------------------------------------------------------------
