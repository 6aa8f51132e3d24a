"""Stand-ins that more than one test folder uses."""


class Clock:
    """A stand-in for ``time.monotonic`` that moves only when a test sets ``now``."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now
