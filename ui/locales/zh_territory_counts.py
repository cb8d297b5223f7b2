"""Chinese for the territory filter's match count (how many match when the list shows a page)."""

ZH = {
    "counting the matches of “{q}”…; showing the first {n}":
        "正在统计“{q}”的匹配数…，显示前 {n} 个",
    "{total} match “{q}”; showing the first {n}, best first":
        "{total} 个匹配“{q}”，显示前 {n} 个，最相关在前",
}
