"""What the sync engine needs of the laptop's store: the ``SyncStore`` Protocol.

``sync`` never imports ``cache``: the engine and ``login`` are typed against this Protocol, and
``cache.Store`` conforms to it structurally (tests/sync/test_store_protocol.py runs mypy on that
claim and checks every member at run time). The members are exactly those ``sync/engine.py``
touches; ``sync/client.py`` touches none.

Records cross this line as the JSON the wire carries (``model_dump(mode="json")`` of the models
in ``sync.protocol.models``), not as models: the store keeps them as plain dicts and validates
them at its own edges, and the engine passes the server's answers through unparsed. So a JSON
object is ``dict[str, Any]``; each alias below names the model whose shape it has.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

MutationJSON = dict[str, Any]
"""A pending operation: a ``Mutation`` (op_id, mid, kind, record_id, fields, base_version,
client_time), as the outbox holds it and the push sends it."""

ResultJSON = dict[str, Any]
"""The server's answer for one operation: a ``MutationResult``."""

ChangeJSON = dict[str, Any]
"""One entry of a pull page or a bootstrap page: a ``Change``."""

RepJSON = dict[str, Any]
"""The signed-in rep, as ``GET /v1/me`` answers it: a ``Rep``."""

Session = dict[str, str | None]
"""The login: server, rep_id, rep_name, role and device_id."""


class SyncStore(Protocol):
    """The laptop's store, as the sync engine and ``login`` use it."""

    # --- the login
    @property
    def session(self) -> Session | None:
        """The current login, or None when signed out."""
        ...

    @property
    def token(self) -> str | None: ...

    @property
    def device_id(self) -> str | None:
        """This laptop's device on the server: the owner of the mid sequence."""
        ...

    def save_session(self, server: str, rep: RepJSON, device_id: str, token: str) -> None:
        """Remember a login; a new device id renumbers the pending operations 1, 2, 3 …"""
        ...

    # --- pushing the outbox
    @property
    def last_assigned_mid(self) -> int:
        """The highest mid handed out on this device (0 for none)."""
        ...

    def outbox(self) -> list[MutationJSON]:
        """The pending operations, in mid order."""
        ...

    def pending_count(self) -> int: ...

    def apply_push_results(self, results: list[ResultJSON]) -> None:
        """Take the answers that name one of our operations; ignore the rest."""
        ...

    # --- pulling the server's view
    @property
    def pull_cursor(self) -> str | None:
        """Where the next pull starts; None before the first bootstrap finished."""
        ...

    @property
    def bootstrap_state(self) -> dict[str, Any] | None:
        """The unfinished first sync ({cursor, next_token, done, pages}) or None."""
        ...

    def apply_bootstrap_page(
        self, changes: list[ChangeJSON], next_token: str | None, cursor: str, done: bool
    ) -> None: ...

    def apply_pull_page(self, changes: list[ChangeJSON], next_cursor: str) -> None:
        """The changes and the new cursor, in one atomic write."""
        ...

    def reset_sync_state(self) -> None:
        """Forget the cursor so the next sync bootstraps again; the outbox is kept."""
        ...

    # --- what the rep is told
    def conflicts(self) -> list[dict[str, Any]]: ...

    def rejections(self) -> list[dict[str, Any]]: ...

    def take_pool_news(self) -> list[dict[str, Any]]:
        """Customers of the rep's that this process's syncs found back in the pool, not handed
        out yet (each once); the engine puts them in its report."""
        ...

    def record_sync_run(self, run: dict[str, Any]) -> None:
        """Keep one sync report (``SyncReport.to_dict()``) in the sync log."""
        ...

    def sync_runs(self) -> list[dict[str, Any]]:
        """The sync log, oldest first (the engine reads whether the login was turned down)."""
        ...

    @property
    def last_sync_at(self) -> datetime | None:
        """When the last successful sync finished."""
        ...
