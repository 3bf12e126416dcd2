"""Where files go: the options every target takes, and one call shape for all three.

`publish(files, options, console) -> (images, changed)` for gh-pages, Imgur and S3 alike;
`check(options)` refuses bad options before anything is fetched or rendered.
"""

from __future__ import annotations

from healthgrid.errors import UsageError
from healthgrid.publish import PublishOptions


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


def check(options: PublishOptions) -> None:
    """A usage error now, not after minutes of fetching and rendering."""
    if options.to == "ghpages":
        from healthgrid.publish.ghpages import valid_keep, valid_path, valid_removal
        from healthgrid.publish.pages import pages_target

        valid_path(options.path)
        for path in options.remove:
            valid_removal(path)
        valid_keep(options.keep)
        pages_target(options)
    elif options.to == "imgur":
        options.credentials.imgur()
    elif options.to == "s3" and not options.bucket:
        raise UsageError("publish.bucket: is required to publish to s3 (set it in the config's publish: section)")
