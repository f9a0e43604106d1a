"""``release/croissant.json``: Croissant 1.0 metadata generated from the release's features.

* ``distribution``: one ``cr:FileObject`` per data file (relative ``contentUrl``,
  ``sha256``, size) and one ``cr:FileSet`` per config (``data/<config>/*.jsonl``), from
  which the record sets read.
* ``recordSet``: one per config, with a field per column (``features.config_features``):
  scalars, lists of scalars (``repeated``), and lists of structs as a repeated field whose
  sub-fields pick their value with a ``jsonPath`` (a struct inside them is flattened to
  ``a.b`` paths; a list of structs inside them — the sentences of a paragraph — is left out
  and named in the description). A ``split`` field is read from the file name.
* One enumeration record set per closed label set (``cr:data`` inline), so the class names
  behind the integer ``ner_tags`` and the string labels are machine-readable.

Class labels are stored as names in the JSONL files (``sc:Text``), ``ner_tags`` as ids
(``sc:Integer``). ``mlcroissant`` loads the file and iterates its records in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aicities.release.features import CONFIGS, split_names
from aicities.release.summary import Summary

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
JSONL = "application/jsonlines"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _data_type(feature: Any) -> str:
    from datasets import ClassLabel, Value

    if isinstance(feature, ClassLabel):
        return "sc:Text"
    if isinstance(feature, Value):
        dtype = str(feature.dtype)
        if dtype.startswith("int"):
            return "sc:Integer"
        if dtype.startswith("float"):
            return "sc:Float"
        if dtype == "bool":
            return "sc:Boolean"
        return "sc:Text"
    raise TypeError(f"no Croissant type for {feature!r}")


def _is_scalar(feature: Any) -> bool:
    from datasets import ClassLabel, Value

    return isinstance(feature, ClassLabel | Value)


def _leaf(fid: str, source: dict[str, Any], feature: Any, *, repeated: bool,
          json_path: str | None = None, description: str = "") -> dict[str, Any]:
    src = dict(source)
    if json_path is not None:
        src["transform"] = {"jsonPath": json_path}
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": fid,
        "name": fid.rsplit("/", 1)[-1],
        "description": description or f"Column {fid.split('/', 1)[1]!r}.",
        "dataType": _data_type(feature),
    }
    if repeated:
        field["repeated"] = True
    field["source"] = src
    return field


def _fields(config: str, features: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The fields of one config's record set and the nested columns left out."""
    from datasets import ClassLabel, List

    file_set = {"fileSet": {"@id": f"jsonl-files-{config}"}}
    out: list[dict[str, Any]] = []
    skipped: list[str] = []
    for key, feature in features.items():
        fid = f"{config}/{key}"
        source = {**file_set, "extract": {"column": key}}
        if _is_scalar(feature):
            out.append(_leaf(fid, source, feature, repeated=False))
        elif isinstance(feature, List) and _is_scalar(feature.feature):
            stored = ("class ids (integers)" if key == "ner_tags"
                      else "class names" if isinstance(feature.feature, ClassLabel) else "")
            leaf = _leaf(fid, source, feature.feature, repeated=True,
                         description=f"Column {key!r}: a list" + (f" of {stored}." if stored
                                                                  else "."))
            if key == "ner_tags":
                leaf["dataType"] = "sc:Integer"
            out.append(leaf)
        elif isinstance(feature, List) and isinstance(feature.feature, dict):
            subs = []
            for sub_key, sub in feature.feature.items():
                sid = f"{fid}/{sub_key}"
                if _is_scalar(sub):
                    subs.append(_leaf(sid, source, sub, repeated=False, json_path=sub_key,
                                      description=f"{key}[].{sub_key}"))
                elif isinstance(sub, List) and _is_scalar(sub.feature):
                    subs.append(_leaf(sid, source, sub.feature, repeated=True,
                                      json_path=sub_key, description=f"{key}[].{sub_key}"))
                elif isinstance(sub, dict) and all(_is_scalar(x) for x in sub.values()):
                    for leaf_key, leaf in sub.items():
                        path = f"{sub_key}.{leaf_key}"
                        subs.append(_leaf(f"{fid}/{path}", source, leaf, repeated=False,
                                          json_path=path, description=f"{key}[].{path}"))
                else:
                    skipped.append(f"{key}[].{sub_key}")
            out.append({
                "@type": "cr:Field",
                "@id": fid,
                "name": key,
                "description": f"Column {key!r}: a list of records.",
                "repeated": True,
                "subField": subs,
            })
        else:
            skipped.append(key)
    out.append({
        "@type": "cr:Field",
        "@id": f"{config}/split",
        "name": "split",
        "description": "The split, read from the file name.",
        "dataType": "sc:Text",
        "source": {
            **file_set,
            "extract": {"fileProperty": "fullpath"},
            "transform": {"regex": r"^(?:.*/)?([a-z]+)\.jsonl$"},
        },
    })
    return out, skipped


def _enumeration(name: str, names: list[str], description: str) -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet",
        "@id": name,
        "name": name,
        "description": description,
        "dataType": "sc:Enumeration",
        "key": {"@id": f"{name}/name"},
        "field": [
            {"@type": "cr:Field", "@id": f"{name}/id", "name": "id",
             "description": "Class id.", "dataType": "sc:Integer"},
            {"@type": "cr:Field", "@id": f"{name}/name", "name": "name",
             "description": "Class name.", "dataType": "sc:Text"},
        ],
        "data": [{f"{name}/id": i, f"{name}/name": n} for i, n in enumerate(names)],
    }


def render(summary: Summary, features: Mapping[str, Any]) -> str:
    """The Croissant JSON-LD of the release (deterministic: fixed key order, indent 2)."""
    date = summary.release_date
    from aicities.corpus.script import SCRIPTS
    from aicities.corpus.segment import KINDS

    schema = summary.schema
    distribution: list[dict[str, Any]] = []
    for config in CONFIGS:
        for split in split_names(config):
            info = summary.files[f"data/{config}/{split}.jsonl"]
            distribution.append({
                "@type": "cr:FileObject",
                "@id": info.path,
                "name": info.path,
                "description": f"The {split} split of the {config} config ({info.rows} rows).",
                "contentUrl": info.path,
                "contentSize": f"{info.bytes} B",
                "encodingFormat": JSONL,
                "sha256": info.sha256,
            })
    for config in CONFIGS:
        distribution.append({
            "@type": "cr:FileSet",
            "@id": f"jsonl-files-{config}",
            "name": f"jsonl-files-{config}",
            "description": f"Every split of the {config} config.",
            "encodingFormat": JSONL,
            "includes": f"data/{config}/*.jsonl",
        })
    record_sets = []
    for config in CONFIGS:
        fields, skipped = _fields(config, features[config])
        description = f"The {config} config, all splits."
        if skipped:
            description += " Not described here (nested lists): " + ", ".join(skipped) + "."
        record_sets.append({
            "@type": "cr:RecordSet",
            "@id": config,
            "name": config,
            "description": description,
            "field": fields,
        })
    enumerations = [
        ("bio_tags", list(schema.bio_tags()), "BIO tags; ner.ner_tags holds their ids."),
        ("span_labels", list(schema.label_ids), "Span labels (entity and figure layers)."),
        ("cities", list(schema.cities), "Paragraph city labels (city config)."),
        ("topics", list(schema.topics), "Paragraph topic labels (topic config)."),
        ("modifiers", list(schema.modifiers), "Modifiers of normalized figures."),
        ("kinds", list(KINDS), "Paragraph kinds."),
        ("scripts", list(SCRIPTS), "Scripts of the articles."),
    ]
    record_sets += [_enumeration(*e) for e in enumerations]
    doc = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "aicities-zh",
        "description": (
            "Chinese news articles on how cities build an AI industry after DeepSeek, with "
            "entity and figure spans (figures normalized) and paragraph city and topic labels. "
            "The licence below covers the annotations; the article text belongs to its "
            "publishers and is redistributed for non-commercial research only (LICENSE.md)."
        ),
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "version": summary.version,
        "datePublished": date,
        "license": CC_BY,
        "inLanguage": "zh",
        "keywords": ["Chinese", "news", "named entity recognition", "numeral normalization",
                     "multi-label classification"],
        "citeAs": (f"@misc{{aicities_zh, title={{aicities-zh}}, year={{{date[:4]}}}, "
                   f"version={{{summary.version}}}}}"),
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
