"""Publishing ``release/`` on the Hugging Face Hub, one tagged revision per version.

``plan_push`` refuses to publish anything that is not exactly this version's release: the
tag must be ``v`` + ``project.version`` (pyproject.toml), and ``build --check`` must find the
committed ``release/`` and DATASHEET.md reproduced byte for byte. ``push`` then uploads the
folder as one commit (deleting remote files that are no longer part of the release, so the
revision holds exactly ``release/``) and tags that commit, so that
``load_dataset(REPO_ID, revision=TAG)`` returns this release forever. An existing tag is
never moved.

The token comes from ``HF_TOKEN`` (read by the CLI, handed to ``HfApi``, never printed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.project import Project
from aicities.release.build import check_build


class PushRefused(Exception):
    """The release may not be pushed; the message says why."""


class PushFailed(Exception):
    """The Hub could not be reached or refused a request; the message is one redacted line."""


@dataclass(frozen=True)
class PushPlan:
    repo_id: str
    tag: str
    version: str
    folder: Path
    files: tuple[tuple[str, int], ...]  # (path relative to release/, bytes)

    @property
    def commit_message(self) -> str:
        return f"aicities-zh {self.version}"

    def describe(self) -> list[str]:
        lines = [f"repo: datasets/{self.repo_id}", f"tag: {self.tag} (version {self.version})",
                 f"commit message: {self.commit_message}",
                 f"files ({len(self.files)}, remote files not listed here are deleted):"]
        lines += [f"  {path}  {size} B" for path, size in self.files]
        return lines


def expected_tag(version: str) -> str:
    return f"v{version}"


def plan_push(project: Project, repo_id: str, tag: str | None = None) -> PushPlan:
    """Check that this release may be pushed under ``tag`` and list what would be sent."""
    version = project.version
    tag = tag or expected_tag(version)
    if tag != expected_tag(version):
        raise PushRefused(f"tag {tag} does not match the dataset version {version} in "
                          f"pyproject.toml (expected {expected_tag(version)})")
    if "/" not in repo_id or repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise PushRefused(f"repo id must be 'owner/name', got {repo_id!r}")
    problems = check_build(project)
    if problems:
        raise PushRefused("build --check fails, so release/ is not this version's release:\n  "
                          + "\n  ".join(problems))
    files = tuple(
        (str(p.relative_to(project.release)), p.stat().st_size)
        for p in sorted(project.release.rglob("*")) if p.is_file()
    )
    return PushPlan(repo_id, tag, version, project.release, files)


def push(plan: PushPlan, api: Any, *, private: bool = False) -> str:
    """Upload the release as one commit and tag it; return the commit id.

    ``api`` is a ``huggingface_hub.HfApi`` (or a stand-in with its ``create_repo``,
    ``list_repo_refs``, ``upload_folder`` and ``create_tag``).
    """
    api.create_repo(plan.repo_id, repo_type="dataset", exist_ok=True, private=private)
    refs = api.list_repo_refs(plan.repo_id, repo_type="dataset")
    if any(t.name == plan.tag for t in refs.tags):
        raise PushRefused(f"tag {plan.tag} already exists on {plan.repo_id}; a released "
                          "version is never overwritten: bump the version")
    commit = api.upload_folder(
        repo_id=plan.repo_id,
        repo_type="dataset",
        folder_path=str(plan.folder),
        commit_message=plan.commit_message,
        delete_patterns=["*"],
    )
    api.create_tag(plan.repo_id, tag=plan.tag, revision=commit.oid, repo_type="dataset",
                   tag_message=f"aicities-zh {plan.version}")
    return str(commit.oid)


def upload(plan: PushPlan, token: str, *, private: bool = False) -> str:
    """:func:`push` with a ``huggingface_hub.HfApi`` holding ``token`` (endpoint: ``HF_ENDPOINT``).

    A network or HTTP failure becomes :class:`PushFailed`: one line, the server's words cut
    to 300 characters, every secret removed by :func:`aicities.redact.redact` (the token,
    credentials and tokens in URLs, echoed Authorization headers).
    """
    from huggingface_hub import HfApi

    from aicities.redact import redact

    failures: tuple[type[Exception], ...] = (OSError, ValueError, RuntimeError,
                                             *_transport_errors())
    try:
        return push(plan, HfApi(token=token), private=private)
    except PushRefused:
        raise
    except failures as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        # Redacted before it is cut, so that no prefix of a secret survives the cut.
        words = redact(" ".join(str(exc).split()), secrets=[token])[:300]
        head = f"HTTP {status}: " if status else ""
        raise PushFailed(f"{type(exc).__name__}: {head}{words}") from None


def _transport_errors() -> tuple[type[Exception], ...]:
    """The HTTP client's own error base (``huggingface_hub`` 2 uses ``httpx2``, whose
    connection errors are not OSErrors; ``HfHubHTTPError`` is one)."""
    found: list[type[Exception]] = []
    for name in ("httpx2", "httpx", "requests"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        base = getattr(module, "HTTPError", None) or getattr(module, "RequestException", None)
        if isinstance(base, type) and issubclass(base, Exception):
            found.append(base)
    return tuple(found)
