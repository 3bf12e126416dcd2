"""S3 (the original plan's production path), an optional extra: `pip install healthgrid[s3]`.

Fixed keys (`prefix` + file name) so the URL never changes, the right Content-Type, and a short
Cache-Control so viewers pick up a new grid within minutes. Unchanged files (same MD5 as the
object's ETag) are not uploaded again. AWS credentials and region come from the usual AWS
variables; AWS_ENDPOINT_URL points it at another S3-compatible endpoint.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os

from healthgrid.errors import RunError, UsageError

CACHE_CONTROL = "public, max-age=300"
_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8",
          ".json": "application/json", ".md": "text/markdown; charset=utf-8"}


def publish_files(files: dict[str, bytes], spec, console):
    """The S3 target: upload `files` to s3://bucket/prefix (`spec`: PublishOptions); returns
    ([Published image], changed)."""
    from healthgrid.publish import IMAGE_TYPES, Published
    from healthgrid.urls import url_path, versioned_url

    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise UsageError("publish.to: s3 needs the s3 extra: pip install 'healthgrid[s3]'") from None
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    client = boto3.client("s3", endpoint_url=endpoint)
    changed = False
    images = []
    try:
        for name, content in files.items():
            key = f"{spec.prefix}{name}"
            etag = None
            try:
                etag = client.head_object(Bucket=spec.bucket, Key=key)["ETag"].strip('"')
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                    raise
            if etag != hashlib.md5(content, usedforsecurity=False).hexdigest():
                suffix = os.path.splitext(name)[1]
                client.put_object(Bucket=spec.bucket, Key=key, Body=content, CacheControl=CACHE_CONTROL,
                                  ContentType=_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream")
                changed = True
            if name.endswith(IMAGE_TYPES):
                base = spec.pages_url.rstrip("/") if spec.pages_url else (
                    f"{endpoint.rstrip('/')}/{spec.bucket}" if endpoint else f"https://{spec.bucket}.s3.amazonaws.com")
                url = f"{base}/{url_path(key)}"
                images.append(Published(name, url, versioned_url(url, content)))
    except (BotoCoreError, ClientError) as exc:
        raise RunError(f"publish s3: s3://{spec.bucket}/{spec.prefix}: {exc}") from None
    console.progress(f"publish: s3://{spec.bucket}/{spec.prefix} {'updated' if changed else 'unchanged (identical files)'}")
    return images, changed
