"""Label Studio JSON exports → judgements by annotator and paragraph, after every check.

``read_export`` reads the file with the strict reader; ``parse_export`` checks every task
against the corpus (the text of every task must equal the current clean paragraph) and
every judgement with the gold's checks (``convert.judgement_problems``, which runs the
validator's span and paragraph-label checks, then ``fact_merge.paragraph_fact_problems``, its
fact level, on a paragraph whose facts were drawn). Problems carry line 0 (an export is one JSON
document) and name the task, paragraph, annotation, annotator and region instead; invalid
JSON carries its line. The decisions are listed in ``labelstudio.received``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.annotation.entities import Resolver
from aicities.annotation.records import Span
from aicities.annotation.schema import get_schema
from aicities.annotation.validate import load_spans
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import read_text
from aicities.inputs import loads
from aicities.labelstudio.convert import Judgement, from_results, judgement_problems
from aicities.labelstudio.fact_merge import paragraph_fact_problems, resolver_of
from aicities.project import Project

_SAFE = re.compile(r"[^A-Za-z0-9._@+-]")

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
    facts = _FactCheck(project)
    for (who, pid), (_, ann, where) in sorted(chosen.items()):
        paragraph = paragraphs[pid]
        judgement, problems = from_results(ann.get("result"), paragraph, schema, path=path,
                                           where=where)
        if not problems:
            problems = judgement_problems(judgement, paragraph, schema, path=path, where=where)
        if not problems:
            problems = facts.problems(judgement, paragraph, path=path, where=where)
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


class _FactCheck:
    """The fact level on imported paragraphs, with each document's gold spans and clean
    text read once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.resolver: Resolver | None = None
        self.docs: dict[str, tuple[list[Span], str]] = {}

    def problems(self, judgement: Judgement, paragraph: Paragraph, *, path: str | Path,
                 where: str) -> list[DataError]:
        if not judgement.facts:
            return []
        if self.resolver is None:
            self.resolver = resolver_of(self.project)
        doc_id = paragraph.doc_id
        if doc_id not in self.docs:
            gold = load_spans(self.project, doc_id)  # none for a document without a file
            self.docs[doc_id] = (gold, read_text(self.project.clean_path(doc_id)))
        gold, clean = self.docs[doc_id]
        return paragraph_fact_problems(judgement.facts, judgement.spans, paragraph,
                                       gold_spans=gold, clean=clean, resolver=self.resolver,
                                       path=path, where=where)
