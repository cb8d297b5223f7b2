"""Chinese for tier and lifecycle suggestions from order history (issue 12): the customer
screen's "suggested" line, the Suggestions screen (``8``) and ``fieldrep suggestions``."""

ZH = {
    "suggested: {tier} ({scores}) — now {now}": "建议：{tier}（{scores}）— 现为 {now}",
    "suggested stage: {stage} (last order {days} days ago) — now {now}":
        "建议阶段：{stage}（上次下单在 {days} 天前）— 现为 {now}",
    "Suggestions": "建议",
    "Customers whose order history suggests another tier or stage; accept one or all":
        "订单历史建议调整等级或阶段的客户；可逐个或全部接受",
    "R: days since the last order · F: orders in 365 days · M: their amount; each 1–5 by "
    "fifths of the customers here. A: R+F+M ≥ 13, B: ≥ 8. No order for 180 days: at risk; "
    "365: lost":
        "R：距上次下单的天数 · F：365 天内的订单数 · M：其金额；各按本机客户的五分位计 1–5 分。"
        "A：R+F+M ≥ 13，B：≥ 8。180 天无订单：有风险；365 天：已流失",
    "Accept": "接受",
    "Accept the highlighted suggestion: a customer update, sent at the next sync":
        "接受选中的建议：作为一次客户修改，下次同步时发送",
    "Accept all": "全部接受",
    "Accept every suggestion listed, after a confirm": "确认后接受列出的全部建议",
    "Scores": "评分",
    "Last order": "上次下单",
    "Orders": "订单数",
    "Amount": "金额",
    "{n} days ago": "{n} 天前",
    "Working out suggestions from the order history…": "正在根据订单历史计算建议…",
    "Every customer with orders has the tier and stage its history suggests":
        "所有有订单的客户，其等级和阶段都与订单历史的建议一致",
    "{n} customers' tier or stage differ from what their order history suggests":
        "{n} 个客户的等级或阶段与订单历史的建议不同",
    "(the first {shown} listed)": "（列出前 {shown} 个）",
    "Only a manager or an admin accepts suggestions": "只有经理或管理员可以接受建议",
    "Still queueing the accepted suggestions": "仍在将已接受的建议排队",
    "The suggestions are still being worked out": "建议仍在计算中",
    "Nothing to accept: no suggestion differs": "没有可接受的建议：没有与现状不同的建议",
    "Highlight a customer first": "请先选中一个客户",
    "Accept the suggestions for all {n} customers?": "接受全部 {n} 个客户的建议？",
    "Each becomes a customer update of tier and stage, sent at the next sync":
        "每条建议都会成为一次等级和阶段的客户修改，下次同步时发送",
    "{n} suggestions accepted — will sync": "已接受 {n} 条建议，将同步",
    "{name}: {reason}": "{name}：{reason}",
    "and {n} more refused": "另有 {n} 条被拒绝",
    # fieldrep suggestions
    "customers whose order history suggests another tier or stage":
        "订单历史建议调整等级或阶段的客户",
    "accept suggestions: a customer update each (managers)": "接受建议：每条一次客户修改（经理）",
    "a customer's id or a search matching one": "客户的 ID，或只匹配一个客户的搜索词",
    "every customer listed": "列出的全部客户",
    "name the customers to accept, or --all (not both) (see fieldrep suggestions accept "
    "--help)": "请指定要接受的客户，或使用 --all（不能同时使用）（见 fieldrep suggestions accept --help）",
    "{name}: its tier and stage are what its order history suggests; nothing to accept":
        "{name}：其等级和阶段与订单历史的建议一致；没有可接受的建议",
    "{n} suggestions accepted: a customer update each, sent at the next sync":
        "已接受 {n} 条建议：每条一次客户修改，下次同步时发送",
}
