"""Where the project's files are. Every path the library uses is derived here.

Two places hold them: a checkout (:class:`Project`) and, for the benchmark kit installed
without one, the package data of the installed wheel (:func:`packaged_data`: the built
release and the schema of that version, copied in by ``setup.py``).
:func:`find_release` picks the release ``aicities eval`` scores against.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DATASET_ID = "aicities-zh"


@dataclass(frozen=True)
class Project:
    """A checkout of the dataset: the folder holding ``pyproject.toml`` and ``corpus/``."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project containing ``start`` (default: ``$AICITIES_ROOT`` or the cwd)."""
        env = os.environ.get("AICITIES_ROOT")
        here = Path(env) if env and start is None else (start or Path.cwd())
        for folder in [here.resolve(), *here.resolve().parents]:
            if (folder / "corpus").is_dir() and (folder / "pyproject.toml").is_file():
                return cls(folder)
        raise FileNotFoundError(
            f"no aicities project (a folder with corpus/ and pyproject.toml) at or above {here}"
        )

    # corpus
    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def raw_dir(self) -> Path:
        return self.corpus / "raw"

    @property
    def clean_dir(self) -> Path:
        return self.corpus / "clean"

    @property
    def sites_file(self) -> Path:
        return self.corpus / "sites.yaml"

    @property
    def sources_file(self) -> Path:
        return self.corpus / "sources.yaml"

    @property
    def corrections_file(self) -> Path:
        return self.corpus / "corrections.jsonl"

    @property
    def documents_file(self) -> Path:
        return self.corpus / "documents.jsonl"

    @property
    def segments_file(self) -> Path:
        return self.corpus / "segments.jsonl"

    # annotations
    @property
    def annotations(self) -> Path:
        return self.root / "annotations"

    @property
    def schema_file(self) -> Path:
        return self.annotations / "schema.yaml"

    @property
    def spans_dir(self) -> Path:
        return self.annotations / "spans"

    @property
    def paragraph_labels_file(self) -> Path:
        return self.annotations / "paragraphs.jsonl"

    @property
    def entities_file(self) -> Path:
        return self.annotations / "entities.yaml"

    @property
    def facts_dir(self) -> Path:
        return self.annotations / "facts"

    @property
    def labelstudio_dir(self) -> Path:
        return self.annotations / "labelstudio"

    # tasks, release
    @property
    def tasks(self) -> Path:
        return self.root / "tasks"

    @property
    def splits_file(self) -> Path:
        return self.tasks / "splits.json"

    @property
    def release(self) -> Path:
        return self.root / "release"

    def raw_path(self, doc_id: str) -> Path:
        return self.raw_dir / f"{doc_id}.txt"

    def clean_path(self, doc_id: str) -> Path:
        return self.clean_dir / f"{doc_id}.txt"

    def spans_path(self, doc_id: str) -> Path:
        return self.spans_dir / f"{doc_id}.jsonl"

    def doc_ids(self) -> list[str]:
        """Every raw article, in file-name order (the corpus order)."""
        return sorted(p.stem for p in self.raw_dir.glob("*.txt"))

    @property
    def version(self) -> str:
        """The dataset version: ``project.version`` in ``pyproject.toml``."""
        with (self.root / "pyproject.toml").open("rb") as fh:
            import tomllib  # only here: most verbs never read the version

            return str(tomllib.load(fh)["project"]["version"])


def packaged_data() -> Path | None:
    """``aicities/_data`` of an installed wheel, or None (editable install, source tree)."""
    folder = Path(__file__).resolve().parent / "_data"  # importlib.resources costs start-up
    return folder if (folder / "release").is_dir() else None


def source_checkout() -> Project | None:
    """The checkout this package is imported from (an editable install), or None."""
    try:
        return Project.find(Path(__file__).resolve().parent)
    except FileNotFoundError:
        return None


def find_project(root: Path | None = None) -> Project | None:
    """The checkout at or above ``root`` (default: ``$AICITIES_ROOT`` or the cwd), or None."""
    try:
        return Project.find(root)
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Release:
    """A built release folder (``README.md`` card, ``data/<config>/<split>.jsonl``).

    ``origin`` says where it was found: ``given`` (``--release``), ``checkout``,
    ``package`` (installed wheel) or ``source`` (the checkout of an editable install).
    """

    path: Path
    origin: str
    schema_file: Path

    @property
    def version(self) -> str:
        """The dataset version recorded in the release (``croissant.json``), or ``unknown``."""
        try:
            return str(json.loads((self.path / "croissant.json").read_text("utf-8"))["version"])
        except (OSError, ValueError, KeyError, TypeError):
            return "unknown"

    def data_file(self, config: str, split: str) -> Path:
        return self.path / "data" / config / f"{split}.jsonl"


def _from_project(project: Project, origin: str) -> Release:
    return Release(project.release, origin, release_schema(project.release, project.schema_file))


def release_schema(folder: Path, fallback: Path) -> Path:
    """The schema a release was built with (its ``schema.json``), else ``fallback``."""
    own = folder / "schema.json"
    return own if own.is_file() else fallback


def find_release(given: Path | None = None, project: Project | None = None) -> Release:
    """The release to score against, in this order: ``given`` (a release folder), the
    checkout ``project``, the installed package's own release, the checkout an editable
    install lives in. The schema is the release's own (``schema.json``, written by
    ``aicities build``), else that of the same checkout or package."""
    base: Release | None = None
    if project is not None:
        base = _from_project(project, "checkout")
    elif (data := packaged_data()) is not None:
        base = Release(data / "release", "package",
                       release_schema(data / "release", data / "schema.yaml"))
    elif (source := source_checkout()) is not None:
        base = _from_project(source, "source")
    if given is not None:
        if not (given / "data").is_dir():
            raise FileNotFoundError(f"{given}: not a release folder (no data/ inside)")
        if base is None:
            raise FileNotFoundError(f"{given}: no schema to score with (install aicities)")
        return Release(given, "given", release_schema(given, base.schema_file))
    if base is None:
        raise FileNotFoundError("no release: this installation ships none and no checkout "
                                "was found; pass --release PATH or --gold FILE")
    return base
