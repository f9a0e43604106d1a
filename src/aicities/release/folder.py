"""Where a build writes, and the JSONL data files streamed into it, hashed as written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from aicities.release.features import CONFIGS, split_names
from aicities.release.summary import FileInfo
from aicities.txn import Transaction


class Folder:
    """Where a build writes: a plain folder (``build --check``'s temporary one) or, given a
    transaction, ``release/`` itself, each file staged beside its target (``txn``)."""

    def __init__(self, root: Path, txn: Transaction | None = None):
        self.root, self.txn = root, txn
        self.written: set[str] = set()

    def open(self, rel: str) -> IO[bytes]:
        self.written.add(rel)
        if self.txn is not None:
            return self.txn.open(self.root / rel)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb")

    def write(self, rel: str, data: bytes) -> FileInfo:
        self.written.add(rel)
        if self.txn is not None:
            self.txn.write(self.root / rel, data)
        else:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return FileInfo(rel, len(data), hashlib.sha256(data).hexdigest())


class JsonlFiles:
    """The data files of a build, open for streaming, hashed as they are written."""

    def __init__(self, out: Folder):
        self._handles: dict[tuple[str, str], IO[bytes]] = {}
        self._hashes: dict[tuple[str, str], Any] = {}
        self._bytes: dict[tuple[str, str], int] = {}
        self._rows: dict[tuple[str, str], int] = {}
        for config in CONFIGS:
            for split in split_names(config):
                key = (config, split)
                self._handles[key] = out.open(self.relpath(config, split))
                self._hashes[key] = hashlib.sha256()
                self._bytes[key] = 0
                self._rows[key] = 0

    @staticmethod
    def relpath(config: str, split: str) -> str:
        return f"data/{config}/{split}.jsonl"

    def write(self, config: str, split: str, row: Mapping[str, Any]) -> None:
        data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        key = (config, split)
        self._handles[key].write(data)
        self._hashes[key].update(data)
        self._bytes[key] += len(data)
        self._rows[key] += 1

    def close(self) -> dict[str, FileInfo]:
        out = {}
        for key, handle in self._handles.items():
            handle.close()
            rel = self.relpath(*key)
            out[rel] = FileInfo(rel, self._bytes[key], self._hashes[key].hexdigest(),
                                self._rows[key])
        return out
