"""Chinese lines added by helper D (issue 16): brackets, roles and the palette's own entries.

Brackets on a Chinese screen are full-width, as Chinese typesetting sets them and as the data
already has them (customer names such as 苏州新锐涂料有限公司（苏州4号）): a tag is 【…】, an
aside or a count （…）. A full-width bracket carries its own spacing, so no space follows it.
"""

ZH = {
    # brackets (one width per screen: full-width on the Chinese screen)
    "[{tag}] {text}": "【{tag}】{text}",
    "[{tag}]": "【{tag}】",
    " ({aside})": "（{aside}）",
    "{name} ({role})": "{name}（{role}）",
    "{title}  [{keys}]": "{title}（{keys}）",
    # the command palette and Textual's own entries in it
    "Search for commands…": "搜索命令…",
    "No matches found": "没有匹配的命令",
    "Search for themes…": "搜索主题…",
    "Theme": "主题",
    "Change the colours of the app": "更换应用的配色",
    "Minimize": "还原",
    "Bring the widget back to its normal size": "把控件恢复到正常大小",
    "Maximize": "最大化",
    "Fill the screen with the focused widget": "让当前控件占满屏幕",
    "Screenshot": "截图",
    "Save an SVG picture of this screen": "把当前屏幕保存为 SVG 图片",
}
