"""Refusals (sync/protocol/refusals.py TEMPLATES), English template → 中文, the same placeholders.

tests/protocol/test_refusals.py fails when a template has no line here or a line's placeholders
differ from its template's, so a new code is one line in refusals.py and one line here.
"""

ZH = {
    # --- claims and the pool
    "{name} is already yours": "{name} 已经是你的客户",
    "owned by {who}": "归 {who} 所有",
    "owned by {who}, protected until {until}": "归 {who} 所有，保护期至 {until}",
    "{name} returned to the pool from you; you may claim it again from {until}":
        "{name} 是从你手里退回公海的；{until} 起你才能再次认领",
    "daily claim limit of {cap} reached; try again tomorrow":
        "已达每日认领上限（{cap} 个），请明天再试",
    "you already hold {held} customers, the limit is {cap}":
        "你已持有 {held} 个客户，上限是 {cap} 个",
    # --- scope
    "{name} is outside your territories": "{name} 不在你的辖区内",
    "this {entity} belongs to someone else": "这条{entity}属于别人",
    "{field} of a pool customer cannot be changed before claiming it":
        "公海客户的{field}在认领之前不能修改",
    "this change would move {name} outside your territories":
        "这个修改会把 {name} 移出你的辖区",
    "unknown customer {id}": "未知客户 {id}",
    "unknown {entity} {id}": "未知{entity} {id}",
    "a {entity} with this id exists already": "已有同一编号的{entity}",
    "customer_id: a customer id is required": "customer_id：需要客户编号",
    # --- fields and values
    "{field}: {problem}": "{field}：{problem}",
    "{field} cannot be changed": "{field}不能修改",
    "{field} cannot be changed by an edit": "{field}不能通过编辑修改",
    "{field}: this field is required": "{field}：此项必填",
    "{field}: at most {max} characters": "{field}：最多 {max} 个字符",
    "{field}: at most {max} entries": "{field}：最多 {max} 项",
    "{field}: control characters are not allowed": "{field}：不允许包含控制字符",
    "{field}: contains a NUL character": "{field}：包含空字符（NUL）",
    "{field}: contains a broken character (a lone UTF-16 surrogate)":
        "{field}：包含损坏的字符（孤立的 UTF-16 代理项）",
    "a number in this change is too large": "这次修改中的某个数字太大",
    "{field}: must be between {earliest} and {latest}":
        "{field}：必须在 {earliest} 到 {latest} 之间",
    "a satisfaction feedback needs a score from 1 to 5": "满意度反馈需要 1 到 5 的评分",
    # --- roles and the manager's rights
    "only an admin may do this": "只有管理员可以这样做",
    "only a manager or an admin may do this": "只有经理或管理员可以这样做",
    "a manager assigns only within their own team": "经理只能在自己的团队内分配",
    "a manager transfers customers only within their own team": "经理只能在自己的团队内转移客户",
    "{rep}'s territories do not cover {name}": "{rep} 的辖区不包含 {name}",
    "no reps to assign to": "没有可分配的销售",
    # --- sync protocol, devices and tokens
    "mutation {mid} of this device was already used for another change: "
    "this laptop's data was restored or copied; it registers again and resends":
        "本设备的第 {mid} 号操作已用于另一项修改：这台电脑的数据是恢复或复制来的；"
        "它会重新注册并重新发送",
    "expected mutation {expected}, got {mid}": "应为第 {expected} 号操作，收到的是第 {mid} 号",
    "this device is not registered to you: log in again": "这台设备没有登记在你名下：请重新登录",
    "you have {count} devices registered, the limit is {max}: ask your admin":
        "你已登记 {count} 台设备，上限是 {max} 台：请联系管理员",
    "missing bearer token: log in with fieldrep login": "缺少令牌：请用 fieldrep login 登录",
    "not a valid token: log in again": "令牌无效：请重新登录",
    "this token is unknown or was revoked: log in again": "令牌未知或已被撤销：请重新登录",
    "too many failed sign-ins from this address; try again in {seconds} s":
        "此地址登录失败次数过多；请 {seconds} 秒后再试",
    "this request is larger than the server accepts ({max} bytes)":
        "请求超过服务器允许的大小（{max} 字节）",
    "this fieldrep is too old for the server: update fieldrep":
        "这个 fieldrep 版本对服务器来说太旧了：请更新 fieldrep",
    "this outbox was exported by another rep ({rep}); only they can import it":
        "这份待同步文件是另一位销售（{rep}）导出的；只有本人可以导入",
    # --- the server's edge
    "Content-Length must be a number of bytes": "Content-Length 必须是字节数",
    "a value in this request cannot be stored (a NUL character, or a number out of range)":
        "请求中有无法保存的值（空字符，或超出范围的数字）",
    "there is nothing at this address": "这个地址上没有内容",
    "the server is busy; try again shortly": "服务器繁忙；请稍后再试",
    "a concurrent write collided; send again": "与同时进行的写入冲突；请重新发送",
    "X-Fieldrep-Schema must be a number, not {value}": "X-Fieldrep-Schema 必须是数字，而不是 {value}",
    "not a cursor this server made: {cursor}": "不是本服务器生成的游标：{cursor}",
    "this cursor is older than the server keeps changes: start again from a fresh copy":
        "这个游标早于服务器保留的变更记录：请从新的副本重新开始",
    "this cursor is from another server or a restored database: start again from a fresh copy":
        "这个游标来自另一台服务器或恢复过的数据库：请从新的副本重新开始",
    "not a bootstrap token this server made": "不是本服务器生成的初始同步令牌",
    "this copy was started too long ago: start it again": "这份副本开始得太久了：请重新开始",
    "timezone: unknown time zone {timezone}": "timezone：未知时区 {timezone}",
    "cadence_days.{tier}: must be 1 to {max} days, not {days}":
        "cadence_days.{tier}：必须是 1 到 {max} 天，而不是 {days}",
    "no rep called '{name}'": "没有名为“{name}”的销售",
    "several reps are called '{name}'; use the id": "有多位销售名为“{name}”；请使用编号",
    "no team called '{name}'": "没有名为“{name}”的团队",
    "no territory called '{name}'": "没有名为“{name}”的辖区",
    "unknown strategy {strategy}: use {choices}": "未知策略 {strategy}：请使用 {choices}",
    "the server refused this: {reason}": "服务器拒绝了：{reason}",
    "this customer is outside your territories": "这个客户不在你的辖区内",
    "this file does not say whose work it is; import it on the laptop it came from":
        "这个文件没有注明是谁的工作；请在它原来的电脑上导入",
    # --- the words a refusal's {entity} and {field} name (record kinds, record fields)
    "customer": "客户",
    "followup": "跟进",
    "rep": "销售",
    "outcome": "结果",
    "notes": "备注",
    "next_step": "下一步",
    "next_step_due": "下一步期限",
    "amount": "金额",
    "score": "评分",
    "severity": "严重程度",
    "title": "标题",
    "due": "到期日",
    "snoozed_until": "推迟至",
    "resolution": "处理结果",
    "phone": "电话",
    "email": "邮箱",
    "tier": "等级",
    # --- one home for each rule (issue 14)
    "{date} is in the past": "{date} 已经过去",
    # --- C: server rules
    "a team called '{name}' exists already": "已有名为“{name}”的团队",
    "a territory called '{name}' exists already": "已有名为“{name}”的辖区",
    "a rep called '{name}' exists already": "已有名为“{name}”的销售",
    "unknown role '{role}': use {choices}": "未知角色“{role}”：请使用 {choices}",
    "a rep or manager needs --team": "销售或经理需要指定 --team",
    "this database already has an organisation; seed an empty one":
        "这个数据库已有组织；请在空数据库中生成示例",
    "not UTF-8 or GB18030 text (save it as CSV UTF-8)":
        "不是 UTF-8 或 GB18030 文本（请另存为 CSV UTF-8）",
    "the header row has no 'name' column (columns: {columns})":
        "表头没有“name”列（可用的列：{columns}）",
    "not a column fieldrep knows: {unknown} (known: {columns})": "未知的列 {unknown}（可用的列：{columns}）",
    "name is empty": "名称为空",
    "id: longer than {max} characters ({start}…)": "id：超过 {max} 个字符（{start}…）",
    "{field}: '{value}' is not a number": "{field}：“{value}”不是数字",
    "contact details without a contact_name": "有联系方式但没有 contact_name",
    "owner '{owner}' is not a rep": "负责人“{owner}”不是销售",
    "id {id} repeats line {line}": "id {id} 与第 {line} 行重复",
    "line {line}: {problem}": "第 {line} 行：{problem}",
    # --- D: one rule each side (issue 16)
    "{field}: cannot read {text} as a date; use 2026-12-01, today, tomorrow, fri, +3d or +2w":
        "{field}：看不懂日期“{text}”；请写 2026-12-01、今天、明天、周五、+3d 或 +2w",
    "{field}: {date} is not after today; pick tomorrow or later":
        "{field}：{date} 不在今天之后；请选明天或更晚",
    "{field}: {value} is not an email address (like name@example.com)":
        "{field}：“{value}”不是邮箱地址（例如 name@example.com）",
    "{field}: a phone number holds only digits, spaces, +, - and parentheses":
        "{field}：电话号码只能包含数字、空格、+、- 和括号",
    "{field}: a Chinese mobile number has 11 digits, not {digits}":
        "{field}：中国手机号是 11 位数字，不是 {digits} 位",
    "until": "推迟至",
    # --- E: admin and import (issue 16)
    "--match-on {column}: not a column of this file (columns: {columns})":
        "--match-on {column}：文件里没有这一列（列：{columns}）",
    "{columns} {values} repeats line {line}": "{columns} {values} 与第 {line} 行重复",
    "{columns} {values} matches {count} customers: add an id column "
    "(fieldrep-server export customers) or --match-on another column":
        "{columns} {values} 对应 {count} 个客户：请加上 id 列"
        "（fieldrep-server export customers），或用 --match-on 换一列",
    "unknown setting '{key}': use {keys}": "没有“{key}”这项设置：可用 {keys}",
    "'{text}' is not KEY=VALUE": "“{text}”不是 KEY=VALUE 的形式",
    # --- D: one rule each side (issue 16), continued
    "a claim for {name} is already waiting to sync": "对{name}的认领已在等待同步",
    # --- F: returning a customer to the pool (issue 10)
    "a return needs a reason: use {choices}": "退回公海需要说明原因：可用 {choices}",
    "unknown return reason {reason}: use {choices}": "没有“{reason}”这个退回原因：可用 {choices}",
    "{name} is not yours to return": "{name} 不是你的客户，不能退回",
    "a return of {name} is already waiting to sync": "{name} 的退回已在等待同步",
    "this customer is not yours to return": "这个客户不是你的，不能退回",
    # --- E: request limits (issue 11)
    "a push carries at most {max} changes, this one {count}: send the rest next":
        "一次推送最多 {max} 条更改，这次有 {count} 条：其余的下次再发",
    # --- J: the pool's claim delay (issue 10)
    "{name} has just gone back to the pool; it may be claimed from {at}":
        "{name} 刚回到公海，{at} 起才能认领",
    # --- I: a manager's assign and transfer through the outbox (issue 10)
    "{name} is no longer in the pool": "{name} 已不在公海",
    "{name} is no longer in the pool: {who} has it now": "{name} 已不在公海：现在归 {who}",
    "{rep} already holds {held} customers, the limit is {cap}":
        "{rep} 已持有 {held} 个客户，上限是 {cap}",
    "{name} is already {rep}'s": "{name} 已经是 {rep} 的客户",
    "{rep} is not a rep of your team": "{rep} 不是你团队的销售",
    "a move of {name} is already waiting to sync": "{name} 的分配或转移已在等待同步",
    "{rep} cannot take their own customers: name other reps with --to":
        "{rep} 不能接收自己的客户：用 --to 指定其他销售",
    "unknown split {split}: use {choices}": "没有“{split}”这种分法：可用 {choices}",
    "no rep {name} on this laptop: use a name or id from the team":
        "本机没有销售 {name}：请用团队中的姓名或 ID",
    "{field} is not a field of this change": "{field} 不是这项更改的字段",
    # --- K: complaints to resolution (issue 10)
    "only a complaint takes responses and a resolution": "只有投诉才能回复和处理结案",
    "this complaint is already resolved ({when})": "这条投诉已经处理完毕（{when}）",
    "{field}: say what was done (the text is empty)": "{field}：请写明做了什么（内容为空）",
    "a complaint holds at most {max} responses": "一条投诉最多 {max} 条回复",
    "{field} is set by the server": "{field} 由服务器填写",
    "no complaint {id} on this laptop": "本机没有投诉 {id}",
    "{id} matches {count} complaints: give more of the id": "{id} 匹配 {count} 条投诉：请多写几位 ID",
    # --- N: the complaints board, a book in one operation (issue 10)
    "a manager gives complaints only of their own team to its reps":
        "经理只能把本团队的投诉交给本团队的销售",
    "a resolved complaint is not given to anyone": "已处理完毕的投诉不再交给任何人",
    "a book transfer names no customer": "整批转移没有指定任何客户",
    "a book transfer moves at most {max} customers, this one {count}":
        "整批转移最多 {max} 个客户，这次有 {count} 个",
    "move {n} of the book is not a customer id and a rep number":
        "整批转移的第 {n} 项不是“客户 ID 加销售序号”",
    "{name} is no longer {rep}'s: it was not moved": "{name} 已不归 {rep}：未转移",
    # --- O: goals per period (issue 10)
    "a manager sets goals only for the reps of their own team": "经理只能为本团队的销售设定目标",
    "give at least one goal to set": "请至少给出一项目标",
    "goals are set for a period from {first} to {last}, not {day}":
        "目标只能设定在 {first} 至 {last} 之间的周期，不能是 {day}",
    "{text} is not a period: use a month (2027-01), a quarter (2027-Q1), a week (2026-W50) or a date":
        "{text} 不是周期：请写月份（2027-01）、季度（2027-Q1）、周（2026-W50）或日期",
    # Q: the pool's assignment by a strategy from the laptop
    "none of these customers can go to a rep of the team: see why each stays":
        "这些客户都无法分给团队里的销售：请看各自留下的原因",
    "handoffs.{n}.{field}: no team {team}": "handoffs.{n}.{field}：没有团队 {team}",
    "handoffs.{n}: a hand-off moves a customer to another team, not to {team}":
        "handoffs.{n}：移交是把客户交给另一个团队，不能交给 {team}",
}
