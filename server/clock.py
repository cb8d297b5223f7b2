"""The server's clock: what every rule that depends on the time is given, never reads itself.

A ``Clock`` is a callable returning the current time as an aware UTC datetime. The server runs
on ``system_clock``; tests give ``create_app`` (and the rules they call) a clock they move.
No environment variable moves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC, from the machine's clock."""
    return datetime.now(UTC)
