"""A team on one Label Studio server: project settings, progress per annotator, identities.

Pure functions over what the server returned (``server.task_states``, ``server.user_names``),
so they are tested without a server; ``workflow`` does the requests.

Conventions:

* a task is *done* by an annotator who submitted a (not cancelled) annotation of it, and
  *skipped* by one whose only annotations of it are cancelled;
* a task's *overlap* is the number of submitted annotations Label Studio wants for it
  (``maximum_annotations`` for the overlap cohort, 1 for the others); it is *reached* when
  that many distinct annotators submitted one — skipped annotations do not count;
* *remaining* for an annotator: tasks they neither did nor skipped whose overlap is not
  reached yet (the ones Label Studio can still hand them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicities.project import Project

_USER_ID = re.compile(r"^user-(\d+)$")


class TeamError(ValueError):
    """A team setting or identity the command refuses (one line, nothing written)."""


def guidelines_html(project: Project) -> str:
    """GUIDELINES.md rendered to HTML for the project's instructions (``expert_instruction``)."""
    from markdown_it import MarkdownIt

    from aicities.files import read_text

    path = project.annotations / "GUIDELINES.md"
    if not path.exists():
        raise TeamError(f"{path}: no guidelines to show the annotators")
    return str(MarkdownIt("commonmark").enable("table").render(read_text(path)))


def overlap_settings(overlap: int | None, share: int | None,
                     annotators: int | None) -> dict[str, int]:
    """Label Studio's overlap fields for ``--overlap N [--overlap-share P]``.

    ``annotators`` is the number of annotator accounts on the server (``None``: unknown);
    an overlap of 1 is Label Studio's default and always allowed (the lead can annotate).
    """
    if overlap is None:
        if share is not None:
            raise TeamError("--overlap-share needs --overlap N")
        return {}
    if overlap < 1:
        raise TeamError(f"--overlap {overlap}: a task needs at least 1 annotation")
    if annotators is not None and overlap > max(annotators, 1):
        raise TeamError(f"--overlap {overlap}: the server has only {annotators} annotator "
                        f"account(s); add more (scripts/labelstudio-server add-user) or "
                        "lower the overlap")
    if share is not None and not 1 <= share <= 100:
        raise TeamError(f"--overlap-share {share}: a percentage of tasks, 1 to 100")
    return {"maximum_annotations": overlap,
            "overlap_cohort_percentage": 100 if share is None else share}


def blind_settings() -> dict[str, bool]:
    """What Label Studio Community can hide from an annotator: predictions (none pushed,
    none shown) and the annotation history. Others' annotations are left out of the
    labelling stream (``/api/projects/<id>/next``) by Label Studio itself."""
    return {"show_collab_predictions": False, "show_annotation_history": False}


@dataclass(frozen=True)
class AnnotatorStatus:
    annotator: str
    done: int
    skipped: int
    remaining: int

    def to_json(self) -> dict[str, Any]:
        return {"annotator": self.annotator, "done": self.done, "skipped": self.skipped,
                "remaining": self.remaining}


@dataclass(frozen=True)
class ProjectStatus:
    tasks: int
    overlap_reached: int  # tasks with as many submitted annotations as their overlap
    annotators: list[AnnotatorStatus]

    def to_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "overlap_reached": self.overlap_reached,
                "annotators": [a.to_json() for a in self.annotators]}


def project_status(tasks: Sequence[Mapping[str, Any]], users: Mapping[int, str],
                   *, admin: str | None = None) -> ProjectStatus:
    """Progress per annotator (every account but ``admin``, plus anyone who annotated)."""
    submitted: dict[int, set[int]] = {}
    cancelled: dict[int, set[int]] = {}
    for task in tasks:
        submitted[task["id"]] = {a["completed_by"] for a in task["annotations"]
                                 if not a["was_cancelled"]}
        cancelled[task["id"]] = {a["completed_by"] for a in task["annotations"]
                                 if a["was_cancelled"]} - submitted[task["id"]]
    open_tasks = {t["id"] for t in tasks if len(submitted[t["id"]]) < t["overlap"]}
    seen = set().union(*submitted.values(), *cancelled.values()) if tasks else set()
    ids = sorted({uid for uid, email in users.items() if email != admin} | seen)
    rows = []
    for uid in ids:
        done = sum(uid in s for s in submitted.values())
        skipped = sum(uid in c for c in cancelled.values())
        remaining = sum(1 for tid in open_tasks
                        if uid not in submitted[tid] and uid not in cancelled[tid])
        rows.append(AnnotatorStatus(users.get(uid, f"user-{uid}"), done, skipped, remaining))
    return ProjectStatus(len(tasks), len(tasks) - len(open_tasks),
                         sorted(rows, key=lambda r: r.annotator))


def identity(name: str, users: Mapping[int, str] | None = None) -> str:
    """The person behind a received folder name: e-mails compare case-insensitively and a
    ``user-<id>`` folder (an old web export) is its e-mail when the server is known."""
    match = _USER_ID.match(name)
    if match and users and int(match.group(1)) in users:
        name = users[int(match.group(1))]
    return name.strip().lower()


def check_two_annotators(a: str, b: str, users: Mapping[int, str] | None = None) -> None:
    if identity(a, users) == identity(b, users):
        same = a if a == b else f"{a} and {b} are one person ({identity(a, users)})"
        raise TeamError(f"agreement needs two different annotators: {same}")
