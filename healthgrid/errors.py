"""The two kinds of failure a user sees, mapped to the documented exit codes. Each presents itself:
its lines (`healthgrid: error: <line>`, one a mistake) and its exit code."""


class HealthgridError(Exception):
    """A failure reported as one line, `healthgrid: error: <message>`."""

    exit_code = 1

    def lines(self) -> list[str]:
        """What the user reads, one line each (several for a config with several mistakes)."""
        return [str(self)]

    def show(self, console) -> None:
        for line in self.lines():
            console.error(line)


class UsageError(HealthgridError):
    """Bad flags, config or input files: the user must change what they asked for."""

    exit_code = 2


class RunError(HealthgridError):
    """A failure at run time (API, network, publish) after any retries."""

    exit_code = 1
