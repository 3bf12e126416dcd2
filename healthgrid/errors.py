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
