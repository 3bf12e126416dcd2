"""Where a publish goes: for gh-pages, this repository's origin, another remote or another
repository, at which pages URL, and what its commit says; for every target, the options refused
before anything is fetched or rendered (`check`)."""

from __future__ import annotations

import os
import re
import subprocess

from healthgrid.errors import UsageError
from healthgrid.site.paths import path_problem, valid_branch, valid_keep, valid_path, valid_removal
from healthgrid.site.urls import base_url, pages_base
from healthgrid.text import CONTROL

MAX_MESSAGE = 2000  # characters; a commit subject and a short body


def pages_target(options) -> tuple[str, str]:
    """(pages URL, git remote) of gh-pages publish options (PublishOptions) from
    --pages-url/--remote/--repository, or a one-line usage error."""
    check_message(options.message)
    if options.repository:
        if options.remote:
            raise UsageError("--repository: give --repository or --remote, not both")
        remote = repository_remote(options.repository)
        return pages_base(options.pages_url, repository=options.repository), remote
    return pages_base(options.pages_url), options.remote or default_remote()


def repository_remote(repository: str, env=None) -> str:
    """OWNER/REPO -> its git URL on GITHUB_SERVER_URL (https://github.com unless the runner says
    otherwise, e.g. GitHub Enterprise). The token travels as a header, never in this URL."""
    env = os.environ if env is None else env
    if not re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", repository) or repository.split("/")[1] in (".", ".."):
        raise UsageError(f"--repository: {repository!r} must be OWNER/REPO")
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    return f"{server}/{repository}.git"


def check_message(message: str | None) -> None:
    if message is None:
        return
    if not message.strip():
        raise UsageError("--message: must not be empty")
    if len(message) > MAX_MESSAGE:
        raise UsageError(f"--message: {len(message)} characters; at most {MAX_MESSAGE}")
    if CONTROL.search(message.replace("\n", "")):
        raise UsageError("--message: control characters are not allowed (newlines are)")


def default_remote(cwd: str | None = None) -> str:
    """`origin` of the repository we run in (the Actions workspace, or a developer's clone)."""
    try:
        proc = subprocess.run(["git", "-c", "safe.directory=*", "remote", "get-url", "origin"], cwd=cwd, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        proc = None
    if proc is None or proc.returncode != 0:
        raise UsageError("--remote: not given, and this directory is not a git repository with an 'origin' remote")
    return proc.stdout.strip()


def check(options) -> None:
    """The publish options (PublishOptions) refused now, not after minutes of fetching and rendering."""
    if options.to == "ghpages":
        valid_path(options.path)
        valid_branch(options.branch)
        for path in options.remove:
            valid_removal(path)
        valid_keep(options.keep)
        pages_target(options)
    elif options.to == "imgur":
        options.credentials.imgur()
    elif options.to == "s3":
        s3_base(options)


# What boto3 itself takes as a bucket (its parameter check): a name, or an access point's ARN.
# Anything else would fail only at the upload, after rendering.
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")
_ACCESS_POINT = re.compile(r"arn:aws[a-z-]*:(s3|s3-object-lambda|s3-outposts):[a-z0-9-]*:[0-9]{12}:[A-Za-z0-9/:._-]{1,200}")


def s3_base(options) -> str:
    """The URL S3 publish options' files are served under (their key is added to it): pages_url (a
    CDN in front), else the bucket at AWS_ENDPOINT_URL, else on AWS. Checked as every target's base."""
    if not options.bucket:
        raise UsageError("publish.bucket: is required to publish to s3 (set it in the config's publish: section)")
    for key, value, problem in (("publish.bucket", options.bucket, bucket_problem(options.bucket)),
                                ("publish.prefix", options.prefix, prefix_problem(options.prefix))):
        if problem:
            raise UsageError(f"{key}: {value[:60]!r} cannot be used ({problem})")
    if options.pages_url:
        return base_url(options.pages_url, "--pages-url")
    if _ACCESS_POINT.fullmatch(options.bucket):
        raise UsageError("publish.pages_url: is required with an access point as the bucket (its objects have no URL to derive)")
    endpoint = (os.environ.get("AWS_ENDPOINT_URL") or "").strip()
    if endpoint:
        return base_url(f"{endpoint.rstrip('/')}/{options.bucket}", "AWS_ENDPOINT_URL")
    return base_url(f"https://{options.bucket}.s3.amazonaws.com", "publish.bucket")


def bucket_problem(bucket: str) -> str | None:
    if _BUCKET.fullmatch(bucket) or _ACCESS_POINT.fullmatch(bucket):
        return None
    return "it is not an S3 bucket name (letters, digits, '.', '_' and '-') nor an access point's ARN"


def prefix_problem(prefix: str) -> str | None:
    """What makes an S3 key prefix unusable, or None: '' or a path by the rule --path follows, with
    or without a trailing '/' (`datadog/` is a folder, `grid-` starts each file name)."""
    folder = prefix[:-1] if prefix.endswith("/") else prefix
    return "it begins with '/'" if prefix.startswith("/") else path_problem(folder) if folder else None
