"""The git CLI as the publisher runs it: no user config, no prompts, a token sent as a header, and
one wall-clock budget for every child, each in a process group of its own so a remote that trickles
is cut off with its helpers (git-remote-http and co.)."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from healthgrid.secrets import redact, register_secret
from healthgrid.text import said

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
BUDGET = 300.0  # seconds for a whole publish, retries included (README: Publishing)


def basic_credentials(token: str) -> str:
    """The token as git sends it over HTTPS (basic auth for x-access-token)."""
    return base64.b64encode(f"x-access-token:{token}".encode()).decode()


class Git:
    """Runs git with no user config, no prompts, and (when given) a token sent as an HTTP header,
    passed through the environment so it never shows in a command line, a URL or a config file."""

    def __init__(self, git_dir: Path, token: str | None = None, token_host: str | None = None, budget: float | None = None):
        self.git_dir = git_dir
        self.budget = BUDGET if budget is None else budget
        self.deadline = time.monotonic() + self.budget
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_DIR": str(git_dir),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL,
            "LC_ALL": "C",
            "GIT_LITERAL_PATHSPECS": "1",  # a path is that path: no globs, no `:!` magic
        }
        # No redirects: after one, git sends every later request (with the token header) to the new host.
        config = {"safe.directory": "*", "core.askPass": "", "credential.helper": "", "protocol.version": "2",
                  "http.followRedirects": "false", "protocol.ext.allow": "never", "protocol.fd.allow": "never"}
        if token and token_host:
            register_secret(token)
            basic = basic_credentials(token)
            register_secret(basic)
            config[f"http.{token_host}/.extraheader"] = f"AUTHORIZATION: basic {basic}"
        self.env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config.items()):
            self.env[f"GIT_CONFIG_KEY_{i}"] = key
            self.env[f"GIT_CONFIG_VALUE_{i}"] = value

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise GitTimeout(args[0], self.budget)
        # A session of its own, so a timeout kills git's helpers too (they hold the pipes open).
        proc = subprocess.Popen(["git", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**self.env, **(env or {})}, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(input, timeout=remaining)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise GitTimeout(args[0], self.budget) from None
        except BaseException:
            _kill_group(proc)
            raise
        done = subprocess.CompletedProcess(["git", *args], proc.returncode, stdout, stderr)
        if check and done.returncode != 0:
            raise GitError(args[0], done.returncode, stderr.decode(errors="replace"))
        return done

    def out(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).stdout.decode().strip()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a helper that left the group still holds a pipe: stop reading
        proc.wait()


class GitError(Exception):
    def __init__(self, command: str, code: int, stderr: str):
        self.command, self.code, self.stderr = command, code, redact(stderr.strip())
        super().__init__(f"git {command} failed ({code}): {self.reason()}")

    def reason(self) -> str:
        """What went wrong, in one line: git's first `fatal:`/`error:` line, not its advice."""
        text = self.stderr
        if re.search(r"does not appear to be a git repository|repository '.*' not found|Repository not found", text):
            return "repository not found"
        if re.search(r"Authentication failed|could not read Username|terminal prompts disabled|returned error: 40[13]", text):
            return "authentication failed (is GITHUB_TOKEN set and allowed to push?)"
        if re.search(r"returned error: 30[1278]", text):
            return "the server answered with a redirect; redirects are not followed, so the token stays with this host: give --remote the final URL"
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
        for line in lines:
            if line.startswith(("fatal:", "error:")):
                return said(line.split(":", 1)[1])
        return said(lines[-1]) if lines else "no output"


class GitTimeout(Exception):
    def __init__(self, command: str, budget: float):
        self.command, self.budget = command, budget
        super().__init__(f"git {command}: no result within {budget:g}s")


def register_url_secret(remote: str) -> None:
    """The password of a `https://user:password@host/...` remote is a secret like any token, and so
    is a lone `https://TOKEN@host/...` user."""
    try:
        parts = urlsplit(remote)
        secret = parts.password if parts.password is not None else parts.username
    except ValueError:
        return
    if secret and "://" in remote:
        register_secret(secret)
        register_secret(unquote(secret))
    scp = re.match(r"[^/@:]+:([^/@]+)@[^/@:]+:", remote)  # git's scp form user:password@host:path
    if scp and "://" not in remote:
        register_secret(scp.group(1))
