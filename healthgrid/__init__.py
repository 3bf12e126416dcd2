"""healthgrid: Datadog metrics as a health grid image at a stable URL."""

# The one place the version is written: the package reads it from here, and a release commit
# carries the release's version here (tools/release_pin.py).
__version__ = "0.1.0"
