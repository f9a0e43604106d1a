"""``aicities hub push --repo-id ID [--tag vX.Y.Z] [--dry-run] [--private]``."""

from __future__ import annotations

import argparse
import os
import sys

from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "hub",
        help="publish release/ on the Hugging Face Hub",
        description="Publish the built release on the Hugging Face Hub.",
    )
    verbs = p.add_subparsers(dest="hub_command", metavar="VERB", required=True)
    push_p = verbs.add_parser(
        "push",
        help="upload release/ as one commit and tag it vX.Y.Z",
        description="Upload release/ to the dataset repository ID as one commit and tag it, "
        "so that load_dataset(ID, revision=TAG) returns exactly this release. Refuses when "
        "`aicities build --check` fails or the tag differs from v<version in pyproject.toml>. "
        "The token is read from the HF_TOKEN environment variable and never printed.",
    )
    push_p.add_argument("--repo-id", required=True, help="dataset repository, owner/name")
    push_p.add_argument("--tag", help="tag of the revision (default: v<version>)")
    push_p.add_argument("--dry-run", action="store_true",
                        help="check and print the files and the tag; no network, no token")
    push_p.add_argument("--private", action="store_true",
                        help="create the repository as private if it does not exist")
    push_p.set_defaults(func=run_push)


def run_push(args: argparse.Namespace, project: Project) -> int:
    from aicities.release.hub import PushFailed, PushRefused, plan_push, upload

    try:
        plan = plan_push(project, args.repo_id, args.tag)
    except PushRefused as exc:
        print(f"hub push: refused: {exc}", file=sys.stderr)
        return 1
    if args.dry_run:
        for line in plan.describe():
            print(line)
        print("dry run: nothing was uploaded")
        return 0
    token = os.environ.get("HF_TOKEN")
    if not token:
        print("hub push: set HF_TOKEN to a token with write access to the repository",
              file=sys.stderr)
        return 1
    try:
        commit = upload(plan, token, private=args.private)
    except PushRefused as exc:
        print(f"hub push: refused: {exc}", file=sys.stderr)
        return 1
    except PushFailed as exc:
        print(f"hub push: failed: {exc}", file=sys.stderr)
        return 1
    print(f"pushed {len(plan.files)} files to datasets/{plan.repo_id} as commit {commit}, "
          f"tagged {plan.tag}: load_dataset({plan.repo_id!r}, revision={plan.tag!r})")
    return 0
