"""Chinese for goals per period: ``fieldrep goals`` and the goals form (O, issue 10)."""

ZH = {
    "visits: {n} a week": "拜访：每周 {n} 次",
    "A-customer coverage: {pct}%": "A 类客户覆盖率：{pct}%",
    "new customers: {n} a month": "新客户：每月 {n} 个",
    "revenue: {amount} a month": "销售额：每月 {amount}",
    "satisfaction: {score} of 5": "满意度：{score}（满分 5）",
    "(changed here, not yet synced)": "（本机已修改，尚未同步）",
    "history:": "历史：",
    "from {day}, set by {who}: {goals}": "自 {day} 起，由 {who} 设定：{goals}",
    "no reps on this laptop": "本机没有销售",
    "goals of {rep} queued; the server decides at the next sync":
        "{rep} 的目标已排队；下次同步时由服务器决定",
    "goals in effect and their history (a manager: the team's)": "当前目标及其历史（经理：整个团队）",
    "one rep, by name or id": "某一位销售，按姓名或 ID",
    "a manager sets a rep's goals from a period on": "经理为销售设定从某个周期起的目标",
    "the period they start with: a month 2027-01, a quarter 2027-Q1, a week 2026-W50 or a "
    "date (today, +1w, 2027-01-15); earlier periods keep theirs":
        "目标从哪个周期开始：月份 2027-01、季度 2027-Q1、周 2026-W50 或日期（today、+1w、"
        "2027-01-15）；之前的周期保留原目标",
    "visits a week": "每周拜访次数",
    "revenue (order amounts) a month": "每月销售额（订单金额）",
    "share of A customers seen within their cadence, in %%": "按节奏拜访到的 A 类客户占比（%%）",
    "new customers a month": "每月新客户数",
    "average satisfaction target, 1 to 5": "平均满意度目标，1 到 5",
    # issue 12: fieldrep followup add
    "add a follow-up to a customer; prints its id": "为客户添加一条待办；输出它的 ID",
    "what to do": "要做什么",
    "when: 2026-12-01, today, tomorrow, fri, +3d, +2w": "何时：2026-12-01、today、tomorrow、fri、+3d、+2w",
    # issue 10: t on a customer
    "Transfer": "转移",
    "Give this customer to another rep of the team (a manager)": "把这个客户交给团队中的另一位销售（经理）",
    "Only a manager or an admin moves a customer to another rep": "只有经理或管理员能把客户转给另一位销售",
    "No customer here": "这里没有客户",
    "A change of its owner is already waiting to sync": "它的归属变更已在等待同步",
    "No other rep in the team to give it to": "团队里没有别的销售可以接手",
    "Cannot transfer": "无法转移",
    "{name} goes to {rep}: the server decides at sync; their protection starts again there":
        "{name} 转给 {rep}：同步时由服务器决定；新归属人的保护期从那时重新开始",
    "Who takes {name}?": "谁接手 {name}？",
}
