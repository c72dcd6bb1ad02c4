"""A hook the command line hangs its progress display on (in-process runs only)."""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable] = []


def subscribe(fn: Callable) -> None:
    _listeners.append(fn)


def unsubscribe(fn: Callable) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def report(result, seconds: float) -> None:
    for fn in list(_listeners):
        fn(result, seconds)
