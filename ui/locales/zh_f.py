"""Chinese for the ownership history and returns to the pool (helper F, issue 10): the event
reasons of sync/protocol/ownership.py (TEMPLATES), the return reasons and strategies, the kinds
of event, and the command line's words for ``fieldrep history`` and ``fieldrep return``."""

ZH = {
    # --- why an owner changed (sync/protocol/ownership.py TEMPLATES)
    "{who} added it as a new customer": "{who} 新建了这个客户",
    "{who} claimed it from the pool; protected until {until}": "{who} 从公海认领；保护期至 {until}",
    "{who} returned it to the pool: {reason}": "{who} 退回公海：{reason}",
    "back to the pool: {who} did not visit it after claiming it on {since}; "
    "protection lapsed on {until}":
        "回到公海：{who} 于 {since} 认领后没有拜访；保护期于 {until} 结束",
    "back to the pool: no deal within {days} days of {who}'s claim on {since}; "
    "protection lapsed on {until}":
        "回到公海：{who} 于 {since} 认领后 {days} 天内没有成交；保护期于 {until} 结束",
    "back to the pool: {who} last visited it on {last}; protection lapsed on {until}":
        "回到公海：{who} 最后一次拜访是 {last}；保护期于 {until} 结束",
    "assigned to {to} by {who} ({strategy}): the fewest assignments this round ({count}) "
    "among {eligible} eligible":
        "由 {who} 分配给 {to}（{strategy}）：在 {eligible} 名符合条件的销售中本轮分得最少（{count} 个）",
    "assigned to {to} by {who} ({strategy}): their territory names its {field} {value}; "
    "the fewest assignments this round ({count}) among {eligible} eligible":
        "由 {who} 分配给 {to}（{strategy}）：其辖区包含{field} {value}；"
        "在 {eligible} 名符合条件的销售中本轮分得最少（{count} 个）",
    "transferred from {prev} to {to} by {who}": "由 {who} 从 {prev} 转给 {to}",
    "given to {to} from the pool by {who}": "由 {who} 从公海交给 {to}",
    "owner set to {to} by an import": "导入时负责人设为 {to}",
    "handed to {to} of {team} when it reached the stage {stage}":
        "进入{stage}阶段时移交给{team}的 {to}",
    # --- return reasons and strategies
    "not interested": "没有兴趣",
    "a duplicate of another customer": "与其他客户重复",
    "outside the territory": "不在辖区内",
    "the business has closed": "已停业",
    "another reason": "其他原因",
    "round-robin": "轮流分配",
    "by region": "按地区",
    "by customer type": "按客户类型",
    "by industry": "按行业",
    # --- kinds of event
    "added": "新建",
    "claimed": "认领",
    "returned": "退回",
    "reclaimed": "收回",
    "assigned": "分配",
    "transferred": "转移",
    "handed off": "移交",
    "imported": "导入",
    # --- the command line
    "return to the pool": "退回公海",
    "who owned a customer and why: claims, returns, reclaims, assignments, transfers":
        "客户归属的历史：认领、退回、收回、分配、转移",
    "give a customer of yours back to the pool, with a reason (the server decides)":
        "把自己的客户退回公海，并说明原因（由服务器决定）",
    "why: one of the policy's return reasons, e.g. {codes}": "原因：政策中的退回原因之一，例如 {codes}",
    "no ownership history of {name} on this laptop yet (it comes with the next sync)":
        "这台电脑上还没有 {name} 的归属历史（下次同步时获取）",
    "return of {name} queued ({reason}); the server decides at the next sync":
        "{name} 的退回已排队（{reason}）；下次同步时由服务器决定",
    "WHEN": "时间",
    "FROM": "原负责人",
    "TO": "新负责人",
}
