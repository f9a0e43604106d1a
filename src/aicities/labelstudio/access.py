"""Reaching a Label Studio server as someone: the token, the client, a project by title.

A token comes from a token file (an annotator's, written by ``scripts/labelstudio-server
add-user``) or, without one, from the caller's fallback (the CLI passes the
``LABEL_STUDIO_API_KEY`` environment variable, the lead's admin token). No token is ever
printed: messages name the token file, never its content.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aicities.labelstudio.server import ServerError, connect, find_project

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


def read_token(token_file: str | None, fallback: str | None) -> str | None:
    """The token held by ``token_file`` (ASCII, surrounding blanks stripped) if one is named,
    else ``fallback``. An unreadable or empty token file is a ServerError naming the file."""
    if not token_file:
        return fallback
    try:
        token = Path(token_file).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ServerError(f"{token_file}: cannot read the token file "
                          f"({type(exc).__name__})") from None
    if not token:
        raise ServerError(f"{token_file}: the token file is empty")
    return token


def open_client(url: str, token_file: str | None, fallback: str | None) -> LabelStudio:
    """A client of the server at ``url`` with the token of :func:`read_token`."""
    try:
        return connect(url, read_token(token_file, fallback))
    except ServerError as exc:
        if token_file:  # the server module names the environment variable; here it was a file
            raise ServerError(str(exc).replace("LABEL_STUDIO_API_KEY", token_file)) from None
        raise


def resolve_project(client: LabelStudio, *, project: int | None, title: str | None,
                    url: str) -> int:
    """The id of the project given by id, or else by ``title`` (a ServerError if the server
    at ``url`` has none of that title)."""
    if title is not None:
        found = find_project(client, title)
        if found is None:
            raise ServerError(f"no project titled {title!r} at {url}")
        return int(found.id)
    if project is None:
        raise ValueError("give a project id or a title")
    return int(project)
