"""Talking to a Label Studio server through ``label-studio-sdk`` 2.x: push and pull.

The token comes from the caller (the CLI reads ``LABEL_STUDIO_API_KEY``); it is never logged.
Tasks are keyed by ``data.paragraph_id``: pushing twice adds no task twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aicities.errors import DataError
from aicities.inputs import loads

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


class ServerError(Exception):
    """Label Studio cannot be reached, refuses the token, or refuses a request.

    The message is redacted (``aicities.redact``): it may hold a URL or the server's words.
    """

    def __init__(self, message: str):
        from aicities.redact import redact

        super().__init__(redact(message))


def _describe(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    status = getattr(exc, "status_code", None)
    if isinstance(body, dict):
        detail = body.get("validation_errors") or body.get("detail") or body
        text = json.dumps(detail, ensure_ascii=False) if not isinstance(detail, str) else detail
    else:
        text = str(body if body is not None else exc)
    from aicities.redact import redact

    text = redact(text)  # before the cut, so that no prefix of a secret survives it
    return f"HTTP {status}: {text[:500]}" if status else text[:500]


def call(what: str, url: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one SDK call, turning transport and HTTP failures into ServerError."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        return fn(*args, **kwargs)
    except httpx.TransportError as exc:
        raise ServerError(
            f"cannot reach Label Studio at {url} ({type(exc).__name__}); is it running? "
            "(scripts/labelstudio-server status)"
        ) from None
    except ApiError as exc:
        if exc.status_code in (401, 403):
            raise ServerError(
                f"Label Studio at {url} refused the token in LABEL_STUDIO_API_KEY while trying "
                f"to {what} ({_describe(exc)})"
            ) from None
        raise ServerError(f"Label Studio at {url} could not {what}: {_describe(exc)}") from None


def connect(url: str, token: str | None, *, timeout: float = 60.0) -> LabelStudio:
    """A client whose URL and token were checked with one request."""
    from label_studio_sdk import LabelStudio

    if not token:
        raise ServerError("set LABEL_STUDIO_API_KEY to your Label Studio API token")
    if not url.startswith(("http://", "https://")):
        raise ServerError(f"--url must be an http(s) URL, not {url!r}")
    client = LabelStudio(base_url=url.rstrip("/"), api_key=token, timeout=timeout, max_retries=0)
    call("identify the user", url, client.users.whoami)
    return client


def base_url(client: LabelStudio) -> str:
    return str(client._client_wrapper.get_base_url())


# ------------------------------------------------------------------------------------- push


@dataclass
class PushReport:
    project_id: int
    created: bool
    config_updated: bool
    settings_updated: list[str] = field(default_factory=list)  # project fields changed
    tasks_added: int = 0
    tasks_existing: int = 0
    predictions_added: int = 0
    annotations_added: int = 0
    annotations_skipped: int = 0  # gold annotations not added to tasks that already existed
    notes: list[str] = field(default_factory=list)


def find_project(client: LabelStudio, title: str) -> Any | None:
    url = base_url(client)
    projects = list(call("list projects", url, client.projects.list, title=title))
    exact = [p for p in projects if p.title == title]
    if len(exact) > 1:
        raise ServerError(
            f"{len(exact)} projects are titled {title!r} (ids {[p.id for p in exact]}); "
            "rename all but one"
        )
    return exact[0] if exact else None


def existing_tasks(client: LabelStudio, project_id: int) -> dict[str, dict[str, Any]]:
    """Tasks of a project by paragraph id: ``{"id", "text"}``."""
    url = base_url(client)
    out: dict[str, dict[str, Any]] = {}
    pager = call("list tasks", url, client.tasks.list, project=project_id, fields="task_only",
                 page_size=500)
    for task in call("list tasks", url, list, pager):
        data = task.data or {}
        pid = data.get("paragraph_id")
        if isinstance(pid, str):
            out[pid] = {"id": task.id, "text": data.get("text")}
    return out


def push(
    client: LabelStudio,
    *,
    title: str,
    label_config: str,
    tasks: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any] | None = None,
    blind: bool = False,
) -> PushReport:
    """Create the project titled ``title`` or update it: its config, then the tasks it lacks.

    ``settings`` are project fields (``maximum_annotations``, ``expert_instruction`` …) set
    at creation and updated where the existing project differs. ``blind`` refuses a project
    that already holds predictions or annotations made by a push (a blind pass needs a
    project of its own) and any task carrying predictions or annotations.

    Tasks that exist already (same paragraph id) are not imported again; a prediction is
    added to them only if they have none of that model version; gold annotations are only
    added to new tasks, never on top of an annotator's work. A task whose text differs from
    the current paragraph is an error (the project predates a corpus change): nothing is
    pushed.
    """
    url = base_url(client)
    versions = sorted({p["model_version"] for t in tasks for p in t.get("predictions", [])})
    settings = dict(settings or {})
    if blind and any(t.get("predictions") or t.get("annotations") for t in tasks):
        raise ServerError("a blind project gets the text only: push it with --predictions none "
                          "--annotations none")
    project = find_project(client, title)
    if project is None:
        project = call("create the project", url, client.projects.create, title=title,
                       label_config=label_config, **settings)
        report = PushReport(int(project.id), created=True, config_updated=False)
        have: dict[str, dict[str, Any]] = {}
    else:
        if blind:
            shown = list(call("list predictions", url, client.predictions.list,
                              project=int(project.id)))
            if shown:
                raise ServerError(
                    f"project {project.id} ({title!r}) already has {len(shown)} predictions, "
                    "so it cannot be blind; push the blind pass to a new project title")
        have = existing_tasks(client, int(project.id))
        current = {t["data"]["paragraph_id"]: t["data"]["text"] for t in tasks}
        stale = sorted(pid for pid, t in have.items()
                       if pid in current and t["text"] != current[pid])
        if stale:
            raise ServerError(
                f"project {project.id} ({title!r}) has tasks whose text differs from the "
                f"current corpus: {', '.join(stale[:10])}{' …' if len(stale) > 10 else ''}; "
                "pull what was annotated, then push to a new project title"
            )
        changed = (project.label_config or "").strip() != label_config.strip()
        if changed:
            call("update the labeling config", url, client.projects.update, id=int(project.id),
                 label_config=label_config)
        report = PushReport(int(project.id), created=False, config_updated=changed)
        differ = {k: v for k, v in settings.items() if getattr(project, k, None) != v}
        if differ:
            call("update the project settings", url, client.projects.update,
                 id=int(project.id), **differ)
            report.settings_updated = sorted(differ)
    new = [t for t in tasks if t["data"]["paragraph_id"] not in have]
    old = [t for t in tasks if t["data"]["paragraph_id"] in have]
    if new:
        call("import tasks", url, client.projects.import_tasks, int(project.id),
             request=[dict(t) for t in new], return_task_ids=True)
    report.tasks_added = len(new)
    report.tasks_existing = len(old)
    report.predictions_added = sum(len(t.get("predictions", [])) for t in new)
    report.annotations_added = sum(len(t.get("annotations", [])) for t in new)
    if old:
        present = {
            (p.task, p.model_version)
            for p in call("list predictions", url, client.predictions.list,
                          project=int(project.id))
        }
        for task in old:
            task_id = have[task["data"]["paragraph_id"]]["id"]
            for pred in task.get("predictions", []):
                if (task_id, pred["model_version"]) in present:
                    continue
                call("add a prediction", url, client.predictions.create, task=task_id,
                     result=pred["result"], model_version=pred["model_version"])
                report.predictions_added += 1
            report.annotations_skipped += len(task.get("annotations", []))
    if len(versions) == 1:
        # Which predictions pre-fill the annotator's editor; Label Studio accepts only a
        # version that already has predictions, hence after the import.
        call("select the prediction version", url, client.projects.update, id=int(project.id),
             model_version=versions[0])
    return report


# ------------------------------------------------------------------------------------- pull


def export_tasks(client: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """Every task of the project in Label Studio's JSON export format."""
    url = base_url(client)
    chunks = call("export the project", url, client.projects.exports.download_sync,
                  int(project_id), export_type="JSON", download_all_tasks=True)
    raw = call("export the project", url, b"".join, chunks)
    try:  # the strict reader, as for an export file: bounded nesting, no repeated keys
        data = loads(raw.decode("utf-8", errors="replace"), f"export of project {project_id}")
    except DataError as exc:
        raise ServerError(f"the export of project {project_id} is not valid JSON: "
                          f"[{exc.code}] {exc.message}") from None
    if not isinstance(data, list):
        raise ServerError(f"the export of project {project_id} is not a list of tasks")
    return data


def attach_predictions(
    client: LabelStudio, project_id: int, tasks: Sequence[dict[str, Any]]
) -> None:
    """Replace the prediction ids of an export by the predictions themselves."""
    url = base_url(client)
    by_task: dict[int, list[dict[str, Any]]] = {}
    for p in call("list predictions", url, client.predictions.list, project=int(project_id)):
        by_task.setdefault(int(p.task), []).append(
            {"id": p.id, "model_version": p.model_version, "result": p.result,
             "updated_at": p.updated_at.isoformat() if p.updated_at else ""}
        )
    for task in tasks:
        task["predictions"] = by_task.get(int(task.get("id", -1)), [])


def project_settings(client: LabelStudio, project_id: int) -> dict[str, Any]:
    """The team-relevant fields of a project as the server holds them."""
    url = base_url(client)
    project = call("read the project", url, client.projects.get, id=int(project_id))
    return {k: getattr(project, k, None) for k in (
        "title", "maximum_annotations", "overlap_cohort_percentage", "show_collab_predictions",
        "show_annotation_history", "show_instruction", "expert_instruction", "model_version")}


def current_user(client: LabelStudio) -> str:
    url = base_url(client)
    me = call("identify the user", url, client.users.whoami)
    return str(me.email or me.username)


def task_states(client: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """Every task's id, paragraph id, overlap (annotations wanted) and annotations
    (``completed_by`` user id, ``was_cancelled``)."""
    url = base_url(client)
    pager = call("list tasks", url, client.tasks.list, project=int(project_id), fields="all",
                 page_size=500)
    out = []
    for task in call("list tasks", url, list, pager):
        anns = []
        for a in task.annotations or []:
            row = a if isinstance(a, dict) else a.model_dump()
            anns.append({"completed_by": row.get("completed_by"),
                         "was_cancelled": bool(row.get("was_cancelled"))})
        out.append({"id": int(task.id), "paragraph_id": (task.data or {}).get("paragraph_id"),
                    "overlap": int(task.overlap or 1), "annotations": anns})
    return out


def user_names(client: LabelStudio) -> dict[int, str]:
    """Label Studio user ids → e-mail addresses (the annotators' names)."""
    url = base_url(client)
    return {int(u.id): str(u.email or u.username or f"user-{u.id}")
            for u in call("list users", url, client.users.list)}
