"""Messages the screens post upward to the App (handled with ``@on``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """The local store was written (a visit saved, a follow-up done…): lists should refresh.

    ``sync_soon`` asks the App for a background sync now that there is something to push.
    """

    what: str = ""
    sync_soon: bool = True


@dataclass
class SyncRequested(Message):
    """The rep asked for a sync now (``S`` or the palette)."""


@dataclass
class OpenCustomer(Message):
    customer_id: str = ""


@dataclass
class SyncFinished(Message):
    """A background sync ended; ``report`` is the engine's SyncReport as a dict."""

    report: dict = field(default_factory=dict)
