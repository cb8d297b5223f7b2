"""Chinese for helper A's lines of issue 16: the choice keys' hint, a complaint on the timeline,
the group tree's keys."""

ZH = {
    "←/→ or the underlined letter": "←/→ 或带下划线的字母",
    "resolved: {resolution}": "已解决：{resolution}",
    "in progress": "处理中",
    "{level} severity": "严重程度：{level}",
    "Cursor Down": "光标下移",
    "Cursor Up": "光标上移",
    "Scroll left": "向左滚动",
    "Scroll right": "向右滚动",
    "See the start of a long row": "看长行的开头",
    "See the rest of a long row": "看长行的其余部分",
}
