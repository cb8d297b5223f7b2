"""Chinese for the goals form (``g`` on the Team screen, issue 10)."""

ZH: dict[str, str] = {
    "Goals": "目标",
    "Goals form": "目标表单",
    "Set this rep's goals from the period shown on, with their history":
        "从所示周期起设定该销售的目标，并查看历史",
    "From": "起始",
    "Visits/week": "每周拜访",
    "A coverage %": "A 类覆盖 %",
    "New/month": "每月新客户",
    "Revenue/month": "每月收入",
    "Satisfaction": "满意度",
    "a month 2027-01, a quarter 2027-Q1, a week 2026-W50 or a date":
        "月份 2027-01、季度 2027-Q1、周 2026-W50 或日期",
    "from {day} on": "自 {day} 起",
    "now {value}": "现为 {value}",
    "No goals set by period yet: these are the rep's goals": "尚未按周期设定目标：这是该销售现在的目标",
    "History (newest first)": "历史（最新的在前）",
    "from {day}: {visits} visits a week · A {coverage}% · {new} new · {revenue} a month · "
    "satisfaction {satisfaction} · by {who} on {at}":
        "自 {day}：每周拜访 {visits} · A 类 {coverage}% · 新客户 {new} · 每月 {revenue} · "
        "满意度 {satisfaction} · {who} 于 {at} 设定",
    "… and {n} older": "… 另有 {n} 条更早的",
    "give a number": "请填写数字",
    "{text} is not a number": "{text} 不是数字",
    "Goals of {name} queued: the rep sees them after their next sync":
        "{name} 的目标已排队：该销售下次同步后即可看到",
}
