"""Retries within one time budget, for every network call (Datadog, Imgur): the backoff schedule, what
is left of the budget, and the clock and sleep the waits are taken on (tests pass their own)."""

from __future__ import annotations

import math
import random
import time
from typing import Callable

FIRST_WAIT = 0.5  # seconds; also the least we wait when a server asks for less
MAX_WAIT = 8.0


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, ...): 0.5, 1, 2, 4, 8, 8, ... plus up
    to 25% jitter, so runs that failed together do not retry together."""
    return min(MAX_WAIT, FIRST_WAIT * 2 ** (attempt - 1)) * (1 + random.random() * 0.25)


class Budget:
    """One time budget shared by every attempt of a call (or of several calls)."""

    def __init__(self, seconds: float, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.sleep = sleep
        self.clock = clock
        self.started = clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        return self.seconds - self.elapsed()

    def wait_for(self, attempt: int, asked: float | None = None) -> float:
        """What to wait after failed attempt `attempt`: what the server `asked` (a 429's reset), at
        least FIRST_WAIT, else the backoff. An endless wait (inf) is never covered: the call gives up."""
        if asked is None or math.isnan(asked):
            return backoff(attempt)
        return max(FIRST_WAIT, asked)

    def covers(self, seconds: float) -> bool:
        """Whether waiting `seconds` still leaves time for another attempt."""
        return seconds < self.remaining()
