"""Chinese for complaints to resolution (helper K, issue 10): ``fieldrep complaints`` and
``fieldrep complaint respond|resolve``, the SLA's words and the satisfaction re-visit's title."""

ZH = {
    # --- the listing
    "SEVERITY": "严重度",
    "AGE": "时长",
    "RESPOND BY": "回复期限",
    "RESOLVE BY": "解决期限",
    "SLA": "时效",
    "COMPLAINT": "投诉",
    "{n} min": "{n} 分钟",
    "{n} h": "{n} 小时",
    "{d} d {h} h": "{d} 天 {h} 小时",
    "resolution late": "解决超时",
    "response late": "回复超时",
    "resolved on time": "按时解决",
    "responded": "已回复",
    "on time": "未超时",
    "no open complaints": "没有未结投诉",
    "no complaints on this laptop": "本机没有投诉",
    "Satisfaction re-visit: {text}": "满意度回访：{text}",
    # --- the commands
    "open complaints oldest first, with severity, age and the SLA (a manager: the team's)":
        "未结投诉，最早的在前，含严重度、时长和时效（经理：整个团队的）",
    "resolved complaints too": "也列出已解决的投诉",
    "at most N complaints (default 200)": "最多 N 条投诉（默认 200）",
    "respond to or resolve a complaint": "回复或解决一条投诉",
    "add a response to a complaint; the first one meets the SLA's first response":
        "回复一条投诉；第一条回复计入时效的首次回复",
    "resolve a complaint with what was done; its owner gets a satisfaction re-visit":
        "写明处理结果并解决投诉；客户负责人会收到一次满意度回访",
    "a complaint id or its first letters": "投诉 ID 或其前几位",
    "what you did or told the customer": "你做了什么或对客户说了什么",
    "how it was resolved": "如何解决的",
    "response to the complaint of {name} queued; the server records its time at the next sync":
        "对 {name} 投诉的回复已排队；下次同步时服务器记录时间",
    "resolution of the complaint of {name} queued; after the next sync its owner gets a "
    "satisfaction re-visit in {days} days":
        "{name} 投诉的解决已排队；下次同步后，客户负责人将在 {days} 天后收到满意度回访",
}
