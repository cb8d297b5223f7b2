"""What every ``fieldrep`` command shares: its error, safe output, and the store it works on.

``say``/``emit`` print nothing a terminal would obey (see the note above ``_UNSAFE``);
``open_store`` opens the laptop's store (or reads it beside the workspace) and says once what it
set aside; ``need_session`` refuses
a command that needs a login; ``sync_engine`` is the sync engine on that store.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from cache import Store, StoreError
from cache.lock import StoreHeld
from ui.i18n import _, notice_text
from ui.times import CLOCK, local_time

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A command refused or failed: ``str(error)`` is the one line said on stderr."""


# Everything the CLI prints goes through ``say`` (or ``emit``), which makes control characters
# visible instead of handing them to the terminal: a customer named "\x1b]52;c;…\x07\x1b[2J"
# would otherwise write the reader's clipboard and clear their screen. C0 controls show as their
# control pictures (\x1b → ␛), DEL as ␡; C1 controls, bidirectional overrides and isolates, line
# separators and lone surrogates as �. A line break and a tab are kept between lines (``say``),
# never inside one cell of a table (``cell``).

_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE}]")
_UNSAFE_IN_A_LINE = re.compile(f"[\x00-\x1f{_UNSAFE}]")
_UNSAFE_IN_JSON = re.compile(f"[{_UNSAFE}]")  # json.dumps escapes C0 itself (\u001b)


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: Any, *, one_line: bool = False) -> str:
    """``text`` safe to print on a terminal: no control character reaches it (see above)."""
    text = "" if text is None else str(text)
    return (_UNSAFE_IN_A_LINE if one_line else _UNSAFE_IN_TEXT).sub(_visible, text)


def say(text: Any, *, err: bool = False) -> None:
    """Print one message (stdout, or stderr with ``err``), made printable."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def as_json(data: Any) -> str:
    """``data`` as JSON whose every control character is escaped (the same value once parsed):
    json.dumps escapes C0 (\u001b); DEL, C1, bidirectional controls and lone surrogates too."""
    text = json.dumps(data, ensure_ascii=False, default=_default, indent=1)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    if getattr(args, "json", False):
        print(as_json(data))
    else:
        say(text() if callable(text) else text)


def cell(text: Any, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    text = printable(text, one_line=True)
    return set_cell_size(text, width) if cell_len(text) > width else text + " " * (
        width - cell_len(text))


def short_date(value: Any) -> str:
    return str(value or "")[:10]


def label(text: str) -> str:
    from rich.cells import cell_len

    return text + " " * max(1, 12 - cell_len(text))


def open_store(*, read_only: bool = False) -> Store:
    """The laptop's store. ``read_only`` (a reading command): the store as its owner when no
    other process holds it (so a damaged entry is repaired or set aside, as any open does), and
    as a reader beside the running workspace when one does (no lock, no writes)."""
    try:
        store = Store.open()
    except StoreHeld:
        if not read_only:
            raise
        store = Store.open(read_only=True)
    for notice in store.notices:  # a damaged file set aside: say so once, where it is read
        say(_("fieldrep: note: {notice}", notice=notice_text(notice)), err=True)
    for warning in store.warnings:  # e.g. a data folder other users can read
        say(_("fieldrep: warning: {warning}", warning=notice_text(warning)), err=True)
    return store


def held_since(error: StoreHeld) -> str:
    """When the workspace holding the store opened it: HH:MM in the policy's zone, as every time
    a person reads (the policy read beside the workspace); "HH:MM UTC" when it cannot be read."""
    moment = error.opened_at
    if moment is None:
        return "?"
    try:
        with Store.open(read_only=True) as reader:
            return local_time(moment, reader.policy, CLOCK)
    except (StoreError, OSError, ValueError):  # damaged or unreadable: the time, zone named
        return local_time(moment, None, CLOCK) + " UTC"


def need_session(store: Store) -> dict:
    if not store.session:
        raise CliError(_("not logged in: run fieldrep login --server URL "
                         "(or make demo to try it)"))
    return store.session


def sync_engine(store: Store):
    from sync.engine import SyncEngine

    return SyncEngine(store)
