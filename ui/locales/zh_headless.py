"""The headless commands' listings, summaries and refusals (tui/cli/records.py, listing.py,
__init__.py) and the visit time as a rep types it (ui/visit_input.py)."""

ZH = {
    # column titles of the listings
    "NAME": "名称", "TIER": "级别", "CITY": "城市", "STAGE": "阶段", "OWNER": "负责人",
    "ID": "编号", "GROUP": "分组", "COUNT": "数量", "DATE": "日期", "CUSTOMER": "客户",
    "KIND": "方式", "OUTCOME": "结果", "DUE": "到期", "WHY": "原因", "FIELD": "字段",
    "MINE": "我的", "THEIRS": "服务器的",
    # flags
    "language of the output": "输出的语言",
    "machine-readable output": "机器可读的输出（JSON）",
    "with --group-by: only how many customers each group holds": "与 --group-by 同用：只显示每组的客户数",
    "at most N customers (default 200)": "最多 N 个客户（默认 200）",
    "leave out the header row (for scripts)": "不输出表头行（供脚本使用）",
    "must be 1 or more, not {value}": "必须是 1 或更大，而不是 {value}",
    "{value} is not a whole number": "{value} 不是整数",
    "what came of it (default: as the visit form presets it, e.g. “Met the customer”)":
        "结果（默认与拜访表单的预设相同，例如“见到了客户”）",
    "when it happened, if not now: 14:30 (today), \"yesterday 14:30\" or "
    "\"2026-11-20 14:30\", in the team's time zone":
        "发生时间（不是现在时）：14:30（今天）、\"昨天 14:30\" 或 \"2026-11-20 14:30\"，按团队的时区",
    "use a time like 14:30, yesterday 14:30 or 2026-11-20 14:30":
        "请用 14:30、昨天 14:30 或 2026-11-20 14:30 这样的时间",
    # the store held by the workspace, or damaged
    "the workspace has this laptop's data open (pid {pid}, since {since}): close the "
    "workspace or log it there; reading commands (status, customers, show, queue …) work "
    "beside it":
        "工作区正打开着这台电脑的数据（进程 {pid}，自 {since} 起）：请关闭工作区，或在工作区里记录；"
        "只读命令（status、customers、show、queue 等）可以在它旁边运行",
    "{file} looks damaged ({why}); nothing was changed: open fieldrep (or run fieldrep sync) "
    "to set it aside and rebuild it":
        "{file} 似乎已损坏（{why}）；没有做任何改动：打开 fieldrep（或运行 fieldrep sync）"
        "会把它移到一旁并重建",
    "“{text}” matches {n} customers; name one by its full name or its id:":
        "“{text}”匹配到 {n} 个客户；请用全名或编号指明其中一个：",
    # listings
    "no customers": "没有客户",
    "no visits": "没有拜访",
    "nothing in the queue": "待办队列是空的",
    "no conflicts": "没有冲突",
    "{group} ({n})": "{group}（{n}）",
    "(not yet synced)": "（尚未同步）",
    "fieldrep: showing the first {shown} of {total} customers; --limit N shows more":
        "fieldrep：显示 {total} 个客户中的前 {shown} 个；用 --limit N 显示更多",
    "owner:": "负责人：",
    "contact:": "联系人：",
    "{owner}, protected until {day}": "{owner}，保护期至 {day}",
    # writes
    "--next-step needs --due (e.g. --due fri)": "--next-step 需要 --due（例如 --due fri）",
    "logged: {kind} with {customer} at {when}: {outcome}":
        "已记录：{when} 与{customer}的{kind}：{outcome}",
    "; follow-up “{step}” due {due}": "；跟进“{step}”于 {due} 到期",
    "; it syncs next time ({id})": "；下次同步时发送（{id}）",
    "that follow-up is already done: {title}": "这条跟进已经完成：{title}",
    "that follow-up was dismissed: {title}": "这条跟进已被关闭：{title}",
    "done: {title}": "已完成：{title}",
    "snoozed until {day}: {title}": "已推迟到 {day}：{title}",
    "{file} holds no operations to import (write one with fieldrep export-outbox FILE)":
        "{file} 里没有可导入的操作（用 fieldrep export-outbox FILE 导出）",
    "nothing new in {file}: every operation in it is already here":
        "{file} 里没有新内容：其中每项操作都已在这里",
    "“{text}” starts {n} {what} ids; type more of it (e.g. {examples})":
        "以“{text}”开头的{what}编号有 {n} 个；请多输入几位（例如 {examples}）",
    "follow-up": "跟进", "conflict": "冲突",
    "no conflict “{id}” (fieldrep conflicts lists them)": "没有冲突“{id}”（fieldrep conflicts 会列出）",
    "kept mine; it is sent again at the next sync": "保留我的；下次同步时再次发送",
    "kept theirs; the server's stands": "保留服务器的",
    "logged out": "已退出登录",
}
