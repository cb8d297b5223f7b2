"""Pinyin search keys: shared with the server, which fills them for customers it writes."""

from sync.protocol.search_keys import has_han, pinyin_keys

__all__ = ["has_han", "pinyin_keys"]
