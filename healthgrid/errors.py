"""The two kinds of failure a user sees, mapped to the documented exit codes."""


class HealthgridError(Exception):
    """A failure reported as one line, `healthgrid: error: <message>`."""

    exit_code = 1


class UsageError(HealthgridError):
    """Bad flags, config or input files: the user must change what they asked for."""

    exit_code = 2


class RunError(HealthgridError):
    """A failure at run time (API, network, publish) after any retries."""

    exit_code = 1


# Secret values seen by this process (API keys, tokens). Anything printed on an error path goes
# through redact(), so a secret cannot leak through an exception's text or a --debug traceback.
_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def secret_from_env(var: str, why: str, env=None) -> str:
    """A secret from the environment, registered for redaction; a usage error naming `var` if unset."""
    import os

    value = ((os.environ if env is None else env).get(var) or "").strip()
    register_secret(value)
    if not value:
        raise UsageError(f"{var}: not set; {why}")
    return value
