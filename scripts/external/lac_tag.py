"""Tag every paragraph of the release with Baidu LAC; runs inside LAC's own venv.

Standalone on purpose: LAC 2.1.2 needs Python 3.8 and paddlepaddle 1.8.5, and the
``aicities`` package needs Python >= 3.11, so nothing of the package is imported here.
``scripts/external/lac`` builds the venv and calls this file; see its header for the pins.

Input: the committed release, ``release/data/ner/{train,validation,test}.jsonl`` (every
paragraph of the corpus once). LAC reads ``text_simplified`` (its model is trained on
simplified script; the field has the length of ``text``, so offsets are shared).

Output (``PREDICTIONS``): one line per paragraph, in paragraph-id order, in the DESIGN.md
prediction format: ``{"id", "spans": [{"start", "end", "label"}]}``, half-open code-point
offsets relative to the paragraph's ``text``. Every LAC token tagged ``PER``, ``LOC`` or
``ORG`` becomes one span with that label, unchanged (LAC's own labels, which are the
external labels of the ``msra`` label map in tasks/label_maps.yaml). LAC's ``TIME`` and its
part-of-speech tags (``n``, ``v``, ``nz`` …) are not written: the msra map has no time type
and a POS tag is not an entity. No rule of ours merges or trims tokens, so the score is
LAC's.

Usage: python lac_tag.py RELEASE_DIR PREDICTIONS [META]
META, when given, is written as well (meta.yaml: versions of this environment, the date).
"""

import datetime
import json
import platform
import sys

SPLITS = ("train", "validation", "test")
KEEP = ("PER", "LOC", "ORG")


def paragraphs(release):
    rows = []
    for split in SPLITS:
        with open("%s/data/ner/%s.jsonl" % (release, split), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    rows.append((row["id"], row["text"], row.get("text_simplified") or row["text"]))
    rows.sort(key=lambda r: r[0])  # <doc_id>:pNNN sorts in corpus order
    return rows


def spans(lac, text):
    words, tags = lac.run(text)
    out = []
    at = 0
    for word, tag in zip(words, tags):
        found = text.find(word, at)
        # LAC returns the text's own characters; anything else would shift every offset
        if found != at:
            raise SystemExit("LAC token %r at %d is not the text there" % (word, at))
        if tag in KEEP:
            out.append({"start": at, "end": at + len(word), "label": tag})
        at += len(word)
    if at != len(text):
        raise SystemExit("LAC tokens cover %d of %d characters" % (at, len(text)))
    return out


def version(name):
    try:
        import importlib.metadata as md
        return md.version(name)
    except Exception:  # noqa: BLE001 - a missing package is reported as such
        return "not installed"


META = """\
# Written by scripts/external/lac (do not edit by hand; rerun the script).
system: Baidu LAC (Lexical Analysis of Chinese), BiGRU-CRF, mode 'lac'
version: "{lac}"
url: https://github.com/baidu/lac
task: ner
protocol: zero-shot
labels: [PER, LOC, ORG]
label_map: msra
text: text_simplified
how_run: >-
  scripts/external/lac (builds LAC's own venv with pyenv Python 3.8 and the pins below,
  then scripts/external/lac_tag.py tags every paragraph of release/data/ner/; LAC tokens
  tagged PER, LOC or ORG become spans, TIME and part-of-speech tags are not written)
date: "{date}"
environment:
  python: "{python}"
  lac: "{lac}"
  paddlepaddle: "{paddle}"
  protobuf: "{protobuf}"
  numpy: "{numpy}"
  platform: "{platform}"
"""


def main(argv):
    if len(argv) not in (3, 4):
        raise SystemExit("usage: lac_tag.py RELEASE_DIR PREDICTIONS [META]")
    from LAC import LAC

    lac = LAC(mode="lac")
    lines = []
    for pid, text, simplified in paragraphs(argv[1]):
        if len(simplified) != len(text):
            raise SystemExit("%s: text_simplified differs in length from text" % pid)
        row = {"id": pid, "spans": spans(lac, simplified)}
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    with open(argv[2], "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))
    if len(argv) == 4:
        with open(argv[3], "w", encoding="utf-8", newline="\n") as f:
            f.write(META.format(
                lac=version("lac"), paddle=version("paddlepaddle"),
                protobuf=version("protobuf"), numpy=version("numpy"),
                python=platform.python_version(),
                platform="%s %s" % (platform.system(), platform.machine()),
                date=datetime.date.today().isoformat()))


if __name__ == "__main__":
    main(sys.argv)
