"""Chinese for the queue's words (reasons, due cells, undo), the visit form's offer to close a
follow-up, the restored draft, and the counts said by ``_n`` (keyed by their plural form)."""

ZH = {
    # the queue: due cells and reasons (ui/queue_text.py)
    "open since today": "今天提出",
    "open {n} days": "已开 {n} 天",
    "{title} — overdue since {date}": "{title} — 自 {date} 起逾期",
    "{title} — due today": "{title} — 今天到期",
    "{title} — due {date}": "{title} — {date} 到期",
    "complaint, {age}: {text}": "投诉，{age}：{text}",
    "went back to the pool (protection lapsed)": "已退回公海（保护期已过）",
    "went back to the pool": "已退回公海",
    "protection ends today — visit to extend": "保护期今天结束 — 拜访可延长",
    "protection ends tomorrow — visit to extend": "保护期明天结束 — 拜访可延长",
    "protection ends in {n} days — visit to extend": "保护期 {n} 天后结束 — 拜访可延长",
    "cadence {n} days": "周期 {n} 天",
    "{tier} customer: last visit {n} days ago ({cadence})":
        "{tier} 类客户：上次拜访在 {n} 天前（{cadence}）",
    "{tier} customer: not visited since the claim ({cadence})":
        "{tier} 类客户：认领后尚未拜访（{cadence}）",
    # undo on the queue
    "Undo": "撤销",
    "Take back the last done or dismissed follow-up": "撤回上一次完成或关闭的跟进",
    "Nothing to undo": "没有可撤销的操作",
    "u undo": "u 撤销",
    "Cannot undo": "无法撤销",
    "Undone: {what}": "已撤销：{what}",
    "nothing to undo: this follow-up is not closed": "没有可撤销的：这条跟进并未关闭",
    # the visit form
    "Also mark “{title}” done": "同时将“{title}”标记为完成",
    "Saved, and “{title}” done — will sync": "已保存，“{title}”已完成 — 将同步",
    "Saved — will sync; the follow-up stays as it was: {why}": "已保存 — 将同步；跟进未改动：{why}",
    # a restored draft
    "Draft from {time} restored": "已恢复 {time} 的草稿",
    # counts said by _n, whose plural form is a new key (the others keep their lines)
    "{conflicts}, {rejected}": "{conflicts}，{rejected}",
    "logged out; {n} pending operations are kept and sync after the next login":
        "已退出登录；{n} 项待同步操作保留，下次登录后同步",
    "{n} conflicts to resolve": "{n} 个冲突待处理",
    "{n} operations waiting to sync": "{n} 项操作等待同步",
    "wrote {n} pending operations to {file}": "已把 {n} 项待同步操作写入 {file}",
    "queued {n} operations from {file}; they sync next time":
        "已从 {file} 加入 {n} 项操作；下次同步时发送",
}
