"""S3, an optional extra: `pip install healthgrid[s3]`.

Fixed keys (`prefix` + file name) so the URL never changes, the right Content-Type, and a short
Cache-Control so viewers pick up a new grid within minutes. Unchanged files (same MD5 as the
object's ETag) are not uploaded again. AWS credentials and region come from the usual AWS
variables; AWS_ENDPOINT_URL points it at another S3-compatible endpoint.

The status page (index.html) is uploaded after the grids and built from what is under the prefix
then (a bounded listing), so a matrix of runs sharing a prefix leaves one page listing every grid;
it is built again if the listing changed while it was uploaded. A run without --format html
refreshes a page of healthgrid's already there; someone else's index.html is never replaced. A
failure there is a warning.

Every call has a deadline: CONNECT_TIMEOUT to connect, READ_TIMEOUT between two reads, ATTEMPTS
tries (botocore's standard retries); and the whole publish, every call and retry included, has
BUDGET seconds, so an endpoint that trickles its answer a byte at a time (which no per-read
timeout catches) is given up on too. The calls run in a helper thread the publish stops waiting
for when the budget is spent; from then on it may send no further request.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading

from healthgrid.errors import RunError, UsageError
from healthgrid.net import Budget

CONNECT_TIMEOUT = 10.0  # seconds to open a connection
READ_TIMEOUT = 30.0  # seconds without a byte of an answer
ATTEMPTS = 3  # tries per call, the first included
BUDGET = 180.0  # seconds for a whole publish, retries and the status page included
CACHE_CONTROL = "public, max-age=300"
MAX_LISTED = 10_000  # objects listed under the prefix to build index.html
INDEX_ROUNDS = 3  # builds of index.html when other runs keep adding grids meanwhile
_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8",
          ".json": "application/json", ".md": "text/markdown; charset=utf-8"}


def publish_files(files: dict[str, bytes], spec, console):
    """The S3 target: upload `files` to s3://bucket/prefix (`spec`: PublishOptions); returns
    ([Published image], changed)."""
    from healthgrid.publish.shared import IMAGE_TYPES, Published
    from healthgrid.site.target import s3_base
    from healthgrid.site.urls import url_path, versioned_url

    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise UsageError("publish.to: s3 needs the s3 extra: pip install 'healthgrid[s3]'") from None
    base = s3_base(spec)  # checked before any work, as every target's base URL
    budget = Budget(BUDGET)
    client = _client(budget)
    where = f"s3://{spec.bucket}/{spec.prefix}"
    grids = {name: content for name, content in files.items() if name != "index.html"}
    images = []
    try:
        changed = _within(budget, lambda: any([_put(client, spec, name, content) for name, content in grids.items()]))
    except (BotoCoreError, ClientError) as exc:
        raise RunError(f"publish s3: {where}: {exc}") from None
    except _OutOfTime:
        raise RunError(f"publish s3: {where}: gave up after {BUDGET:g}s (the publish budget); "
                       "files not uploaded by then keep their old versions") from None
    try:
        present = _within(budget, lambda: _status_page(client, spec))
        if present is False and "index.html" in files:
            console.warn(f"publish s3: {where}index.html is not a healthgrid status page; it was left as it is")
        elif present or (present is None and "index.html" in files):
            changed = _within(budget, lambda: _put_index(client, spec, grids, console)) or changed
    except (BotoCoreError, ClientError) as exc:
        console.warn(f"publish s3: {where}index.html: {exc}; the grids are published without it")
    except _OutOfTime:
        console.warn(f"publish s3: {where}index.html: gave up after {BUDGET:g}s (the publish budget); the grids are published without it")
    for name, content in grids.items():
        if name.endswith(IMAGE_TYPES):
            url = f"{base}/{url_path(spec.prefix + name)}"
            images.append(Published(name, url, versioned_url(url, content)))
    console.progress(f"publish: {where} {'updated' if changed else 'unchanged (identical files)'}")
    return images, changed


class _OutOfTime(Exception):
    """The publish budget is spent."""


def _client(budget: Budget):
    """An S3 client whose every call has a deadline, and which sends nothing once `budget` is spent."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT, retries={"mode": "standard", "total_max_attempts": ATTEMPTS})
    client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, config=config)

    def in_time(**_):
        if budget.remaining() <= 0:
            raise _OutOfTime()

    client.meta.events.register("before-send", in_time)
    return client


def _within(budget: Budget, work):
    """work() in a helper thread, waited for at most what is left of `budget`: a boto3 call cannot
    be interrupted, and one answer trickled a byte at a time never trips its read timeout."""
    done: dict = {}

    def run():
        try:
            done["result"] = work()
        except BaseException as exc:  # handed to the waiting thread, which raises it
            done["error"] = exc

    thread = threading.Thread(target=run, name="healthgrid-s3", daemon=True)
    thread.start()
    thread.join(max(0.0, budget.remaining()))
    if thread.is_alive():
        raise _OutOfTime()
    if "error" in done:
        raise done["error"]
    return done["result"]


def _put(client, spec, name: str, content: bytes) -> bool:
    """Upload one file unless the object already holds these bytes; True when uploaded."""
    from botocore.exceptions import ClientError

    key = f"{spec.prefix}{name}"
    etag = None
    try:
        etag = client.head_object(Bucket=spec.bucket, Key=key)["ETag"].strip('"')
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
    if etag == hashlib.md5(content, usedforsecurity=False).hexdigest():
        return False
    client.put_object(Bucket=spec.bucket, Key=key, Body=content, CacheControl=CACHE_CONTROL,
                      ContentType=_TYPES.get(os.path.splitext(name)[1]) or mimetypes.guess_type(name)[0] or "application/octet-stream")
    return True


def _status_page(client, spec) -> bool | None:
    """Whether the index.html under the prefix is healthgrid's (None: there is none)."""
    from botocore.exceptions import ClientError

    from healthgrid.files.data import MAX_JSON_BYTES
    from healthgrid.files.index import is_status_page

    try:
        found = client.get_object(Bucket=spec.bucket, Key=f"{spec.prefix}index.html", Range=f"bytes=0-{MAX_JSON_BYTES - 1}")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return is_status_page(found["Body"].read(MAX_JSON_BYTES))


def _listing(client, spec, console) -> dict[str, int]:
    """Name -> size of the objects directly under the prefix (at most MAX_LISTED of them)."""
    sizes: dict[str, int] = {}
    token = None
    while True:
        page = client.list_objects_v2(Bucket=spec.bucket, Prefix=spec.prefix, Delimiter="/",
                                      MaxKeys=max(1, min(1000, MAX_LISTED - len(sizes))), **({"ContinuationToken": token} if token else {}))
        for item in page.get("Contents", []):
            sizes[item["Key"][len(spec.prefix):]] = int(item.get("Size", 0))
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        if token is None:
            return sizes
        if len(sizes) >= MAX_LISTED:
            console.warn(f"publish s3: index.html lists the first {MAX_LISTED} objects under s3://{spec.bucket}/{spec.prefix}")
            return sizes


def _put_index(client, spec, own: dict[str, bytes], console) -> bool:
    """index.html from every grid under the prefix (this run's from memory); True when uploaded."""
    from healthgrid.files.index import build_index

    changed, grids = False, None
    for _ in range(INDEX_ROUNDS):
        sizes = _listing(client, spec, console)
        names = (set(sizes) | set(own)) - {"index.html"}
        if names == grids:
            break  # nobody added a grid while the page went up
        grids = names
        changed = _put(client, spec, "index.html", build_index(sorted(names), _reader(client, spec, own, sizes, console))) or changed
    return changed


def _reader(client, spec, own: dict[str, bytes], sizes: dict[str, int], console):
    """Reads NAME.json for the page: this run's from memory, others' when small enough, MAX_READS at most."""
    from botocore.exceptions import ClientError

    from healthgrid.files.data import MAX_JSON_BYTES
    from healthgrid.files.index import MAX_READS

    reads = []

    def read(name: str) -> bytes | None:
        if name in own:
            return own[name]
        if sizes.get(name, MAX_JSON_BYTES + 1) > MAX_JSON_BYTES or len(reads) >= MAX_READS:
            return None
        reads.append(name)
        key = f"{spec.prefix}{name}"
        try:
            return client.get_object(Bucket=spec.bucket, Key=key)["Body"].read(MAX_JSON_BYTES + 1)
        except ClientError as exc:
            console.warn(f"publish s3: index.html: cannot read s3://{spec.bucket}/{key} ({exc}); its grid is listed as unknown")
            return None

    return read
