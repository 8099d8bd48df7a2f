"""A value read again at most every so many seconds in this process (the api-server serves many requests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar, cast

T = TypeVar("T")


class Segar(Generic[T]):
    """A value read again at most every ``ttl`` seconds."""

    def __init__(self, ttl: float, read: Callable[[], T]) -> None:
        self.ttl, self.read = ttl, read
        self._when, self._value = -float("inf"), cast("T | None", None)

    def get(self) -> T:
        if self._value is None or time.monotonic() - self._when > self.ttl:
            self._value, self._when = self.read(), time.monotonic()
        return self._value

    def clear(self) -> None:
        self._when, self._value = -float("inf"), None
