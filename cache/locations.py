"""Where fieldrep keeps its files on the laptop: the one module that owns paths.

The data directory is the platform's user data dir (``platformdirs``), or ``FIELDREP_HOME`` when
set. Everything the client writes lives directly inside it under the names below.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "fieldrep"

SNAPSHOT = "snapshot.json"
"""Territory snapshot from the server: customers, policy, reps, teams, territories, pull cursor."""
SNAPSHOT_CHECKED = "snapshot.checked.json"
"""The size and CRC-32 of the snapshot last written or checked whole: a snapshot that still
matches is not shape-checked customer by customer again at open (see ``cache/documents.py``)."""
JOURNAL = "journal.json"
"""The rep's own unsynced work: records, outbox, mid counter, conflicts, rejections."""
ARCHIVE = "archive.json"
"""Synced history (visits, feedback, follow-ups) moved out of the journal, plus pulled history."""
BOOTSTRAP_DIR = "bootstrap"
"""Pages of an unfinished first sync, one file a page, merged into the snapshot when done."""
SEQUENCE = "sequence.json"
"""The device's next mid, written when the server acknowledges operations: a journal lost to a
damaged disk must never make this device reuse a mid the server has seen (it would be taken
for a duplicate and dropped)."""
SESSION = "session.json"
TOKEN = "token"
LOCK = "LOCK"
DRAFTS = "drafts.json"
SYNC_RUNS = "sync_runs.json"


def data_dir() -> Path:
    """The client's data directory: ``$FIELDREP_HOME`` or the platform's user data dir."""
    from cache.settings import laptop_settings  # the one reader of FIELDREP_* on the laptop

    override = laptop_settings().home
    if override:
        return override.expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def path_in(home: Path | None, name: str) -> Path:
    """``name`` inside ``home`` (default: :func:`data_dir`)."""
    return (home if home is not None else data_dir()) / name
