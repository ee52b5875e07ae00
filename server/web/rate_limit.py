"""Per-link rate limits: one leaked or scripted link cannot flood the database.

A token bucket per link (candidate, rater or nomination token, by its hash): ``burst``
requests at once, refilled at ``rate`` per second. A person answering by hand stays far
below (a save per click); a script posting a form hundreds of times a second is answered
429 with ``Retry-After``, which the candidate page's autosave honours. Buckets live in the
process (each server process limits on its own), at most ``MAX_KEYS`` of them, the least
recently used forgotten first.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from litestar.exceptions import TooManyRequestsException

MAX_KEYS = 100_000


@dataclass
class Limiter:
    """A token bucket per key: ``burst`` at once, ``rate`` per second after that."""

    rate: float
    burst: float
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def wait(self, key: str, now: float | None = None) -> float:
        """Take one request for ``key``: 0 when allowed, else the seconds until one is."""
        now = time.monotonic() if now is None else now
        level, last = self._buckets.pop(key, (self.burst, now))
        level = min(self.burst, level + (now - last) * self.rate)
        if level >= 1:
            self._buckets[key] = (level - 1, now)
            wait = 0.0
        else:
            self._buckets[key] = (level, now)
            wait = (1 - level) / self.rate
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return wait

    def check(self, key: str) -> None:
        """Raise 429 with ``Retry-After`` when ``key`` is over its limit.

        The bucket is kept under a 16-byte digest of ``key``: a live token is not held in
        memory, and a flood of made-up 16 kB "tokens" costs no more than short ones.
        """
        wait = self.wait(hashlib.blake2b(key.encode(), digest_size=16).hexdigest())
        if wait > 0:
            raise TooManyRequestsException(
                detail="Too many requests from this link; wait a moment and try again",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )


# Answer saves and form posts of one candidate or rater link: 120 at once (a whole 360 form
# posted a few times over), then 5 a second (faster than anyone clicks for long).
ANSWERS = Limiter(rate=5.0, burst=120.0)
# Proposals from one nomination link: 10 at once, then one every 6 seconds.
NOMINATIONS = Limiter(rate=1 / 6, burst=10.0)
