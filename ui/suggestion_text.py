"""How a tier or stage suggestion (``sync.protocol.rfm``) is said: on the customer screen, the
Suggestions screen (``8``) and by ``fieldrep suggestions``."""

from __future__ import annotations

from typing import Any

from ui.i18n import _
from ui.values import stage_text


def scores_text(s: Any) -> str:
    """``R5 F4 M5`` (the letters are the measures' names in both languages)."""
    return f"R{s.r} F{s.f} M{s.m}"


def suggestion_line(s: Any) -> str:
    """The customer screen's line: ``suggested: A (R5 F4 M5) — now B``, and the stage's when it
    differs too; '' when the suggestion is what the customer has (or there is none)."""
    if s is None or not s.disagrees:
        return ""
    parts = []
    if s.tier_differs:
        parts.append(_("suggested: {tier} ({scores}) — now {now}", tier=s.tier,
                       scores=scores_text(s), now=s.current_tier))
    if s.stage_differs:
        parts.append(_("suggested stage: {stage} (last order {days} days ago) — now {now}",
                       stage=stage_text(s.stage), days=s.recency_days,
                       now=stage_text(s.current_stage)))
    return "  ·  ".join(parts)


def tier_change(s: Any) -> str:
    """``B → A``, or the tier alone when it stays."""
    return f"{s.current_tier} → {s.tier}" if s.tier_differs else str(s.current_tier)


def stage_change(s: Any) -> str:
    """``active → at risk``, or the stage alone when it stays."""
    now = stage_text(s.current_stage)
    return f"{now} → {stage_text(s.stage)}" if s.stage_differs else now
