"""The steps of a Label Studio round that the ``aicities ls`` verbs run, without the printing.

Push (settings checked before any request, overlap counted over the server's annotator
accounts), pull (the export, the predictions, the users), receive (an export into
``annotations/labelstudio/received/<annotator>/``), status, merge and agreement. Offsets are
half-open code points of the paragraph text on both sides, as everywhere in this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aicities.annotation.agreement import label_agreement, span_agreement
from aicities.annotation.schema import get_schema
from aicities.files import write_all
from aicities.labelstudio.config import label_config
from aicities.labelstudio.received import (
    ImportSummary,
    MergePlan,
    ReceiveReport,
    load_received,
    merge_problems,
    parse_export,
    plan_merge,
    plan_receive,
)
from aicities.labelstudio.server import (
    PushReport,
    attach_predictions,
    current_user,
    export_tasks,
    project_settings,
    push,
    task_states,
    user_names,
)
from aicities.labelstudio.team import (
    ProjectStatus,
    blind_settings,
    guidelines_html,
    overlap_settings,
    project_status,
)
from aicities.project import Project
from aicities.redact import redact

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


def project_config(project: Project) -> str:
    """The labelling config (XML) generated from the project's schema."""
    return label_config(get_schema(project.schema_file))


def push_settings(project: Project, overlap: int | None, share: int | None) -> dict[str, Any]:
    """The project settings every push sends (the guidelines as instructions), once the
    overlap options are checked: a TeamError before any request is made."""
    overlap_settings(overlap, share, None)
    return {"expert_instruction": guidelines_html(project), "show_instruction": True}


def push_round(
    client: LabelStudio, *, title: str, config: str, tasks: list[dict[str, Any]],
    settings: dict[str, Any], overlap: int | None, share: int | None, blind: bool,
) -> PushReport:
    """Create or update the project titled ``title`` (labelling config ``config``, from
    :func:`project_config`) and add the tasks it lacks.

    ``overlap`` annotations are wanted on ``share`` % of the tasks (default 100); the
    annotators are the server's accounts other than the one pushing (the lead).
    """
    settings = dict(settings)
    if overlap is not None:
        me = current_user(client)
        annotators = [e for e in user_names(client).values() if e != me]
        settings.update(overlap_settings(overlap, share, len(annotators)))
    if blind:
        settings.update(blind_settings())
    return push(client, title=title, label_config=config, tasks=tasks,
                settings=settings, blind=blind)


def pull(client: LabelStudio, project_id: int, *, predictions: bool
         ) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """A project's export (with its predictions attached if asked) and the server's users
    (id → e-mail)."""
    tasks = export_tasks(client, project_id)
    if predictions:
        attach_predictions(client, project_id, tasks)
    return tasks, user_names(client)


def export_location(url: str, project_id: int) -> str:
    """Where an export came from, as printed and recorded: redacted, so no credentials."""
    return redact(f"{url.rstrip('/')}/api/projects/{project_id}/export")


@dataclass(frozen=True)
class Received:
    """What receiving an export read and wrote."""

    summary: ImportSummary
    report: ReceiveReport
    annotators: list[str]  # sorted


def receive(
    project: Project, tasks: list[dict[str, Any]], where: str, *, users: dict[int, str],
    annotator: str | None, model_version: str | None = None,
) -> Received:
    """Read an export (``where`` names it in messages) and write each annotator's received
    work under ``annotations/labelstudio/received/`` in one transaction."""
    judgements, summary = parse_export(tasks, project, path=where, users=users,
                                       annotator=annotator, model_version=model_version)
    report = plan_receive(project, judgements)
    write_all(report.files)
    return Received(summary, report, sorted(judgements))


def status(client: LabelStudio, project_id: int) -> tuple[dict[str, Any], ProjectStatus]:
    """A project's settings and its progress per annotator (the account asking left out)."""
    settings = project_settings(client, project_id)
    states = task_states(client, project_id)
    users = user_names(client)
    me = current_user(client)
    return settings, project_status(states, users, admin=me)


def merge(project: Project, annotator: str, *, apply: bool) -> tuple[MergePlan, list[str], bool]:
    """The merge plan of ``annotator``'s received work, the validation problems the gold
    would have after it, and whether it was written (only with ``apply``, something to
    write and no problem)."""
    plan = plan_merge(project, annotator)
    problems = merge_problems(project, plan)
    applied = bool(apply and plan.files and not problems)
    if applied:
        write_all(plan.files)
    return plan, problems, applied


def agreement(project: Project, a_name: str, b_name: str) -> dict[str, Any]:
    """Span agreement and city/topic label agreement between two received folders (``a``
    is the reference), as JSON-ready dicts."""
    schema = get_schema(project.schema_file)
    a, b = load_received(project, a_name), load_received(project, b_name)
    return {
        "annotators": [a_name, b_name],
        "spans": span_agreement({k: v.spans for k, v in a.items()},
                                {k: v.spans for k, v in b.items()}, schema),
        "cities": label_agreement({k: v.labels.cities for k, v in a.items()},
                                  {k: v.labels.cities for k, v in b.items()}, schema.cities),
        "topics": label_agreement({k: v.labels.topics for k, v in a.items()},
                                  {k: v.labels.topics for k, v in b.items()}, schema.topics),
    }
