"""Chinese for judging a conflict (the sync screen's list and screens/conflict_detail.py) and for
customers going back to the pool (screens/pool_news.py, the queue's entry)."""

ZH = {
    # the sync screen and the conflict detail
    "Conflicts ({n}) — enter details · m mine · t theirs":
        "冲突（{n}）— enter 详情 · m 保留我的 · t 采用服务器的",
    "See the highlighted conflict side by side, mine against theirs":
        "并排查看所选冲突：我的与服务器的",
    "Conflict": "冲突",
    "Conflict: {name}": "冲突：{name}",
    "Changed on this laptop and on the server since your last sync: {n} differences":
        "自上次同步以来，本机和服务器都改了：{n} 处不同",
    "Changed on this laptop and on the server since your last sync: 1 difference":
        "自上次同步以来，本机和服务器都改了：1 处不同",
    "m keep mine · t take theirs · esc back": "m 保留我的 · t 采用服务器的 · esc 返回",
    "Settle this conflict with your values (sent again)": "用你的值解决此冲突（重新发送）",
    "Settle this conflict with the server's values": "用服务器的值解决此冲突",
    "Back to the sync screen, the conflict still open": "返回同步页，冲突保持未解决",
    # customers back in the pool
    "and {n} more": "及另外 {n} 个",
    "1 customer went back to the pool (protection lapsed): {names}":
        "1 个客户回到了公海（保护期已过）：{names}",
    "{n} customers went back to the pool (protection lapsed): {names}":
        "{n} 个客户回到了公海（保护期已过）：{names}",
    "1 customer went back to the pool: {names}": "1 个客户回到了公海：{names}",
    "{n} customers went back to the pool: {names}": "{n} 个客户回到了公海：{names}",
    "Back in the pool": "回到公海",
    "c to claim it again": "按 c 重新认领",
    "claim again from {date} (cool-off)": "冷静期：{date} 起可重新认领",
    "Claim it again with c, or dismiss the news with x": "按 c 重新认领，或按 x 关闭这条消息",
    "In the shared pool, in cool-off for you: you may claim it again from {date}":
        "在公海中，你处于冷静期：{date} 起可重新认领",
}
