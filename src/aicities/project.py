"""Where the project's files are. Every path the library uses is derived here."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


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
            return str(tomllib.load(fh)["project"]["version"])
