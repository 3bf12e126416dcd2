"""healthgrid: Datadog metrics as a health grid image at a stable URL."""

__version__ = "0.1.0"
