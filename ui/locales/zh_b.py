"""Chinese for the layout helper's lines: the footer's "more keys" hint."""

ZH = {
    "More": "更多",
}
