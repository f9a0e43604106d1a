"""Secrets are never printed: ``aicities.redact`` and its two users, against a local fake
server that echoes the request's URL and headers (Authorization included) in its error body."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from aicities.redact import MASK, redact

HF_TOKEN = "hf_SentinelTokenAbcdefghijklmnop123"
LS_KEY = "ls-sentinel-api-key-0123456789"
LS_PASSWORD = "sentinel pass/42!"
SECRETS = (HF_TOKEN, LS_KEY, LS_PASSWORD, "pw-in-url-77", "query-token-99")


class _Echo(http.server.BaseHTTPRequestHandler):
    """Answers every request with an error whose body repeats the request line and headers,
    as a misconfigured proxy or a debugging server would."""

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        echo = (f"Authorization: {self.headers.get('Authorization')} sent to {self.command} "
                f"{self.path} with headers {dict(self.headers)}")
        body = json.dumps({"error": echo, "detail": echo}).encode()
        self.send_response(401 if "whoami" in self.path or "current-user" in self.path else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Error-Message", echo.replace("\n", " ")[:1000])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _echo

    def log_message(self, *args: object) -> None:  # keep pytest's output clean
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


# --------------------------------------------------------------------------- the function


ENV = {"HF_TOKEN": HF_TOKEN, "LABEL_STUDIO_API_KEY": LS_KEY,
       "LABEL_STUDIO_PASSWORD": LS_PASSWORD, "LABEL_STUDIO_USER_PASSWORD": LS_PASSWORD}


@pytest.mark.parametrize("text, secret", [
    ("https://bob:pw-in-url-77@example.org/api", "pw-in-url-77"),
    ("GET /api/tasks?page=1&token=query-token-99&x=1", "query-token-99"),
    ("GET /x?access_token=query-token-99", "query-token-99"),
    ("GET /x?api_key=query-token-99#frag", "query-token-99"),
    ("headers {'Authorization': 'Token abcdef123456789'}", "abcdef123456789"),
    ("authorization: Bearer eyJhbGciOi.J9abc", "eyJhbGciOi.J9abc"),
    ("token hf_SomeOtherTokenNotInEnv12345678 leaked", "hf_SomeOtherTokenNotInEnv12345678"),
    (f"echo: {LS_KEY}", LS_KEY),
    (f"percent-encoded: {quote(LS_PASSWORD, safe='')}", quote(LS_PASSWORD, safe="")),
    (f"in a path: /login/{quote(LS_PASSWORD)}", quote(LS_PASSWORD)),
    (f"the password {LS_PASSWORD} in prose", LS_PASSWORD),
    (f"{HF_TOKEN[:3]}|{HF_TOKEN}", HF_TOKEN),
])
def test_redact_removes_every_kind_of_secret(text, secret):
    out = redact(text, environ=ENV)
    assert secret not in out
    assert MASK in out


def test_redact_keeps_ordinary_text_and_is_idempotent():
    text = "Label Studio at http://localhost:8080 could not list tasks: HTTP 404: Not found"
    assert redact(text, environ=ENV) == text
    once = redact("https://u:p4ssw0rd@h/x?token=abc Token abcdefgh12", environ=ENV)
    assert redact(once, environ=ENV) == once
    assert "p4ssw0rd" not in once and "abc " not in once and "abcdefgh12" not in once


def test_short_environment_values_do_not_mask_words():
    assert redact("a b c", environ={"HF_TOKEN": "a"}) == "a b c"


# --------------------------------------------------------------------------- Label Studio


def test_label_studio_errors_from_an_echoing_server_hold_no_secret(echo_server, monkeypatch):
    from aicities.labelstudio.server import ServerError, call, connect

    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    url = echo_server.replace("http://", "http://bob:pw-in-url-77@") + "/?token=query-token-99"
    with pytest.raises(ServerError) as refused:
        connect(url, LS_KEY)
    message = str(refused.value)
    assert "refused the token" in message and "HTTP 401" in message
    assert "Authorization" in message  # the echo is there, its value is not
    assert _leaks(message) == []

    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=echo_server, api_key=LS_KEY, max_retries=0)
    with pytest.raises(ServerError) as failed:
        call("list projects", echo_server, client.projects.list)
    assert "HTTP 500" in str(failed.value)
    assert _leaks(str(failed.value)) == []


def test_an_unreachable_label_studio_is_one_line():
    from aicities.labelstudio.server import ServerError, connect

    with pytest.raises(ServerError) as exc:
        connect("http://bob:pw-in-url-77@127.0.0.1:9/", LS_KEY, timeout=5)
    assert "cannot reach Label Studio" in str(exc.value)
    assert "\n" not in str(exc.value) and _leaks(str(exc.value)) == []


# --------------------------------------------------------------------------- hub push


@pytest.fixture
def built(tmp_path):
    from aicities.release.build import run_build
    from build_fixture import make_mini_project

    project = make_mini_project(tmp_path / "mini")
    run_build(project)
    return project


CLI = "import sys; from aicities.cli import main; sys.exit(main())"


def _hub_push(root: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    """``aicities hub push`` as a user runs it, against ``endpoint`` (a local server: the
    process is allowed to talk to it, nothing else)."""
    env = {**os.environ, **ENV, "HF_ENDPOINT": endpoint, "HF_HUB_OFFLINE": "0",
           "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    return subprocess.run(
        [sys.executable, "-c", CLI, "--root", str(root), "hub", "push",
         "--repo-id", "team/aicities-zh"],
        capture_output=True, text=True, env=env, timeout=300,
    )


def test_hub_push_http_error_is_one_redacted_line(built, echo_server):
    result = _hub_push(built.root, echo_server)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hub push: failed: "), result.stderr
    assert "HTTP 500" in lines[0]
    assert "Authorization: Bearer ***" in lines[0]  # the echo reached the message, redacted
    assert _leaks(result.stderr + result.stdout) == []


def test_hub_push_unreachable_hub_is_one_line(built):
    result = _hub_push(built.root, "http://127.0.0.1:9")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hub push: failed: "), result.stderr
    assert _leaks(result.stderr + result.stdout) == []
