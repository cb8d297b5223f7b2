"""UI text in English and Chinese, gettext style: the English text is the key.

``_("Saved — will sync")`` returns the text in the current language; ``{name}`` placeholders are
filled from keyword arguments. Each part of the UI keeps its Chinese catalogue in its own module in
``tui/locales/`` (a dict named ``ZH``), merged here at first use, so parts never edit one file.
A missing translation falls back to English, never to an error.

This module imports nothing from the App or the screens, so screens and widgets may use it.
"""

from __future__ import annotations

import importlib
import locale
import os
import pkgutil

LANGUAGES = ("en", "zh")

_language = "en"
_catalogue: dict[str, str] | None = None


def _load_catalogue() -> dict[str, str]:
    from tui import locales

    merged: dict[str, str] = {}
    for module in pkgutil.iter_modules(locales.__path__):
        if module.name.startswith("zh"):
            merged.update(importlib.import_module(f"tui.locales.{module.name}").ZH)
    return merged


def default_language() -> str:
    """``zh`` when the environment's locale is Chinese, else ``en``."""
    for var in ("FIELDREP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    code = (locale.getlocale()[0] or "").lower()
    return "zh" if code.startswith("zh") else "en"


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of: {', '.join(LANGUAGES)}")
    global _language
    _language = language


def language() -> str:
    return _language


def _(text: str, /, **values: object) -> str:
    """``text`` in the current language, with ``{placeholders}`` filled in."""
    global _catalogue
    if _language == "zh":
        if _catalogue is None:
            _catalogue = _load_catalogue()
        text = _catalogue.get(text, text)
    return text.format(**values) if values else text
