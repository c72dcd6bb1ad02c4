"""The one exception of the readers: a file-level problem."""

from __future__ import annotations


class FileRejected(Exception):
    """A file-level problem: nothing of the file may be loaded."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
