"""Chinese for the Pool screen (公海) and the assignment by a strategy (issue 10, Q)."""

ZH: dict[str, str] = {
    # refusals and ownership history
    "assigned to {to} by {who} ({strategy})": "由 {who} 分配给 {to}（{strategy}）",
    "assigned to {to} by {who} ({strategy}): their territory names its {field} {value}":
        "由 {who} 分配给 {to}（{strategy}）：其区域包含该客户的{field} {value}",
    # the Pool screen
    "Pool": "公海",
    "The pool of your scope: why each is there; assign, or share out":
        "你范围内的公海：每个客户为何在此；指派或按策略分配",
    "Filter": "筛选",
    "Filter by name, pinyin, city, industry, previous owner or reason":
        "按名称、拼音、城市、行业、原负责人或原因筛选",
    "Show": "显示",
    "All, claimable now, not yet claimable, returned or reclaimed":
        "全部、现在可领取、尚不可领取、被退回或被收回",
    "Choose": "选择",
    "Choose this customer, or leave it out again": "选择这个客户，或再次取消",
    "Choose all": "全选",
    "Choose every customer shown, or none again": "选择显示的所有客户，或全部取消",
    "Assign": "指派",
    "Give the chosen customers (or this one) to a rep of the team":
        "把选中的客户（或当前这个）交给团队里的一位销售",
    "By strategy": "按策略",
    "Share the chosen (or all shown) out by a strategy: a preview first":
        "按策略分配选中的（或显示的全部）客户：先预览",
    "/ filter: name, pinyin, city, previous owner, reason": "/ 筛选：名称、拼音、城市、原负责人、原因",
    "every pool customer": "所有公海客户",
    "claimable now": "现在可领取",
    "not claimable yet": "尚不可领取",
    "returned by a rep": "被销售退回",
    "reclaimed by the rules": "按规则收回",
    "Showing {which}": "显示：{which}",
    "{n} pool customer in your scope": "你的范围内有 {n} 个公海客户",
    "{n} pool customers in your scope": "你的范围内有 {n} 个公海客户",
    "{n} claimable now": "{n} 个现在可领取",
    "{n} chosen": "已选 {n} 个",
    "{n} assignment waiting to sync": "{n} 个指派等待同步",
    "{n} assignments waiting to sync": "{n} 个指派等待同步",
    "{n} shown": "显示 {n} 个",
    "matching “{q}”": "匹配“{q}”",
    "✓ chosen  ⧗ waiting to sync  ◇ in the pool": "✓ 已选  ⧗ 等待同步  ◇ 在公海",
    "No pool customer matches “{q}”": "没有公海客户匹配“{q}”",
    "No pool customers in your scope on this laptop": "这台电脑上你的范围内没有公海客户",
    "No pool customer shown": "没有显示公海客户",
    "Its assignment is waiting to sync": "它的指派正在等待同步",
    "{name} · holds {held} of {cap}": "{name} · 持有 {held} / {cap}",
    "Who gets {name}?": "{name} 交给谁？",
    "Who gets the {n} chosen customer?": "选中的 {n} 个客户交给谁？",
    "Who gets the {n} chosen customers?": "选中的 {n} 个客户交给谁？",
    "a number or enter gives them · esc leaves it": "按数字或回车交出 · esc 放弃",
    "{n} customer goes to {rep}: the server decides at sync":
        "{n} 个客户交给 {rep}：同步时由服务器决定",
    "{n} customers go to {rep}: the server decides at sync":
        "{n} 个客户交给 {rep}：同步时由服务器决定",
    "Share {n} pool customer out: how?": "如何分配这 {n} 个公海客户？",
    "Share {n} pool customers out: how?": "如何分配这 {n} 个公海客户？",
    "a number or enter shows the preview · esc leaves it": "按数字或回车查看预览 · esc 放弃",
    "Cannot share out": "无法分配",
    "{n} assignment queued ({strategy}): the server decides at sync":
        "已排队 {n} 个指派（{strategy}）：同步时由服务器决定",
    "{n} assignments queued ({strategy}): the server decides at sync":
        "已排队 {n} 个指派（{strategy}）：同步时由服务器决定",
    "Previous owner": "原负责人",
    "Claimable": "可领取",
    "Cool-off": "冷却至",
    "Why in the pool": "进入公海的原因",
    "→ {rep}, waiting to sync": "→ {rep}，等待同步",
    # the preview
    "Assignment preview": "分配预览",
    "Queue them": "排队提交",
    "Queue exactly these assignments; the server decides at sync":
        "按此预览排队提交这些指派；同步时由服务器决定",
    "Leave it": "放弃",
    "Queue nothing; the pool stays as it is": "不提交任何指派；公海保持不变",
    "Moves / load": "分配 / 负载",
    "Move between the moves and the load per rep": "在分配列表和每位销售的负载之间切换",
    "no territory of the team covers it": "团队没有区域覆盖它",
    "no rep's territory names its region, type or industry": "没有销售的区域包含它的地区、类型或行业",
    "every rep who could take it is at the limit": "能接手的销售都已达到上限",
    "fewest so far ({count}) of {eligible}": "本轮最少（{count}），{eligible} 人可接",
    "{field} {value} in their territory; {fewest}": "区域含{field} {value}；{fewest}",
    "{n} pool customer shared out {strategy}: nothing is queued yet":
        "{n} 个公海客户（{strategy}）的分配预览：尚未排队提交",
    "{n} pool customers shared out {strategy}: nothing is queued yet":
        "{n} 个公海客户（{strategy}）的分配预览：尚未排队提交",
    "To": "交给",
    "Rule matched": "匹配的规则",
    "Holds now": "现持有",
    "After": "之后",
    "Gets": "新增",
    "stays": "留下",
    "{n} stays in the pool": "{n} 个留在公海",
    "{n} stay in the pool": "{n} 个留在公海",
    "y or enter queues {n} assignment · esc leaves it": "y 或回车排队提交 {n} 个指派 · esc 放弃",
    "y or enter queues {n} assignments · esc leaves it": "y 或回车排队提交 {n} 个指派 · esc 放弃",
    "Nobody can take them: esc leaves it": "没有人能接手：esc 放弃",
    # fieldrep assign --strategy
    "--preview and --apply are for an assignment by --strategy": "--preview 和 --apply 用于按 --strategy 分配",
    "name the CUSTOMERs and --to REP, or share the pool out with --strategy S --preview|--apply":
        "请给出客户和 --to 销售，或用 --strategy S --preview|--apply 分配公海",
    "say --preview (nothing is queued) or --apply (queue the plan)":
        "请指定 --preview（不排队提交）或 --apply（排队提交该方案）",
    "{n} pool customer would move ({strategy}); nothing is queued yet: run it again with --apply":
        "{n} 个公海客户将被分配（{strategy}）；尚未排队提交：加 --apply 再运行一次",
    "{n} pool customers would move ({strategy}); nothing is queued yet: run it again with --apply":
        "{n} 个公海客户将被分配（{strategy}）；尚未排队提交：加 --apply 再运行一次",
    "give pool customers to a rep of your team, or share the pool out by a strategy (managers)":
        "把公海客户交给团队里的销售，或按策略分配公海（经理）",
    # a manager's queue: the team's complaints past their SLA
    "Past its SLA": "已超时效",
    "Chase it on the complaints board (7); d resolves it": "在投诉看板（7）跟进；d 解决它",
    "no response within the SLA · {owner} · {age}: {text}": "未在时效内回复 · {owner} · {age}：{text}",
    "not resolved within the SLA · {owner} · {age}: {text}": "未在时效内解决 · {owner} · {age}：{text}",
    "{n} complaint of the team past its SLA": "团队有 {n} 条投诉已超时效",
    "{n} complaints of the team past their SLA": "团队有 {n} 条投诉已超时效",
}
