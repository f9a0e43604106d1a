"""``aicities ls {config,tasks,push,pull,import,status,merge,agreement}``: the Label Studio
round trip, for one annotator or a team.

The server is ``--url`` (default ``LABEL_STUDIO_URL``). The API token is read from the file
``--token-file`` (default ``LABEL_STUDIO_TOKEN_FILE``: an annotator's token stored by
``scripts/labelstudio-server add-user``) when one is given, else from ``LABEL_STUDIO_API_KEY``
(the lead's admin token). No token is ever printed.
"""

from __future__ import annotations

import argparse
import json
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


# ------------------------------------------------------------------------------------ verbs


def run_config(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.schema import get_schema
    from aicities.files import read_text, write_text_atomic
    from aicities.labelstudio.config import label_config
    from aicities.labelstudio.tasks import config_path

    xml = label_config(get_schema(project.schema_file))
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
    tasks = _tasks(args, project)
    text = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        write_text_atomic(Path(args.output), text)
        with_pred = sum(bool(t.get("predictions")) for t in tasks)
        print(f"wrote {len(tasks)} tasks ({with_pred} with predictions) to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _token(args: argparse.Namespace) -> str | None:
    """The token from ``--token-file`` if given (never printed), else LABEL_STUDIO_API_KEY."""
    from aicities.labelstudio.server import ServerError

    path = getattr(args, "token_file", None)
    if not path:
        return os.environ.get("LABEL_STUDIO_API_KEY")
    try:
        token = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ServerError(f"{path}: cannot read the token file "
                          f"({type(exc).__name__})") from None
    if not token:
        raise ServerError(f"{path}: the token file is empty")
    return token


def _client(args: argparse.Namespace) -> Any:
    from aicities.labelstudio.server import ServerError, connect

    if not args.url:
        raise ServerError("give --url (or set LABEL_STUDIO_URL)")
    try:
        return connect(args.url, _token(args))
    except ServerError as exc:
        path = getattr(args, "token_file", None)
        if path:  # the server module names the environment variable; here it was a file
            raise ServerError(str(exc).replace("LABEL_STUDIO_API_KEY", str(path))) from None
        raise


def _project_id(client: Any, args: argparse.Namespace) -> int:
    from aicities.labelstudio.server import ServerError, find_project

    if args.title is None:
        return int(args.project)
    found = find_project(client, args.title)
    if found is None:
        raise ServerError(f"no project titled {args.title!r} at {args.url}")
    return int(found.id)


def run_push(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.schema import get_schema
    from aicities.labelstudio.config import label_config
    from aicities.labelstudio.server import ServerError, current_user, push, user_names
    from aicities.labelstudio.team import (
        TeamError,
        blind_settings,
        guidelines_html,
        overlap_settings,
    )

    if args.blind and (args.predictions != "none" or args.annotations != "none"):
        return _fail("--blind pushes the text only: drop --predictions/--annotations")
    try:
        overlap_settings(args.overlap, args.overlap_share, None)  # before any request
        settings: dict[str, Any] = {"expert_instruction": guidelines_html(project),
                                    "show_instruction": True}
    except TeamError as exc:
        return _fail(str(exc))
    tasks = _tasks(args, project)  # data problems first, before any request
    xml = label_config(get_schema(project.schema_file))
    try:
        client = _client(args)
        if args.overlap is not None:
            # Annotators are the server's accounts other than the one pushing (the lead).
            me = current_user(client)
            annotators = [e for e in user_names(client).values() if e != me]
            settings.update(overlap_settings(args.overlap, args.overlap_share,
                                             len(annotators)))
        if args.blind:
            settings.update(blind_settings())
        report = push(client, title=args.title, label_config=xml, tasks=tasks,
                      settings=settings, blind=args.blind)
    except (ServerError, TeamError) as exc:
        return _fail(str(exc))
    state = "created" if report.created else (
        "updated (labeling config changed)" if report.config_updated else "updated")
    if report.settings_updated:
        state += f" (settings: {', '.join(report.settings_updated)})"
    print(f"project {report.project_id} {state}: {report.tasks_added} tasks added, "
          f"{report.tasks_existing} already there; {report.predictions_added} predictions and "
          f"{report.annotations_added} annotations added")
    if report.annotations_skipped:
        print(f"  {report.annotations_skipped} gold annotations not added to tasks that "
              "already existed (annotators' work is never overwritten)")
    if args.overlap is not None:
        share = 100 if args.overlap_share is None else args.overlap_share
        print(f"  overlap: {args.overlap} annotations on {share} % of the tasks")
    if args.blind:
        print("  blind: no predictions, predictions and annotation history hidden")
    print("  instructions: GUIDELINES.md, shown before labelling")
    print(f"project id: {report.project_id}")
    return 0


def _receive(
    project: Project, tasks: list[dict[str, Any]], path: str, *, users: dict[int, str],
    annotator: str | None, model_version: str | None = None,
) -> int:
    from aicities.files import write_all
    from aicities.labelstudio.received import parse_export, plan_receive

    judgements, summary = parse_export(tasks, project, path=path, users=users,
                                       annotator=annotator, model_version=model_version)
    report = plan_receive(project, judgements)
    write_all(report.files)
    print(f"{summary.tasks} tasks: {summary.annotations} annotations read, {summary.cancelled} "
          f"cancelled (skipped), {summary.superseded} superseded by a newer one, "
          f"{summary.without_annotation} tasks without annotation")
    for who in sorted(judgements):
        folder = project.labelstudio_dir / "received" / who
        print(f"received from {who}: {len(report.new.get(who, []))} new, "
              f"{len(report.updated.get(who, []))} updated, "
              f"{len(report.unchanged.get(who, []))} unchanged paragraphs → {folder}")
        for pid in report.updated.get(who, []):
            print(f"  updated {pid}")
    print("next: aicities ls merge --annotator NAME (report), then --apply")
    return 0


def run_pull(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import write_text_atomic
    from aicities.labelstudio.server import (
        ServerError,
        attach_predictions,
        export_tasks,
        user_names,
    )

    try:
        client = _client(args)
        args.project = _project_id(client, args)
        tasks = export_tasks(client, args.project)
        if args.predictions:
            attach_predictions(client, args.project, tasks)
        users = user_names(client)
    except ServerError as exc:
        return _fail(str(exc))
    if args.save_export:
        write_text_atomic(Path(args.save_export),
                          json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    from aicities.redact import redact  # `where` is printed and recorded: no credentials

    where = redact(f"{args.url.rstrip('/')}/api/projects/{args.project}/export")
    return _receive(project, tasks, where, users=users, annotator=args.annotator,
                    model_version=args.predictions)


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
    from aicities.labelstudio.server import (
        ServerError,
        current_user,
        project_settings,
        task_states,
        user_names,
    )
    from aicities.labelstudio.team import project_status

    try:
        client = _client(args)
        pid = _project_id(client, args)
        settings = project_settings(client, pid)
        states = task_states(client, pid)
        users = user_names(client)
        me = current_user(client)
    except ServerError as exc:
        return _fail(str(exc))
    status = project_status(states, users, admin=me)
    if args.json:
        print(json.dumps({"project": pid, "title": settings["title"],
                          "maximum_annotations": settings["maximum_annotations"],
                          "overlap_cohort_percentage": settings["overlap_cohort_percentage"],
                          **status.to_json()}, ensure_ascii=False, indent=1))
        return 0
    print(f"project {pid} ({settings['title']}): {status.tasks} tasks, overlap "
          f"{settings['maximum_annotations']} on {settings['overlap_cohort_percentage']} % — "
          f"reached on {status.overlap_reached} of {status.tasks} tasks")
    print(f"  {'annotator':<32} {'done':>5} {'skipped':>8} {'remaining':>10}")
    for row in status.annotators:
        print(f"  {row.annotator:<32} {row.done:5d} {row.skipped:8d} {row.remaining:10d}")
    return 0


def run_merge(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import write_all
    from aicities.labelstudio.received import describe, merge_problems, plan_merge

    plan = plan_merge(project, args.annotator)
    problems = merge_problems(project, plan)
    apply = bool(args.apply and plan.files and not problems)
    if apply:
        write_all(plan.files)
    if args.json:
        print(json.dumps({**plan.to_json(), "problems": problems, "applied": apply},
                         ensure_ascii=False, indent=1))
        return 1 if problems else 0
    print(f"merge {plan.annotator} → gold: {len(plan.paragraphs)} received paragraphs")
    if plan.spans:
        print("spans:")
        for change in plan.spans:
            print(describe(change))
    if plan.labels:
        print("paragraph labels:")
        for change in plan.labels:
            print(describe(change))
    counts = plan.counts()
    print("summary: " + "; ".join(
        f"{name} " + ", ".join(f"{n} {k}" for k, n in c.items()) for name, c in counts.items()
    ))
    if problems:
        print(f"merge refused: the gold would not validate after merging {plan.annotator} "
              f"({len(problems)} problem(s)); nothing written", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        if any("[norm-disagrees]" in line for line in problems):
            print("  a value that departs from the normalizer needs a reason: write it in "
                  "the span's note box in Label Studio, pull again, merge again",
                  file=sys.stderr)
        return 1
    if not plan.files:
        print("nothing to merge: the gold already holds this work")
    elif args.apply:
        print(f"wrote {len(plan.files)} file(s): "
              + ", ".join(str(p.relative_to(project.root)) for p in sorted(plan.files)))
        print("next: aicities validate")
    else:
        print(f"dry run: nothing written; add --apply to write {len(plan.files)} file(s)")
    return 0


def run_agreement(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.agreement import label_agreement, span_agreement
    from aicities.annotation.schema import get_schema
    from aicities.labelstudio.received import load_received
    from aicities.labelstudio.server import ServerError, user_names
    from aicities.labelstudio.team import TeamError, check_two_annotators

    schema = get_schema(project.schema_file)
    a_name, b_name = args.annotators
    try:
        check_two_annotators(a_name, b_name)
        if args.url:
            check_two_annotators(a_name, b_name, user_names(_client(args)))
    except (TeamError, ServerError) as exc:
        return _fail(str(exc))
    a, b = load_received(project, a_name), load_received(project, b_name)
    result: dict[str, Any] = {
        "annotators": [a_name, b_name],
        "spans": span_agreement({k: v.spans for k, v in a.items()},
                                {k: v.spans for k, v in b.items()}, schema),
        "cities": label_agreement({k: v.labels.cities for k, v in a.items()},
                                  {k: v.labels.cities for k, v in b.items()}, schema.cities),
        "topics": label_agreement({k: v.labels.topics for k, v in a.items()},
                                  {k: v.labels.topics for k, v in b.items()}, schema.topics),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    counts = result["spans"]["paragraphs"]
    print(f"{a_name} (reference) vs {b_name}: {counts['compared']} paragraphs judged by both "
          f"({counts['only_a']} only by {a_name}, {counts['only_b']} only by {b_name})")

    def fmt(x: float | None) -> str:
        return "  n/a" if x is None else f"{x:5.3f}"

    print("spans (strict)      P      R     F1    tp   fp   fn")
    rows = [("micro", result["spans"]["micro"]),
            *((f"layer {k}", v) for k, v in result["spans"]["layers"].items()),
            *result["spans"]["labels"].items()]
    for name, s in rows:
        print(f"  {name:<16} {fmt(s['precision'])} {fmt(s['recall'])} {fmt(s['f1'])} "
              f"{s['tp']:5d} {s['fp']:4d} {s['fn']:4d}")
    for key in ("cities", "topics"):
        r = result[key]
        print(f"{key}: pooled kappa {fmt(r['pooled_kappa'])}, Krippendorff's alpha "
              f"{fmt(r['krippendorff_alpha'])}, exact sets {fmt(r['exact_set_agreement'])} "
              f"({r['decisions']} decisions)")
        for value, v in r["values"].items():
            print(f"  {value:<16} kappa {fmt(v['kappa'])}  agreement {fmt(v['agreement'])}  "
                  f"a={v['a']} b={v['b']}")
    return 0
