"""Publishing targets: a gh-pages branch (stable URLs, bounded history), Imgur, S3.

`publish(files, options, console) -> (images, changed)` sends files to any of them (their options
are checked first with `healthgrid.site.target.check`); what the targets share is in shared.py:
the options, the Published image, and reading a folder safely."""

from __future__ import annotations

from healthgrid.publish.shared import IMAGE_TYPES, Published, PublishOptions, read_dir

__all__ = ["IMAGE_TYPES", "Published", "PublishOptions", "publish", "read_dir"]


def publish(files: dict[str, bytes], options: PublishOptions, console):
    """Publish `files` (name -> bytes) to `options.to`; returns ([Published image], changed)."""
    if options.to == "ghpages":
        from healthgrid.publish.ghpages import publish_files
    elif options.to == "imgur":
        from healthgrid.publish.imgur import publish_files
    elif options.to == "s3":
        from healthgrid.publish.s3 import publish_files
    else:
        return [], False
    return publish_files(files, options, console)
