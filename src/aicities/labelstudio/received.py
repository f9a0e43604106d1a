"""Label Studio exports → each annotator's received work → an explicit, reported merge.

Work received from Label Studio never goes straight into the gold. ``import`` validates an
export like gold (the text of every task must equal the current clean paragraph; offsets,
labels and normalized values pass ``validate.span_problems``) and keeps each annotator's
judgements apart under ``annotations/labelstudio/received/<annotator>/``, in the gold's own
formats (``<doc_id>.jsonl`` spans in document offsets, ``paragraphs.jsonl``). ``merge``
compares one annotator's work with the gold paragraph by paragraph, reports every added,
removed and changed span and label, and writes the gold only when asked to.

Every file is written all-or-nothing (``files.write_all``); a bad export writes nothing.

Decisions:

* A submitted annotation is a judgement of the whole paragraph, so an empty ``result``
  means "no mention, no city, no topic" (bylines have none). What is refused as empty is an
  export with nothing submitted in it (``ls-empty-export``): nothing to import.
* Cancelled (skipped) annotations are not read; of several by one annotator on one
  paragraph the latest (``updated_at``) wins, and the summary counts the others.
* Problems carry line 0 (an export is one JSON document) and name the task, paragraph,
  annotation, annotator and region instead; invalid JSON carries its line.
* The comparison of figure values with the normalizer (``norm-disagrees``) is not an import
  error: a corrected value needs a note (the span's note box in the editor), and the merge
  refuses a result the validator would refuse (``merge_problems``), listing what needs one.
* Annotators are named by e-mail: an export that records a user id without an e-mail (a
  download from the web page) is resolved through the server's users or refused
  (``ls-unknown-annotator``) unless ``--annotator`` names its one annotator.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.annotation.records import (
    ParagraphLabels,
    Span,
    by_paragraph,
    dumps_spans,
    load_paragraph_labels,
    load_spans,
    read_paragraph_labels,
    to_document,
)
from aicities.annotation.schema import NORM_FIELDS, get_schema
from aicities.annotation.sheets import assign_ids, merged_labels
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import dumps_jsonl, iter_jsonl, read_text
from aicities.inputs import loads
from aicities.labelstudio.convert import Judgement, from_results, judgement_problems
from aicities.project import Project

_SAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def received_dir(project: Project, annotator: str | None = None) -> Path:
    base = project.labelstudio_dir / "received"
    return base / annotator if annotator else base


def annotator_name(raw: str) -> str:
    """A folder-safe annotator name (an e-mail address stays as it is)."""
    name = _SAFE.sub("_", raw.strip()).strip("._") or "unknown"
    return name


# ---------------------------------------------------------------------------- reading exports


def read_export(path: Path) -> list[dict[str, Any]]:
    """A Label Studio JSON export (a list of tasks) from a file."""
    text = read_text(path)
    try:  # the strict reader: bounded nesting and numbers, a key given twice refused
        data = loads(text, path)
    except DataError as exc:
        if exc.code != "invalid-json":
            raise
        raise DataError(path, exc.line, "ls-malformed-export",
                        f"not JSON: {exc.message} (column {exc.column})") from None
    return check_export(data, path)


def check_export(data: Any, path: str | Path) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise DataError(path, 0, "ls-malformed-export",
                        f"a Label Studio JSON export is a list of tasks, not {type(data).__name__}")
    for number, task in enumerate(data, start=1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise DataError(path, 0, "ls-malformed-export",
                            f"task #{number} is not an object with a 'data' object")
        if not isinstance(task.get("annotations", []), list):
            raise DataError(path, 0, "ls-malformed-export",
                            f"task #{number}: 'annotations' must be a list")
    return data


@dataclass
class ImportSummary:
    tasks: int = 0
    annotations: int = 0
    cancelled: int = 0
    superseded: int = 0  # older annotations of the same paragraph by the same annotator
    without_annotation: int = 0
    by_annotator: dict[str, int] = field(default_factory=dict)


def _who(annotation: Mapping[str, Any], users: Mapping[int, str]) -> tuple[str, int | None]:
    """The annotator's folder name (their e-mail), and the user id when it is unresolved."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        if who.get("email"):
            return annotator_name(str(who["email"])), None
        who = who.get("id")
    if isinstance(who, int) and not isinstance(who, bool):
        if who in users:
            return annotator_name(users[who]), None
        return f"user-{who}", who
    return "unknown", None


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def parse_export(
    tasks: Sequence[Mapping[str, Any]],
    project: Project,
    *,
    path: str | Path,
    users: Mapping[int, str] | None = None,
    annotator: str | None = None,
    model_version: str | None = None,
) -> tuple[dict[str, dict[str, Judgement]], ImportSummary]:
    """Judgements by annotator and paragraph id, after every check; raises DataErrors.

    ``users`` maps Label Studio user ids to names (e-mails); ``annotator`` renames the one
    annotator of the export. With ``model_version``, the predictions of that model version
    are read instead of the annotations (to check what was pushed), under the name
    ``model-<version>``.
    """
    schema = get_schema(project.schema_file)
    paragraphs = {p.id: p for p in load_paragraphs(project)}
    users = users or {}
    errors: list[DataError] = []
    unresolved: set[int] = set()
    summary = ImportSummary(tasks=len(tasks))
    chosen: dict[tuple[str, str], tuple[str, Mapping[str, Any], str]] = {}
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") or {}
        pid = data.get("paragraph_id")
        where = f"task {task.get('id', '#' + str(number))} ({pid})"
        paragraph = paragraphs.get(pid) if isinstance(pid, str) else None
        if paragraph is None:
            errors.append(DataError(path, 0, "ls-unknown-paragraph",
                                    f"{where}: no paragraph {pid!r} in corpus/segments.jsonl"))
            continue
        text = data.get("text")
        if not isinstance(text, str):
            errors.append(DataError(path, 0, "ls-malformed-export", f"{where}: no text"))
            continue
        if "\r" in text:
            errors.append(DataError(path, 0, "ls-crlf-text",
                                    f"{where}: the task text has CR (\\r) line ends; the clean "
                                    "text has none, so every offset after one would be wrong"))
            continue
        if text != paragraph.text:
            at = _first_difference(text, paragraph.text)
            errors.append(DataError(
                path, 0, "ls-text-mismatch",
                f"{where}: the task text no longer equals the clean paragraph (first difference "
                f"at code point {at}: task {text[at:at + 8]!r}, corpus "
                f"{paragraph.text[at:at + 8]!r}); re-push the paragraph and annotate it again"))
            continue
        if model_version is not None:
            items = [p for p in task.get("predictions") or []
                     if isinstance(p, dict) and p.get("model_version") == model_version]
            entries = [(f"model-{annotator_name(model_version)}", p, f"prediction {p.get('id')}")
                       for p in items]
        else:
            entries = []
            for ann in task.get("annotations") or []:
                if not isinstance(ann, dict):
                    errors.append(DataError(path, 0, "ls-malformed-export",
                                            f"{where}: an annotation is not an object"))
                    continue
                if ann.get("was_cancelled"):
                    summary.cancelled += 1
                    continue
                who, user_id = _who(ann, users)
                if user_id is not None:
                    unresolved.add(user_id)
                entries.append((who, ann, f"annotation {ann.get('id')}"))
        if not entries:
            summary.without_annotation += 1
        for who, ann, label in entries:
            summary.annotations += 1
            key = (who, paragraph.id)
            stamp = str(ann.get("updated_at") or ann.get("created_at") or "")
            if key in chosen:
                summary.superseded += 1
                if chosen[key][0] >= stamp:
                    continue
            chosen[key] = (stamp, ann, f"{where} {label} by {who}")
    if unresolved and annotator is None:
        # A web export names annotators by number only; received work is keyed by e-mail,
        # so a guess (user-<id>) would file one person under two names.
        errors.append(DataError(
            path, 0, "ls-unknown-annotator",
            f"annotations by Label Studio user id(s) {sorted(unresolved)} carry no e-mail; "
            "pass --annotator EMAIL (an export of one annotator) or --url to look the ids "
            "up on the server"))
    if annotator is not None:
        names = {who for who, _ in chosen}
        if len(names) > 1:
            errors.append(DataError(path, 0, "ls-several-annotators",
                                    f"--annotator renames one annotator, but the export has "
                                    f"{sorted(names)}"))
    out: dict[str, dict[str, Judgement]] = defaultdict(dict)
    for (who, pid), (_, ann, where) in sorted(chosen.items()):
        paragraph = paragraphs[pid]
        judgement, problems = from_results(ann.get("result"), paragraph, schema, path=path,
                                           where=where)
        if not problems:
            problems = judgement_problems(judgement, paragraph, schema, path=path, where=where)
        errors.extend(problems)
        out[annotator_name(annotator) if annotator else who][pid] = judgement
    if errors:
        raise DataErrors(errors)
    if not out:
        raise DataError(path, 0, "ls-empty-export",
                        f"nothing to import: {summary.tasks} task(s), no submitted "
                        f"{'prediction' if model_version else 'annotation'} "
                        f"({summary.cancelled} cancelled)")
    summary.by_annotator = {who: len(js) for who, js in sorted(out.items())}
    return dict(out), summary


# ------------------------------------------------------------------------------ received work


def _by_paragraph(
    spans: Sequence[Span], paragraphs: Sequence[Paragraph], path: Path
) -> dict[str, list[Span]]:
    try:
        return by_paragraph(spans, paragraphs)
    except ValueError as exc:
        raise DataError(path, 0, "span-crosses-paragraph", str(exc)) from None


def load_received(project: Project, annotator: str) -> dict[str, Judgement]:
    """An annotator's received judgements by paragraph id (paragraph offsets)."""
    folder = received_dir(project, annotator)
    labels_path = folder / "paragraphs.jsonl"
    if not labels_path.exists():
        known = sorted(p.name for p in received_dir(project).glob("*") if p.is_dir())
        raise DataError(folder, 0, "ls-no-received-work",
                        f"nothing received from {annotator!r} (received: {known or 'nobody'})")
    labels = read_paragraph_labels(labels_path)
    paragraphs = load_paragraphs(project)
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    spans: dict[str, list[Span]] = {}
    for doc_id in sorted({lab.doc_id for lab in labels.values()}):
        path = folder / f"{doc_id}.jsonl"
        rows = [Span.from_json(row) for _, row in iter_jsonl(path)] if path.exists() else []
        spans.update(_by_paragraph(rows, by_doc[doc_id], path))
    return {pid: Judgement(pid, tuple(spans.get(pid, ())), lab) for pid, lab in labels.items()}


@dataclass
class ReceiveReport:
    """What an import did to each annotator's received work."""

    new: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, list[str]] = field(default_factory=dict)
    files: dict[Path, str] = field(default_factory=dict)


def _same(a: Judgement, b: Judgement) -> bool:
    return _span_keys(a.spans) == _span_keys(b.spans) and _label_key(a.labels) == _label_key(
        b.labels
    )


def _span_keys(spans: Iterable[Span]) -> list[tuple[Any, ...]]:
    return sorted((s.start, s.end, s.label, _norm_key(s.norm), s.note or None) for s in spans)


def _norm_key(norm: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    return None if norm is None else tuple(norm.get(k) for k in NORM_FIELDS)


def _label_key(labels: ParagraphLabels | None) -> tuple[Any, ...] | None:
    if labels is None:
        return None
    return (frozenset(labels.cities), frozenset(labels.topics), labels.note or None)


def plan_receive(
    project: Project, judgements: Mapping[str, Mapping[str, Judgement]]
) -> ReceiveReport:
    """The received files after adding ``judgements`` (new ones replace older ones of the
    same paragraph by the same annotator; other paragraphs are kept)."""
    paragraphs = load_paragraphs(project)
    index = {p.id: p for p in paragraphs}
    report = ReceiveReport()
    for who, incoming in sorted(judgements.items()):
        folder = received_dir(project, who)
        try:
            current = load_received(project, who)
        except DataError:
            current = {}
        merged = dict(current)
        for pid, judgement in incoming.items():
            old = current.get(pid)
            bucket = report.new if old is None else (
                report.unchanged if _same(old, judgement) else report.updated)
            bucket.setdefault(who, []).append(pid)
            merged[pid] = judgement
        gold_by_doc = {doc: load_spans(project, doc)
                       for doc in {index[pid].doc_id for pid in merged}}
        spans_by_doc: dict[str, list[Span]] = defaultdict(list)
        for pid, judgement in merged.items():
            para = index[pid]
            spans_by_doc[para.doc_id].extend(to_document(s, para) for s in judgement.spans)
        for doc_id in sorted(gold_by_doc):
            spans = assign_ids(doc_id, spans_by_doc.get(doc_id, []), gold_by_doc[doc_id])
            report.files[folder / f"{doc_id}.jsonl"] = dumps_spans(spans)
        order = {p.id: i for i, p in enumerate(paragraphs)}
        rows = [merged[pid].labels.to_json() for pid in sorted(merged, key=order.__getitem__)]
        report.files[folder / "paragraphs.jsonl"] = dumps_jsonl(rows)
    return report


# ------------------------------------------------------------------------------------ merge


@dataclass(frozen=True)
class Change:
    """One difference between the gold (``before``) and received work (``after``)."""

    kind: str  # added | removed | changed
    paragraph_id: str
    before: Span | ParagraphLabels | None
    after: Span | ParagraphLabels | None

    def to_json(self) -> dict[str, Any]:
        def side(x: Span | ParagraphLabels | None) -> dict[str, Any] | None:
            if x is None:
                return None
            row = x.to_json()
            if isinstance(x, Span):
                row.pop("id", None)  # ids are the gold's business, offsets identify a span
            return row

        return {"kind": self.kind, "paragraph": self.paragraph_id,
                "before": side(self.before), "after": side(self.after)}


@dataclass
class MergePlan:
    annotator: str
    paragraphs: list[str]
    spans: list[Change]
    labels: list[Change]
    files: dict[Path, str]

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {k: sum(c.kind == k for c in changes) for k in ("added", "removed", "changed")}
            for name, changes in (("spans", self.spans), ("labels", self.labels))
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "paragraphs": len(self.paragraphs),
            "counts": self.counts(),
            "spans": [c.to_json() for c in self.spans],
            "labels": [c.to_json() for c in self.labels],
            "files": sorted(str(p) for p in self.files),
        }


def plan_merge(project: Project, annotator: str) -> MergePlan:
    """Compare an annotator's received paragraphs with the gold; the files a merge would write.

    Within each received paragraph the received spans replace the gold's; spans are matched
    by their offsets, so a new label or value on the same mention is a change, a moved
    boundary is a removal plus an addition. Gold spans that keep their offsets and label keep
    their id (``annotate.assign_ids``); paragraph labels compare as sets.
    """
    received = load_received(project, annotator)
    paragraphs = load_paragraphs(project)
    index = {p.id: p for p in paragraphs}
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    gold_labels = load_paragraph_labels(project)
    span_changes: list[Change] = []
    label_changes: list[Change] = []
    docs = sorted({index[pid].doc_id for pid in received})
    files: dict[Path, str] = {}
    order = {p.id: i for i, p in enumerate(paragraphs)}
    for doc_id in docs:
        gold_spans = load_spans(project, doc_id)
        gold_by_para = _by_paragraph(gold_spans, by_doc[doc_id], project.spans_path(doc_id))
        kept: list[Span] = []
        for para in by_doc[doc_id]:
            if para.id not in received:
                kept.extend(to_document(s, para) for s in gold_by_para[para.id])
                continue
            new = received[para.id].spans
            span_changes.extend(_span_diff(para.id, gold_by_para[para.id], new))
            kept.extend(to_document(s, para) for s in new)
        content = dumps_spans(assign_ids(doc_id, kept, gold_spans))
        path = project.spans_path(doc_id)
        if not path.exists() or read_text(path) != content:
            if content or path.exists():
                files[path] = content
    new_labels: dict[str, ParagraphLabels] = {}
    for pid in sorted(received, key=order.__getitem__):
        after = received[pid].labels
        before = gold_labels.get(pid)
        if before is None:
            label_changes.append(Change("added", pid, None, after))
        elif _label_key(before) != _label_key(after):
            label_changes.append(Change("changed", pid, before, after))
        else:
            continue
        new_labels[pid] = after
    if new_labels:
        path = project.paragraph_labels_file
        files[path] = merged_labels(path, new_labels, paragraphs)
    return MergePlan(annotator, sorted(received, key=order.__getitem__), span_changes,
                     label_changes, files)


def _span_diff(pid: str, before: Sequence[Span], after: Sequence[Span]) -> list[Change]:
    old = {(s.start, s.end): s for s in before}
    new = {(s.start, s.end): s for s in after}
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None:
            out.append(Change("added", pid, None, b))
        elif b is None:
            out.append(Change("removed", pid, a, None))
        elif (a.label, _norm_key(a.norm), a.note or None) != (b.label, _norm_key(b.norm),
                                                                b.note or None):
            out.append(Change("changed", pid, a, b))
    return out


def describe(change: Change) -> str:
    """One line of the merge report."""
    mark = {"added": "+", "removed": "-", "changed": "~"}[change.kind]
    before, after = change.before, change.after
    if isinstance(before, ParagraphLabels) or isinstance(after, ParagraphLabels):
        def labels(x: Any) -> str:
            if x is None:
                return "(no line)"
            note = f" note={x.note!r}" if x.note else ""
            return (f"cities={','.join(x.cities) or '-'} topics={','.join(x.topics) or '-'}"
                    f"{note}")
        return f"  {mark} {change.paragraph_id} {labels(before)} → {labels(after)}" if (
            before is not None) else f"  {mark} {change.paragraph_id} {labels(after)}"

    def span(x: Any) -> str:
        norm = ""
        if x.norm is not None:
            norm = " " + json.dumps({k: v for k, v in x.norm.items() if v is not None},
                                    ensure_ascii=False)
        note = f" note={x.note!r}" if x.note else ""
        return f"{x.label}{norm}{note}"

    s = after if isinstance(after, Span) else before
    if not isinstance(s, Span):
        raise TypeError("a change needs a span on one side")
    where = f"{change.paragraph_id} [{s.start}, {s.end}) {s.text!r}"
    if change.kind == "changed":
        return f"  {mark} {where} {span(before)} → {span(after)}"
    return f"  {mark} {where} {span(s)}"


# ------------------------------------------------------------------- validate before merge


def merge_problems(project: Project, plan: MergePlan) -> list[str]:
    """What ``aicities validate`` would refuse in the gold after this merge, and not before.

    The merged files are staged in a temporary folder (never in the checkout) and validated
    with the gold's checks (``validate.validate_project`` on that folder); problems the
    current gold already has are not the merge's doing and are left out. One line each, with
    the gold file it would be in.
    """
    import shutil
    import tempfile

    from aicities.annotation.validate import validate_project

    if not plan.files:
        return []
    before = validate_project(project)
    labels = project.paragraph_labels_file
    with tempfile.TemporaryDirectory(prefix="aicities-merge-") as tmp:
        stage = Path(tmp)
        spans_dir = stage / "spans"
        spans_dir.mkdir()
        for path in project.spans_dir.glob("*.jsonl"):
            if path != labels:
                shutil.copyfile(path, spans_dir / path.name)
        staged_labels = stage / labels.name
        if labels.exists():
            shutil.copyfile(labels, staged_labels)
        for path, content in plan.files.items():
            target = staged_labels if path == labels else spans_dir / path.name
            target.write_text(content, encoding="utf-8")
        after = validate_project(project, spans_dir=spans_dir, labels_file=staged_labels)
        real = {str(spans_dir): str(project.spans_dir.relative_to(project.root)),
                str(staged_labels): str(labels.relative_to(project.root))}

        def where(path: str) -> str:
            for staged, gold in real.items():
                if path.startswith(staged):
                    return gold + path[len(staged):]
            return path

        old = {(where(p.path), p.error_id, p.message) for p in before.problems}
        out = []
        for p in sorted(after.problems):
            place = where(p.path)
            if (place, p.error_id, p.message) not in old:
                out.append(f"{place}:{p.line} [{p.error_id}] {p.message}")
    return out
