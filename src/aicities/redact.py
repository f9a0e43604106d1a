"""One redaction for every message that may hold a secret: URLs and server responses.

:func:`redact` is applied to each error message that includes a URL, an exception's text or
a server's response body before it is printed (``aicities hub push``, the Label Studio
client). It removes, replacing each by ``***``:

* the values of the secret environment variables (:data:`SECRET_ENV`) wherever they
  appear, also percent-encoded, when they are at least 4 characters long;
* credentials in URLs (``https://user:password@host`` → ``https://***@host``);
* query and form parameters that carry tokens (``?token=``, ``access_token=``,
  ``api_key=``, ``apikey=``, ``password=``, ``secret=``, ``key=``, ``sig=`` …);
* ``Authorization``-style echoes: ``Token …``, ``Bearer …``, ``Basic …``;
* Hugging Face tokens (``hf_`` followed by 20 or more letters and digits).

It only ever shortens what it is given; it is no substitute for not printing bodies at
all, so callers also cut responses to a few hundred characters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

MASK = "***"
SECRET_ENV = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "LABEL_STUDIO_API_KEY",
    "LABEL_STUDIO_PASSWORD",
    "LABEL_STUDIO_USER_PASSWORD",
    "LABEL_STUDIO_USER_TOKEN",
)
_MIN_SECRET = 4  # shorter values would mask ordinary words

_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")
_QUERY_SECRET = re.compile(
    r"(?i)([?&;]|\b)((?:access_|refresh_|id_|auth_|api_|private_)?(?:token|key|apikey|api-key|"
    r"password|passwd|pwd|secret|sig|signature|session|sessionid|csrftoken)=)[^&\s#\"'<>]*"
)
_AUTH_SCHEME = re.compile(r"(?i)\b(token|bearer|basic)(\s+|%20|\+)[A-Za-z0-9._~+/=:-]{6,}")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|x-api-key|cookie|set-cookie)"
                          r"([\"']?\s*[:=]\s*[\"']?)(?:(token|bearer|basic)\s+)?[^\s\"',;}]+")
_HF_TOKEN = re.compile(r"\bhf_[A-Za-z0-9]{20,}")


def secrets_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of :data:`SECRET_ENV` that are set (longest first)."""
    env = os.environ if environ is None else environ
    values = {env[name] for name in SECRET_ENV if len(env.get(name) or "") >= _MIN_SECRET}
    return sorted(values, key=len, reverse=True)


def redact(text: object, *, secrets: Iterable[str] = (),
           environ: Mapping[str, str] | None = None) -> str:
    """``text`` (any object, as ``str``) with every secret replaced by ``***``.

    ``secrets`` are extra values to remove (a token the caller holds that came from
    somewhere other than the environment); ``environ`` defaults to ``os.environ``.
    """
    out = str(text)
    values = sorted({*secrets_from_env(environ), *(s for s in secrets if len(s) >= _MIN_SECRET)},
                    key=len, reverse=True)
    for value in values:
        for form in {value, quote(value, safe=""), quote(value)}:
            out = out.replace(form, MASK)
    out = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", out)
    out = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", out)
    out = _AUTH_HEADER.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) + ' ' if m.group(3) else ''}{MASK}", out)
    out = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {MASK}", out)
    return _HF_TOKEN.sub(MASK, out)
