"""The errors the local store raises; each carries a message a rep can read."""

from __future__ import annotations


class StoreError(Exception):
    """Something went wrong in the local store; ``str(error)`` is one clear line."""


class StoreLocked(StoreError):
    """Another process holds the store (the message names it)."""


class NotFound(StoreError):
    """No record (or no customer matching a search) was found."""


class Ambiguous(StoreError):
    """A search matched more than one customer; ``matches`` holds them (dicts)."""

    def __init__(self, message: str, matches: list[dict]):
        super().__init__(message)
        self.matches = matches


class ValidationFailed(StoreError):
    """Input was refused before anything was written: ``field`` names the input, ``message`` why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DamagedFile(StoreError):
    """A store file could not be read back (bad JSON, truncated, wrong shape)."""
