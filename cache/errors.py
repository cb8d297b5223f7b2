"""The errors the local store raises; each carries a message a rep can read."""

from __future__ import annotations

from sync.protocol.refusals import Refusal
from sync.protocol.words import Notice as Notice  # the store's notices are made of it


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
    """Input was refused before anything was written: ``field`` names the input, ``message`` why.

    When the shared rules refused it (sync/protocol/validation.py, rules.py), ``refusal`` is
    that Refusal and ``code``/``params`` let the UI say it in its own language."""

    def __init__(self, field: str, message: str, refusal: Refusal | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.refusal = refusal
        self.code = refusal.code if refusal is not None else None
        self.params = refusal.wire()["params"] if refusal is not None else {}


class DamagedFile(StoreError):
    """A store file could not be read back (bad JSON, truncated, wrong shape)."""


class NewerFormat(StoreError):
    """A store file was written by a newer fieldrep than this one: update, nothing was changed."""


class Refused(StoreError):
    """The store refused an action for a reason with a stable code (sync/protocol/refusals.py):
    ``code`` and ``params`` let the UI say it in its own language; ``str(error)`` is English."""

    def __init__(self, code: str, **params: object):
        refusal = Refusal(code, dict(params))
        super().__init__(refusal.text)
        self.code = code
        self.params = refusal.wire()["params"]
