"""The server's settings: every ``FIELDREP_*`` variable the server reads, typed, with its default.

This is the one place the server reads its environment. A bad value stops the command at start
with one line naming the variable and what it must be (``SettingsError``), never a traceback.

| variable | default | meaning |
|---|---|---|
| ``FIELDREP_DATABASE_URL`` | ``sqlite:///fieldrep.db`` | the database (``--database`` overrides it) |
| ``FIELDREP_MAX_BODY_BYTES`` | ``4194304`` (4 MiB) | the largest request body read; larger is 413 |
| ``FIELDREP_FEED_RETENTION_DAYS`` | ``30`` | days the change feed keeps; older cursors re-bootstrap |
| ``FIELDREP_RECLAIM_INTERVAL`` | ``300`` | seconds between ``serve``'s housekeeping rounds |
| ``FIELDREP_LOG_LEVEL`` | ``info`` | how much ``serve`` logs: ``info`` a line per request, ``warning`` only problems |
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "FIELDREP_"
DEFAULT_DATABASE = "sqlite:///fieldrep.db"
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


class SettingsError(ValueError):
    """A setting with a value the server cannot use, in one line for the admin."""


def _must(text: str) -> dict[str, Any]:
    """What a setting must be, for the one-line message about a bad value."""
    return {"must": text}


class ServerSettings(BaseSettings):
    """The server's configuration, from ``FIELDREP_*`` environment variables (an empty variable
    means its default)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore",
                                      frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE, min_length=1, repr=False, json_schema_extra=_must("a database URL"),
        description="The database: sqlite:///path or postgresql+psycopg://user@host/name.")
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=1,
        json_schema_extra=_must("a whole number of bytes, at least 1"),
        description="The largest request body the server reads; a larger one is refused (413).")
    feed_retention_days: float = Field(
        30.0, ge=0, allow_inf_nan=False, json_schema_extra=_must("a number of days, 0 or more"),
        description="How long the change feed keeps its rows; an older cursor re-bootstraps.")
    reclaim_interval: float = Field(
        300.0, gt=0, allow_inf_nan=False,
        json_schema_extra=_must("a number of seconds, more than 0"),
        description="Seconds between serve's rounds of reclaiming lapsed claims and compacting.")
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = Field(
        "info",
        json_schema_extra=_must("one of critical, error, warning, info, debug, trace"),
        description="How much serve logs: info a line per request, warning only problems.")

    @field_validator("max_body_bytes", mode="before")
    @classmethod
    def _ascii_digits(cls, value: Any) -> Any:
        """Only ASCII digits make a byte count (``"1.0"``, ``"1_000"`` and ``"²"`` do not)."""
        if isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdigit()):
                raise ValueError("not a whole number")
            return int(text)
        return value


def load(**overrides: Any) -> ServerSettings:
    """The settings from the environment (``overrides`` win); a bad value is a SettingsError."""
    try:
        return ServerSettings(**overrides)
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    field = ServerSettings.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    must = extra.get("must") if isinstance(extra, dict) else None
    shown = str(first.get("input", ""))[:40]
    return f"{PREFIX}{name.upper()} must be {must or 'valid'}, not {shown!r}"
