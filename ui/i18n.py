"""UI text in English and Chinese, gettext style: the English text is the key.

``_("Saved — will sync")`` returns the text in the current language; ``{name}`` placeholders are
filled from keyword arguments. A count goes through ``_n(singular, plural, n)`` ("1 conflict",
"2 conflicts"), translated by its plural form. Each part of the UI keeps its Chinese catalogue in
its own module in ``ui/locales/`` (a dict named ``ZH``), merged here at first use, so parts never
edit one file.
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
    from ui import locales

    merged: dict[str, str] = {}
    for module in pkgutil.iter_modules(locales.__path__):
        if module.name.startswith("zh"):
            merged.update(importlib.import_module(f"ui.locales.{module.name}").ZH)
    return merged


def default_language(preferred: str | None = None) -> str:
    """``preferred`` (FIELDREP_LANG, from ``cache.settings``) when given; else ``zh`` when the
    environment's locale is Chinese, else ``en``."""
    if preferred:
        return "zh" if preferred.lower().startswith("zh") else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
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
    text = _catalogue_text(text)
    return text.format(**values) if values else text


def _n(singular: str, plural: str, n: int, /, **values: object) -> str:
    """A count said right: ``_n("{n} conflict", "{n} conflicts", n)`` is "1 conflict", "2
    conflicts". English picks the form by ``n``; the catalogue keys the translation by the
    ``plural`` form alone (Chinese has no plural, so its line is written once). ``{n}`` (``n``,
    unless ``values`` gives it written another way, such as ``n=f"{count:,}"``) and the other
    ``{placeholders}`` are filled in."""
    if _language == "en":
        text = singular if n == 1 else plural
    else:
        text = _catalogue_text(plural)
    return text.format(**{"n": n, **values})


def notice_text(notice: object) -> str:
    """A line the store has for the rep (``cache.errors.Notice``: a damaged file set aside, a
    folder others can read) in the UI's language; a phrase among its values (such as "The
    login session") is said in that language too."""
    template = getattr(notice, "template", None)
    values = getattr(notice, "values", None)
    if not isinstance(template, str) or not isinstance(values, dict):
        return _(str(notice))
    said = {key: _catalogue_text(value) if isinstance(value, str) else value
            for key, value in values.items()}
    try:
        return _catalogue_text(template).format(**said)
    except (KeyError, IndexError, ValueError):
        return str(notice)


# --------------------------------------------------------------------------- refusals

_TRANSLATED_PARAMS = ("field", "entity")
"""Parameters that name a thing of the UI (a field, a kind of record): said in its language too."""


def refusal_text(code: str | None, params: dict | None = None, fallback: str | None = None) -> str:
    """A refusal (``code`` and ``params`` from sync/protocol/refusals.py) in the UI's language.

    A code this build does not know (a newer server) gives ``fallback``, the server's English;
    a placeholder without its parameter stays as written rather than failing.
    """
    from sync.protocol.refusals import render, template_for

    template = template_for(code)
    if template is None:
        return fallback if fallback else (code or _("refused"))
    values = dict(params) if isinstance(params, dict) else {}
    for name in _TRANSLATED_PARAMS:
        if isinstance(values.get(name), str):
            values[name] = field_name(values[name])
    text = _catalogue_text(template)
    try:
        return render(text, values)
    except (ValueError, IndexError):  # a translation with a broken placeholder: the English
        return render(template, values)


def field_name(name: str) -> str:
    """A field's (or a record kind's) name in the UI's language: contacts.0.name → 联系人.0.名称."""
    return ".".join(_catalogue_text(part) for part in name.split("."))


def field_refusal_text(error: BaseException, field: str) -> str:
    """``error_text(error)`` for a message shown under the field it is about: without the
    field's name in front (``notes: at most 2000 characters`` → ``at most 2000 characters``)."""
    text = error_text(error)
    refusal = getattr(error, "refusal", None)
    named = getattr(refusal, "params", {}).get("field") if refusal is not None else None
    for name in dict.fromkeys(str(n) for n in (named, field) if n):
        for sep in (": ", "："):
            for said in (field_name(name), name):
                if text.startswith(said + sep):
                    return text[len(said) + len(sep):]
    return text


def _catalogue_text(text: str) -> str:
    global _catalogue
    if _language == "zh":
        if _catalogue is None:
            _catalogue = _load_catalogue()
        return _catalogue.get(text, text)
    return text


def error_text(error: BaseException) -> str:
    """What a refused command says, in the UI's language: the error's coded refusal when it has
    one (``error.refusal``, or ``error.code``/``error.params``), else its own words."""
    refusal = getattr(error, "refusal", None)
    code = getattr(refusal, "code", None) or getattr(error, "code", None)
    params = getattr(refusal, "params", None) if refusal is not None else None
    if params is None:
        params = getattr(error, "params", None)
    fallback = getattr(error, "message", None) if refusal is not None else None
    fallback = str(fallback or error)
    if isinstance(code, str) and code:
        return refusal_text(code, params if isinstance(params, dict) else {}, fallback)
    said = error.args[0] if error.args else None
    if getattr(said, "template", None) is not None:  # a Notice: its template is the key
        return notice_text(said)
    return _(fallback)  # a message of the catalogue (say, "not logged in: …") in the UI's language


def rejection_text(rejection: dict) -> str:
    """A rejection the laptop keeps from a sync (``code``, ``params`` beside the server's
    English ``reason``), in the UI's language."""
    code = rejection.get("code")
    params = rejection.get("params")
    reason = rejection.get("reason")
    return refusal_text(code if isinstance(code, str) else None,
                        params if isinstance(params, dict) else {},
                        str(reason) if reason else _("refused by the server"))


OP_LABELS = {
    "visit.create": "visit",
    "feedback.create": "feedback",
    "feedback.update": "complaint update",
    "followup.create": "new follow-up",
    "followup.update": "follow-up update",
    "customer.create": "new customer",
    "customer.update": "customer edit",
    "customer.claim": "claim",
    "customer.return": "return to the pool",
    "customer.assign": "assignment",  # I
    "customer.transfer": "transfer",  # I
}
"""What each kind of pending operation is called, in English (the catalogue key): the sync screen
and the command line name operations the same way."""
