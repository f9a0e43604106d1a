"""The typed JSONL fast path reads exactly what the generic reader reads, or steps aside."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aicities.annotation.schema import get_schema
from aicities.errors import DataError, DataErrors
from aicities.tasks.evaluate.io import NerTable, parse_ner, read_ner_rows, read_ner_table
from aicities.tasks.evaluate.typed import read_typed_ner

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
FIX = Path(__file__).parent / "fixtures" / "eval"
MISSING = object()  # a field left out of the row


def generic(path: Path, norm_labels: Any) -> NerTable:
    return parse_ner(read_ner_rows(path), path, SCHEMA.label_ids, norm_labels=norm_labels)


def outcome(read: Any, compact: bool = False) -> tuple[str, Any]:
    """What a reader returns, in a comparable form: the table's columns or the messages
    (``compact``: a table that may be compact, compared by values)."""
    try:
        table = read()
    except DataErrors as exc:
        return "errors", [str(e) for e in exc.errors]
    except DataError as exc:
        return "errors", [str(exc)]
    columns = {
        name: getattr(table, name).tolist()
        for name in ("par", "start", "end", "label", "span_line", "text_length")
    }
    if compact:
        return "table", (str(table.source), list(table.ids), list(map(int, table.lines)),
                         table.vocab, columns, list(table.norm), table.has_texts)
    assert all(getattr(table, name).dtype == np.int64 for name in columns)
    return "table", (str(table.source), table.ids, table.lines, table.texts, table.vocab,
                     columns, table.span_text, table.norm)


def mostly(good: Any, bad: Any) -> Any:
    """About one draw in fifty from ``bad`` (17 is not a value hypothesis favours, as it
    does 0 and the bounds), so about half the files are well formed."""
    return st.integers(0, 49).flatmap(lambda k: bad if k == 17 else good)


offsets = st.one_of(st.integers(-2, 12), st.floats(-1, 12), st.booleans(), st.just(2**70),
                    st.none(), st.just("3"))
labels = mostly(st.sampled_from(["PER", "ORG", "GPE", "MONEY", "DATE"]),
                st.one_of(st.just("COMPANY"), st.integers(0, 3)))
span_texts = mostly(st.just(MISSING),
                    st.one_of(st.sampled_from(["苏州", "州和", "ab", ""]), st.none(),
                              st.integers()))
norms = mostly(st.one_of(st.just(MISSING), st.none(), st.just({"value": 2.0, "unit": "CNY"})),
               st.sampled_from([{"bogus": 1}, "x", [1]]))


@st.composite
def span_lists(draw: Any) -> list[Any]:
    """Up to four spans, usually in order and apart (flat), sometimes not."""
    out, pos = [], 0
    for _ in range(draw(st.integers(0, 4))):
        pos += draw(mostly(st.integers(0, 4), st.integers(-3, 0)))
        size = draw(st.integers(1, 3))
        out.append(draw(spans(pos, size)))
        pos += size
    return out


@st.composite
def spans(draw: Any, start: int, size: int) -> Any:
    if draw(mostly(st.just(False), st.just(True))):
        return draw(st.sampled_from(["x", 3, None, [1, 2]]))
    span = {"start": start, "end": start + size, "label": draw(labels),
            "text": draw(span_texts), "norm": draw(norms)}
    bad = draw(mostly(st.none(), st.sampled_from(["start", "end", "drop"])))
    if bad in ("start", "end"):
        span[bad] = draw(offsets)
    elif bad == "drop":
        del span[draw(st.sampled_from(["start", "end", "label"]))]
    if draw(st.integers(0, 5)) == 0:
        span["extra"] = {"nested": [1, "二"]}
    if draw(st.integers(0, 3)) == 0:  # a model's confidence: usually a number
        span["score"] = draw(mostly(st.floats(0, 1), st.sampled_from(["0.9", None, True, 2])))
    return {k: v for k, v in span.items() if v is not MISSING}


@st.composite
def lines(draw: Any, number: int) -> str:
    kind = draw(mostly(st.just("row"), st.sampled_from(["blank", "raw"])))
    if kind == "blank":
        return draw(st.sampled_from(["", "  ", "\t", "\r", "\u3000", "\x0c"]))
    if kind == "raw":
        return draw(st.sampled_from([
            "{bad", "[1]", '"x"', "3", "NaN", '{"id": "p1", "spans": []} {"id": "p2", "spans": []}',
            '{"id": "p5", "id": "p6", "spans": []}', '{"id": "p7", "spans": [], "text": NaN}',
            '\ufeff{"id": "p8", "spans": []}', '{"id": "p9\\ud800", "spans": []}',
            '{"id": "p3", "spans": [{"start": 1, "end": 3, "label": "GPE", "start": 0}]}',
        ]))
    row = {
        "id": draw(mostly(st.just(f"p{number}"),
                          st.sampled_from(["", "p0", 0, None, MISSING]))),
        "spans": draw(mostly(span_lists(),
                             st.sampled_from(["x", None, MISSING]))),
        "text": draw(mostly(st.sampled_from(["苏州和昆山的企业很多" * 3, "ab", MISSING]),
                            st.sampled_from([None, 0, 1]))),
    }
    if draw(st.integers(0, 5)) == 0:
        row["tokens"] = ["苏", "州"]
    row = {k: v for k, v in row.items() if v is not MISSING}
    return json.dumps(row, ensure_ascii=draw(st.booleans()))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.integers(0, 6).flatmap(lambda n: st.tuples(*(lines(k) for k in range(n)))),
    blank=st.lists(st.booleans(), max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    figures_only=st.booleans(),
)
def test_the_fast_path_and_the_generic_reader_agree(body, blank, newline, final, figures_only):
    """Same table or same messages, on files of mostly good rows with some bad lines."""
    norm_labels = SCHEMA.figure_labels if figures_only else None
    text = []
    for k, line in enumerate(body):
        text.append(line)
        if k < len(blank) and blank[k]:  # an empty line: the next lines keep their numbers
            text.append("")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pred.jsonl"
        data = newline.join(text) + (newline if final else "")
        path.write_bytes(data.encode("utf-8", "surrogatepass"))
        fast = outcome(lambda: read_ner_table(path, SCHEMA.label_ids, norm_labels=norm_labels))
        slow = outcome(lambda: generic(path, norm_labels))
        event("fast path" if read_typed_ner(path) is not None else "generic reader")
    event(f"outcome: {slow[0]}")
    assert fast == slow


def test_well_formed_files_take_the_fast_path():
    gold = FIX / "gold.jsonl"
    columns = read_typed_ner(gold)
    assert columns is not None
    assert columns.ids == [r.row["id"] for r in read_ner_rows(gold)]
    assert outcome(lambda: read_ner_table(gold, SCHEMA.label_ids)) == outcome(
        lambda: generic(gold, None))


def test_predictions_with_span_scores_take_the_fast_path(tmp_path):
    path = tmp_path / "pred.jsonl"
    path.write_text('{"id": "a", "spans": [{"start": 0, "end": 2, "label": "GPE", '
                    '"score": 0.93}, {"start": 3, "end": 5, "label": "ORG", "score": 1}]}\n'
                    '{"id": "b", "spans": [{"start": 1, "end": 2, "label": "PER"}]}\n',
                    encoding="utf-8")
    assert read_typed_ner(path) is not None
    assert outcome(lambda: read_ner_table(path, SCHEMA.label_ids)) == outcome(
        lambda: generic(path, None))


@pytest.mark.parametrize("text", [
    '{"id": "a", "spans": [{"start": 1.0, "end": 2, "label": "PER"}]}\n',
    '{"id": "a", "spans": []}\n{"id": "a", "spans": []}\n',
    '{"id": "", "spans": []}\n',
    '{"id": "a", "spans": []}\n\u3000\n',
    '{"id": "a", "spans": [], "x": NaN}\n',
    '{"id": "a", "spans": [{"start": 1, "end": 2, "label": "PER", "score": "high"}]}\n',
    '{"id": "a", "spans": [{"start": 1, "end": 2, "label": "PER", "score": 1, "score": 2}]}\n',
])
def test_what_the_fast_path_cannot_type_goes_to_the_generic_reader(tmp_path, text):
    path = tmp_path / "pred.jsonl"
    path.write_text(text, encoding="utf-8")
    assert read_typed_ner(path) is None


def test_blank_lines_keep_the_line_numbers(tmp_path):
    path = tmp_path / "pred.jsonl"
    path.write_text('\n{"id": "a", "spans": []}\n  \n\n{"id": "b", "spans": []}', encoding="utf-8")
    columns = read_typed_ner(path)
    assert columns is not None
    assert (columns.ids, columns.lines) == (["a", "b"], [2, 5])


@pytest.mark.parametrize("line", [
    '{"id": "a", "id": "b", "spans": []}',
    '{"id": "a", "spans": [], "spans": []}',
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "PER", "start": 0}]}',
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "PER", "label": "PER"}]}',
    '{"id": "a", "text": "x", "spans": [], "text": "x"}',
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "MONEY", '
    '"norm": {"unit": "CNY", "unit": "USD"}}]}',
    # the repeated key written with escapes, and a quote inside a value
    '{"id": "a", "\\u0069d": "b", "spans": []}',
    '{"id": "a\\"", "spans": [], "i\\u0064": "x"}',
    '{"id": "a", "doc_id": "d", "doc_id": "d", "spans": []}',
])
def test_a_repeated_key_is_not_taken_by_the_fast_path(tmp_path, line):
    """msgspec keeps the last of two equal keys; the generic reader must see the line."""
    path = tmp_path / "pred.jsonl"
    path.write_text('{"id": "z", "spans": []}\n' + line + "\n", encoding="utf-8")
    assert read_typed_ner(path) is None


@pytest.mark.parametrize("line", [
    '{"id": "a\\"b", "text": "say \\"hi\\"", "spans": []}',
    '{"id": "a", "text": "id: \\"id\\"", "spans": [{"start": 0, "end": 2, "label": "PER", '
    '"text": "id"}]}',
    '{"id": "\\u82cf\\u5dde", "spans": [], "kind": "body", "tokens": ["\\"", "x"]}',
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "MONEY", '
    '"norm": {"value": 2.5, "unit": "CNY", "modifier": null}}]}',
])
def test_quotes_and_escapes_without_repeated_keys_take_the_fast_path(tmp_path, line):
    path = tmp_path / "pred.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    columns = read_typed_ner(path)
    assert columns is not None
    assert columns.ids == [json.loads(line)["id"]]


@pytest.mark.parametrize("line", [
    '{"id": "a", "spans": [], "score": 0.5}',  # a field the fast path does not know
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "PER", "norm": {"x": 1}}]}',
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "PER", '
    '"norm": {"value": [[[[1]]]]}}]}',  # nesting cannot hide in a norm
    '{"id": "a", "spans": [{"start": 0, "end": 1, "label": "MONEY", '
    '"norm": {"value": 1.' + "0" * 120 + '}}]}',  # a number longer than the strict reader takes
    '{"id": "a", "spans": [{"start": 0, "end": ' + "9" * 30 + ', "label": "PER"}]}',
    '{"id": "a", "tokens": [' + "[" * 100 + "]" * 100 + '], "spans": []}',
    '{"id": "a\\u0000", "spans": []}',
])
def test_what_the_strict_reader_may_refuse_goes_to_the_generic_reader(tmp_path, line):
    path = tmp_path / "pred.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    if "\\u0000" in line:  # taken by the str reader; the compact id column refuses it
        table = read_ner_table(path, SCHEMA.label_ids, compact=True)
        assert not table.compact
        return
    assert read_typed_ner(path) is None


def lines_of(n: int, bad: dict[int, str]) -> str:
    rows = []
    for i in range(1, n + 1):
        rows.append(bad.get(i, json.dumps({
            "id": f"p{i}", "text": "苏州和昆山的企业很多",
            "spans": [{"start": 0, "end": 2, "label": "GPE", "text": "苏州"}]},
            ensure_ascii=False)))
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("bad", [
    {},
    {1: '{"id": "p1", "text": "ab", "spans": [{"start": 0, "end": 3, "label": "PER"}]}'},
    {40: '{"id": "p40", "text": "ab", "spans": [{"start": 1, "end": 2, "label": "PER", '
         '"text": "a"}]}'},
    {40: '{"id": "p40", "text": "ab", "spans": [{"start": 0, "end": 2, "label": "X"}]}',
     41: '{"id": "p41", "text": "ab", "spans": [{"start": 0, "end": 1, "label": "PER", '
         '"text": "b"}]}'},
    {39: '{"id": "p39", "text": "ab", "spans": [{"start": 0, "end": 1, "label": "PER", '
         '"text": "b"}]}',
     80: '{"id": "p80", "text": "ab", "spans": [{"start": 0, "end": 2, "label": "PER"}, '
         '{"start": 1, "end": 2, "label": "ORG"}]}'},
    {41: '{"id": "p1", "spans": []}'},
    {41: "", 42: "   ", 43: "{bad"},
])
@pytest.mark.parametrize("compact", [False, True])
def test_small_and_large_blocks_give_the_same_table_or_messages(tmp_path, bad, compact):
    """A block boundary (here after about 39 lines) changes nothing: not the table, not a
    message, not a line number — also for an error on the first line of the second block."""
    path = tmp_path / "gold.jsonl"
    path.write_text(lines_of(120, bad), encoding="utf-8")
    size = len(lines_of(39, {}).encode("utf-8"))

    def read(block_bytes: int) -> Any:
        return outcome(lambda: read_ner_table(path, SCHEMA.label_ids, compact=compact,
                                              block_bytes=block_bytes), compact=True)

    small, large = read(size), read(1 << 22)
    assert small == large
    if not compact:
        assert large == outcome(lambda: generic(path, None), compact=True)


def test_a_compact_table_keeps_columns_not_texts(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(lines_of(5, {}), encoding="utf-8")
    full = read_ner_table(path, SCHEMA.label_ids)
    compact = read_ner_table(path, SCHEMA.label_ids, compact=True, block_bytes=100)
    assert compact.compact and compact.texts == () and compact.span_text == ()
    assert list(compact.ids) == list(full.ids) and compact.ids[4] == "p5"
    assert compact.text_length.tolist() == [len(t or "") for t in full.texts]
    for name in ("par", "start", "end", "label", "span_line"):
        assert getattr(compact, name).tolist() == getattr(full, name).tolist()
    assert list(compact.lines) == list(full.lines)


@pytest.mark.parametrize("key", ['"text"', '"t\\u0065xt"'])
def test_predictions_with_texts_are_checked_against_the_gold_texts(tmp_path, key):
    """The compact tables keep no text; predictions that carry one (even behind a key
    the quick look for ``"text"`` misses) are read again with the texts."""
    from aicities.tasks.evaluate import score_ner_files

    gold = tmp_path / "gold.jsonl"
    gold.write_text(lines_of(3, {}), encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    good = tmp_path / "good.jsonl"
    rows = [{"id": f"p{i}", "spans": [{"start": 0, "end": 2, "label": "GPE"}]} for i in (1, 2, 3)]
    good.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    lines = [json.dumps(r) for r in rows]
    lines[1] = lines[1][:-1] + ', ' + key + ': "苏州和昆山"}'
    pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        score_ner_files(gold, pred, schema=SCHEMA, bootstrap=0)
    assert [e.code for e in caught.value.errors] == ["text-mismatch"]
    assert caught.value.errors[0].line == 2
    report = score_ner_files(gold, good, schema=SCHEMA, bootstrap=0)
    assert report.schemas["strict"].overall.micro.f1 == 1.0


def test_an_id_with_a_nul_is_not_paired_with_the_id_without(tmp_path):
    """numpy string arrays drop trailing NULs: the compact id column must not pair them."""
    from aicities.tasks.evaluate import score_ner_files

    gold = tmp_path / "gold.jsonl"
    gold.write_text(lines_of(2, {}), encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"id": "p1", "spans": []}\n{"id": "p2\\u0000", "spans": []}\n',
                    encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        score_ner_files(gold, pred, schema=SCHEMA, bootstrap=0)
    assert [e.code for e in caught.value.errors] == ["unknown-id", "missing-id"]
