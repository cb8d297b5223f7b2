"""The laptop's settings: every ``FIELDREP_*`` environment variable the rep's side reads.

One typed model (pydantic-settings), read fresh by ``laptop_settings()`` each time it is called
(a test or a shell may change the environment between two commands of one process). Nothing else
in ``cache/``, ``sync/``, ``ui/``, ``screens/`` or ``tui/`` reads these variables. An empty
variable counts as unset. A value that cannot be used raises ``SettingsError`` whose message is
one line naming the variable, the value and what would do; the ``fieldrep`` command prints it
and exits 1, with no traceback.

| variable        | default                                   | what it does                          |
|-----------------|-------------------------------------------|---------------------------------------|
| FIELDREP_HOME   | the platform's user data dir              | where the laptop keeps its data       |
| FIELDREP_LANG   | the locale (LC_ALL, LC_MESSAGES, LANG)    | UI language: en or zh (zh_CN… counts) |
| FIELDREP_THEME  | textual-dark                              | the TUI's Textual theme (an unknown   |
|                 |                                           | name falls back to the default)       |
| FIELDREP_DEBUG  | off                                       | 1: show the traceback of an unexpected|
|                 |                                           | error instead of one line             |

The server's variables (``FIELDREP_DATABASE_URL`` and others) are the server's own settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "FIELDREP_"

_WHAT_WOULD_DO = {
    "lang": "use en or zh (or a locale such as zh_CN.UTF-8)",
    "debug": "use 1 or 0 (or true / false)",
    "home": "use the path of a folder",
    "theme": "use the name of a Textual theme",
}


class SettingsError(ValueError):
    """A ``FIELDREP_*`` variable holds a value that cannot be used; the message says which."""


class LaptopSettings(BaseSettings):
    """What the environment says about this laptop's fieldrep (see the table above)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore")

    home: Path | None = None
    """The data directory; None: the platform's user data dir (``cache.locations``)."""
    lang: Literal["en", "zh"] | None = None
    """The UI's language; None: from the locale."""
    theme: str | None = None
    """The TUI's Textual theme; None: the App's default."""
    debug: bool = False
    """Re-raise an unexpected error (with its traceback) instead of saying it in one line."""

    @field_validator("lang", mode="before")
    @classmethod
    def _language_of_a_locale(cls, value: Any) -> Any:
        """``zh_CN.UTF-8`` means zh and ``en_US`` en, as a locale variable would."""
        if isinstance(value, str):
            word = value.strip().lower()
            for language in ("zh", "en"):
                if word == language or word.startswith((f"{language}_", f"{language}-",
                                                        f"{language}.")):
                    return language
        return value


def laptop_settings() -> LaptopSettings:
    """The settings as the environment holds them now; ``SettingsError`` for a bad value."""
    try:
        return LaptopSettings()
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None


def _one_line(error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem.get("loc") else "?"
        variable = PREFIX + field.upper()
        value = problem.get("input")
        hint = _WHAT_WOULD_DO.get(field, problem.get("msg", "not a usable value"))
        problems.append(f"{variable}={value!r} is not a usable value: {hint}")
    return "; ".join(dict.fromkeys(problems))
