"""NER scores anchored to the field's references: seqeval (strict, IOB2) and nervaluate 1.2.1.

The same random (hypothesis) and adversarial paragraphs are scored by aicities and by the
references; strict micro and per-label numbers must equal seqeval's, the four schemas'
counts and scores nervaluate's. Where a reference is wrong or follows another convention,
a test below names the case and shows both numbers (explained in tasks/ner/README.md).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from aicities.annotation.schema import get_schema
from aicities.errors import DataErrors
from aicities.tasks.evaluate import score_ner, spans_to_bio, to_nervaluate
from aicities.tasks.evaluate import spans as spans_module
from aicities.tasks.evaluate.io import read_ner_rows
from aicities.tasks.evaluate.spans import (
    FIELDS,
    SpanSet,
    count_matches,
    from_nervaluate,
    match_paragraph,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
# Two entity and two figure labels keep collisions (type confusions) frequent.
LABELS = ("PER", "ORG", "MONEY", "DATE")
NERVALUATE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
CHARS = "苏州深圳AI人才9条元%𠮷😀 ab"  # includes two non-BMP characters

Span = tuple[int, int, str]
Paragraph = tuple[str, list[Span], list[Span]]


# --- strategies --------------------------------------------------------------------------


@st.composite
def flat_spans(draw: st.DrawFn, length: int) -> list[Span]:
    """Sorted, non-overlapping, non-empty spans inside [0, length)."""
    if length == 0:
        return []
    cuts = sorted(draw(st.lists(st.integers(0, length), max_size=8)))
    spans: list[Span] = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < b and (not spans or a >= spans[-1][1]):
            spans.append((a, b, draw(st.sampled_from(LABELS))))
    return spans


@st.composite
def perturbed(draw: st.DrawFn, gold: list[Span], length: int) -> list[Span]:
    """Predictions near the gold: kept, relabelled, off by one, split, merged, dropped,
    plus extras."""
    out: list[Span] = []
    actions = ["keep", "relabel", "shift", "grow", "shrink", "drop", "split", "merge"]
    for k, (start, end, label) in enumerate(gold):
        action = draw(st.sampled_from(actions))
        if action == "split" and end - start > 1:
            mid = draw(st.integers(start + 1, end - 1))
            out += [(start, mid, label), (mid, end, draw(st.sampled_from(LABELS)))]
        elif action == "merge" and k + 1 < len(gold):
            out.append((start, gold[k + 1][1], draw(st.sampled_from(LABELS))))
        elif action == "keep":
            out.append((start, end, label))
        elif action == "relabel":
            out.append((start, end, draw(st.sampled_from(LABELS))))
        elif action == "shift":
            d = draw(st.sampled_from([-1, 1]))
            out.append((start + d, end + d, label))
        elif action == "grow":
            out.append((start - draw(st.integers(0, 1)), end + draw(st.integers(0, 2)), label))
        elif action == "shrink" and end - start > 1:
            out.append((start + draw(st.integers(0, 1)), end - 1, label))
    out += draw(flat_spans(length))
    # keep what is inside the text, then make the set flat (first come, first kept)
    out = sorted({s for s in out if 0 <= s[0] < s[1] <= length})
    flat: list[Span] = []
    for span in out:
        if not flat or span[0] >= flat[-1][1]:
            flat.append(span)
    return flat


@st.composite
def paragraph(draw: st.DrawFn) -> Paragraph:
    text = draw(st.text(alphabet=CHARS, max_size=24))
    gold = draw(flat_spans(len(text)))
    pred = draw(st.one_of(flat_spans(len(text)), perturbed(gold, len(text))))
    return text, gold, pred


corpora = st.lists(paragraph(), min_size=1, max_size=6)


# --- helpers -----------------------------------------------------------------------------


def rows(paragraphs: list[Paragraph]) -> tuple[list[dict], list[dict]]:
    gold, pred = [], []
    for i, (text, g, p) in enumerate(paragraphs):
        pid = f"d:p{i:03d}"
        gold.append({"id": pid, "text": text, "spans": [
            {"start": s, "end": e, "text": text[s:e], "label": lab} for s, e, lab in g]})
        pred.append({"id": pid, "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in p]})
    return gold, pred


def ours(paragraphs: list[Paragraph]):
    gold, pred = rows(paragraphs)
    return score_ner(gold, pred, schema=SCHEMA, bootstrap=0)


def nervaluate(paragraphs: list[Paragraph], tags=LABELS, order=sorted) -> dict:
    true = [[to_nervaluate(*s) for s in order(g)] for _, g, _ in paragraphs]
    pred = [[to_nervaluate(*s) for s in order(p)] for _, _, p in paragraphs]
    return Evaluator(true, pred, tags=list(tags), loader="dict").evaluate()


def seqeval(paragraphs: list[Paragraph]) -> dict:
    y_true = [spans_to_bio(len(t), g) for t, g, _ in paragraphs]
    y_pred = [spans_to_bio(len(t), p) for t, _, p in paragraphs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # macro of no labels: NaN, see below
        return classification_report(
            y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )


def competing(paragraphs: list[Paragraph]) -> bool:
    """Some gold span overlaps two or more predictions: nervaluate's type schema then
    depends on which prediction comes first (see the named case below)."""
    for _, gold, pred in paragraphs:
        for gs, ge, _ in gold:
            if sum(1 for ps, pe, _ in pred if ps < ge and gs < pe) > 1:
                return True
    return False


def assert_equal_to_seqeval(report, reference: dict) -> None:
    strict = report.schemas["strict"]
    for label, ref in reference.items():
        if label.endswith(" avg"):
            continue
        got = strict.labels[label]
        assert (got.micro.precision, got.micro.recall, got.micro.f1, got.counts["possible"]) == (
            ref["precision"], ref["recall"], ref["f1-score"], ref["support"]), label
    micro = reference["micro avg"]
    got = strict.overall
    assert (got.micro.precision, got.micro.recall, got.micro.f1, got.counts["possible"]) == (
        micro["precision"], micro["recall"], micro["f1-score"], micro["support"])
    macro = reference["macro avg"]
    if not np.isnan(macro["f1-score"]):
        assert strict.overall.macro.f1 == pytest.approx(macro["f1-score"], abs=1e-12)
        assert strict.overall.macro.precision == pytest.approx(macro["precision"], abs=1e-12)
        assert strict.overall.macro.recall == pytest.approx(macro["recall"], abs=1e-12)
    # labels seqeval does not list had no span on either side
    for label in LABELS:
        if label not in reference:
            assert strict.labels[label].counts["possible"] == 0
            assert strict.labels[label].counts["actual"] == 0


def assert_counts_equal(group, result, label: str) -> None:
    expected = {k: getattr(result, k) for k in (
        "correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")}
    assert group.counts == expected, label
    assert group.micro.precision == pytest.approx(result.precision, abs=1e-12), label
    assert group.micro.recall == pytest.approx(result.recall, abs=1e-12), label
    assert group.micro.f1 == pytest.approx(result.f1, abs=1e-12), label


def assert_equal_to_nervaluate(report, paragraphs: list[Paragraph]) -> None:
    schemas = ["strict", "exact", "partial"]
    if not competing(paragraphs):
        schemas.append("type")
    reference = nervaluate(paragraphs)
    for name in schemas:
        theirs = NERVALUATE[name]
        assert_counts_equal(report.schemas[name].overall, reference["overall"][theirs], name)
        for label, results in reference["entities"].items():
            assert_counts_equal(report.schemas[name].labels[label], results[theirs],
                                f"{name} {label}")
    for layer, labels in report.layers.items():
        layer_ref = nervaluate(paragraphs, tags=[x for x in labels if x in LABELS])
        for name in schemas:
            assert_counts_equal(report.schemas[name].layers[layer],
                                layer_ref["overall"][NERVALUATE[name]], f"{name} {layer}")
    if "type" not in schemas:
        # Order-independent pairing never credits fewer right-label overlaps.
        got = report.schemas["type"].overall.counts["correct"]
        assert got >= reference["overall"]["ent_type"].correct


# --- the inclusive-end boundary ----------------------------------------------------------


def test_to_nervaluate_makes_the_end_inclusive_and_back():
    assert to_nervaluate(3, 5, "ORG") == {"label": "ORG", "start": 3, "end": 4}
    assert to_nervaluate(0, 1, "PER") == {"label": "PER", "start": 0, "end": 0}
    assert from_nervaluate(to_nervaluate(3, 5, "ORG")) == (3, 5, "ORG")
    with pytest.raises(ValueError):
        to_nervaluate(4, 4, "ORG")


def test_without_the_conversion_nervaluate_sees_adjacent_spans_overlap():
    # gold 苏州 [0, 2) and prediction 发布 [2, 4) touch but share no character
    gold, pred = [{"label": "GPE", "start": 0, "end": 2}], [{"label": "GPE", "start": 2, "end": 4}]
    wrong = Evaluator([gold], [pred], tags=["GPE"], loader="dict").evaluate()["overall"]
    assert wrong["partial"].partial == 1  # half-open ends read as inclusive: a false overlap
    right = Evaluator([[to_nervaluate(0, 2, "GPE")]], [[to_nervaluate(2, 4, "GPE")]],
                      tags=["GPE"], loader="dict").evaluate()["overall"]
    partial = right["partial"]
    assert (partial.partial, partial.spurious, partial.missed) == (0, 1, 1)
    report = ours([("苏州发布", [(0, 2, "PER")], [(2, 4, "PER")])])
    assert report.schemas["partial"].overall.counts["partial"] == 0


# --- random and adversarial predictions --------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora)
def test_random_predictions_equal_seqeval_and_nervaluate(paragraphs):
    report = ours(paragraphs)
    assert_equal_to_seqeval(report, seqeval(paragraphs))
    assert_equal_to_nervaluate(report, paragraphs)


TEXT = "苏州发布AI人才9条，吸引DeepSeek团队"  # 23 characters
ADVERSARIAL: dict[str, list[Paragraph]] = {
    "exact match": [(TEXT, [(0, 2, "PER")], [(0, 2, "PER")])],
    "start off by one": [(TEXT, [(4, 10, "ORG")], [(5, 10, "ORG")])],
    "end off by one": [(TEXT, [(4, 10, "ORG")], [(4, 11, "ORG")])],
    "type confusion, same boundaries": [(TEXT, [(13, 21, "ORG")], [(13, 21, "PER")])],
    "type confusion and off by one": [(TEXT, [(13, 21, "ORG")], [(12, 21, "PER")])],
    "prediction nested in gold": [(TEXT, [(4, 10, "ORG")], [(6, 8, "ORG")])],
    "gold nested in prediction": [(TEXT, [(6, 8, "ORG")], [(4, 10, "ORG")])],
    "prediction crossing a boundary": [(TEXT, [(4, 10, "ORG")], [(8, 12, "ORG")])],
    "one prediction over two gold spans": [
        (TEXT, [(0, 2, "ORG"), (4, 10, "ORG")], [(0, 10, "ORG")])],
    "two predictions inside one gold span": [
        (TEXT, [(4, 10, "ORG")], [(4, 6, "ORG"), (6, 10, "ORG")])],
    "adjacent spans of one label": [
        (TEXT, [(0, 2, "PER"), (2, 4, "PER")], [(0, 2, "PER"), (2, 4, "PER")])],
    "adjacent predictions merged": [(TEXT, [(0, 2, "PER"), (2, 4, "PER")], [(0, 4, "PER")])],
    "spans at both text ends": [(TEXT, [(0, 1, "PER"), (22, 23, "DATE")],
                                 [(0, 1, "PER"), (21, 23, "DATE")])],
    "whole text as one span": [(TEXT, [(0, 23, "MONEY")], [(0, 23, "MONEY")])],
    "empty paragraph": [("", [], []), (TEXT, [(0, 2, "PER")], [(0, 2, "PER")])],
    "paragraphs without spans": [(TEXT, [], []), (TEXT, [(0, 2, "PER")], [])],
    "only spurious predictions": [(TEXT, [], [(0, 2, "PER"), (5, 7, "DATE")])],
    "only missed gold": [(TEXT, [(0, 2, "PER"), (5, 7, "DATE")], [])],
    "non-BMP characters before and inside spans": [
        ("𠮷野家在😀深圳开店", [(0, 3, "ORG"), (5, 7, "ORG")], [(0, 3, "ORG"), (4, 7, "PER")])],
    "layers confused": [(TEXT, [(4, 10, "MONEY")], [(4, 10, "ORG")])],
    "nothing anywhere": [(TEXT, [], [])],
}


@pytest.mark.parametrize("case", list(ADVERSARIAL))
def test_adversarial_predictions_equal_seqeval_and_nervaluate(case):
    paragraphs = ADVERSARIAL[case]
    report = ours(paragraphs)
    assert_equal_to_seqeval(report, seqeval(paragraphs))
    assert_equal_to_nervaluate(report, paragraphs)


def test_adversarial_counts_are_the_expected_ones():
    """A few hand-checked outcomes, so the references are not the only witnesses."""
    def counts(case, schema):
        c = ours(ADVERSARIAL[case]).schemas[schema].overall.counts
        return tuple(c[k] for k in ("correct", "incorrect", "partial", "missed", "spurious"))

    assert counts("start off by one", "strict") == (0, 1, 0, 0, 0)
    assert counts("start off by one", "partial") == (0, 0, 1, 0, 0)
    assert counts("start off by one", "type") == (1, 0, 0, 0, 0)
    assert counts("type confusion, same boundaries", "exact") == (1, 0, 0, 0, 0)
    assert counts("type confusion, same boundaries", "type") == (0, 1, 0, 0, 0)
    assert counts("one prediction over two gold spans", "partial") == (0, 0, 1, 1, 0)
    assert counts("two predictions inside one gold span", "type") == (1, 0, 0, 0, 1)
    assert counts("adjacent predictions merged", "strict") == (0, 1, 0, 1, 0)
    report = ours(ADVERSARIAL["type confusion, same boundaries"])
    assert report.schemas["partial"].overall.micro.f1 == 1.0
    assert report.schemas["strict"].overall.micro.f1 == 0.0


# --- the vectorized path and the per-paragraph matcher agree -----------------------------


@settings(max_examples=200, deadline=None)
@given(corpora)
def test_vectorized_counts_equal_the_per_paragraph_matcher(paragraphs):
    index = {label: i for i, label in enumerate(LABELS)}
    membership = np.array([[True] * 4, [True, True, False, False], [False, False, True, True],
                           *np.eye(4, dtype=bool)])
    groups = [frozenset(np.flatnonzero(row).tolist()) for row in membership]

    def spanset(side: int) -> SpanSet:
        items = [(i, s, e, index[lab]) for i, p in enumerate(paragraphs) for s, e, lab in p[side]]
        return SpanSet.from_lists(*zip(*items, strict=True)) if items else SpanSet.from_lists(
            [], [], [], [])

    got = count_matches(spanset(1), spanset(2), len(paragraphs), membership)
    for i, (_, gold, pred) in enumerate(paragraphs):
        g = [(s, e, index[lab]) for s, e, lab in gold]
        p = [(s, e, index[lab]) for s, e, lab in pred]
        slow = match_paragraph(g, p, groups)
        for k, members in enumerate(groups):
            gk = [t for t in g if t[2] in members]
            pk = [t for t in p if t[2] in members]
            expected = {
                "pos": len(gk),
                "act": len(pk),
                "cor_strict": len(set(gk) & set(pk)),
                "cor_exact": len({t[:2] for t in gk} & {t[:2] for t in pk}),
                "inc_strict": slow[k, 0],
                "inc_exact": slow[k, 1],
                "cor_type": slow[k, 2],
                "inc_type": slow[k, 3],
            }
            assert dict(zip(FIELDS, got[i, k].tolist(), strict=True)) == expected
    # The point estimate's sums, counted in blocks of paragraphs (here 1, 2 or 3 at a
    # time, so blocks cut between hard paragraphs too), are the per-paragraph sums.
    for block in (1, 2, 3):
        with patch.object(spans_module, "_PARAGRAPH_BLOCK", block):
            summed = count_matches(spanset(1), spanset(2), len(paragraphs), membership,
                                   per_paragraph=False)
        assert summed.tolist() == got.sum(axis=0, keepdims=True).tolist()


# --- named cases where a reference is wrong or differs by convention ---------------------


def test_nervaluate_type_schema_depends_on_the_order_of_predictions():
    """MantisAI/nervaluate#40 (open): a wrong-label prediction that comes first takes the
    gold span, so a right-label overlap later in the list is counted spurious."""
    paragraphs = [(TEXT, [(4, 10, "ORG")], [(4, 6, "PER"), (6, 10, "ORG")])]
    in_text_order = nervaluate(paragraphs)["overall"]["ent_type"]
    reversed_order = nervaluate(paragraphs, order=lambda s: sorted(s, reverse=True))
    assert (in_text_order.correct, in_text_order.incorrect, in_text_order.spurious) == (0, 1, 1)
    assert reversed_order["overall"]["ent_type"].correct == 1
    # and its own per-label row disagrees with its overall row
    assert nervaluate(paragraphs)["entities"]["ORG"]["ent_type"].correct == 1
    report = ours(paragraphs)
    counts = report.schemas["type"].overall.counts
    assert (counts["correct"], counts["incorrect"], counts["spurious"]) == (1, 0, 1)
    assert report.schemas["type"].labels["ORG"].counts["correct"] == 1


def test_nervaluate_needs_one_percent_overlap_of_long_gold_spans():
    """nervaluate's min_overlap_percentage=1.0 counts a one-character overlap with a gold
    span longer than 100 characters as no overlap; here any shared character counts."""
    text = "长" * 150
    paragraphs = [(text, [(0, 150, "WORK")], [(149, 150, "WORK")])]
    theirs = Evaluator([[to_nervaluate(0, 150, "WORK")]], [[to_nervaluate(149, 150, "WORK")]],
                       tags=["WORK"], loader="dict").evaluate()["overall"]["partial"]
    assert (theirs.partial, theirs.missed, theirs.spurious) == (0, 1, 1)
    counts = ours(paragraphs).schemas["partial"].overall.counts
    assert (counts["partial"], counts["missed"], counts["spurious"]) == (1, 0, 0)
    # at 100 characters the two agree
    short = Evaluator([[to_nervaluate(0, 100, "WORK")]], [[to_nervaluate(99, 100, "WORK")]],
                      tags=["WORK"], loader="dict").evaluate()["overall"]["partial"]
    assert short.partial == 1


def test_nervaluate_silently_drops_labels_outside_its_tags():
    paragraphs = [(TEXT, [(0, 2, "PER")], [(0, 2, "PER"), (4, 10, "ORGANISATION")])]
    theirs = nervaluate(paragraphs, tags=["PER"])["overall"]["strict"]
    assert (theirs.precision, theirs.actual) == (1.0, 1)  # the unknown label vanished
    with pytest.raises(DataErrors) as caught:
        ours(paragraphs)
    assert [e.code for e in caught.value.errors] == ["unknown-label"]


def test_nervaluate_scores_overlapping_predictions_by_their_order():
    """MantisAI/nervaluate#84: overlapping predictions are 'not intended to be supported';
    the score then depends on the order. aicities refuses them (overlapping-spans)."""
    gold = [to_nervaluate(0, 2, "ORG")]
    first = [to_nervaluate(0, 3, "PER"), to_nervaluate(0, 3, "ORG")]
    a = Evaluator([gold], [first], tags=["ORG", "PER"], loader="dict").evaluate()
    b = Evaluator([gold], [first[::-1]], tags=["ORG", "PER"], loader="dict").evaluate()
    assert a["overall"]["ent_type"].correct != b["overall"]["ent_type"].correct
    with pytest.raises(DataErrors) as caught:
        ours([(TEXT, [(0, 2, "ORG")], [(0, 3, "PER"), (0, 3, "ORG")])])
    assert [e.code for e in caught.value.errors] == ["overlapping-spans"]


def test_seqeval_modes_disagree_on_an_I_tag_after_O(tmp_path):
    """`O I-PER I-PER`: seqeval's default (conlleval) mode counts an entity, its strict mode
    drops it. A CoNLL file with such a tag is refused rather than silently read either way."""
    y_true, y_pred = [["O", "B-PER", "I-PER"]], [["O", "I-PER", "I-PER"]]
    default = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    strict = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True,
                                    zero_division=0)
    assert default["PER"]["f1-score"] == 1.0
    assert strict["PER"]["f1-score"] == 0.0
    path = tmp_path / "pred.conll"
    path.write_text("# id = d:p000\n苏\tO\n州\tI-PER\n人\tI-PER\n\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        read_ner_rows(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:3 [invalid-bio] I-PER after 'O' does not continue a B-PER (IOB2)"
    ]


def test_seqeval_macro_of_no_labels_is_nan_ours_is_zero():
    paragraphs = ADVERSARIAL["nothing anywhere"]
    assert np.isnan(seqeval(paragraphs)["macro avg"]["f1-score"])
    report = ours(paragraphs)
    assert report.schemas["strict"].overall.macro.f1 == 0.0
    assert report.not_in_macro == SCHEMA.label_ids
