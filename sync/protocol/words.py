"""A line said to a person that is not a refusal of the rules: a notice from the store (a damaged
file set aside), a login that would mix two reps' work. It keeps its English ``template`` and
``values`` so the UI says it in its own language (``ui.i18n.notice_text``), as it does a
:class:`~sync.protocol.refusals.Refusal`."""

from __future__ import annotations

from typing import Any


class Notice(str):
    """A line the store has for the rep (a damaged file set aside, a folder others can read):
    the English text, with the ``template`` and ``values`` it was made from, so the UI can say
    it in its own language (``ui.i18n.notice_text``); the templates are catalogue keys."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Notice:
        notice = super().__new__(cls, template.format(**values))
        notice.template = template
        notice.values = values
        return notice


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and its noun in English, right for one and for many: ``counted(1, "token")`` is "1
    token", ``counted(3, "customer")`` "3 customers" (the server's own English lines; the
    laptop's go through the catalogue with ``ui.i18n._n``)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
