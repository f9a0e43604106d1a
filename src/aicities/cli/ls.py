"""``aicities ls {config,tasks,push,pull,import,status,merge,agreement}``: the Label Studio
round trip, for one annotator or a team.

The server is ``--url`` (default ``LABEL_STUDIO_URL``). The API token is read from the file
``--token-file`` (default ``LABEL_STUDIO_TOKEN_FILE``: an annotator's token stored by
``scripts/labelstudio-server add-user``) when one is given, else from ``LABEL_STUDIO_API_KEY``
(the lead's admin token). No token is ever printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from aicities.cli import unless_check
from aicities.errors import DataError
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "labelstudio"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ls",
        help="Label Studio round trip: config, tasks, push, pull, import, status, merge, "
        "agreement",
        description="Annotate in Label Studio: generate the labeling config, push one task "
        "per paragraph, pull (or import) annotations into annotations/labelstudio/received/"
        "<annotator>/, merge them into the gold with a report, measure agreement. Offsets are "
        "code points of the paragraph text on both sides.",
    )
    verbs = p.add_subparsers(dest="ls_command", metavar="VERB", required=True)

    v = verbs.add_parser("config", help="write annotations/labelstudio/config.xml from the schema")
    v.add_argument("--check", action="store_true",
                   help="only check that the committed config is up to date")
    v.set_defaults(func=run_config, writes=unless_check)

    v = verbs.add_parser("tasks", help="write Label Studio import JSON (one task per paragraph)")
    _task_options(v)
    v.add_argument("-o", "--output", help="file to write (default: print to stdout)")
    v.set_defaults(func=run_tasks, writes=lambda args: bool(args.output))

    v = verbs.add_parser("push", help="create or update a project and add the tasks it lacks")
    _server_options(v)
    v.add_argument("--title", required=True, help="project title (the project's key)")
    _task_options(v)
    v.add_argument("--overlap", type=int, metavar="N",
                   help="annotations wanted per task (Label Studio's maximum_annotations); at "
                   "most the number of annotator accounts on the server")
    v.add_argument("--overlap-share", type=int, metavar="P",
                   help="percentage of tasks that get --overlap annotations (default 100; the "
                   "others get one)")
    v.add_argument("--blind", action="store_true",
                   help="a blind pass: the text only (no predictions, no gold), predictions "
                   "and annotation history hidden; needs a project title of its own")
    v.set_defaults(func=run_push)

    v = verbs.add_parser("status", help="progress per annotator: done, skipped, remaining, "
                         "overlap reached")
    _server_options(v)
    which = v.add_mutually_exclusive_group(required=True)
    which.add_argument("--project", type=int, help="project id (printed by push)")
    which.add_argument("--title", help="or the project's title")
    v.add_argument("--json", action="store_true", help="print the status as JSON")
    v.set_defaults(func=run_status)

    v = verbs.add_parser("pull", help="export a project and receive its annotations")
    _server_options(v)
    which = v.add_mutually_exclusive_group(required=True)
    which.add_argument("--project", type=int, help="project id (printed by push)")
    which.add_argument("--title", help="or the project's title")
    _receive_options(v)
    v.add_argument("--predictions", metavar="MODEL_VERSION",
                   help="receive the predictions of this model version instead of the "
                   "annotations (as annotator model-<version>), e.g. to check a push")
    v.add_argument("--save-export", metavar="FILE", help="also keep the raw export JSON")
    v.set_defaults(func=run_pull, writes=True)

    v = verbs.add_parser("import", help="receive the annotations of a JSON export file")
    v.add_argument("export", help="Label Studio JSON export (Export → JSON)")
    _receive_options(v)
    v.add_argument("--url", help="look the export's annotator ids up on this server (a web "
                   "export names annotators by number); the token as for push")
    v.add_argument("--token-file", default=os.environ.get("LABEL_STUDIO_TOKEN_FILE"),
                   help=argparse.SUPPRESS)
    v.set_defaults(func=run_import, writes=True)

    v = verbs.add_parser("merge", help="report (and with --apply write) an annotator's work "
                         "into the gold")
    v.add_argument("--annotator", required=True, help="folder name under received/")
    v.add_argument("--apply", action="store_true", help="write the gold (default: report only)")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=run_merge, writes=lambda args: args.apply)

    v = verbs.add_parser("agreement", help="span F1 and label kappa between two annotators")
    v.add_argument("--annotators", nargs=2, metavar=("A", "B"), required=True,
                   help="two folder names under received/ (A is the reference), two people")
    v.add_argument("--url", help="resolve user-<id> folder names through this server")
    v.add_argument("--token-file", default=os.environ.get("LABEL_STUDIO_TOKEN_FILE"),
                   help=argparse.SUPPRESS)
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=run_agreement)


def _task_options(v: argparse.ArgumentParser) -> None:
    v.add_argument("--predictions", choices=("rules", "gold", "none"), default="none",
                   help="pre-annotations: rules (annotations/passes/rules/), gold, or none")
    v.add_argument("--annotations", choices=("gold", "none"), default="none",
                   help="also send the gold as submitted annotations (review, round-trip tests)")


def _server_options(v: argparse.ArgumentParser) -> None:
    v.add_argument("--url", default=os.environ.get("LABEL_STUDIO_URL"),
                   help="Label Studio URL (default: $LABEL_STUDIO_URL); the token is read "
                   "from --token-file, else from $LABEL_STUDIO_API_KEY")
    v.add_argument("--token-file", default=os.environ.get("LABEL_STUDIO_TOKEN_FILE"),
                   metavar="FILE", help="act as the user whose token this file holds "
                   "(default: $LABEL_STUDIO_TOKEN_FILE; see scripts/labelstudio-server "
                   "token-file EMAIL)")


def _receive_options(v: argparse.ArgumentParser) -> None:
    v.add_argument("--annotator", help="name the export's single annotator (default: the "
                   "annotator's e-mail, or user-<id>)")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _print(lines: list[str], file: Any = None) -> None:
    for line in lines:
        print(line, file=file)


# ------------------------------------------------------------------------------------ verbs


def run_config(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import read_text, write_text_atomic
    from aicities.labelstudio.tasks import config_path
    from aicities.labelstudio.workflow import project_config

    xml = project_config(project)
    path = config_path(project)
    if args.check:
        if not path.exists() or read_text(path) != xml:
            return _fail(f"{path}: out of date with the schema; run `aicities ls config`")
        print(f"{path}: up to date")
        return 0
    write_text_atomic(path, xml)
    print(f"wrote {path}")
    return 0


def _tasks(args: argparse.Namespace, project: Project) -> list[dict[str, Any]]:
    from aicities.labelstudio.tasks import build_tasks

    return build_tasks(project, predictions=args.predictions, annotations=args.annotations)


def run_tasks(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import write_text_atomic
    from aicities.labelstudio.reports import as_json

    tasks = _tasks(args, project)
    text = as_json(tasks) + "\n"
    if args.output:
        write_text_atomic(Path(args.output), text)
        with_pred = sum(bool(t.get("predictions")) for t in tasks)
        print(f"wrote {len(tasks)} tasks ({with_pred} with predictions) to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _client(args: argparse.Namespace) -> Any:
    """The server of ``--url`` as the user of ``--token-file``, else of LABEL_STUDIO_API_KEY."""
    from aicities.labelstudio.access import open_client
    from aicities.labelstudio.server import ServerError

    if not args.url:
        raise ServerError("give --url (or set LABEL_STUDIO_URL)")
    return open_client(args.url, getattr(args, "token_file", None),
                       os.environ.get("LABEL_STUDIO_API_KEY"))


def _project_id(client: Any, args: argparse.Namespace) -> int:
    from aicities.labelstudio.access import resolve_project

    return resolve_project(client, project=args.project, title=args.title, url=args.url)


def run_push(args: argparse.Namespace, project: Project) -> int:
    from aicities.labelstudio.reports import push_lines
    from aicities.labelstudio.server import ServerError
    from aicities.labelstudio.team import TeamError
    from aicities.labelstudio.workflow import project_config, push_round, push_settings

    if args.blind and (args.predictions != "none" or args.annotations != "none"):
        return _fail("--blind pushes the text only: drop --predictions/--annotations")
    try:
        settings = push_settings(project, args.overlap, args.overlap_share)  # before requests
    except TeamError as exc:
        return _fail(str(exc))
    tasks = _tasks(args, project)  # data problems first, before any request
    xml = project_config(project)
    try:
        report = push_round(_client(args), title=args.title, config=xml, tasks=tasks,
                            settings=settings, overlap=args.overlap, share=args.overlap_share,
                            blind=args.blind)
    except (ServerError, TeamError) as exc:
        return _fail(str(exc))
    _print(push_lines(report, overlap=args.overlap, share=args.overlap_share, blind=args.blind))
    return 0


def _receive(
    project: Project, tasks: list[dict[str, Any]], where: str, *, users: dict[int, str],
    annotator: str | None, model_version: str | None = None,
) -> int:
    from aicities.labelstudio.reports import receive_lines
    from aicities.labelstudio.workflow import receive

    received = receive(project, tasks, where, users=users, annotator=annotator,
                       model_version=model_version)
    _print(receive_lines(project, received))
    return 0


def run_pull(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import write_text_atomic
    from aicities.labelstudio.reports import as_json
    from aicities.labelstudio.server import ServerError
    from aicities.labelstudio.workflow import export_location, pull

    try:
        client = _client(args)
        args.project = _project_id(client, args)
        tasks, users = pull(client, args.project, predictions=bool(args.predictions))
    except ServerError as exc:
        return _fail(str(exc))
    if args.save_export:
        write_text_atomic(Path(args.save_export), as_json(tasks) + "\n")
    return _receive(project, tasks, export_location(args.url, args.project), users=users,
                    annotator=args.annotator, model_version=args.predictions)


def run_import(args: argparse.Namespace, project: Project) -> int:
    from aicities.labelstudio.received import read_export
    from aicities.labelstudio.server import ServerError, user_names

    path = Path(args.export)
    if not path.exists():
        raise DataError(path, 0, "ls-no-export", "no such file")
    tasks = read_export(path)
    users: dict[int, str] = {}
    if args.url:
        try:
            users = user_names(_client(args))
        except ServerError as exc:
            return _fail(str(exc))
    return _receive(project, tasks, str(path), users=users, annotator=args.annotator)


def run_status(args: argparse.Namespace, project: Project) -> int:
    from aicities.labelstudio.reports import as_json, status_json, status_lines
    from aicities.labelstudio.server import ServerError
    from aicities.labelstudio.workflow import status

    try:
        client = _client(args)
        pid = _project_id(client, args)
        settings, progress = status(client, pid)
    except ServerError as exc:
        return _fail(str(exc))
    if args.json:
        print(as_json(status_json(pid, settings, progress)))
    else:
        _print(status_lines(pid, settings, progress))
    return 0


def run_merge(args: argparse.Namespace, project: Project) -> int:
    from aicities.labelstudio.reports import as_json, merge_lines
    from aicities.labelstudio.workflow import merge

    plan, problems, applied = merge(project, args.annotator, apply=args.apply)
    if args.json:
        print(as_json({**plan.to_json(), "problems": problems, "applied": applied}))
        return 1 if problems else 0
    out, err = merge_lines(project, plan, problems, apply=args.apply)
    _print(out)
    _print(err, file=sys.stderr)
    return 1 if problems else 0


def run_agreement(args: argparse.Namespace, project: Project) -> int:
    from aicities.labelstudio.reports import agreement_lines, as_json
    from aicities.labelstudio.server import ServerError, user_names
    from aicities.labelstudio.team import TeamError, check_two_annotators
    from aicities.labelstudio.workflow import agreement

    a_name, b_name = args.annotators
    try:
        check_two_annotators(a_name, b_name)
        if args.url:
            check_two_annotators(a_name, b_name, user_names(_client(args)))
    except (TeamError, ServerError) as exc:
        return _fail(str(exc))
    result = agreement(project, a_name, b_name)
    if args.json:
        print(as_json(result))
    else:
        _print(agreement_lines(result))
    return 0
