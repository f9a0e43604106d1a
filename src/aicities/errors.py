"""One error type for bad data, carrying the place it was found, and the one table of ids.

Every error id of the project, once: id → level, class, severity, description, raisers.

The validator prints ``[L<level> <class> <id>]``; every other stage prints ``[<id>]``
(``DataError``). The views the stages use (``INPUT_ERRORS``, the validator's
``SCHEMA_ERRORS``, the evaluator's ``rows.ERRORS``) are derived from this table by the
``raised_by`` of each entry, so an id is described in one place only.
``tests/test_errors_registry.py`` walks the source for every code literal given to an error
constructor and checks it is here, and that every id here has a fixture or a case that
raises it.

Levels 1–5 are the validator's (see ``annotation.validate``); level 0 is a problem outside
the validator's levels (a reader, a config file, the evaluator, the Label Studio importer).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


@dataclass
class DataError(Exception):
    """Bad input: names the file, the line (1-based, 0 when the whole file) and the problem.

    ``code`` is a stable identifier (``not-utf8``, ``span-text-mismatch`` …) that tests and
    tools can match on; ``message`` is for people. ``column`` (1-based, in code points of
    the line; 0 when none applies) is printed after the line: ``file:line:column``.
    """

    path: str | Path
    line: int
    code: str
    message: str
    column: int = 0

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        if self.line and self.column:
            place += f":{self.column}"
        return f"{place} [{self.code}] {self.message}"


class DataErrors(Exception):
    """Several problems found in one pass; raised so that nothing is written."""

    def __init__(self, errors: list[DataError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class Severity(enum.IntEnum):
    """How much a problem stops: ordered, so ``severity >= Severity.ERROR`` reads naturally.

    ``GUIDELINE``: the data is consistent (offsets and text agree) but breaks an annotation
    convention (edge punctuation); ``validate`` refuses it, a reader that only draws the
    data (the viewer) does not. ``ERROR``: the data is wrong or unreadable, refused everywhere.
    """

    GUIDELINE = 1
    ERROR = 2


class Raiser(enum.Enum):
    """Which stage raises an id (the views of the table are keyed on it)."""

    INPUT = "input"  # the shared readers: aicities.inputs, aicities.files, corpus listing
    VALIDATE = "validate"
    EVAL = "eval"
    LABELSTUDIO = "labelstudio"
    PIPELINE = "pipeline"  # clean, build, sheets, preannotate, baselines, txn, cli


@dataclass(frozen=True)
class ErrorId:
    level: int
    cls: str  # FORMAT SCHEMA SPAN LABEL NORM CORPUS (the validator's), else INPUT CONFIG …
    message: str
    raised_by: frozenset[Raiser]
    severity: Severity = Severity.ERROR


_I, _V, _E, _L, _P = Raiser.INPUT, Raiser.VALIDATE, Raiser.EVAL, Raiser.LABELSTUDIO, Raiser.PIPELINE


def _e(level: int, cls: str, message: str, *by: Raiser,
       severity: Severity = Severity.ERROR) -> ErrorId:
    return ErrorId(level, cls, message, frozenset(by), severity)


REGISTRY: dict[str, ErrorId] = {
    # --- L1 FORMAT: the shared strict readers (aicities.inputs), also the validator's L1
    "not-a-regular-file": _e(1, "FORMAT", "a symbolic link (also dangling), FIFO, socket, "
                             "device or directory where a file is read", _I, _V),
    "bom": _e(1, "FORMAT", "a file starting with a UTF-8 byte order mark", _I, _V, _P),
    "not-utf8": _e(1, "FORMAT", "bytes that are not UTF-8", _I, _V, _P),
    "invalid-json": _e(1, "FORMAT", "text that is not JSON (with the decoder's line and "
                       "column)", _I, _V, _E),
    "json-too-deep": _e(1, "FORMAT", "JSON nested deeper than aicities.inputs.MAX_JSON_DEPTH "
                        "(64) levels", _I, _V),
    "json-number-too-long": _e(1, "FORMAT", "a JSON number longer than aicities.inputs."
                               "MAX_NUMBER_CHARS (100) characters, in any field", _I, _V),
    "duplicate-key": _e(1, "FORMAT", "a JSON (or YAML) object with the same key twice", _I, _V),
    "not-an-object": _e(1, "FORMAT", "a JSONL line (or a JSON file) that is JSON but not an "
                        "object", _I, _V, _E, _P),
    # --- L2 SCHEMA
    "missing-field": _e(2, "SCHEMA", "a required field is absent", _V),
    "bad-type": _e(2, "SCHEMA", "a field has the wrong type", _V),
    "unknown-field": _e(2, "SCHEMA", "a field the format does not define", _V),
    "bad-id": _e(2, "SCHEMA", "an id does not have the form the design fixes", _V),
    "duplicate-id": _e(2, "SCHEMA", "an id used twice (spans, paragraph labels, or two "
                       "prediction rows with the same paragraph id)", _V, _E),
    "unknown-document": _e(2, "SCHEMA", "a spans file for a document that is not in the "
                           "corpus", _V),
    # --- L3 SPAN
    "offset-out-of-range": _e(3, "SPAN", "start/end outside the text (below 0 or past its "
                              "end)", _V, _E),
    "empty-span": _e(3, "SPAN", "end <= start (the evaluator: start == end)", _V, _E),
    "span-text-mismatch": _e(3, "SPAN", "a span's text differs from the text at its "
                             "offsets", _V, _E),
    "span-overlap": _e(3, "SPAN", "two spans overlap (spans are flat)", _V),
    "span-edge-whitespace": _e(3, "SPAN", "whitespace at a span edge", _V,
                               severity=Severity.GUIDELINE),
    "span-edge-punctuation": _e(3, "SPAN", "punctuation or a quote at a span edge", _V,
                                severity=Severity.GUIDELINE),
    # --- L4 LABEL / NORM
    "unknown-label": _e(4, "LABEL", "a span label the schema (or the label map, or its "
                        "side's set) does not define", _V, _E),
    "unknown-paragraph-label": _e(4, "LABEL", "a city or topic the schema does not define", _V),
    "duplicate-paragraph-label": _e(4, "LABEL", "a city or topic listed twice", _V),
    "kind-mismatch": _e(4, "LABEL", "a paragraph's kind differs from segments.jsonl", _V),
    "norm-on-entity": _e(4, "NORM", "an entity span carries normalized values", _V),
    "norm-missing": _e(4, "NORM", "a figure span without normalized values", _V),
    "norm-missing-field": _e(4, "NORM", "a required normalized field is null", _V),
    "norm-not-allowed": _e(4, "NORM", "a normalized field that this label does not use", _V),
    "norm-bad-value": _e(4, "NORM", "a value that is not a finite number, or value_max < "
                         "value", _V, _L),
    "norm-bad-modifier": _e(4, "NORM", "a modifier not in the schema", _V),
    "norm-bad-iso": _e(4, "NORM", "an iso field that is not ISO 8601 of the label's kind", _V),
    "norm-disagrees": _e(4, "NORM", "gold values differ from the normalizer's with no note "
                         "why", _V),
    # --- L5 CORPUS
    "paragraph-not-judged": _e(5, "CORPUS", "a paragraph without a line in paragraphs.jsonl",
                               _V),
    "unknown-paragraph": _e(5, "CORPUS", "a label line for a paragraph that does not exist",
                            _V),
    "span-crosses-paragraph": _e(5, "CORPUS", "a span that crosses a paragraph boundary", _V,
                                 _L),
    "inconsistent-label": _e(5, "CORPUS", "one string, different labels, no listed reason", _V),
    "missed-mention": _e(5, "CORPUS", "an occurrence of an annotated string left "
                         "unannotated", _V),
    "stale-exception": _e(5, "CORPUS", "an exception in exceptions.yaml that matches nothing",
                          _V),
    # --- L6 FACT / ENTITY: the fact layer (annotation.facts) and the canonical entities
    # (annotation.entities), checked once the spans pass L1–L5
    "fact-bad-format": _e(6, "FACT",
        "a line that is not a fact or a no-fact line (missing, extra or mistyped "
        "field)", _V),
    "fact-bad-id": _e(6, "FACT",
        "a fact id not of the form <doc_id>:fNNNN, of another document, or used twice", _V),
    "fact-unknown-figure": _e(6, "FACT",
        "the figure is not a span id of the document", _V),
    "fact-figure-not-measurement": _e(6, "FACT",
        "the figure is not a MONEY, PERCENT, QUANTITY or DURATION span", _V),
    "fact-duplicate-figure": _e(6, "FACT",
        "two lines for one figure", _V),
    "fact-missing": _e(6, "FACT",
        "a measurement figure with neither a fact nor a no-fact reason", _V),
    "fact-bad-no-fact": _e(6, "FACT",
        "a no-fact reason outside the closed list", _V),
    "fact-unknown-subject": _e(6, "FACT",
        "a subject that is not an entity id of entities.yaml", _V),
    "fact-subject-mention-not-entity": _e(6, "FACT",
        "a subject mention that is not an entity span resolving to the subject", _V),
    "fact-subject-mention-not-in-paragraph": _e(6, "FACT",
        "a subject mention outside the figure's paragraph", _V),
    "fact-bad-subject-reason": _e(6, "FACT",
        "a subject reason outside the list or inconsistent with subject and mention", _V),
    "fact-property-out-of-paragraph": _e(6, "FACT",
        "a property or qualifier span outside the figure's paragraph", _V),
    "fact-property-text-mismatch": _e(6, "FACT",
        "a property or qualifier whose text is not the clean text at its offsets", _V),
    "fact-bad-time": _e(6, "FACT",
        "a time that is not a DATE span of the figure's paragraph, 'document' or null", _V),
    "fact-bad-status": _e(6, "FACT",
        "a status outside actual, target, forecast, offer, other", _V),
    "entity-bad-file": _e(6, "ENTITY",
        "entities.yaml is not YAML of the entities shape (a key, type or id pattern)", _V),
    "entity-duplicate-id": _e(6, "ENTITY",
        "two entities with one id", _V),
    "entity-bad-label": _e(6, "ENTITY",
        "an entity whose label is not an entity label", _V),
    "entity-name-not-alias": _e(6, "ENTITY",
        "an entity whose canonical name is not among its aliases", _V),
    "entity-alias-ambiguous": _e(6, "ENTITY",
        "one (label, alias) listed for two entities", _V),
    "entity-unresolved-mention": _e(6, "ENTITY",
        "an entity span that resolves to no entity", _V),
    "entity-override-unknown": _e(6, "ENTITY",
        "an override naming an unknown span or entity, or one of another label", _V),
    "entity-unused": _e(6, "ENTITY",
        "an entity no mention resolves to", _V),
    # --- INPUT: the shared readers, options and the raw-article listing
    "unreadable": _e(0, "INPUT", "the operating system refused to read the file "
                     "(permissions, name too long …)", _I),
    "doc-id-too-long": _e(0, "INPUT", "a raw article whose doc_id is longer than 64 "
                          "characters", _I),
    "bad-raw-name": _e(0, "INPUT", "a file in corpus/raw/ whose name ends in .txt in another "
                       "case (x.TXT)", _I),
    "no-such-folder": _e(0, "INPUT", "a folder option naming a folder that does not exist",
                         _I),
    "bad-doc-id": _e(0, "INPUT", "a raw file whose stem is not a valid doc_id", _P),
    "duplicate-doc-id": _e(0, "INPUT", "two raw files (or two sources.yaml keys) with one "
                           "doc_id", _P),
    "duplicate-document": _e(0, "INPUT", "two raw files with the same bytes", _P),
    "no-articles": _e(0, "INPUT", "no folder of raw articles", _P),
    "empty-file": _e(0, "INPUT", "an empty raw file", _P),
    "crlf": _e(0, "INPUT", "a raw file with CR line endings", _P),
    "missing-file": _e(0, "INPUT", "a baseline's term list does not exist, or a submission "
                       "folder without meta.yaml, predictions.jsonl or a LODO fold", _P),
    # --- submissions (tasks.submissions): systems scored from committed predictions
    "unexpected-file": _e(0, "SUBMISSION", "a file the protocol does not read (lodo/ of a "
                          "zero-shot system, a fold naming no article)", _P),
    "bad-name": _e(0, "SUBMISSION", "a folder name that is not lower-case letters, digits "
                   "and - . _", _P),
    "duplicate-name": _e(0, "SUBMISSION", "a submission with the name of a baseline or "
                         "another submission", _P),
    "undeclared-label": _e(0, "SUBMISSION", "a prediction label that meta.yaml's labels does "
                           "not list", _P),
    # --- cross-corpus training (tasks.cross_corpus, aicities benchmark --train-corpus)
    "empty-train-corpus": _e(0, "CONTENT", "a --train-corpus file with no span to learn "
                             "from", _P),
    "bad-lock-timeout": _e(0, "INPUT", "AICITIES_LOCK_TIMEOUT is not a number of seconds "
                           ">= 0", _P),
    # --- CONFIG: YAML and JSON configuration files
    "invalid-yaml": _e(0, "CONFIG", "a YAML file that does not parse", _P),
    "bad-config": _e(0, "CONFIG", "a config key with the wrong type or value", _P),
    "bad-pattern": _e(0, "CONFIG", "a regular expression in sites.yaml that does not compile",
                      _P),
    "unknown-site": _e(0, "CONFIG", "an article no site of sites.yaml matches", _P),
    "source-without-raw": _e(0, "CONFIG", "a sources.yaml entry without a raw file", _P),
    "kind-text-not-found": _e(0, "CONFIG", "a sources.yaml paragraph kind whose text no "
                              "paragraph reads", _P),
    "schema-missing-field": _e(0, "CONFIG", "schema.yaml lacks a required section", _P),
    "gazetteer-label": _e(0, "CONFIG", "a gazetteer label the schema does not define", _P),
    "gazetteer-name": _e(0, "CONFIG", "a gazetteer name that is empty or padded", _P),
    "gazetteer-duplicate": _e(0, "CONFIG", "a gazetteer name listed twice", _P),
    "bad-terms": _e(0, "CONFIG", "a baseline term list that is not a non-empty list", _P),
    "bad-term": _e(0, "CONFIG", "a baseline term that is empty or padded", _P),
    "duplicate-term": _e(0, "CONFIG", "a baseline term listed twice", _P),
    "bad-label-map": _e(0, "CONFIG", "label_maps.yaml is not a mapping of map names to maps",
                        _P),
    "unknown-label-map": _e(0, "CONFIG", "a label map name that label_maps.yaml lacks", _P),
    # --- CONTENT: corrections, cleaning, segmentation, script conversion, blocks
    "correction-missing-field": _e(0, "CONTENT", "a correction without a required field", _P),
    "correction-bad-certainty": _e(0, "CONTENT", "a correction's certainty is not a known "
                                   "one", _P),
    "correction-duplicate-id": _e(0, "CONTENT", "two corrections with one id", _P),
    "correction-unknown-doc": _e(0, "CONTENT", "a correction for an article that does not "
                                 "exist", _P),
    "correction-mismatch": _e(0, "CONTENT", "a correction whose raw text is not at its "
                              "offsets", _P),
    "correction-overlap": _e(0, "CONTENT", "two corrections overlapping", _P),
    "nothing-left": _e(0, "CONTENT", "the cleaning rules removed the whole article", _P),
    "clean-stale": _e(0, "CONTENT", "a clean text that raw + rules no longer produce", _P),
    "bad-document-record": _e(0, "CONTENT", "a documents.jsonl line that is not an article "
                              "record (a missing or unknown key, a wrong type)", _P),
    "segment-text-mismatch": _e(0, "CONTENT", "a segments.jsonl paragraph whose text is not "
                                "the clean text at its offsets", _P),
    "t2s-length-change": _e(0, "CONTENT", "OpenCC t2s changed the text's length", _P),
    "unclosed-block": _e(0, "CONTENT", "a generated block without its closing marker", _P),
    "unknown-block": _e(0, "CONTENT", "a generated block no generator writes", _P),
    # --- SHEET: annotation sheets (aicities annotate)
    "sheet-syntax": _e(0, "SHEET", "a sheet line that does not parse", _P),
    "sheet-bad-norm": _e(0, "SHEET", "a sheet's normalized value that does not parse", _P),
    "sheet-half-judged": _e(0, "SHEET", "a sheet paragraph with cities but no topics line, "
                            "or the other way round", _P),
    "sheet-mention-not-found": _e(0, "SHEET", "a sheet mention not in its paragraph", _P),
    "sheet-needs-norm": _e(0, "SHEET", "a figure mention in a sheet without its value", _P),
    "sheet-several-documents": _e(0, "SHEET", "a sheet covering several documents", _P),
    "sheet-text-changed": _e(0, "SHEET", "a sheet paragraph whose text no longer matches",
                             _P),
    "sheet-unknown-label": _e(0, "SHEET", "a sheet label the schema does not define", _P),
    "sheet-unknown-paragraph": _e(0, "SHEET", "a sheet paragraph id that does not exist", _P),
    "sheet-unknown-value": _e(0, "SHEET", "a sheet city or topic the schema does not define",
                              _P),
    # --- RELEASE: build, splits, card, export, transactions
    "no-splits": _e(0, "RELEASE", "no tasks/splits.json yet", _P),
    "bad-splits": _e(0, "RELEASE", "splits.json does not name exactly the three splits", _P),
    "paragraph-in-two-splits": _e(0, "RELEASE", "a paragraph in two splits", _P),
    "paragraph-not-in-split": _e(0, "RELEASE", "a paragraph in no split", _P),
    "no-changelog": _e(0, "RELEASE", "CHANGELOG.md is missing", _P),
    "changelog-missing-version": _e(0, "RELEASE", "no dated CHANGELOG entry for the version",
                                    _P),
    "conll-line-break": _e(0, "RELEASE", "a line break in a text exported as CoNLL", _P),
    "export-over-input": _e(0, "RELEASE", "an export that would overwrite its input", _P),
    "txn-bad-journal": _e(0, "RELEASE", "an interrupted transaction that cannot be completed",
                          _P),
    # --- EVAL: prediction and gold files of `aicities eval`
    "unknown-format": _e(0, "EVAL", "the file is not JSONL, CLUENER JSON lines or character "
                         "CoNLL", _E),
    "bad-field": _e(0, "EVAL", "a row's id, text, spans or labels is missing or of the wrong "
                    "type", _E),
    "empty-gold": _e(0, "EVAL", "the gold file has no paragraphs", _E),
    "unknown-id": _e(0, "EVAL", "a prediction names a paragraph that is not in the gold file",
                     _E),
    "row-count-mismatch": _e(0, "EVAL", "two files without ids (paired by order) have "
                             "different row counts", _E),
    "missing-id": _e(0, "EVAL", "gold paragraphs without a prediction line", _E),
    "text-mismatch": _e(0, "EVAL", "a row's text differs from the gold paragraph's text", _E),
    "bad-span": _e(0, "EVAL", "a span is not an object with integer start/end and a string "
                   "label", _E),
    "reversed-span": _e(0, "EVAL", "start > end", _E),
    "duplicate-span": _e(0, "EVAL", "the same span (start, end, label) twice in a paragraph",
                         _E),
    "overlapping-spans": _e(0, "EVAL", "spans of a paragraph overlap or nest (they must be "
                            "flat)", _E),
    "missing-text": _e(0, "EVAL", "a label map normalizes span edges, and no file gives the "
                       "text", _E),
    "bad-norm": _e(0, "EVAL", "norm is not an object of the six normalized fields, or is on "
                   "an entity", _E),
    "duplicate-label": _e(0, "EVAL", "the same paragraph label twice in a row", _E),
    "conll-no-id": _e(0, "EVAL", "a paragraph without '# id = …' in a file whose other "
                      "paragraphs have one", _E),
    "conll-bad-line": _e(0, "EVAL", "a line that is not '<char><TAB or space><tag>', '# …' "
                         "or blank", _E),
    "conll-bad-token": _e(0, "EVAL", "a token that is not exactly one character", _E),
    "invalid-bio": _e(0, "EVAL", "a tag that is not O, B-X or an I-X continuing B-X/I-X "
                      "(IOB2)", _E),
    # --- EVAL, task 4: fact files of `aicities eval facts` (the gold fact layer's checks)
    "facts-bad-field": _e(0, "EVAL", "a fact row's figure, subject, property, time or status "
                          "is missing or of the wrong type", _E),
    "facts-unknown-figure": _e(0, "EVAL", "a predicted fact for a figure that is not in the "
                               "gold file", _E),
    "facts-figure-not-measurement": _e(0, "EVAL", "a fact for a span that is not a MONEY, "
                                       "PERCENT, QUANTITY or DURATION figure", _E),
    "facts-duplicate-figure": _e(0, "EVAL", "two fact rows for one figure", _E),
    "facts-unknown-subject": _e(0, "EVAL", "a subject id that is not an entity of the "
                                "entities config", _E),
    "facts-span-out-of-paragraph": _e(0, "EVAL", "a property, subject mention or time span "
                                      "outside the paragraph (or empty)", _E),
    "facts-span-text-mismatch": _e(0, "EVAL", "a property, mention or time text that differs "
                                   "from the paragraph at its offsets", _E),
    "facts-bad-status": _e(0, "EVAL", "a status outside actual, target, forecast, offer, "
                           "other", _E),
    "facts-bad-time": _e(0, "EVAL", "a time whose source is not span/document/none, or that "
                         "is not a DATE span of the paragraph", _E),
    "facts-missing-figure": _e(0, "EVAL", "gold figures without a predicted fact", _E),
    # Not a problem of its own: the line that counts the problems past the first hundred.
    "more": _e(0, "EVAL", "the count of problems not shown (past the first hundred)", _P),
    # --- LABELSTUDIO: exports received from Label Studio (aicities ls import / merge)
    "ls-malformed-export": _e(0, "LABELSTUDIO", "an export that is not a JSON list of task "
                              "objects", _L),
    "ls-malformed": _e(0, "LABELSTUDIO", "an annotation result that is not a list of region "
                       "objects of the config", _L),
    "ls-unknown-control": _e(0, "LABELSTUDIO", "a result from a control the labelling config "
                             "lacks", _L),
    "ls-orphan-region": _e(0, "LABELSTUDIO", "values for a region that has no label", _L),
    "ls-unknown-paragraph": _e(0, "LABELSTUDIO", "a task for a paragraph not in the corpus",
                               _L),
    "ls-crlf-text": _e(0, "LABELSTUDIO", "a task text with CR line ends", _L),
    "ls-text-mismatch": _e(0, "LABELSTUDIO", "a task text that no longer equals the clean "
                           "paragraph", _L),
    "ls-unknown-annotator": _e(0, "LABELSTUDIO", "annotations by a user id without an "
                               "e-mail", _L),
    "ls-several-annotators": _e(0, "LABELSTUDIO", "--annotator given for an export of several "
                                "annotators", _L),
    "ls-empty-export": _e(0, "LABELSTUDIO", "an export with nothing submitted in it", _L),
    "ls-no-received-work": _e(0, "LABELSTUDIO", "a merge of an annotator with no received "
                              "work", _L),
    "ls-no-export": _e(0, "LABELSTUDIO", "an export file that does not exist", _L),
    "ls-no-rules": _e(0, "LABELSTUDIO", "a push with predictions before the rules pass "
                      "exists", _L),
    # the fact layer drawn in Label Studio (relations, PROPERTY/QUALIFIER regions, statuses);
    # what the drawing says is then checked by the validator's fact level (fact-* ids)
    "ls-fact-not-figure": _e(0, "LABELSTUDIO", "a relation or fact value on a region that is "
                             "not a measurement figure", _L),
    "ls-fact-relation-target": _e(0, "LABELSTUDIO", "a relation whose label does not fit its "
                                  "target region (or is not a relation label)", _L),
    "ls-fact-relation-duplicate": _e(0, "LABELSTUDIO", "a figure with two subject, property "
                                     "or time relations, or one qualifier twice", _L),
    "ls-fact-orphan-span": _e(0, "LABELSTUDIO", "a PROPERTY or QUALIFIER region no figure "
                              "relates to", _L),
    "ls-fact-conflict": _e(0, "LABELSTUDIO", "a figure with a no-fact reason and a fact, or "
                           "a time relation and the publication date", _L),
}


def raised_by(who: Raiser) -> dict[str, ErrorId]:
    """The entries a stage raises, in table order."""
    return {code: entry for code, entry in REGISTRY.items() if who in entry.raised_by}


# The codes of the readers every stage shares (``aicities.inputs``, ``aicities.files``,
# the raw-article listing of ``aicities.corpus.documents``), from the one table of error ids
# (``aicities.errors``), where the validator's and the evaluator's are too.
INPUT_ERRORS: dict[str, str] = {code: e.message for code, e in raised_by(Raiser.INPUT).items()}
