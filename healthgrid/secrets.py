"""Secrets: the values this process was given (API keys, tokens), and redaction of them and of
anything shaped like one from every text that leaves the process."""

from __future__ import annotations

import os
import re

from healthgrid.errors import UsageError

# Secret values seen by this process (API keys, tokens). Anything printed on an error path goes
# through redact(), so a secret cannot leak through an exception's text or a --debug traceback.
_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _SECRETS.add(value)


def register_secret_lines(value: str | None) -> list[str]:
    """A multi-line secret (a key file) is registered whole and line by line; returns the lines."""
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    for item in [value, *lines]:
        register_secret(item)
    return lines


# Secrets we were never told about but can recognise by their shape: echoed request headers
# (`DD-API-KEY: …`, `'Authorization': 'Bearer …'`, JSON or Python dict reprs), bare `Bearer`/`token`
# credentials, key-looking query parameters, and the userinfo of any URL.
_HEADER_SECRET = re.compile(
    r"""(?ix)
    (?<![\w-])
    ( ["']? (?:dd[-_]?api[-_]?key|dd[-_]?app(?:lication)?[-_]?key|x-api-key|api[-_]?key|app(?:lication)?[-_]?key
             |client[-_]?secret|private[-_]?token|x-amz-security-token|cookie|set-cookie|authorization|proxy-authorization
             |(?:access|auth|refresh|id)[-_]?token|passw(?:or)?d|x-amz-signature)
      ["']? \s* [:=] \s* )
    (?: (["']) [^"'\n]* (?=["']|$)                       # a quoted value, up to its quote
      | (?:bearer|token|basic|client-id|digest)\s+ [^\s"',;&}\]]+     # a scheme and its credential
      | (?=[^\s"',;&}\]]*\d) [^\s"',;&}\]]+ )                    # a bare value with a digit
    """)
# A credential has a digit somewhere; plain words after "token" ("token provided") stay.
_SCHEME_SECRET = re.compile(r"(?i)\b(bearer|token|basic|client-id)(\s+)(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}")
# Query parameters that carry a credential whatever it looks like (`?token=…`, `&sig=…`, `?key=…`).
_QUERY_SECRET = re.compile(r"(?i)([?&;](?:token|sig|signature|key|code)=)[^&\s\"'#<>]+")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    """`text` with every secret this process knows and every secret-shaped value replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _HEADER_SECRET.sub(lambda m: m.group(1) + (m.group(2) or "") + "***", text)
    text = _SCHEME_SECRET.sub(lambda m: m.group(1) + m.group(2) + "***", text)
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + "***", text)
    return _URL_USERINFO.sub(lambda m: m.group(1) + "***@", text)


def secret_from_env(var: str, why: str, env=None) -> str:
    """A secret from the environment, registered for redaction; a usage error naming `var` if unset."""
    value = ((os.environ if env is None else env).get(var) or "").strip()
    register_secret(value)
    if not value:
        raise UsageError(f"{var}: not set; {why}")
    return value
